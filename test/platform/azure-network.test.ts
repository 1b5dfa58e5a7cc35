import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { AzureNetwork, NETWORK_PLAN } from "../../components/platform/azure/network";
import { runComponents } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";

const SUBNET = "azure-native:network:Subnet";

async function declare() {
    let net!: AzureNetwork;
    const capture = await runComponents(() => {
        net = new AzureNetwork("net", { resourceGroupName: "rg-estate", location: "westeurope", zone: "1" });
    });
    const outputs = await new Promise<string[]>((resolve) =>
        pulumi
            .all([net.vnetId, net.appsSubnetId, net.postgresSubnetId, net.endpointsSubnetId, net.keyVaultZoneId])
            .apply(resolve),
    );
    return { capture, outputs, names: capture.resources.filter((r) => r.custom).map((r) => r.name) };
}

describe("AzureNetwork (component)", () => {
    it("declares the VNet, four subnets, the graph's NSG and NAT gateway, and two linked zones, all under the component", async () => {
        const { capture, names, outputs } = await declare();
        assert.deepEqual(names.sort(), [
            "net-apps",
            "net-egress",
            "net-egress-ip",
            "net-endpoints",
            "net-graph",
            "net-graph-nsg",
            "net-internal-dns",
            "net-internal-dns-link",
            "net-postgres",
            "net-vault-dns",
            "net-vault-dns-link",
            "net-vnet",
        ]);
        const component = capture.resources.find((r) => r.type === "estate:platform:AzureNetwork");
        for (const child of capture.resources.filter((r) => r.custom)) assert.equal(child.parent, component?.urn);
        assert.deepEqual(outputs, [
            "net-vnet-id",
            "net-apps-id",
            "net-postgres-id",
            "net-endpoints-id",
            "net-vault-dns-id",
        ]);
    });

    it("spans the address plan: one subnet per data path, delegated where the service requires it", async () => {
        const { capture } = await declare();
        assert.deepEqual(inputsOf(resource(capture, "azure-native:network:VirtualNetwork", "net-vnet")).addressSpace, {
            addressPrefixes: ["10.40.0.0/16"],
        });
        const apps = inputsOf(resource(capture, SUBNET, "net-apps"));
        assert.deepEqual(
            [apps.subnetName, apps.addressPrefix, apps.delegations, apps.serviceEndpoints],
            [
                "apps",
                NETWORK_PLAN.apps,
                [{ name: "container-apps", serviceName: "Microsoft.App/environments" }],
                [{ service: "Microsoft.Storage" }],
            ],
        );
        const postgres = inputsOf(resource(capture, SUBNET, "net-postgres"));
        assert.deepEqual(
            [postgres.addressPrefix, postgres.delegations],
            ["10.40.2.0/24", [{ name: "postgres-flexible", serviceName: "Microsoft.DBforPostgreSQL/flexibleServers" }]],
        );
        const endpoints = inputsOf(resource(capture, SUBNET, "net-endpoints"));
        assert.deepEqual(
            [endpoints.addressPrefix, endpoints.privateEndpointNetworkPolicies, endpoints.delegations],
            ["10.40.3.0/24", "Disabled", undefined],
        );
    });

    it("creates the subnets one after another, which Azure requires on one VNet", async () => {
        const { capture } = await declare();
        const [apps, postgres, endpoints] = ["net-apps", "net-postgres", "net-endpoints"].map((n) =>
            resource(capture, SUBNET, n),
        );
        assert.ok(postgres!.dependencies.includes(apps!.urn));
        assert.ok(endpoints!.dependencies.includes(postgres!.urn));
        assert.ok(resource(capture, SUBNET, "net-graph").dependencies.includes(endpoints!.urn));
    });

    it("admits only Bolt from the apps subnet to the graph subnet, whose egress leaves through a zonal NAT gateway", async () => {
        const { capture } = await declare();
        const nsg = inputsOf(resource(capture, "azure-native:network:NetworkSecurityGroup", "net-graph-nsg"));
        assert.deepEqual(
            nsg.securityRules.map((r: Record<string, unknown>) => [
                r.priority,
                r.access,
                r.protocol,
                r.sourceAddressPrefix,
                r.destinationPortRange,
            ]),
            [
                [100, "Allow", "Tcp", NETWORK_PLAN.apps, "7687"],
                [4000, "Deny", "*", "VirtualNetwork", "*"],
            ],
        );
        const nat = inputsOf(resource(capture, "azure-native:network:NatGateway", "net-egress"));
        const ip = inputsOf(resource(capture, "azure-native:network:PublicIPAddress", "net-egress-ip"));
        assert.deepEqual(
            [nat.zones, ip.zones, ip.sku, ip.publicIPAllocationMethod],
            [["1"], ["1"], { name: "Standard", tier: "Regional" }, "Static"],
        );
        const graph = inputsOf(resource(capture, SUBNET, "net-graph"));
        assert.deepEqual(
            [graph.addressPrefix, graph.delegations, graph.defaultOutboundAccess, graph.natGateway],
            [NETWORK_PLAN.graph, undefined, false, { id: "net-egress-id" }],
        );
        assert.equal(
            inputsOf(resource(capture, "azure-native:privatedns:PrivateZone", "net-internal-dns")).privateZoneName,
            "estate.internal",
        );
    });

    it("links the privatelink.vaultcore.azure.net zone to the VNet, without auto-registration", async () => {
        const { capture } = await declare();
        assert.equal(
            inputsOf(resource(capture, "azure-native:privatedns:PrivateZone", "net-vault-dns")).privateZoneName,
            "privatelink.vaultcore.azure.net",
        );
        const link = inputsOf(resource(capture, "azure-native:privatedns:VirtualNetworkLink", "net-vault-dns-link"));
        assert.deepEqual([link.virtualNetwork, link.registrationEnabled], [{ id: "net-vnet-id" }, false]);
    });
});
