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
import type { EstateConfig } from "../../../stacks/config";
import { AzureMonitoring } from "../../observability/azure/monitoring";
import type { MonitoringArgs } from "../../observability/monitoring";
import { KeyVaultStore } from "../../secrets/azure/key-vault";
import type { SecretEntry, SecretStore } from "../../secrets/secret-store";
import { ContainerAppJob } from "../../workload/azure/job";
import { ContainerAppService } from "../../workload/azure/service";
import type { JobArgs } from "../../workload/job";
import type { ServiceArgs } from "../../workload/service";
import type { EstatePlatform } from "../platform";
import { AzureFoundation } from "./foundation";

/** Workloads as Azure Container Apps in one managed environment; secrets as Key Vault references. */
export class AzurePlatform implements EstatePlatform {
    readonly kind = "azure";
    private readonly foundation: AzureFoundation;
    private readonly client: pulumi.Output<authorization.GetClientConfigResult>;

    constructor(
        private readonly config: EstateConfig,
        private readonly parent: pulumi.Resource,
    ) {
        this.foundation = new AzureFoundation(
            "foundation",
            { location: config.azure.location, protect: config.isProd, gpuWorkloadProfile: config.data.ollama.gpu },
            { parent },
        );
        this.client = authorization.getClientConfigOutput({ parent });
    }

    secretStore(name: string, entries: readonly SecretEntry[]): SecretStore {
        const client = this.client;
        return new KeyVaultStore(
            name,
            {
                resourceGroupName: this.foundation.resourceGroupName,
                location: this.config.azure.location,
                tenantId: client.tenantId,
                subscriptionId: client.subscriptionId,
                entries,
                readerIdentityId: this.foundation.identityId,
                readerPrincipalId: this.foundation.identityPrincipalId,
                protect: this.config.isProd,
            },
            { parent: this.parent },
        );
    }

    service(name: string, args: ServiceArgs) {
        return new ContainerAppService(
            name,
            {
                ...args,
                resourceGroupName: this.foundation.resourceGroupName,
                environmentId: this.foundation.environmentId,
                identityId: this.foundation.identityId,
            },
            { parent: this.parent, dependsOn: [...(args.dependsOn ?? [])] },
        );
    }

    monitoring(name: string, args: MonitoringArgs) {
        const client = authorization.getClientConfigOutput({ parent: this.parent });
        // Container Apps are named after their service (ContainerAppService sets containerAppName).
        const appIds = Object.fromEntries(
            args.services.map((s) => [
                s.name,
                pulumi.interpolate`/subscriptions/${client.subscriptionId}/resourceGroups/${this.foundation.resourceGroupName}/providers/Microsoft.App/containerApps/${s.name}`,
            ]),
        );
        return new AzureMonitoring(
            name,
            {
                ...args,
                resourceGroupName: this.foundation.resourceGroupName,
                location: this.config.azure.location,
                workspaceId: this.foundation.workspaceId,
                appIds,
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
            { parent: this.parent },
        );
    }

    backups(name: string, args: BackupsArgs) {
        const client = authorization.getClientConfigOutput({ parent: this.parent });
        return new AzureBackups(
            name,
            {
                ...args,
                resourceGroupName: this.foundation.resourceGroupName,
                location: this.config.azure.location,
                subscriptionId: client.subscriptionId,
                accountName: `${this.config.project}${this.config.stack}backups`.replace(/[^a-z0-9]/g, "").slice(0, 24),
                environmentId: this.foundation.environmentId,
                identityId: this.foundation.identityId,
                identityPrincipalId: this.foundation.identityPrincipalId,
                identityClientId: this.foundation.identityClientId,
            },
            { parent: this.parent },
        );
    }

    internalUrl(dependency: string, port: number): string {
        // Apps in one Container Apps environment reach each other by app name; internal ingress listens on 80.
        return port === 80 ? `http://${dependency}` : `http://${dependency}:${port}`;
    }

    postgres(name: string, args: PostgresArgs) {
        return new FlexiblePostgres(
            name,
            {
                ...args,
                ...this.placement(),
                sku: this.config.data.postgres.sku,
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

    private placement() {
        return { resourceGroupName: this.foundation.resourceGroupName, location: this.config.azure.location };
    }

    private environment() {
        return {
            environmentId: this.foundation.environmentId,
            environmentName: this.foundation.environmentName,
            appsSubnetId: this.foundation.network.appsSubnetId,
        };
    }
}
