import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
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
import { APP_INSIGHTS_CONNECTION_ENV, ServiceInsights } from "../../observability/azure/insights";
import { AzureMonitoring } from "../../observability/azure/monitoring";
import type { MonitoringArgs } from "../../observability/monitoring";
import { KeyVaultStore, type ReaderIdentity } from "../../secrets/azure/key-vault";
import type { SecretEntry, SecretStore } from "../../secrets/secret-store";
import type { SecretRef } from "../../workload/service";
import { ContainerAppJob } from "../../workload/azure/job";
import { ContainerAppService } from "../../workload/azure/service";
import type { JobArgs } from "../../workload/job";
import type { ServiceArgs } from "../../workload/service";
import type { EstatePlatform, PlatformCommon } from "../platform";
import { AzureFoundation } from "./foundation";
import { registryPull } from "./registry";
import type { AzureSettings } from "./settings";
import { estateTags, storageAccountName } from "./tags";

/** Workloads as Azure Container Apps in one managed environment; secrets as Key Vault references. */
export class AzurePlatform implements EstatePlatform {
    readonly kind = "azure";
    private readonly foundation: AzureFoundation;
    private readonly client: pulumi.Output<authorization.GetClientConfigResult>;
    /** Seed of globally unique names (vaults, storage accounts): tells this estate's stack from anyone else's. */
    private readonly nameSeed: string;
    /** Application Insights component of each service, declared before its app so the app gets its connection string. */
    private readonly insights = new Map<string, pulumi.Output<string>>();
    /** The store services read their secrets from; service telemetry connection strings go there too. */
    private appStore: KeyVaultStore | undefined;

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
        this.appStore ??= store;
        return store;
    }

    service(name: string, args: ServiceArgs) {
        const identity = this.workloadIdentity(name);
        const telemetry = this.telemetry(name);
        const secrets = this.bindSecrets(name, identity, {
            ...args.secretEnv,
            [APP_INSIGHTS_CONNECTION_ENV]: telemetry,
        });
        const pull = this.pullFor(name, args.image, identity);
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
                componentIds: Object.fromEntries(this.insights),
                roleNames,
            },
            { parent: this.parent },
        );
    }

    job(name: string, args: JobArgs) {
        const identity = this.workloadIdentity(name);
        const secrets = this.bindSecrets(name, identity, args.secretEnv);
        const pull = this.pullFor(name, args.image, identity);
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
                bindSecrets: (workload, identity, secretEnv) => this.bindSecrets(workload, identity, secretEnv),
                pullFor: (workload, identity) => this.pullFor(workload, args.image, identity),
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
        const identity = this.workloadIdentity(name);
        const network = this.foundation.network;
        return new Neo4jVirtualMachine(
            name,
            {
                ...args,
                ...this.placement(),
                ...this.vaultNetwork(),
                networkReadiness: [network.keyVaultZoneLink, network.internalZoneLink],
                zone: network.zone,
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

    /**
     * The service's Application Insights component and the Key Vault reference to its connection
     * string: without it the service's telemetry reaches no component and every alert on it is blind.
     */
    private telemetry(name: string) {
        const store = this.requireStore(name);
        const insights = new ServiceInsights(
            `${name}-telemetry`,
            {
                ...this.placement(),
                workspaceId: this.foundation.workspaceId,
                service: name,
                protect: this.common.isProd,
            },
            { parent: this.parent },
        );
        this.insights.set(name, insights.componentId);
        return store.addSecret(`${name}-appinsights-connection`, insights.connectionString);
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

    /** The workload's own identity: it reads only the secrets it is granted and pulls its image. */
    private workloadIdentity(name: string): managedidentity.UserAssignedIdentity {
        return new managedidentity.UserAssignedIdentity(
            `${name}-identity`,
            { ...this.placement(), tags: estateTags("identity", name) },
            { parent: this.parent },
        );
    }

    /**
     * Grants the workload's identity exactly the secrets its env reads (at secret scope) and
     * returns the env bound to that identity with what the workload must wait for.
     */
    private bindSecrets(workload: string, identity: ReaderIdentity, secretEnv: Readonly<Record<string, SecretRef>>) {
        if (Object.keys(secretEnv).length === 0) return { secretEnv: {}, readiness: [] as pulumi.Resource[] };
        const store = this.requireStore(workload);
        const ids = Object.entries(secretEnv).map(([envName, ref]) => {
            if (ref.kind !== "key-vault")
                throw new pulumi.ResourceError(
                    `\`secretEnv.${envName}\` of \`${workload}\` is a ${ref.kind} reference; Container Apps read Key Vault references`,
                    this.parent,
                );
            return ref.name;
        });
        const grant = store.grantRead(workload, identity, ids);
        return {
            secretEnv: Object.fromEntries(
                Object.entries(secretEnv).map(([envName, ref]) => [
                    envName,
                    grant.refs[(ref as { name: string }).name]!,
                ]),
            ) as Record<string, SecretRef>,
            readiness: [...grant.readiness],
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

    /** The registry entry and AcrPull grant a workload needs when its image is in the estate's registry. */
    private pullFor(workload: string, image: string, identity: ReaderIdentity) {
        return registryPull(
            workload,
            {
                registryId: this.settings.containerRegistryId,
                subscriptionId: this.client.subscriptionId,
                image,
                identity,
            },
            this.parent,
        );
    }

    private requireStore(workload: string): KeyVaultStore {
        if (!this.appStore)
            throw new pulumi.ResourceError(
                `\`${workload}\` is declared before the secret store; declare \`secretStore\` first`,
                this.parent,
            );
        return this.appStore;
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
