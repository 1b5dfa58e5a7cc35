// PostgreSQL Flexible Server and Azure Cache for Redis as the real program declares them with
// `--platform azure`, for both stacks: exact inputs, protection, privacy and secret handling.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { POSTGRES_TLS_PARAMETERS } from "../../components/data/azure/postgres";
import { redisConfiguration } from "../../components/data/azure/redis";
import { SECRET_SIG, SECRET_VALUE, type CapturedResource, type ProgramCapture } from "../../tools/lib/mock-run";
import { inputsOf, plan, resource, resourcesOfType } from "../support/program";

const RG = "foundation-rg-offline";
const SUBSCRIPTION = "00000000-0000-0000-0000-000000000002";

/** The input at `path` must be a Pulumi secret on the wire; returns its value. */
function secretInput(r: CapturedResource, path: string): unknown {
    const value = path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], r.inputs);
    assert.ok(
        value && typeof value === "object" && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE,
        `${r.name}.${path} must be a secret`,
    );
    return (value as { value: unknown }).value;
}

function stateful(r: CapturedResource, prod: boolean) {
    assert.deepEqual(
        [r.options.protect, r.options.retainOnDelete],
        [prod, prod],
        `${r.type} ${r.name} protect/retainOnDelete`,
    );
}

for (const stack of ["staging", "prod"] as const) {
    const prod = stack === "prod";
    describe(`PostgreSQL and Redis on azure (${stack})`, () => {
        let capture: ProgramCapture;
        before(async () => {
            capture = await plan(stack, { platform: "azure" });
        });

        it("declares a private, TLS-only Flexible Server with PITR, and HA plus geo-redundant backups in prod", () => {
            const server = resource(capture, "azure-native:dbforpostgresql:Server", "postgres-server");
            const { administratorLoginPassword: _password, ...inputs } = inputsOf(server);
            assert.deepEqual(inputs, {
                resourceGroupName: RG,
                location: "westeurope",
                version: "16",
                administratorLogin: "estate",
                authConfig: { activeDirectoryAuth: "Disabled", passwordAuth: "Enabled", tenantId: "" },
                availabilityZone: "",
                sku: { name: "Standard_D2ds_v5", tier: "GeneralPurpose" },
                storage: { storageSizeGB: 32, autoGrow: "Enabled" },
                backup: { backupRetentionDays: prod ? 35 : 7, geoRedundantBackup: prod ? "Enabled" : "Disabled" },
                highAvailability: { mode: prod ? "ZoneRedundant" : "Disabled", standbyAvailabilityZone: "" },
                network: {
                    publicNetworkAccess: "Disabled",
                    delegatedSubnetResourceId: "foundation-network-postgres-id",
                    privateDnsZoneArmResourceId: "postgres-dns-id",
                },
                tags: { "estate-component": "database", "estate-name": "postgres" },
            });
            stateful(server, prod);
            assert.ok(
                server.dependencies.some((urn) => urn.endsWith("::postgres-dns-link")),
                "the server waits for the DNS zone link",
            );
            // Pulumi.prod.yaml asks for one read replica; staging has none.
            assert.deepEqual(
                resourcesOfType(capture, "azure-native:dbforpostgresql:Server").map((r) => r.name),
                prod ? ["postgres-server", "postgres-replica-1"] : ["postgres-server"],
            );
        });

        it("takes the administrator password from a generated secret, never a literal", () => {
            const server = resource(capture, "azure-native:dbforpostgresql:Server", "postgres-server");
            assert.match(
                String(secretInput(server, "administratorLoginPassword")),
                /^offline-generated-not-a-secret-secrets-/,
            );
        });

        it("puts credentials and URLs built from the stores' outputs into Key Vault as secrets", () => {
            const vaultSecret = (id: string) => {
                const r = resource(capture, "azure-native:keyvault:Secret", `app-secrets-${id}`);
                assert.equal(r.inputs["secretName"], id);
                return secretInput(r, "properties.value");
            };
            const dbPassword = String(vaultSecret("db-password"));
            assert.match(dbPassword, /^offline-generated-not-a-secret-secrets-db-password$/);
            const primary = "postgres-server-offline.postgres.database.azure.com";
            const reader = prod ? "postgres-replica-1-offline.postgres.database.azure.com" : primary;
            assert.equal(vaultSecret("db-host"), primary);
            assert.equal(
                vaultSecret("database-url"),
                `postgresql://estate:${dbPassword}@${primary}:5432/estate?sslmode=require`,
            );
            assert.equal(
                vaultSecret("database-read-url"),
                `postgresql://estate:${dbPassword}@${reader}:5432/estate?sslmode=require`,
            );
            // Azure issues the cache's key: it, not the generated redis password, reaches the services.
            assert.equal(vaultSecret("redis-password"), "offline-redis-key-not-a-secret");
            assert.equal(
                vaultSecret("redis-url"),
                "rediss://:offline-redis-key-not-a-secret@redis-cache-offline.redis.cache.windows.net:6380/0",
            );
            assert.equal(vaultSecret("neo4j-uri"), "neo4j+ssc://neo4j.estate.internal:7687");
        });

        it("enforces TLS 1.2+ with server parameters applied one at a time, then creates the database", () => {
            const params = POSTGRES_TLS_PARAMETERS.map(([name]) =>
                resource(capture, "azure-native:dbforpostgresql:Configuration", `postgres-${name.replace(/_/g, "-")}`),
            );
            assert.deepEqual(params.map(inputsOf), [
                {
                    resourceGroupName: RG,
                    serverName: "postgres-server-offline",
                    configurationName: "require_secure_transport",
                    value: "on",
                    source: "user-override",
                },
                {
                    resourceGroupName: RG,
                    serverName: "postgres-server-offline",
                    configurationName: "ssl_min_protocol_version",
                    value: "TLSv1.2",
                    source: "user-override",
                },
            ]);
            assert.ok(params[1]!.dependencies.includes(params[0]!.urn), "parameters are changed one after another");
            const db = resource(capture, "azure-native:dbforpostgresql:Database", "postgres-db");
            assert.deepEqual(inputsOf(db), {
                resourceGroupName: RG,
                serverName: "postgres-server-offline",
                databaseName: "estate",
                charset: "UTF8",
                collation: "en_US.utf8",
            });
            assert.ok(db.dependencies.includes(params[1]!.urn));
            stateful(db, prod);
        });

        it("resolves the server through a private DNS zone linked to the estate VNet", () => {
            assert.deepEqual(inputsOf(resource(capture, "azure-native:privatedns:PrivateZone", "postgres-dns")), {
                resourceGroupName: RG,
                privateZoneName: "postgres.private.postgres.database.azure.com",
                location: "global",
            });
            assert.deepEqual(
                inputsOf(resource(capture, "azure-native:privatedns:VirtualNetworkLink", "postgres-dns-link")),
                {
                    resourceGroupName: RG,
                    privateZoneName: "postgres.private.postgres.database.azure.com",
                    location: "global",
                    registrationEnabled: false,
                    virtualNetwork: { id: "foundation-network-vnet-id" },
                },
            );
        });

        it("declares a Premium cache with TLS 1.2 only, no public access, persistence and volatile-lru eviction", () => {
            const cache = resource(capture, "azure-native:redis:Redis", "redis-cache");
            assert.deepEqual(inputsOf(cache), {
                resourceGroupName: RG,
                location: "westeurope",
                sku: { name: "Premium", family: "P", capacity: 1 },
                redisVersion: "6",
                enableNonSslPort: false,
                disableAccessKeyAuthentication: false,
                minimumTlsVersion: "1.2",
                publicNetworkAccess: "Disabled",
                identity: { type: "UserAssigned", userAssignedIdentities: ["redis-identity-id"] },
                replicasPerPrimary: 1,
                redisConfiguration: {
                    maxmemoryPolicy: "volatile-lru",
                    rdbBackupEnabled: "true",
                    rdbBackupFrequency: "60",
                    rdbBackupMaxSnapshotCount: "1",
                    rdbStorageConnectionString: "BlobEndpoint=https://redisrdboffline.blob.core.windows.net/",
                    preferredDataPersistenceAuthMethod: "ManagedIdentity",
                    storageSubscriptionId: SUBSCRIPTION,
                },
                tags: { "estate-component": "cache", "estate-name": "redis" },
            });
            stateful(cache, prod);
            assert.doesNotMatch(
                JSON.stringify(cache.inputs),
                /AccountKey|not-a-secret/,
                "snapshots are written with the managed identity, no key",
            );
        });

        it("keeps snapshots in a storage account without shared keys, public blobs or public network", () => {
            const account = resource(capture, "azure-native:storage:StorageAccount", "redisrdb");
            assert.deepEqual(inputsOf(account), {
                resourceGroupName: RG,
                location: "westeurope",
                kind: "StorageV2",
                sku: { name: prod ? "Standard_ZRS" : "Standard_LRS" },
                enableHttpsTrafficOnly: true,
                minimumTlsVersion: "TLS1_2",
                allowBlobPublicAccess: false,
                allowSharedKeyAccess: false,
                allowCrossTenantReplication: false,
                networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" },
                tags: { "estate-component": "cache", "estate-name": "redis" },
            });
            stateful(account, prod);
            const role = resource(capture, "azure-native:authorization:RoleAssignment", "redis-snapshot-writer");
            assert.deepEqual(inputsOf(role), {
                scope: "redisrdb-id",
                principalId: "redis-identity-principal-id",
                principalType: "ServicePrincipal",
                roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`,
            });
            assert.ok(
                resource(capture, "azure-native:redis:Redis", "redis-cache").dependencies.includes(role.urn),
                "the cache starts once it may write snapshots",
            );
        });

        it("reaches the cache through a private endpoint registered in privatelink.redis.cache.windows.net", () => {
            const endpoint = inputsOf(resource(capture, "azure-native:network:PrivateEndpoint", "redis-endpoint"));
            assert.deepEqual(endpoint.privateLinkServiceConnections, [
                { name: "redis-cache", privateLinkServiceId: "redis-cache-id", groupIds: ["redisCache"] },
            ]);
            assert.equal(endpoint.subnet.id, "foundation-network-endpoints-id");
            assert.deepEqual(
                inputsOf(resource(capture, "azure-native:network:PrivateDnsZoneGroup", "redis-endpoint-dns")),
                {
                    resourceGroupName: RG,
                    privateEndpointName: "redis-endpoint-offline",
                    privateDnsZoneConfigs: [{ name: "redis", privateDnsZoneId: "redis-dns-id" }],
                },
            );
            assert.equal(
                inputsOf(resource(capture, "azure-native:privatedns:PrivateZone", "redis-dns")).privateZoneName,
                "privatelink.redis.cache.windows.net",
            );
            assert.equal(
                inputsOf(resource(capture, "azure-native:privatedns:VirtualNetworkLink", "redis-dns-link"))
                    .virtualNetwork.id,
                "foundation-network-vnet-id",
            );
        });
    });
}

describe("PostgreSQL and Redis on azure: configured variants", () => {
    it("adds read replicas of the primary in the same private network, protected like it", async () => {
        const capture = await plan("prod", {
            platform: "azure",
            postgresReadReplicas: "2",
            postgresBackupRetentionDays: "21",
        });
        assert.equal(
            inputsOf(resource(capture, "azure-native:dbforpostgresql:Server", "postgres-server")).backup
                .backupRetentionDays,
            21,
        );
        for (const name of ["postgres-replica-1", "postgres-replica-2"]) {
            const replica = resource(capture, "azure-native:dbforpostgresql:Server", name);
            assert.deepEqual(inputsOf(replica), {
                resourceGroupName: RG,
                location: "westeurope",
                createMode: "Replica",
                sourceServerResourceId: "postgres-server-id",
                availabilityZone: "",
                sku: { name: "Standard_D2ds_v5", tier: "GeneralPurpose" },
                storage: { storageSizeGB: 32, autoGrow: "Enabled" },
                network: {
                    publicNetworkAccess: "Disabled",
                    delegatedSubnetResourceId: "foundation-network-postgres-id",
                    privateDnsZoneArmResourceId: "postgres-dns-id",
                },
                tags: { "estate-component": "database", "estate-name": "postgres" },
            });
            stateful(replica, true);
            assert.equal(replica.inputs["administratorLoginPassword"], undefined, "replicas inherit credentials");
        }
    });

    it("drops persistence and its storage when off, and sets replicas per primary when asked", async () => {
        const capture = await plan("staging", { platform: "azure", redisPersistence: "false", redisReplicas: "2" });
        const cache = inputsOf(resource(capture, "azure-native:redis:Redis", "redis-cache"));
        assert.deepEqual(cache.redisConfiguration, { maxmemoryPolicy: "volatile-lru" });
        assert.equal(cache.replicasPerPrimary, 2);
        assert.equal(
            capture.resources.some((r) => r.name === "redisrdb" || r.name === "redis-snapshot-writer"),
            false,
        );
    });

    it("builds the cache configuration from persistence, endpoint and subscription", () => {
        assert.deepEqual(redisConfiguration(false, "https://x.blob.core.windows.net/", "s"), {
            maxmemoryPolicy: "volatile-lru",
        });
        assert.equal(
            redisConfiguration(true, "https://x.blob.core.windows.net/", "s").rdbStorageConnectionString,
            "BlobEndpoint=https://x.blob.core.windows.net/",
        );
    });
});
