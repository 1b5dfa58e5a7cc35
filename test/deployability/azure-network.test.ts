import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { canonicalCidr, parseCidr } from "../../tools/deployability/azure/network";
import type { ProgramCapture } from "../../tools/lib/mock-run";
import { findingsAfter, NIC, NSG, SUBNET, urnOf, type Case } from "./azure-vm-cases";
import { vmFixture } from "./azure-vm-fixture";

const ADDRESS = "azure-subnet-address-space";
const NSG_RULES = "azure-nsg-security-rules";
const DNS = "azure-private-dns";
const RECORD = "azure-native:privatedns:PrivateRecordSet";

const cases = (fixture: () => ProgramCapture): Case[] => [
    [
        "a NIC in a subnet delegated to Container Apps",
        NIC,
        "neo4j-nic",
        (i, r) => {
            i.ipConfigurations[0].subnet.id = "apps-id";
            r.propertyDependencies["ipConfigurations"] = [urnOf(fixture(), SUBNET, "apps")];
        },
        [{ rule: "azure-nic-subnet-delegation", property: "ipConfigurations[0].subnet.id", value: "apps" }],
    ],
    [
        "a subnet overlapping a sibling",
        SUBNET,
        "neo4j",
        (i) => (i.addressPrefix = "10.40.1.0/27"),
        [{ rule: ADDRESS, property: "addressPrefix", value: "10.40.1.0/27" }],
    ],
    [
        "a subnet outside the VNet",
        SUBNET,
        "neo4j",
        (i) => (i.addressPrefix = "10.41.4.0/27"),
        [{ rule: ADDRESS, property: "addressPrefix", value: "10.41.4.0/27" }],
    ],
    [
        "a subnet that is not a network address",
        SUBNET,
        "neo4j",
        (i) => (i.addressPrefix = "10.40.4.1/27"),
        [{ rule: ADDRESS, property: "addressPrefix", value: "10.40.4.1/27" }],
    ],
    [
        "a subnet smaller than a /29",
        SUBNET,
        "neo4j",
        (i) => (i.addressPrefix = "10.40.4.0/30"),
        [{ rule: ADDRESS, property: "addressPrefix", value: "10.40.4.0/30" }],
    ],
    [
        "a subnet name ending with a period",
        SUBNET,
        "neo4j",
        (i) => (i.subnetName = "neo4j."),
        [{ rule: "azure-resource-name", property: "subnetName", value: "neo4j." }],
    ],
    [
        "a rule priority over 4096",
        NSG,
        "neo4j-nsg",
        (i) => (i.securityRules[2].priority = 4097),
        [{ rule: NSG_RULES, property: "securityRules[2].priority", value: 4097 }],
    ],
    [
        "two inbound rules at one priority",
        NSG,
        "neo4j-nsg",
        (i) => (i.securityRules[2].priority = 100),
        [{ rule: NSG_RULES, property: "securityRules[2].priority", value: 100 }],
    ],
    [
        "a port over 65535",
        NSG,
        "neo4j-nsg",
        (i) => (i.securityRules[0].destinationPortRanges[1] = "7474-70000"),
        [{ rule: NSG_RULES, property: "securityRules[0].destinationPortRanges[1]", value: "7474-70000" }],
    ],
    [
        "a reversed port range",
        NSG,
        "neo4j-nsg",
        (i) => (i.securityRules[1].destinationPortRange = "443-80"),
        [{ rule: NSG_RULES, property: "securityRules[1].destinationPortRange", value: "443-80" }],
    ],
    [
        "a source prefix with host bits",
        NSG,
        "neo4j-nsg",
        (i) => (i.securityRules[0].sourceAddressPrefix = "10.40.0.1/23"),
        [{ rule: NSG_RULES, property: "securityRules[0].sourceAddressPrefix", value: "10.40.0.1/23" }],
    ],
    [
        "a prefix that is no address or tag",
        NSG,
        "neo4j-nsg",
        (i) => (i.securityRules[1].destinationAddressPrefix = "10.40.3/24"),
        [{ rule: NSG_RULES, property: "securityRules[1].destinationAddressPrefix", value: "10.40.3/24" }],
    ],
    [
        "an NSG name with a space",
        NSG,
        "neo4j-nsg",
        (i) => (i.networkSecurityGroupName = "neo4j nsg"),
        [{ rule: "azure-resource-name", property: "networkSecurityGroupName", value: "neo4j nsg" }],
    ],
    [
        "a NIC name of 81 characters",
        NIC,
        "neo4j-nic",
        (i) => (i.networkInterfaceName = "n".repeat(81)),
        [{ rule: "azure-resource-name", property: "networkInterfaceName", value: "n".repeat(81) }],
    ],
    [
        "a private zone of one label",
        "azure-native:privatedns:PrivateZone",
        "internal",
        (i) => (i.privateZoneName = "internal"),
        [{ rule: DNS, property: "privateZoneName", value: "internal" }],
    ],
    ["a record set TTL of 0", RECORD, "neo4j-record", (i) => (i.ttl = 0), [{ rule: DNS, property: "ttl", value: 0 }]],
    [
        "a record name with a space",
        RECORD,
        "neo4j-record",
        (i) => (i.relativeRecordSetName = "neo 4j"),
        [{ rule: DNS, property: "relativeRecordSetName", value: "neo 4j" }],
    ],
    [
        "an A record that is a CIDR",
        RECORD,
        "neo4j-record",
        (i) => (i.aRecords[0].ipv4Address = "10.40.4.0/27"),
        [{ rule: DNS, property: "aRecords[0].ipv4Address", value: "10.40.4.0/27" }],
    ],
    [
        "a CNAME beside an A record of the same name",
        RECORD,
        "neo4j-record",
        (_i, a, all) => {
            // A second record set of the same name, as a copy of the A record turned CNAME.
            const cname = structuredClone(a);
            cname.urn = a.urn.replace("neo4j-record", "neo4j-alias");
            cname.name = "neo4j-alias";
            cname.inputs = { ...a.inputs, recordType: "CNAME", cnameRecord: { cname: "graph.estate.internal" } };
            delete cname.inputs["aRecords"];
            all.resources.push(cname);
        },
        [{ rule: DNS, property: "recordType", value: "CNAME" }],
    ],
];

describe("azure network deployability rules", () => {
    let fixture: ProgramCapture;
    before(async () => {
        fixture = await vmFixture();
    });

    for (const [what, type, name, change, expected] of cases(() => fixture))
        it(`refuses ${what}`, () => assert.deepEqual(findingsAfter(fixture, type, name, change), expected));

    it("accepts a service tag and an IP range as prefixes", () => {
        const found = findingsAfter(fixture, NSG, "neo4j-nsg", (i) => {
            i.securityRules[0].sourceAddressPrefix = "AzureCloud.WestEurope";
            i.securityRules[1].destinationAddressPrefix = "10.40.3.4-10.40.3.9";
        });
        assert.deepEqual(found, []);
    });

    it("reads IPv4 CIDRs", () => {
        assert.deepEqual(parseCidr("10.40.4.0/27"), { base: 0x0a280400, length: 27, size: 32 });
        assert.equal(parseCidr("10.40.4.0/33"), undefined);
        assert.equal(parseCidr("10.400.4.0/24"), undefined);
        assert.equal(canonicalCidr("10.40.4.1/27"), "10.40.4.0/27");
        assert.equal(canonicalCidr("10.40.4.0/27"), undefined);
    });
});
