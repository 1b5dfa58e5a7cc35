import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { privateEndpointFor, type PrivateEndpointForArgs } from "../../components/platform/azure/network";
import { runComponents } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";

const ENDPOINT = "azure-native:network:PrivateEndpoint";
const ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup";

/** A store's endpoint the way the cache declares it; each test changes one thing. */
function args(overrides: Partial<PrivateEndpointForArgs> = {}): PrivateEndpointForArgs {
    return {
        resourceGroupName: "rg-estate",
        location: "westeurope",
        subnetId: "/subnets/endpoints",
        targetId: "/caches/redis",
        connectionName: "redis-cache",
        groupId: "redisCache",
        privateDnsZoneId: "/zones/redis",
        zoneConfigName: "redis",
        tags: { "estate-component": "redis" },
        ...overrides,
    };
}

async function declare(overrides: Partial<PrivateEndpointForArgs> = {}) {
    const capture = await runComponents(() => {
        const store = new pulumi.ComponentResource("estate:test:Store", "redis");
        privateEndpointFor("redis", args(overrides), store);
    });
    return capture;
}

describe("privateEndpointFor (building block)", () => {
    it("declares the endpoint and its DNS zone group, both children of the store", async () => {
        const capture = await declare();
        const store = capture.resources.find((r) => r.type === "estate:test:Store");
        const children = capture.resources.filter((r) => r.custom);
        assert.deepEqual(children.map((r) => [r.type, r.name]).sort(), [
            [ZONE_GROUP, "redis-endpoint-dns"],
            [ENDPOINT, "redis-endpoint"],
        ]);
        for (const child of children) assert.equal(child.parent, store?.urn);
    });

    it("connects to the store's sub-resource from the endpoints subnet, with the store's tags", async () => {
        const capture = await declare();
        const endpoint = inputsOf(resource(capture, ENDPOINT, "redis-endpoint"));
        assert.deepEqual(
            [endpoint.resourceGroupName, endpoint.location, endpoint.subnet.id, endpoint.tags],
            ["rg-estate", "westeurope", "/subnets/endpoints", { "estate-component": "redis" }],
        );
        assert.deepEqual(endpoint.privateLinkServiceConnections, [
            { name: "redis-cache", privateLinkServiceId: "/caches/redis", groupIds: ["redisCache"] },
        ]);
    });

    it("writes the endpoint's record to the given zone under the given entry name", async () => {
        const capture = await declare({ privateDnsZoneId: "/zones/vault", zoneConfigName: "vault" });
        const group = inputsOf(resource(capture, ZONE_GROUP, "redis-endpoint-dns"));
        assert.deepEqual(group.privateDnsZoneConfigs, [{ name: "vault", privateDnsZoneId: "/zones/vault" }]);
        assert.equal(group.resourceGroupName, "rg-estate");
        // The group names the endpoint it belongs to, so it is created after it.
        const endpoint = resource(capture, ENDPOINT, "redis-endpoint");
        assert.ok(resource(capture, ZONE_GROUP, "redis-endpoint-dns").dependencies.includes(endpoint.urn));
    });
});
