import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { diagnosticsToWorkspace } from "../../platform/azure/diagnostics";
import * as redis from "@pulumi/azure-native/redis";
import * as storage from "@pulumi/azure-native/storage";
import { linkedPrivateZone, privateEndpointFor } from "../../platform/azure/network";
import { estateTags } from "../../platform/azure/tags";
import { REDIS_TLS_PORT, redisUrl, type RedisArgs, type RedisOutputs } from "../redis";
import { storageAccountPrefix } from "./files";

/** Built-in role "Storage Blob Data Contributor": the cache writes its RDB snapshots with it. */
const STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

export interface AzureCacheRedisArgs extends RedisArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    readonly subscriptionId: pulumi.Input<string>;
    /** Subnet the private endpoint gets its address in. */
    readonly endpointsSubnetId: pulumi.Input<string>;
    /** VNet the `privatelink.redis.cache.windows.net` zone is linked to. */
    readonly vnetId: pulumi.Input<string>;
    /** Replicas per primary of the Premium cache (0 still runs the one replica Premium has). */
    readonly replicas: number;
    /** Log Analytics workspace the cache's resource logs go to. */
    readonly workspaceId: pulumi.Input<string>;
    /** Premium size (P1–P5). @default 1 */
    readonly capacity?: number;
}

/** `redisConfiguration` of a Premium cache: RDB snapshots written with the cache's managed identity, eviction of expiring keys only. */
export function redisConfiguration(
    persistence: boolean,
    blobEndpoint: string,
    subscriptionId: string,
): Record<string, string> {
    // volatile-lru evicts only keys with a TTL (the cache entries), never the queues.
    const base = { maxmemoryPolicy: "volatile-lru" };
    if (!persistence) return base;
    return {
        ...base,
        rdbBackupEnabled: "true",
        rdbBackupFrequency: "60",
        rdbBackupMaxSnapshotCount: "1",
        rdbStorageConnectionString: `BlobEndpoint=${blobEndpoint}`,
        preferredDataPersistenceAuthMethod: "ManagedIdentity",
        storageSubscriptionId: subscriptionId,
    };
}

/**
 * Azure Cache for Redis, Premium: TLS 1.2 only on 6380, no public network access, reached through
 * a private endpoint; clients authenticate with the cache's access key, read from the cache and
 * kept only as a secret.
 */
export class AzureCacheRedis extends pulumi.ComponentResource implements RedisOutputs {
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly tls: pulumi.Output<boolean>;
    readonly password: pulumi.Output<string>;
    readonly url: pulumi.Output<string>;
    readonly cache: redis.Redis;

    constructor(name: string, args: AzureCacheRedisArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:data:AzureCacheRedis", name, {}, opts);
        const protect = args.protect ?? false;
        const { persistence, replicas } = args;
        const stateful = { parent: this, protect, retainOnDelete: protect };
        const tags = estateTags("cache", "redis");

        const identity = new managedidentity.UserAssignedIdentity(
            `${name}-identity`,
            { resourceGroupName: args.resourceGroupName, location: args.location },
            { parent: this },
        );
        const dependsOn: pulumi.Resource[] = [];
        let blobEndpoint: pulumi.Output<string> = pulumi.output("");
        if (persistence) {
            // Snapshots hold the cache's data: no shared keys, no public blobs, Azure services only.
            const account = new storage.StorageAccount(
                `${storageAccountPrefix(name)}rdb`,
                {
                    resourceGroupName: args.resourceGroupName,
                    location: args.location,
                    kind: "StorageV2",
                    sku: { name: protect ? "Standard_ZRS" : "Standard_LRS" },
                    enableHttpsTrafficOnly: true,
                    minimumTlsVersion: "TLS1_2",
                    allowBlobPublicAccess: false,
                    allowSharedKeyAccess: false,
                    allowCrossTenantReplication: false,
                    networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" },
                    tags,
                },
                stateful,
            );
            dependsOn.push(
                new authorization.RoleAssignment(
                    `${name}-snapshot-writer`,
                    {
                        scope: account.id,
                        principalId: identity.principalId,
                        principalType: "ServicePrincipal",
                        roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_BLOB_DATA_CONTRIBUTOR}`,
                    },
                    { parent: this },
                ),
            );
            blobEndpoint = pulumi.interpolate`https://${account.name}.blob.core.windows.net/`;
        }

        this.cache = new redis.Redis(
            `${name}-cache`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                sku: { name: "Premium", family: "P", capacity: args.capacity ?? 1 },
                redisVersion: "6",
                enableNonSslPort: false,
                minimumTlsVersion: "1.2",
                publicNetworkAccess: args.publicAccess ? "Enabled" : "Disabled",
                identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
                redisConfiguration: pulumi
                    .all([blobEndpoint, args.subscriptionId])
                    .apply(([endpoint, subscription]) => redisConfiguration(persistence, endpoint, subscription)),
                // A Premium cache always keeps at least one replica; stated here so the plan shows it.
                replicasPerPrimary: Math.max(1, replicas),
                tags,
            },
            { ...stateful, dependsOn },
        );

        diagnosticsToWorkspace(`${name}-cache-logs`, "redis", this.cache.id, args.workspaceId, this);

        const { zone } = linkedPrivateZone(
            name,
            {
                resourceGroupName: args.resourceGroupName,
                zoneName: "privatelink.redis.cache.windows.net",
                vnetId: args.vnetId,
            },
            this,
        );
        privateEndpointFor(
            name,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                subnetId: args.endpointsSubnetId,
                targetId: this.cache.id,
                connectionName: `${name}-cache`,
                groupId: "redisCache",
                privateDnsZoneId: zone.id,
                zoneConfigName: "redis",
                tags,
            },
            this,
        );

        const keys = redis.listRedisKeysOutput(
            { resourceGroupName: args.resourceGroupName, name: this.cache.name },
            { parent: this },
        );
        this.host = this.cache.hostName;
        this.port = pulumi.output(REDIS_TLS_PORT);
        this.tls = pulumi.output(true);
        this.password = pulumi.secret(keys.primaryKey);
        this.url = pulumi.secret(
            pulumi
                .all([this.host, this.password])
                .apply(([host, password]) => redisUrl({ host, port: REDIS_TLS_PORT, password, tls: true })),
        );
        this.registerOutputs({ host: this.host, port: this.port, tls: this.tls, url: this.url });
    }
}
