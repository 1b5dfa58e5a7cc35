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
import { KubernetesMonitoring } from "../../observability/kubernetes/monitoring";
import type { MonitoringArgs } from "../../observability/monitoring";
import { GcpSecretManagerStore } from "../../secrets/gcp/secret-manager";
import { KubernetesSecretStore } from "../../secrets/kubernetes/secrets";
import type { SecretEntry, SecretStore } from "../../secrets/secret-store";
import type { JobArgs } from "../../workload/job";
import { KubernetesJob } from "../../workload/kubernetes/job";
import { KubernetesService } from "../../workload/kubernetes/service";
import type { ServiceArgs } from "../../workload/service";
import type { EstatePlatform, PlatformCommon } from "../platform";
import { KubernetesFoundation } from "./foundation";
import type { KubernetesSettings } from "./settings";

/** Workloads as Kubernetes objects in one restricted namespace; secrets from GCP Secret Manager or Kubernetes Secrets. */
export class KubernetesPlatform implements EstatePlatform {
    readonly kind = "kubernetes";
    private readonly foundation: KubernetesFoundation;

    constructor(
        private readonly settings: KubernetesSettings,
        private readonly common: PlatformCommon,
        private readonly parent: pulumi.Resource,
    ) {
        this.foundation = new KubernetesFoundation(
            "foundation",
            { namespace: settings.namespace, protect: common.isProd, acmeHttp01Solvers: common.tls },
            { parent },
        );
    }

    secretStore(name: string, entries: readonly SecretEntry[]): SecretStore {
        const opts = { parent: this.parent, dependsOn: [this.foundation] };
        if (this.settings.secretStore === "kubernetes") {
            return new KubernetesSecretStore(name, { namespace: this.foundation.namespace, entries }, opts);
        }
        return new GcpSecretManagerStore(
            name,
            {
                project: this.settings.gcp.project,
                prefix: `${this.common.project}-${this.common.stack}`,
                entries,
                replicaLocations: this.settings.gcp.replicaLocations,
                namespace: this.foundation.namespace,
                protect: this.common.isProd,
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
                ingressNamespace: this.foundation.ingressNamespace,
                monitoringNamespace: this.foundation.monitoringNamespace,
                ingressClassName: this.settings.ingressClassName,
                clusterIssuer: this.settings.clusterIssuer,
                // With latency autoscaling a KEDA ScaledObject (from monitoring) owns the public services' replicas.
                horizontalPodAutoscaler: !(this.settings.monitoring.latencyAutoscaling && args.host !== undefined),
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
                namespaceName: this.settings.namespace,
                monitoringNamespace: this.foundation.monitoringNamespace,
                installPrometheusStack: this.settings.monitoring.installPrometheusStack,
                latencyAutoscaling: this.settings.monitoring.latencyAutoscaling,
                ...(this.settings.smtp !== undefined ? { smtp: this.settings.smtp } : {}),
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
        const gcpProject = this.settings.gcp.project;
        return new KubernetesBackups(
            name,
            {
                ...args,
                namespace: this.foundation.namespace,
                gcpProject,
                monitoringNamespace: this.foundation.monitoringNamespace,
                bucketName: `${gcpProject}-${this.common.project}-${this.common.stack}-backups`,
            },
            { parent: this.parent, dependsOn: [this.foundation] },
        );
    }

    postgres(name: string, args: PostgresArgs) {
        return new KubernetesPostgres(
            name,
            {
                ...args,
                namespace: this.foundation.namespace,
                installOperator: this.settings.postgres.installOperator,
                strictZoneSpread: this.settings.postgres.strictZoneSpread,
                gcpProject: this.settings.gcp.project,
                monitoringNamespace: this.foundation.monitoringNamespace,
                controlPlaneCidr: this.settings.controlPlaneCidr,
            },
            { parent: this.parent, dependsOn: [this.foundation] },
        );
    }

    redis(name: string, args: RedisArgs) {
        return new KubernetesRedis(
            name,
            { ...args, storageGb: this.settings.redis.storageGb, namespace: this.foundation.namespace },
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
