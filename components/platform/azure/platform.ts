import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { OllamaContainerApp } from "../../ai/azure/ollama";
import type { OllamaArgs } from "../../ai/ollama";
import { Neo4jContainerApp } from "../../data/azure/neo4j";
import { FlexiblePostgres } from "../../data/azure/postgres";
import { AzureCacheRedis } from "../../data/azure/redis";
import type { Neo4jArgs } from "../../data/neo4j";
import type { PostgresArgs } from "../../data/postgres";
import type { RedisArgs } from "../../data/redis";
import { AzureBackups } from "../../backup/azure/backups";
import type { BackupsArgs } from "../../backup/backups";
import { AzureMonitoring } from "../../observability/azure/monitoring";
import type { MonitoringArgs } from "../../observability/monitoring";
import { KeyVaultStore } from "../../secrets/azure/key-vault";
import type { SecretEntry, SecretStore } from "../../secrets/secret-store";
import { ContainerAppJob } from "../../workload/azure/job";
import { ContainerAppService } from "../../workload/azure/service";
import type { JobArgs } from "../../workload/job";
import type { ServiceArgs } from "../../workload/service";
import type { EstatePlatform, PlatformCommon } from "../platform";
import { AzureFoundation } from "./foundation";
import type { AzureSettings } from "./settings";
import { storageAccountName } from "./tags";

/** Workloads as Azure Container Apps in one managed environment; secrets as Key Vault references. */
export class AzurePlatform implements EstatePlatform {
    readonly kind = "azure";
    private readonly foundation: AzureFoundation;
    private readonly client: pulumi.Output<authorization.GetClientConfigResult>;
    /** Seed of globally unique names (vaults, storage accounts): tells this estate's stack from anyone else's. */
    private readonly nameSeed: string;
    /** What a workload with Key Vault references waits for: role assignments, private endpoints, DNS. */
    private readonly secretReadiness: pulumi.Resource[] = [];

    constructor(
        private readonly settings: AzureSettings,
        private readonly common: PlatformCommon,
        private readonly parent: pulumi.Resource,
    ) {
        this.foundation = new AzureFoundation(
            "foundation",
            {
                location: settings.location,
                protect: common.isProd,
                gpuWorkloadProfile: common.gpu,
                // The last drill's log lines stay in the workspace until the next drill is overdue.
                logRetentionDays: Math.max(30, Math.ceil(common.restoreDrillMaxAgeDays)),
            },
            { parent },
        );
        this.client = authorization.getClientConfigOutput({ parent });
        this.nameSeed = `${common.project}/${common.stack}/${common.domain}`;
    }

    secretStore(name: string, entries: readonly SecretEntry[]): SecretStore {
        const client = this.client;
        const store = new KeyVaultStore(
            name,
            {
                ...this.vaultNetwork(),
                resourceGroupName: this.foundation.resourceGroupName,
                location: this.settings.location,
                tenantId: client.tenantId,
                subscriptionId: client.subscriptionId,
                entries,
                readerIdentityId: this.foundation.identityId,
                readerPrincipalId: this.foundation.identityPrincipalId,
                protect: this.common.isProd,
            },
            { parent: this.parent },
        );
        this.secretReadiness.push(...store.readiness);
        return store;
    }

    service(name: string, args: ServiceArgs) {
        const service = new ContainerAppService(
            name,
            {
                ...args,
                resourceGroupName: this.foundation.resourceGroupName,
                environmentId: this.foundation.environmentId,
                identityId: this.foundation.identityId,
            },
            {
                parent: this.parent,
                dependsOn: [...(args.dependsOn ?? []), ...this.readinessFor(Object.keys(args.secretEnv).length)],
            },
        );
        return service;
    }

    monitoring(name: string, args: MonitoringArgs) {
        // The watched Container Apps' ids as outputs: each metric alert then waits for the app it watches.
        const appIds = Object.fromEntries(
            args.services.flatMap((s) =>
                s.workload instanceof ContainerAppService ? [[s.name, s.workload.containerApp.id] as const] : [],
            ),
        );
        // Their telemetry's `cloud_RoleName`, which the log alerts filter on.
        const roleNames = Object.fromEntries(
            args.services.flatMap((s) => (s.telemetryName !== undefined ? [[s.name, s.telemetryName] as const] : [])),
        );
        return new AzureMonitoring(
            name,
            {
                ...args,
                resourceGroupName: this.foundation.resourceGroupName,
                location: this.settings.location,
                workspaceId: this.foundation.workspaceId,
                appIds,
                roleNames,
            },
            { parent: this.parent },
        );
    }

    job(name: string, args: JobArgs) {
        return new ContainerAppJob(
            name,
            {
                ...args,
                resourceGroupName: this.foundation.resourceGroupName,
                environmentId: this.foundation.environmentId,
                identityId: this.foundation.identityId,
            },
            { parent: this.parent, dependsOn: this.readinessFor(Object.keys(args.secretEnv).length) },
        );
    }

    backups(name: string, args: BackupsArgs) {
        const client = authorization.getClientConfigOutput({ parent: this.parent });
        // Its jobs read Key Vault references: they wait for the vault's role assignment and endpoint.
        return new AzureBackups(
            name,
            {
                ...args,
                resourceGroupName: this.foundation.resourceGroupName,
                location: this.settings.location,
                subscriptionId: client.subscriptionId,
                // Storage account names are global: a readable prefix and a hash of this estate's seed.
                accountName: storageAccountName(`${this.common.stack}backups`, this.nameSeed),
                environmentId: this.foundation.environmentId,
                identityId: this.foundation.identityId,
                identityPrincipalId: this.foundation.identityPrincipalId,
                identityClientId: this.foundation.identityClientId,
            },
            { parent: this.parent, dependsOn: [...this.secretReadiness] },
        );
    }

    postgres(name: string, args: PostgresArgs) {
        return new FlexiblePostgres(
            name,
            {
                ...args,
                ...this.placement(),
                sku: this.settings.postgres.sku,
                delegatedSubnetId: this.foundation.network.postgresSubnetId,
                vnetId: this.foundation.network.vnetId,
            },
            { parent: this.parent },
        );
    }

    redis(name: string, args: RedisArgs) {
        return new AzureCacheRedis(
            name,
            {
                ...args,
                ...this.placement(),
                replicas: this.settings.redis.replicas,
                subscriptionId: this.client.subscriptionId,
                endpointsSubnetId: this.foundation.network.endpointsSubnetId,
                vnetId: this.foundation.network.vnetId,
            },
            { parent: this.parent },
        );
    }

    neo4j(name: string, args: Neo4jArgs) {
        return new Neo4jContainerApp(
            name,
            {
                ...args,
                ...this.placement(),
                ...this.environment(),
                ...this.vaultNetwork(),
                tenantId: this.client.tenantId,
                subscriptionId: this.client.subscriptionId,
                identityId: this.foundation.identityId,
                identityPrincipalId: this.foundation.identityPrincipalId,
            },
            { parent: this.parent },
        );
    }

    ollama(name: string, args: OllamaArgs) {
        return new OllamaContainerApp(
            name,
            { ...args, ...this.placement(), ...this.environment() },
            { parent: this.parent },
        );
    }

    /** Where a vault's private endpoint and DNS record go, and its name seed. */
    private vaultNetwork() {
        const network = this.foundation.network;
        return {
            nameSeed: this.nameSeed,
            endpointsSubnetId: network.endpointsSubnetId,
            privateDnsZoneId: network.keyVaultZoneId,
            networkReadiness: [network.keyVaultZoneLink],
        };
    }

    /** The secret store's readiness for a workload with that many secret env vars (none: nothing to wait for). */
    private readinessFor(secretCount: number): pulumi.Resource[] {
        return secretCount > 0 ? [...this.secretReadiness] : [];
    }

    private placement() {
        return { resourceGroupName: this.foundation.resourceGroupName, location: this.settings.location };
    }

    private environment() {
        return {
            environmentId: this.foundation.environmentId,
            environmentName: this.foundation.environmentName,
            appsSubnetId: this.foundation.network.appsSubnetId,
        };
    }
}
