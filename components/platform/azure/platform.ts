import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { OllamaContainerApp } from "../../ai/azure/ollama";
import type { OllamaArgs } from "../../ai/ollama";
import { Neo4jVirtualMachine } from "../../data/azure/neo4j";
import { FlexiblePostgres } from "../../data/azure/postgres";
import { AzureCacheRedis } from "../../data/azure/redis";
import type { Neo4jArgs } from "../../data/neo4j";
import type { PostgresArgs } from "../../data/postgres";
import type { RedisArgs } from "../../data/redis";
import { AzureBackups } from "../../backup/azure/backups";
import type { BackupsArgs } from "../../backup/backups";
import { APP_INSIGHTS_CONNECTION_ENV } from "../../observability/azure/insights";
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
import { AzureWorkloadAccess } from "./workload-access";

/** Workloads as Azure Container Apps in one managed environment; secrets as Key Vault references. */
export class AzurePlatform implements EstatePlatform {
    readonly kind = "azure";
    private readonly foundation: AzureFoundation;
    private readonly client: pulumi.Output<authorization.GetClientConfigResult>;
    /** Seed of globally unique names (vaults, storage accounts): tells this estate's stack from anyone else's. */
    private readonly nameSeed: string;
    /** Each workload's identity, secret grants, image pull and telemetry. */
    private readonly access: AzureWorkloadAccess;

    constructor(
        private readonly settings: AzureSettings,
        private readonly common: PlatformCommon,
        private readonly parent: pulumi.Resource,
    ) {
        this.foundation = new AzureFoundation(
            "foundation",
            {
                location: settings.location,
                zone: settings.zone,
                protect: common.isProd,
                // Zone redundancy is fixed at creation; prod's environment is created with it.
                zoneRedundant: common.isProd,
                gpuWorkloadProfile: common.gpu,
                // The last drill's log lines stay in the workspace until the next drill is overdue.
                logRetentionDays: Math.max(30, Math.ceil(common.restoreDrillMaxAgeDays)),
            },
            { parent },
        );
        this.client = authorization.getClientConfigOutput({ parent });
        this.nameSeed = `${common.project}/${common.stack}/${common.domain}`;
        this.access = new AzureWorkloadAccess(
            this.foundation,
            {
                location: settings.location,
                containerRegistryId: settings.containerRegistryId,
                subscriptionId: this.client.subscriptionId,
                protect: common.isProd,
            },
            parent,
        );
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
                protect: this.common.isProd,
            },
            { parent: this.parent },
        );
        this.access.useStore(store);
        return store;
    }

    service(name: string, args: ServiceArgs) {
        const identity = this.access.workloadIdentity(name);
        const telemetry = this.access.telemetry(name);
        const secrets = this.access.bindSecrets(name, identity, {
            ...args.secretEnv,
            [APP_INSIGHTS_CONNECTION_ENV]: telemetry,
        });
        const pull = this.access.pullFor(name, args.image, identity);
        const service = new ContainerAppService(
            name,
            {
                ...args,
                secretEnv: secrets.secretEnv,
                resourceGroupName: this.foundation.resourceGroupName,
                environmentId: this.foundation.environmentId,
                identityId: identity.id,
                registries: pull.registries,
                extraCorsOrigins: this.appOrigins(args.corsAllowedOrigins ?? []),
            },
            {
                parent: this.parent,
                dependsOn: [...(args.dependsOn ?? []), ...secrets.readiness, ...pull.readiness],
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
                componentIds: this.access.componentIds(),
                roleNames,
            },
            { parent: this.parent },
        );
    }

    job(name: string, args: JobArgs) {
        const identity = this.access.workloadIdentity(name);
        const secrets = this.access.bindSecrets(name, identity, args.secretEnv);
        const pull = this.access.pullFor(name, args.image, identity);
        return new ContainerAppJob(
            name,
            {
                ...args,
                secretEnv: secrets.secretEnv,
                resourceGroupName: this.foundation.resourceGroupName,
                environmentId: this.foundation.environmentId,
                identityId: identity.id,
                registries: pull.registries,
            },
            { parent: this.parent, dependsOn: [...secrets.readiness, ...pull.readiness] },
        );
    }

    backups(name: string, args: BackupsArgs) {
        const client = authorization.getClientConfigOutput({ parent: this.parent });
        // Each job has its own identity, granted the secrets it reads (and waiting for the grants).
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
                workspaceId: this.foundation.workspaceId,
                allowedSubnetId: this.foundation.network.appsSubnetId,
                bindSecrets: (workload, identity, secretEnv) => this.access.bindSecrets(workload, identity, secretEnv),
                pullFor: (workload, identity) => this.access.pullFor(workload, args.image, identity),
            },
            { parent: this.parent },
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
                workspaceId: this.foundation.workspaceId,
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
                workspaceId: this.foundation.workspaceId,
            },
            { parent: this.parent },
        );
    }

    neo4j(name: string, args: Neo4jArgs) {
        const identity = this.access.workloadIdentity(name);
        const network = this.foundation.network;
        return new Neo4jVirtualMachine(
            name,
            {
                ...args,
                ...this.placement(),
                ...this.vaultNetwork(),
                networkReadiness: [network.keyVaultZoneLink, network.internalZoneLink],
                // The NAT gateway of the VM's subnet is in this zone too (the network's `zone`).
                zone: this.settings.zone,
                vmSize: this.settings.neo4j.vmSize,
                subnetId: network.graphSubnetId,
                internalZoneName: network.internalZoneName,
                tenantId: this.client.tenantId,
                subscriptionId: this.client.subscriptionId,
                identityId: identity.id,
                identityPrincipalId: identity.principalId,
                identityClientId: identity.clientId,
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
            workspaceId: this.foundation.workspaceId,
            endpointsSubnetId: network.endpointsSubnetId,
            privateDnsZoneId: network.keyVaultZoneId,
            networkReadiness: [network.keyVaultZoneLink],
        };
    }

    /**
     * The apps' own `https://<app>.<environment default domain>` origins for each allowed origin
     * that names a public service's custom host (`https://app.<domain>` → the ui's FQDN): custom
     * domains are not bound, so browsers load the ui from that FQDN and call the api from it.
     */
    private appOrigins(origins: readonly string[]): pulumi.Output<string>[] {
        return Object.entries(this.common.publicHosts)
            .filter(([, host]) => origins.includes(`https://${host}`))
            .map(([service]) => pulumi.interpolate`https://${service}.${this.foundation.defaultDomain}`);
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
