import { describe } from "node:test";
import type { CapturedResource } from "../../tools/lib/analyzer";
import { type Case, get, itReportsEachCase } from "./cases";
import { res } from "./fixtures";

/** Neo4j's VM as the Azure platform declares it: private NIC, Bolt from the apps subnet, a locked disk. */
function graphVm(): CapturedResource[] {
    return [
        res("azure-native:network:NetworkInterface", "neo4j-nic", {
            ipConfigurations: [
                { name: "primary", subnet: { id: "graph-subnet" }, privateIPAllocationMethod: "Dynamic" },
            ],
        }),
        res("azure-native:network:NetworkSecurityGroup", "graph-nsg", {
            securityRules: [
                {
                    name: "bolt-from-apps",
                    priority: 100,
                    direction: "Inbound",
                    access: "Allow",
                    protocol: "Tcp",
                    sourceAddressPrefix: "10.40.0.0/23",
                    destinationPortRange: "7687",
                },
                {
                    name: "deny-other-vnet",
                    priority: 4000,
                    direction: "Inbound",
                    access: "Deny",
                    protocol: "*",
                    sourceAddressPrefix: "*",
                    destinationPortRange: "*",
                },
            ],
        }),
        res("azure-native:compute:VirtualMachine", "neo4j-vm", {
            osProfile: { linuxConfiguration: { disablePasswordAuthentication: true } },
        }),
        res("azure-native:compute:Disk", "neo4j-data", {
            networkAccessPolicy: "DenyAll",
            publicNetworkAccess: "Disabled",
        }),
    ];
}

const withVm =
    (change: (rs: CapturedResource[]) => void = () => {}) =>
    (rs: CapturedResource[]) => {
        rs.push(...graphVm());
        change(rs);
    };

const cases: Case[] = [
    { name: "the graph's VM as declared passes (a Deny from anywhere is no exposure)", mutate: withVm(), expect: [] },
    {
        name: "a public address on the VM's NIC",
        mutate: withVm((rs) => {
            get(rs, "network:NetworkInterface", "neo4j-nic").ipConfigurations[0].publicIPAddress = { id: "pip" };
        }),
        expect: [
            [
                "azure-vm-private",
                'Remove ipConfigurations[0].publicIPAddress from network interface "neo4j-nic": the estate\'s VMs have no public address; the apps reach them in the VNet.',
            ],
        ],
    },
    {
        name: "an NSG rule admitting the internet",
        mutate: withVm((rs) => {
            get(rs, "network:NetworkSecurityGroup", "graph-nsg").securityRules[0].sourceAddressPrefix = "Internet";
        }),
        expect: [
            [
                "azure-vm-private",
                'Security rule "bolt-from-apps" admits the internet inbound: use the Container Apps subnet (or another VNet range) as its source.',
            ],
        ],
    },
    {
        name: "a standalone security rule from 0.0.0.0/0 among its prefixes",
        mutate: withVm((rs) =>
            rs.push(
                res("azure-native:network:SecurityRule", "ssh", {
                    name: "ssh",
                    direction: "Inbound",
                    access: "Allow",
                    sourceAddressPrefixes: ["10.0.0.0/8", "0.0.0.0/0"],
                    destinationPortRange: "22",
                }),
            ),
        ),
        expect: [
            [
                "azure-vm-private",
                'Security rule "ssh" admits the internet inbound: use the Container Apps subnet (or another VNet range) as its source.',
            ],
        ],
    },
    {
        name: "password login on the VM",
        mutate: withVm((rs) => {
            get(rs, "compute:VirtualMachine", "neo4j-vm").osProfile.linuxConfiguration.disablePasswordAuthentication =
                false;
        }),
        expect: [
            [
                "azure-vm-private",
                'Set osProfile.linuxConfiguration.disablePasswordAuthentication: true on VM "neo4j-vm" (SSH keys only, and no adminPassword).',
            ],
        ],
    },
    {
        name: "a data disk open to export",
        mutate: withVm((rs) => {
            delete get(rs, "compute:Disk", "neo4j-data").networkAccessPolicy;
        }),
        expect: [
            [
                "azure-vm-private",
                'Set networkAccessPolicy: "DenyAll" and publicNetworkAccess: "Disabled" on disk "neo4j-data" (now AllowAll by default, Disabled): otherwise anyone allowed to export it gets a SAS URL to its data.',
            ],
        ],
    },
];

describe("Azure VM policy: private address, no internet inbound, key login, locked disks", () => {
    itReportsEachCase(cases);
});
