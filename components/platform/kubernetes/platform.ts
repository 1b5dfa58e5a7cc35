import type * as pulumi from "@pulumi/pulumi";
import { KubernetesOllama } from "../../ai/kubernetes/ollama";
import type { OllamaArgs } from "../../ai/ollama";
import { KubernetesNeo4j } from "../../data/kubernetes/neo4j";
import { KubernetesPostgres } from "../../data/kubernetes/postgres";
import { KubernetesRedis } from "../../data/kubernetes/redis";
import type { Neo4jArgs } from "../../data/neo4j";
import type { PostgresArgs } from "../../data/postgres";
import type { RedisArgs } from "../../data/redis";
import type { BackupsArgs } from "../../backup/backups";
import { KubernetesBackups } from "../../backup/kubernetes/backups";
import type { EstateConfig } from "../../../stacks/config";
import { KubernetesMonitoring } from "../../observability/kubernetes/monitoring";
import type { MonitoringArgs } from "../../observability/monitoring";
import { GcpSecretManagerStore } from "../../secrets/gcp/secret-manager";
import { KubernetesSecretStore } from "../../secrets/kubernetes/secrets";
import type { SecretEntry, SecretStore } from "../../secrets/secret-store";
import type { JobArgs } from "../../workload/job";
import { KubernetesJob } from "../../workload/kubernetes/job";
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
        this.foundation = new KubernetesFoundation(
            "foundation",
            { namespace: config.kubernetes.namespace, protect: config.isProd, acmeHttp01Solvers: config.tls.enabled },
            { parent },
        );
    }

    secretStore(name: string, entries: readonly SecretEntry[]): SecretStore {
        const opts = { parent: this.parent, dependsOn: [this.foundation] };
        if (this.config.secretStore === "kubernetes") {
            return new KubernetesSecretStore(name, { namespace: this.foundation.namespace, entries }, opts);
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
                // With latency autoscaling a KEDA ScaledObject (from monitoring) owns the public services' replicas.
                horizontalPodAutoscaler: !(this.config.monitoring.latencyAutoscaling && args.host !== undefined),
            },
            { parent: this.parent, dependsOn: [this.foundation, ...(args.dependsOn ?? [])] },
        );
    }

    monitoring(name: string, args: MonitoringArgs) {
        return new KubernetesMonitoring(
            name,
            {
                ...args,
                namespace: this.foundation.namespace,
                namespaceName: this.config.kubernetes.namespace,
                installPrometheusStack: this.config.monitoring.installPrometheusStack,
                latencyAutoscaling: this.config.monitoring.latencyAutoscaling,
            },
            { parent: this.parent, dependsOn: [this.foundation] },
        );
    }

    job(name: string, args: JobArgs) {
        return new KubernetesJob(
            name,
            { ...args, namespace: this.foundation.namespace },
            { parent: this.parent, dependsOn: [this.foundation] },
        );
    }

    backups(name: string, args: BackupsArgs) {
        // Validated by the config schema: kubernetes requires gcpProject.
        const gcpProject = this.config.gcp.project!;
        return new KubernetesBackups(
            name,
            {
                ...args,
                namespace: this.foundation.namespace,
                gcpProject,
                bucketName: `${gcpProject}-${this.config.project}-${this.config.stack}-backups`,
            },
            { parent: this.parent, dependsOn: [this.foundation] },
        );
    }

    internalUrl(dependency: string, port: number): string {
        return `http://${dependency}.${this.config.kubernetes.namespace}.svc.cluster.local:${port}`;
    }

    postgres(name: string, args: PostgresArgs) {
        return new KubernetesPostgres(
            name,
            {
                ...args,
                namespace: this.foundation.namespace,
                installOperator: this.config.data.postgres.installOperator,
                strictZoneSpread: this.config.data.postgres.strictZoneSpread,
                // Validated by the config schema: required on kubernetes.
                gcpProject: this.config.gcp.project!,
                monitoringNamespace: "monitoring",
                controlPlaneCidr: this.config.kubernetes.controlPlaneCidr,
            },
            { parent: this.parent, dependsOn: [this.foundation] },
        );
    }

    redis(name: string, args: RedisArgs) {
        return new KubernetesRedis(
            name,
            { ...args, namespace: this.foundation.namespace },
            { parent: this.parent, dependsOn: [this.foundation] },
        );
    }

    neo4j(name: string, args: Neo4jArgs) {
        return new KubernetesNeo4j(
            name,
            { ...args, namespace: this.foundation.namespace },
            { parent: this.parent, dependsOn: [this.foundation] },
        );
    }

    ollama(name: string, args: OllamaArgs) {
        return new KubernetesOllama(
            name,
            { ...args, namespace: this.foundation.namespace },
            { parent: this.parent, dependsOn: [this.foundation] },
        );
    }
}
