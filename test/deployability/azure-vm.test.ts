import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { checkDeployability } from "../../tools/deployability";
import { azureRules } from "../../tools/deployability/azure";
import { customDataMaxBytes, hostNameProblem, LINUX_USERNAME_MAX } from "../../tools/deployability/azure/compute";
import { premiumStorageCapable } from "../../tools/deployability/azure/disks";
import { disallowedValues, documentedLength, providerDoc } from "../../tools/deployability/azure/provider-docs";
import type { ProgramCapture } from "../../tools/lib/mock-run";
import { DISK, findingsAfter, only, urnOf, VM, type Case } from "./azure-vm-cases";
import { ADMIN, vmFixture } from "./azure-vm-fixture";

const RULE_USER = "azure-vm-admin-username";
const RULE_AUTH = "azure-vm-linux-authentication";
const LINUX = "osProfile.linuxConfiguration";

const cases: Case[] = [
    [
        "a reserved admin name",
        VM,
        "neo4j-vm",
        (i) => (i.osProfile.adminUsername = "Admin"),
        [
            { rule: RULE_USER, property: "osProfile.adminUsername", value: "Admin" },
            {
                rule: RULE_AUTH,
                property: `${LINUX}.ssh.publicKeys[0].path`,
                value: `/home/${ADMIN}/.ssh/authorized_keys`,
            },
        ],
    ],
    [
        "a Linux admin name over 32 characters",
        VM,
        "neo4j-vm",
        (i) => (i.osProfile.adminUsername = "u".repeat(LINUX_USERNAME_MAX + 1)),
        [
            { rule: RULE_USER, property: "osProfile.adminUsername", value: "u".repeat(LINUX_USERNAME_MAX + 1) },
            {
                rule: RULE_AUTH,
                property: `${LINUX}.ssh.publicKeys[0].path`,
                value: `/home/${ADMIN}/.ssh/authorized_keys`,
            },
        ],
    ],
    [
        "an OS profile without an admin name",
        VM,
        "neo4j-vm",
        (i) => delete i.osProfile.adminUsername,
        [{ rule: RULE_USER, property: "osProfile.adminUsername", value: null }],
    ],
    [
        "a host name with an underscore",
        VM,
        "neo4j-vm",
        (i) => (i.osProfile.computerName = "neo4j_db"),
        [{ rule: "azure-vm-computer-name", property: "osProfile.computerName", value: "neo4j_db" }],
    ],
    [
        "an OS profile without a host name",
        VM,
        "neo4j-vm",
        (i) => delete i.osProfile.computerName,
        [{ rule: "azure-vm-computer-name", property: "osProfile.computerName", value: null }],
    ],
    [
        "a Linux host name of 65 characters",
        VM,
        "neo4j-vm",
        (i) => (i.osProfile.computerName = "n".repeat(65)),
        [{ rule: "azure-vm-computer-name", property: "osProfile.computerName", value: "n".repeat(65) }],
    ],
    [
        "a VM name ending with a hyphen",
        VM,
        "neo4j-vm",
        (i) => (i.vmName = "neo4j-"),
        [{ rule: "azure-resource-name", property: "vmName", value: "neo4j-" }],
    ],
    [
        "password authentication off and no key",
        VM,
        "neo4j-vm",
        (i) => (i.osProfile.linuxConfiguration.ssh.publicKeys = []),
        [{ rule: RULE_AUTH, property: `${LINUX}.ssh.publicKeys`, value: [] }],
    ],
    [
        "password authentication off and a password",
        VM,
        "neo4j-vm",
        (i) => (i.osProfile.adminPassword = "Unused-but-complex-1"),
        [{ rule: RULE_AUTH, property: "osProfile.adminPassword", value: "[secret]" }],
    ],
    [
        "password authentication on and no password",
        VM,
        "neo4j-vm",
        (i) => (i.osProfile.linuxConfiguration.disablePasswordAuthentication = false),
        [{ rule: RULE_AUTH, property: `${LINUX}.disablePasswordAuthentication`, value: false }],
    ],
    [
        "a password of one character class",
        VM,
        "neo4j-vm",
        (i) => {
            i.osProfile.linuxConfiguration.disablePasswordAuthentication = false;
            i.osProfile.adminPassword = "onlylowercase";
        },
        [{ rule: RULE_AUTH, property: "osProfile.adminPassword", value: "[secret]" }],
    ],
    [
        "a generated password without digits or symbols",
        VM,
        "neo4j-vm",
        (i, r, all) => {
            i.osProfile.linuxConfiguration.disablePasswordAuthentication = false;
            i.osProfile.adminPassword = "offline-stand-in";
            const generator = all.resources.find((x) => x.name === "neo4j-vm-password")!;
            generator.inputs["numeric"] = false;
            generator.inputs["special"] = false;
            r.propertyDependencies["osProfile"] = [generator.urn];
        },
        [{ rule: RULE_AUTH, property: "osProfile.adminPassword", value: "[secret]" }],
    ],
    [
        "a key outside the admin's home",
        VM,
        "neo4j-vm",
        (i) => (i.osProfile.linuxConfiguration.ssh.publicKeys[0].path = "/root/.ssh/authorized_keys"),
        [{ rule: RULE_AUTH, property: `${LINUX}.ssh.publicKeys[0].path`, value: "/root/.ssh/authorized_keys" }],
    ],
    [
        "custom data that is not base64",
        VM,
        "neo4j-vm",
        (i) => (i.osProfile.customData = "#cloud-config\n"),
        [{ rule: "azure-vm-custom-data", property: "osProfile.customData", value: "<14 characters, not base64>" }],
    ],
    [
        "custom data over 65535 bytes",
        VM,
        "neo4j-vm",
        (i) => (i.osProfile.customData = Buffer.alloc(65536).toString("base64")),
        [{ rule: "azure-vm-custom-data", property: "osProfile.customData", value: "<65536 bytes decoded>" }],
    ],
    [
        "a data disk in another zone",
        DISK,
        "neo4j-data",
        (i) => (i.zones = ["2"]),
        [{ rule: "azure-vm-disk-zone", property: "storageProfile.dataDisks[0].managedDisk.id", value: "neo4j-data" }],
    ],
    [
        "a zonal disk under a regional VM",
        VM,
        "neo4j-vm",
        (i) => delete i.zones,
        [{ rule: "azure-vm-disk-zone", property: "storageProfile.dataDisks[0].managedDisk.id", value: "neo4j-data" }],
    ],
    [
        "a regional Premium SSD under a zonal VM",
        DISK,
        "neo4j-data",
        (i) => {
            delete i.zones;
            i.sku.name = "Premium_LRS";
        },
        [{ rule: "azure-vm-disk-zone", property: "storageProfile.dataDisks[0].managedDisk.id", value: "neo4j-data" }],
    ],
    [
        "premium disks on a size without premium storage",
        VM,
        "neo4j-vm",
        (i) => (i.hardwareProfile.vmSize = "Standard_D4_v5"),
        [{ rule: "azure-vm-premium-storage", property: "hardwareProfile.vmSize", value: "Standard_D4_v5" }],
    ],
    [
        "a Premium SSD v2 disk with read caching",
        VM,
        "neo4j-vm",
        (i) => (i.storageProfile.dataDisks[0].caching = "ReadOnly"),
        [{ rule: "azure-premium-v2-disk", property: "storageProfile.dataDisks[0].caching", value: "ReadOnly" }],
    ],
    [
        "a Premium SSD v2 disk with default caching",
        VM,
        "neo4j-vm",
        (i) => delete i.storageProfile.dataDisks[0].caching,
        [{ rule: "azure-premium-v2-disk", property: "storageProfile.dataDisks[0].caching", value: null }],
    ],
    [
        "a Premium SSD v2 OS disk",
        VM,
        "neo4j-vm",
        (i) => (i.storageProfile.osDisk.managedDisk.storageAccountType = "PremiumV2_LRS"),
        [
            {
                rule: "azure-premium-v2-disk",
                property: "storageProfile.osDisk.managedDisk",
                value: "storageProfile.osDisk",
            },
        ],
    ],
    [
        "a regional Premium SSD v2 disk",
        DISK,
        "neo4j-data",
        (i) => delete i.zones,
        [
            { rule: "azure-vm-disk-zone", property: "storageProfile.dataDisks[0].managedDisk.id", value: "neo4j-data" },
            { rule: "azure-premium-v2-disk", property: "zones", value: null },
        ],
    ],
    [
        "two data disks on LUN 0",
        VM,
        "neo4j-vm",
        (i) =>
            i.storageProfile.dataDisks.push({
                createOption: "Empty",
                lun: 0,
                diskSizeGB: 32,
                managedDisk: { storageAccountType: "StandardSSD_LRS" },
            }),
        [{ rule: "azure-vm-data-disk-lun", property: "storageProfile.dataDisks[1].lun", value: 0 }],
    ],
    [
        "a disk name with a period",
        DISK,
        "neo4j-data",
        (i) => (i.diskName = "neo4j.data"),
        [{ rule: "azure-resource-name", property: "diskName", value: "neo4j.data" }],
    ],
    [
        "a Premium SSD v2 disk over 65,536 GiB",
        DISK,
        "neo4j-data",
        (i) => (i.diskSizeGB = 65537),
        [{ rule: "azure-disk-size", property: "diskSizeGB", value: 65537 }],
    ],
    [
        "an empty disk without a size",
        DISK,
        "neo4j-data",
        (i) => delete i.diskSizeGB,
        [{ rule: "azure-disk-size", property: "diskSizeGB", value: null }],
    ],
];

describe("azure VM deployability rules", () => {
    let fixture: ProgramCapture;
    before(async () => {
        fixture = await vmFixture();
    });

    it("find nothing in the compliant VM", () => {
        assert.deepEqual(only(checkDeployability(fixture, azureRules)), []);
    });

    for (const [what, type, name, change, expected] of cases)
        it(`refuses ${what}`, () => assert.deepEqual(findingsAfter(fixture, type, name, change), expected));

    it("refuses a VM whose custom data Pulumi would try to update in place", () => {
        const updated = findingsAfter(fixture, VM, "neo4j-vm", (_i, r) => (r.options.replaceOnChanges = []));
        assert.deepEqual(updated, [{ rule: "azure-vm-custom-data-replace", property: "replaceOnChanges", value: [] }]);
        const covered = findingsAfter(fixture, VM, "neo4j-vm", (_i, r) => (r.options.replaceOnChanges = ["osProfile"]));
        assert.deepEqual(covered, [], "a parent path covers it");
    });

    it("refuses a VM attaching its data disk that would be replaced create-first", () => {
        const createFirst = findingsAfter(fixture, VM, "neo4j-vm", (_i, r) => (r.options.deleteBeforeReplace = false));
        assert.deepEqual(createFirst, [
            { rule: "azure-vm-attached-disk-replace", property: "deleteBeforeReplace", value: false },
        ]);
    });

    it("accepts a regional zone-redundant disk under a zonal VM", () => {
        const zrs = findingsAfter(fixture, DISK, "neo4j-data", (i) => {
            delete i.zones;
            i.sku.name = "Premium_ZRS";
        });
        assert.deepEqual(zrs, []);
    });

    it("accepts a generated password drawn from three classes, and judges the generator, not the offline value", () => {
        const generated = findingsAfter(fixture, VM, "neo4j-vm", (i, r) => {
            i.osProfile.linuxConfiguration.disablePasswordAuthentication = false;
            i.osProfile.adminPassword = "offline-stand-in";
            r.propertyDependencies["osProfile"] = [
                urnOf(fixture, "random:index/randomPassword:RandomPassword", "neo4j-vm-password"),
            ];
        });
        assert.deepEqual(generated, []);
    });

    it("reads the limits from the installed provider's OSProfile documentation", () => {
        const username = providerDoc("compute", "OSProfileArgs", "adminUsername");
        assert.ok(disallowedValues(username).includes("root") && disallowedValues(username).includes("administrator"));
        assert.equal(disallowedValues(username).length, 32);
        assert.deepEqual(documentedLength(username, "Windows"), { max: 20 });
        assert.deepEqual(documentedLength(providerDoc("compute", "OSProfileArgs", "adminPassword"), "Linux"), {
            min: 6,
            max: 72,
        });
        assert.ok(disallowedValues(providerDoc("compute", "OSProfileArgs", "adminPassword")).includes("P@ssw0rd"));
        assert.equal(customDataMaxBytes(), 65535);
    });

    it("tells premium-storage sizes from the others by name", () => {
        const sizes = [
            "Standard_D4s_v5",
            "Standard_E8ds_v5",
            "Standard_B2ms",
            "Standard_DS2_v2",
            "Standard_M64",
            "Standard_D4_v5",
            "Standard_D4d_v5",
            "Standard_A2_v2",
            "Custom",
        ];
        assert.deepEqual(sizes.map(premiumStorageCapable), [
            true,
            true,
            true,
            true,
            true,
            false,
            false,
            false,
            undefined,
        ]);
    });

    it("judges host names per OS", () => {
        assert.equal(hostNameProblem("neo4j.internal", "Linux"), undefined);
        assert.match(hostNameProblem("neo4j.internal", "Windows")!, /period/);
        assert.match(hostNameProblem("neo4j-database-01", "Windows")!, /1-15/);
        assert.match(hostNameProblem("neo4j.", "Linux")!, /ends with/);
    });
});
