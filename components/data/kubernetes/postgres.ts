import * as pulumi from "@pulumi/pulumi";
import type * as storage from "@pulumi/gcp/storage";
import * as apiextensions from "@pulumi/kubernetes/apiextensions";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as helm from "@pulumi/kubernetes/helm/v3";
import { DEFAULT_PROMETHEUS_RELEASE } from "../../platform/kubernetes/cluster-services";
import { workloadLabels } from "../../platform/kubernetes/pod";
import {
    PITR_RETENTION_DAYS,
    POSTGRES_PORT,
    postgresInstances,
    postgresUrl,
    type PostgresArgs,
    type PostgresOutputs,
} from "../postgres";
import {
    CNPG_CHART,
    CNPG_NAMESPACE,
    BARMAN_PLUGIN_CHART,
    BARMAN_PLUGIN,
    POSTGRES_IMAGES,
    CNPG_CLUSTER_WAIT_FOR,
    cnpgClusterSpec,
    cnpgNetworkRules,
    barmanObjectStoreSpec,
} from "./cnpg";
import { publicStoreService, storeNetworkPolicy } from "./network";
import { walArchive } from "./postgres-archive";

export interface KubernetesPostgresArgs extends PostgresArgs {
    readonly namespace: pulumi.Input<string>;
    /** Install the CloudNativePG operator (pinned Helm release); off when the cluster already runs it. */
    readonly installOperator: boolean;
    /** GCP project of the WAL archive and base-backup bucket. */
    readonly gcpProject: string;
    /** Globally unique bucket name. @default `<gcpProject>-<name>-backups` */
    readonly bucketName?: string;
    /** Bucket location. @default "EU" */
    readonly bucketLocation?: string;
    /** Base backup schedule, six-field cron with seconds (CloudNativePG). @default "0 0 3 * * *" */
    readonly baseBackupSchedule?: string;
    /** Namespace Prometheus scrapes from (from the foundation). */
    readonly monitoringNamespace: string;
    /**
     * The cluster has a zone per instance: require one instance per zone and block writes while no
     * synchronous standby answers. Off, both are preferred, so a cluster with fewer zones than
     * instances still schedules every standby and keeps accepting writes.
     */
    readonly strictZoneSpread: boolean;
    /** Private control plane's CIDR, which the instance manager calls; unset when the API server is public. @default none */
    readonly controlPlaneCidr?: string;
    /** `release` label the cluster's Prometheus selects PodMonitors by (kube-prometheus-stack's default). @default "kube-prometheus-stack" */
    readonly prometheusRelease?: string;
}

/** PostgreSQL on CloudNativePG: TLS-only, no superuser access, WAL archiving and PITR to a private GCS bucket. */
export class KubernetesPostgres extends pulumi.ComponentResource implements PostgresOutputs {
    readonly host: pulumi.Output<string>;
    readonly readHost: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly databaseName: pulumi.Output<string>;
    readonly user: pulumi.Output<string>;
    readonly password: pulumi.Output<string>;
    readonly databaseUrl: pulumi.Output<string>;
    readonly readDatabaseUrl: pulumi.Output<string>;
    readonly cluster: apiextensions.CustomResource;
    readonly bucket: storage.Bucket;

    constructor(name: string, args: KubernetesPostgresArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:data:KubernetesPostgres", name, {}, opts);
        const { version, databaseName, owner, highAvailability, readReplicas } = args;
        const retentionDays = args.backupRetentionDays;
        const protect = args.protect ?? false;
        const stateful = { parent: this, protect, retainOnDelete: protect };
        const namespace = args.namespace;
        const labels = workloadLabels(name, "data", "database");
        if (!(version in POSTGRES_IMAGES)) {
            throw new pulumi.ResourceError(
                `\`version\` must be one of ${Object.keys(POSTGRES_IMAGES).join(", ")}, got "${version}"`,
                this,
            );
        }
        if (retentionDays < PITR_RETENTION_DAYS.min || retentionDays > PITR_RETENTION_DAYS.max)
            throw new pulumi.ResourceError(
                `\`backupRetentionDays\` must be ${PITR_RETENTION_DAYS.min}–${PITR_RETENTION_DAYS.max} days (runbook 000: PITR active), got ${retentionDays}`,
                this,
            );

        // Deleting the chart would delete the CRDs and with them every Cluster, so it is protected like the data.
        const operator = args.installOperator
            ? new helm.Release(
                  `${name}-operator`,
                  {
                      name: "cnpg",
                      chart: CNPG_CHART.chart,
                      version: CNPG_CHART.version,
                      repositoryOpts: { repo: CNPG_CHART.repo },
                      namespace: CNPG_NAMESPACE,
                      createNamespace: true,
                      atomic: true,
                      values: { crds: { create: true }, monitoring: { podMonitorEnabled: false } },
                  },
                  stateful,
              )
            : undefined;
        // Protected for the same reason: its chart owns the ObjectStore CRD.
        const plugin = operator
            ? new helm.Release(
                  `${name}-barman-cloud`,
                  {
                      name: "barman-cloud",
                      chart: BARMAN_PLUGIN_CHART.chart,
                      version: BARMAN_PLUGIN_CHART.version,
                      repositoryOpts: { repo: BARMAN_PLUGIN_CHART.repo },
                      namespace: CNPG_NAMESPACE,
                      atomic: true,
                      values: { crds: { create: true } },
                  },
                  { ...stateful, dependsOn: [operator] },
              )
            : undefined;

        const { bucket, writer, readiness } = walArchive(
            name,
            {
                gcpProject: args.gcpProject,
                bucketName: args.bucketName,
                bucketLocation: args.bucketLocation,
                retentionDays,
                namespace,
                protect,
            },
            this,
        );
        this.bucket = bucket;

        // The instance manager keeps the owner's password equal to this Secret's (cloudnative-pg
        // internal/management/controller/instance_controller.go, reconcileUser): a rotation applies at once.
        const credentials = new corev1.Secret(
            `${name}-credentials`,
            {
                metadata: { name: `${name}-app-credentials`, namespace, labels },
                type: "kubernetes.io/basic-auth",
                stringData: { username: owner, password: pulumi.secret(args.ownerPassword) },
            },
            { parent: this },
        );

        const objectStore = new apiextensions.CustomResource(
            `${name}-object-store`,
            {
                apiVersion: "barmancloud.cnpg.io/v1",
                kind: "ObjectStore",
                metadata: { name: `${name}-backups`, namespace, labels },
                spec: this.bucket.name.apply((bucket) => barmanObjectStoreSpec({ bucket, retentionDays })),
            },
            { parent: this, dependsOn: plugin ? [plugin] : [] },
        );

        const instances = postgresInstances(highAvailability, readReplicas);
        this.cluster = new apiextensions.CustomResource(
            `${name}-cluster`,
            {
                apiVersion: "postgresql.cnpg.io/v1",
                kind: "Cluster",
                metadata: { name, namespace, labels, annotations: { "pulumi.com/waitFor": CNPG_CLUSTER_WAIT_FOR } },
                spec: pulumi
                    .all([objectStore.metadata.name, writer.email, credentials.metadata.name])
                    .apply(([store, email, secret]) =>
                        cnpgClusterSpec({
                            instances,
                            version,
                            databaseName,
                            owner,
                            credentialsSecret: secret,
                            storageGb: args.storageGb,
                            highAvailability,
                            strictZoneSpread: args.strictZoneSpread,
                            objectStore: store,
                            backupServiceAccountEmail: email,
                            labels,
                        }),
                    ),
            },
            { ...stateful, dependsOn: [...(operator ? [operator] : []), ...readiness] },
        );

        new apiextensions.CustomResource(
            `${name}-scheduled-backup`,
            {
                apiVersion: "postgresql.cnpg.io/v1",
                kind: "ScheduledBackup",
                metadata: { name: `${name}-daily`, namespace, labels },
                spec: {
                    schedule: args.baseBackupSchedule ?? "0 0 3 * * *",
                    backupOwnerReference: "self",
                    cluster: { name: this.cluster.metadata.name },
                    method: "plugin",
                    pluginConfiguration: { name: BARMAN_PLUGIN },
                    immediate: true,
                },
            },
            { parent: this, dependsOn: [this.cluster] },
        );

        const podSelector = { "cnpg.io/cluster": name };
        const monitoringNamespace = args.monitoringNamespace;
        storeNetworkPolicy(
            `${name}-netpol`,
            {
                namespace,
                labels,
                podSelector,
                clients: args.clients ?? [],
                jobClients: args.jobClients ?? [],
                ports: [{ protocol: "TCP", port: POSTGRES_PORT }],
                ...cnpgNetworkRules({ podSelector, monitoringNamespace, controlPlaneCidr: args.controlPlaneCidr }),
            },
            { parent: this },
        );
        // Explicit, as CloudNativePG asks now that `monitoring.enablePodMonitor` is deprecated (api/v1/cluster_types.go),
        // and labelled so the cluster's Prometheus selects it. Same selector and port as the operator's own
        // (pkg/specs/podmonitor.go BuildPodMonitor).
        new apiextensions.CustomResource(
            `${name}-podmonitor`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PodMonitor",
                metadata: {
                    name,
                    namespace,
                    labels: { ...labels, release: args.prometheusRelease ?? DEFAULT_PROMETHEUS_RELEASE },
                },
                spec: {
                    selector: { matchLabels: { ...podSelector, "cnpg.io/podRole": "instance" } },
                    podMetricsEndpoints: [{ port: "metrics" }],
                },
            },
            { parent: this, dependsOn: [this.cluster] },
        );

        if (args.publicAccess ?? false) {
            publicStoreService(
                `${name}-public`,
                {
                    namespace,
                    labels,
                    selector: { ...podSelector, "cnpg.io/instanceRole": "primary" },
                    port: POSTGRES_PORT,
                },
                { parent: this, dependsOn: [this.cluster] },
            );
        }

        const inCluster = (service: string) => pulumi.interpolate`${service}.${namespace}.svc.cluster.local`;
        this.host = inCluster(`${name}-rw`);
        // `-ro` has endpoints only when there are standbys; a single instance serves reads itself.
        this.readHost = inCluster(instances > 1 ? `${name}-ro` : `${name}-rw`);
        this.port = pulumi.output(POSTGRES_PORT);
        this.databaseName = pulumi.output(databaseName);
        this.user = pulumi.output(owner);
        this.password = pulumi.secret(args.ownerPassword);
        const url = (host: pulumi.Output<string>) =>
            pulumi.secret(
                pulumi
                    .all([host, this.password])
                    .apply(([h, password]) =>
                        postgresUrl({ host: h, port: POSTGRES_PORT, database: databaseName, user: owner, password }),
                    ),
            );
        this.databaseUrl = url(this.host);
        this.readDatabaseUrl = url(this.readHost);
        this.registerOutputs({
            host: this.host,
            readHost: this.readHost,
            port: this.port,
            databaseName: this.databaseName,
            user: this.user,
            databaseUrl: this.databaseUrl,
        });
    }
}
