import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import type { OllamaArgs, OllamaOutputs } from "../../ai/ollama";
import type { Neo4jArgs, Neo4jOutputs } from "../../data/neo4j";
import type { PostgresArgs, PostgresOutputs } from "../../data/postgres";
import type { RedisArgs, RedisOutputs } from "../../data/redis";
import type { EstateConfig } from "../../../stacks/config";
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

    constructor(
        private readonly config: EstateConfig,
        private readonly parent: pulumi.Resource,
    ) {
        this.foundation = new AzureFoundation("foundation", { location: config.azure.location, protect: config.isProd }, { parent });
    }

    secretStore(name: string, entries: readonly SecretEntry[]): SecretStore {
        const client = authorization.getClientConfigOutput({ parent: this.parent });
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

    job(name: string, args: JobArgs) {
        return new ContainerAppJob(
            name,
            { ...args, resourceGroupName: this.foundation.resourceGroupName, environmentId: this.foundation.environmentId, identityId: this.foundation.identityId },
            { parent: this.parent },
        );
    }

    internalUrl(dependency: string, port: number): string {
        // Apps in one Container Apps environment reach each other by app name; internal ingress listens on 80.
        return port === 80 ? `http://${dependency}` : `http://${dependency}:${port}`;
    }

    // Implemented in the data work; declared here so the interface compiles meanwhile.
    postgres(name: string, _args: PostgresArgs): PostgresOutputs & pulumi.Resource {
        throw new Error(`postgres "${name}" is not implemented on azure yet`);
    }

    redis(name: string, _args: RedisArgs): RedisOutputs & pulumi.Resource {
        throw new Error(`redis "${name}" is not implemented on azure yet`);
    }

    neo4j(name: string, _args: Neo4jArgs): Neo4jOutputs & pulumi.Resource {
        throw new Error(`neo4j "${name}" is not implemented on azure yet`);
    }

    ollama(name: string, _args: OllamaArgs): OllamaOutputs & pulumi.Resource {
        throw new Error(`ollama "${name}" is not implemented on azure yet`);
    }
}
