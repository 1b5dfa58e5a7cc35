import type * as pulumi from "@pulumi/pulumi";
import type { OllamaArgs, OllamaOutputs } from "../../ai/ollama";
import type { Neo4jArgs, Neo4jOutputs } from "../../data/neo4j";
import type { PostgresArgs, PostgresOutputs } from "../../data/postgres";
import type { RedisArgs, RedisOutputs } from "../../data/redis";
import type { EstateConfig } from "../../../stacks/config";
import { GcpSecretManagerStore } from "../../secrets/gcp/secret-manager";
import { KubernetesSecretStore } from "../../secrets/kubernetes/secrets";
import type { SecretEntry, SecretStore } from "../../secrets/secret-store";
import { KubernetesService } from "../../workload/kubernetes/service";
import type { ServiceArgs } from "../../workload/service";
import type { EstatePlatform } from "../platform";
import { KubernetesFoundation } from "./foundation";

/** Workloads as Kubernetes objects in one restricted namespace; secrets from GCP Secret Manager or Kubernetes Secrets. */
export class KubernetesPlatform implements EstatePlatform {
    readonly kind = "kubernetes";
    private readonly foundation: KubernetesFoundation;

    constructor(
        private readonly config: EstateConfig,
        private readonly parent: pulumi.Resource,
    ) {
        this.foundation = new KubernetesFoundation("foundation", { namespace: config.kubernetes.namespace, protect: config.isProd }, { parent });
    }

    secretStore(name: string, entries: readonly SecretEntry[]): SecretStore {
        const opts = { parent: this.parent, dependsOn: [this.foundation] };
        if (this.config.secretStore === "kubernetes") {
            return new KubernetesSecretStore(name, { namespace: this.foundation.namespace, entries, protect: this.config.isProd }, opts);
        }
        return new GcpSecretManagerStore(
            name,
            {
                // Validated by the config schema: gcp-secret-manager requires gcpProject.
                project: this.config.gcp.project!,
                prefix: `${this.config.project}-${this.config.stack}`,
                entries,
                replicaLocations: this.config.gcp.replicaLocations,
                namespace: this.foundation.namespace,
                protect: this.config.isProd,
            },
            opts,
        );
    }

    service(name: string, args: ServiceArgs) {
        return new KubernetesService(
            name,
            {
                ...args,
                namespace: this.foundation.namespace,
                ingressClassName: this.config.kubernetes.ingressClassName,
                clusterIssuer: this.config.tls.clusterIssuer,
            },
            { parent: this.parent, dependsOn: [this.foundation, ...(args.dependsOn ?? [])] },
        );
    }

    internalUrl(dependency: string, port: number): string {
        return `http://${dependency}.${this.config.kubernetes.namespace}.svc.cluster.local:${port}`;
    }

    // Implemented in the data work; declared here so the interface compiles meanwhile.
    postgres(name: string, _args: PostgresArgs): PostgresOutputs & pulumi.Resource {
        throw new Error(`postgres "${name}" is not implemented on kubernetes yet`);
    }

    redis(name: string, _args: RedisArgs): RedisOutputs & pulumi.Resource {
        throw new Error(`redis "${name}" is not implemented on kubernetes yet`);
    }

    neo4j(name: string, _args: Neo4jArgs): Neo4jOutputs & pulumi.Resource {
        throw new Error(`neo4j "${name}" is not implemented on kubernetes yet`);
    }

    ollama(name: string, _args: OllamaArgs): OllamaOutputs & pulumi.Resource {
        throw new Error(`ollama "${name}" is not implemented on kubernetes yet`);
    }
}
