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
        net = new AzureNetwork("net", { resourceGroupName: "rg-estate", location: "westeurope" });
    });
    const outputs = await new Promise<string[]>((resolve) =>
        pulumi
            .all([net.vnetId, net.appsSubnetId, net.postgresSubnetId, net.endpointsSubnetId, net.keyVaultZoneId])
            .apply(resolve),
    );
    return { capture, outputs, names: capture.resources.filter((r) => r.custom).map((r) => r.name) };
}

describe("AzureNetwork (component)", () => {
    it("declares the VNet, three subnets and the Key Vault zone with its link, all under the component", async () => {
        const { capture, names, outputs } = await declare();
        assert.deepEqual(names.sort(), [
            "net-apps",
            "net-endpoints",
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
