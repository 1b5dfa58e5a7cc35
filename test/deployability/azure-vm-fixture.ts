/**
 * A compliant Linux VM as azure-native declares it, captured under the mock runtime: a zonal VM with
 * a zonal Premium SSD v2 data disk, a private NIC in a subnet of its own with an NSG, beside a
 * delegated subnet, and its A record in a private zone. The VM deployability rules' cases each change one thing in this capture.
 */
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as random from "@pulumi/random";
import { runComponents, type ProgramCapture } from "../../tools/lib/mock-run";

export const ADMIN = "neo4jadmin";

export function vmFixture(): Promise<ProgramCapture> {
    return runComponents(() => {
        const resourceGroupName = "estate-rg";
        const vnet = new network.VirtualNetwork("vnet", {
            resourceGroupName,
            addressSpace: { addressPrefixes: ["10.40.0.0/16"] },
        });
        const apps = new network.Subnet("apps", {
            resourceGroupName,
            virtualNetworkName: vnet.name,
            subnetName: "apps",
            addressPrefix: "10.40.0.0/23",
            delegations: [{ name: "container-apps", serviceName: "Microsoft.App/environments" }],
        });
        const nsg = new network.NetworkSecurityGroup("neo4j-nsg", {
            resourceGroupName,
            securityRules: [
                {
                    name: "bolt-from-apps",
                    priority: 100,
                    direction: "Inbound",
                    access: "Allow",
                    protocol: "Tcp",
                    sourceAddressPrefix: "10.40.0.0/23",
                    sourcePortRange: "*",
                    destinationAddressPrefix: "10.40.4.0/27",
                    destinationPortRanges: ["7687", "7473-7474"],
                },
                {
                    // Same priority, other direction: allowed.
                    name: "to-endpoints",
                    priority: 100,
                    direction: "Outbound",
                    access: "Allow",
                    protocol: "Tcp",
                    sourceAddressPrefix: "VirtualNetwork",
                    sourcePortRange: "*",
                    destinationAddressPrefix: "10.40.3.0/24",
                    destinationPortRange: "443",
                },
                {
                    name: "deny-inbound",
                    priority: 4096,
                    direction: "Inbound",
                    access: "Deny",
                    protocol: "*",
                    sourceAddressPrefix: "*",
                    sourcePortRange: "*",
                    destinationAddressPrefix: "*",
                    destinationPortRange: "*",
                },
            ],
        });
        const subnet = new network.Subnet(
            "neo4j",
            {
                resourceGroupName,
                virtualNetworkName: vnet.name,
                subnetName: "neo4j",
                addressPrefix: "10.40.4.0/27",
                networkSecurityGroup: { id: nsg.id },
            },
            { dependsOn: [apps] },
        );
        const nic = new network.NetworkInterface("neo4j-nic", {
            resourceGroupName,
            ipConfigurations: [{ name: "primary", subnet: { id: subnet.id }, privateIPAllocationMethod: "Dynamic" }],
        });
        const disk = new compute.Disk("neo4j-data", {
            resourceGroupName,
            diskName: "neo4j-data",
            zones: ["1"],
            sku: { name: "PremiumV2_LRS" },
            diskSizeGB: 64,
            creationData: { createOption: "Empty" },
        });
        const zone = new privatedns.PrivateZone("internal", {
            resourceGroupName,
            privateZoneName: "estate.internal",
            location: "global",
        });
        new privatedns.PrivateRecordSet("neo4j-record", {
            resourceGroupName,
            privateZoneName: zone.name,
            relativeRecordSetName: "neo4j",
            recordType: "A",
            ttl: 300,
            aRecords: [{ ipv4Address: "10.40.4.4" }],
        });
        // Declared for the password cases, which point the VM's osProfile at it.
        new random.RandomPassword("neo4j-vm-password", { length: 24 });
        new compute.VirtualMachine(
            "neo4j-vm",
            {
                resourceGroupName,
                vmName: "neo4j",
                zones: ["1"],
                hardwareProfile: { vmSize: "Standard_D4s_v5" },
                osProfile: {
                    computerName: "neo4j",
                    adminUsername: ADMIN,
                    customData: Buffer.from("#cloud-config\npackages: [neo4j]\n").toString("base64"),
                    linuxConfiguration: {
                        disablePasswordAuthentication: true,
                        ssh: {
                            publicKeys: [
                                {
                                    keyData: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA ops",
                                    path: `/home/${ADMIN}/.ssh/authorized_keys`,
                                },
                            ],
                        },
                    },
                },
                storageProfile: {
                    imageReference: {
                        publisher: "Canonical",
                        offer: "ubuntu-24_04-lts",
                        sku: "server",
                        version: "latest",
                    },
                    osDisk: { createOption: "FromImage", managedDisk: { storageAccountType: "Premium_LRS" } },
                    dataDisks: [{ createOption: "Attach", lun: 0, caching: "None", managedDisk: { id: disk.id } }],
                },
                networkProfile: { networkInterfaces: [{ id: nic.id, primary: true }] },
            },
            { replaceOnChanges: ["osProfile.customData"], deleteBeforeReplace: true },
        );
    });
}
