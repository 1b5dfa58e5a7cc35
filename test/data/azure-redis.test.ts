import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { AzureCacheRedis, type AzureCacheRedisArgs } from "../../components/data/azure/redis";
import { runComponents } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";
import { refusalOf, valueOf } from "../support/components";

/** The Premium cache the way the Azure platform declares it; each test changes one thing. */
function args(overrides: Partial<AzureCacheRedisArgs> = {}): AzureCacheRedisArgs {
    return {
        password: pulumi.secret("ignored-on-azure"),
        persistence: true,
        resourceGroupName: "rg-estate",
        location: "westeurope",
        subscriptionId: "sub-1",
        endpointsSubnetId: "/subnets/endpoints",
        vnetId: "/vnets/estate",
        replicas: 0,
        workspaceId: "/workspaces/estate",
        ...overrides,
    };
}

async function declare(overrides: Partial<AzureCacheRedisArgs> = {}, name = "redis") {
    let redis!: AzureCacheRedis;
    const capture = await runComponents(() => {
        redis = new AzureCacheRedis(name, args(overrides));
    });
    const cache = resource(capture, "azure-native:redis:Redis", `${name}-cache`);
    return {
        capture,
        redis,
        cache,
        cacheInputs: inputsOf(cache),
        names: capture.resources.filter((r) => r.custom).map((r) => r.name),
    };
}

/** The message the constructor throws, caught inside the run so the run itself completes. */
function refusal(name: string): Promise<string> {
    return refusalOf(() => {
        new AzureCacheRedis(name, args());
    });
}

describe("AzureCacheRedis (component)", () => {
    it("declares the identity, the snapshot account and its grant, the cache, its logs and its private endpoint", async () => {
        const { names, capture } = await declare();
        assert.deepEqual(names.sort(), [
            "redis-cache",
            "redis-cache-logs",
            "redis-dns",
            "redis-dns-link",
            "redis-endpoint",
            "redis-endpoint-dns",
            "redis-identity",
            "redis-snapshot-writer",
            "redisrdb",
        ]);
        const component = capture.resources.find((r) => r.type === "estate:data:AzureCacheRedis");
        for (const child of capture.resources.filter((r) => r.custom)) assert.equal(child.parent, component?.urn);
    });

    it("needs no snapshot account without persistence", async () => {
        const { names, cacheInputs } = await declare({ persistence: false });
        assert.deepEqual(
            names.filter((n) => n === "redisrdb" || n === "redis-snapshot-writer"),
            [],
        );
        assert.deepEqual(cacheInputs.redisConfiguration, { maxmemoryPolicy: "volatile-lru" });
    });

    it("is a Premium cache on TLS 1.2 only, private, with at least one replica", async () => {
        const { cacheInputs } = await declare();
        assert.deepEqual(cacheInputs.sku, { name: "Premium", family: "P", capacity: 1 });
        assert.deepEqual(
            [cacheInputs.enableNonSslPort, cacheInputs.minimumTlsVersion, cacheInputs.publicNetworkAccess],
            [false, "1.2", "Disabled"],
        );
        assert.equal(cacheInputs.replicasPerPrimary, 1);
        assert.deepEqual(cacheInputs.identity, {
            type: "UserAssigned",
            userAssignedIdentities: ["redis-identity-id"],
        });
        assert.deepEqual(cacheInputs.tags, { "estate-component": "cache", "estate-name": "redis" });
        const bigger = (await declare({ replicas: 2, capacity: 3, publicAccess: true })).cacheInputs;
        assert.deepEqual(
            [bigger.replicasPerPrimary, bigger.sku.capacity, bigger.publicNetworkAccess],
            [2, 3, "Enabled"],
        );
    });

    it("writes RDB snapshots with its identity to a closed account it is granted, before the cache", async () => {
        const { capture, cache, cacheInputs } = await declare();
        const account = inputsOf(resource(capture, "azure-native:storage:StorageAccount", "redisrdb"));
        assert.deepEqual(
            [
                account.sku,
                account.allowSharedKeyAccess,
                account.allowBlobPublicAccess,
                account.minimumTlsVersion,
                account.networkRuleSet,
            ],
            [{ name: "Standard_LRS" }, false, false, "TLS1_2", { defaultAction: "Deny", bypass: "AzureServices" }],
        );
        const grant = resource(capture, "azure-native:authorization:RoleAssignment", "redis-snapshot-writer");
        assert.deepEqual(inputsOf(grant), {
            scope: "redisrdb-id",
            principalId: "redis-identity-principal-id",
            principalType: "ServicePrincipal",
            roleDefinitionId:
                "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        });
        assert.ok(cache.dependencies.includes(grant.urn));
        assert.deepEqual(cacheInputs.redisConfiguration, {
            maxmemoryPolicy: "volatile-lru",
            rdbBackupEnabled: "true",
            rdbBackupFrequency: "60",
            rdbBackupMaxSnapshotCount: "1",
            rdbStorageConnectionString: "BlobEndpoint=https://redisrdboffline.blob.core.windows.net/",
            preferredDataPersistenceAuthMethod: "ManagedIdentity",
            storageSubscriptionId: "sub-1",
        });
    });

    it("protects and retains the cache and the snapshots on zone-redundant storage only when asked", async () => {
        const { capture, cache } = await declare({ protect: true });
        const account = resource(capture, "azure-native:storage:StorageAccount", "redisrdb");
        assert.deepEqual(
            [
                cache.options.protect,
                cache.options.retainOnDelete,
                account.options.protect,
                account.options.retainOnDelete,
            ],
            [true, true, true, true],
        );
        assert.deepEqual(inputsOf(account).sku, { name: "Standard_ZRS" });
        const unprotected = (await declare()).cache.options;
        assert.deepEqual([unprotected.protect, unprotected.retainOnDelete], [false, false]);
    });

    it("is reached through a private endpoint whose DNS is the linked privatelink zone", async () => {
        const { capture } = await declare();
        assert.equal(
            inputsOf(resource(capture, "azure-native:privatedns:PrivateZone", "redis-dns")).privateZoneName,
            "privatelink.redis.cache.windows.net",
        );
        const endpoint = inputsOf(resource(capture, "azure-native:network:PrivateEndpoint", "redis-endpoint"));
        assert.equal(endpoint.subnet.id, "/subnets/endpoints");
        assert.deepEqual(endpoint.privateLinkServiceConnections, [
            { name: "redis-cache", privateLinkServiceId: "redis-cache-id", groupIds: ["redisCache"] },
        ]);
        const group = inputsOf(resource(capture, "azure-native:network:PrivateDnsZoneGroup", "redis-endpoint-dns"));
        assert.deepEqual(group.privateDnsZoneConfigs, [{ name: "redis", privateDnsZoneId: "redis-dns-id" }]);
        const logs = inputsOf(resource(capture, "azure-native:monitor:DiagnosticSetting", "redis-cache-logs"));
        assert.equal(logs.resourceUri, "redis-cache-id");
    });

    it("hands out the cache's access key in a secret TLS URL, not the password it was given", async () => {
        const { redis } = await declare();
        assert.deepEqual(await Promise.all([valueOf(redis.port), valueOf(redis.tls), valueOf(redis.password)]), [
            6380,
            true,
            "offline-redis-key-not-a-secret",
        ]);
        assert.equal(
            await valueOf(redis.url),
            "rediss://:offline-redis-key-not-a-secret@redis-cache-offline.redis.cache.windows.net:6380/0",
        );
        assert.equal(await pulumi.isSecret(redis.url), true);
    });

    it("refuses a name with nothing to name the snapshot account with", async () => {
        assert.equal(await refusal("--"), '`name` "--" has no letters or digits to name a storage account with');
    });
});
