import * as pulumi from "@pulumi/pulumi";
import * as storage from "@pulumi/gcp/storage";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
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
    controlPlaneEgress,
    dnsEgress,
    metadataServerEgress,
    publicHttpsEgress,
} from "../../platform/kubernetes/network";
import { publicStoreService, storeNetworkPolicy } from "./network";

/** CloudNativePG chart and operand images, pinned; bump deliberately. */
export const CNPG_CHART = {
    chart: "cloudnative-pg",
    version: "0.27.0",
    repo: "https://cloudnative-pg.github.io/charts",
} as const;
export const CNPG_NAMESPACE = "cnpg-system";
/**
 * Barman Cloud plugin (CNPG-I), which replaces the in-tree `barmanObjectStore` deprecated in
 * CloudNativePG 1.26. Its chart lives beside the operator's (cloudnative-pg/charts
 * `charts/plugin-barman-cloud`, tag plugin-barman-cloud-v0.7.0 = plugin v0.13.0); it must run in the
 * operator's namespace and needs cert-manager for its TLS certificates (plugin docs, installation).
 */
export const BARMAN_PLUGIN_CHART = {
    chart: "plugin-barman-cloud",
    version: "0.7.0",
    repo: "https://cloudnative-pg.github.io/charts",
} as const;
export const BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io";
/**
 * Operand images by digest, from CloudNativePG's signed catalog `catalog-standard-trixie.yaml`
 * (cloudnative-pg/artifacts `image-catalogs/`, date label 20260817): Debian trixie "standard"
 * images, not the deprecated bullseye "system" tags. Digests read from the catalog, not a registry.
 */
export const POSTGRES_IMAGES: Readonly<Record<string, string>> = {
    "15": "ghcr.io/cloudnative-pg/postgresql:15.19-202608170814-standard-trixie@sha256:613c7a0417887cd2626a2bfb31fa4e1d86c3088e575fd66bc227007dc69a5487",
    "16": "ghcr.io/cloudnative-pg/postgresql:16.15-202608170814-standard-trixie@sha256:3df9103d7f89c8abc2870463d4d446944c81b5f1f4b707c590895dc003ecbb65",
    "17": "ghcr.io/cloudnative-pg/postgresql:17.11-202608170816-standard-trixie@sha256:91e0de662d53895a45f1396f4ee1a75daeb0c26fc87853afc9c8f43e01fdaa21",
};
const METRICS_PORT = 9187;
const INSTANCE_MANAGER_PORT = 8000;

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

/**
 * What the provider waits for after creating the `Cluster`: without it a custom resource counts as
 * ready at once (pulumi-kubernetes `provider/pkg/metadata/overrides.go` ReadyCondition), and a Job
 * ordered after it would run while CloudNativePG is still initialising the database.
 */
export const CNPG_CLUSTER_WAIT_FOR = "condition=Ready";

/** The CloudNativePG `Cluster` spec: pure, so its shape is tested without mocks. */
export function cnpgClusterSpec(a: {
    instances: number;
    version: string;
    databaseName: string;
    owner: string;
    credentialsSecret: string;
    storageGb: number;
    highAvailability: boolean;
    strictZoneSpread: boolean;
    objectStore: string;
    backupServiceAccountEmail: string;
    labels: Record<string, string>;
}): Record<string, unknown> {
    const imageName = POSTGRES_IMAGES[a.version];
    if (imageName === undefined)
        throw new Error(`\`version\` must be one of ${Object.keys(POSTGRES_IMAGES).join(", ")}, got "${a.version}"`);
    return {
        instances: a.instances,
        imageName,
        primaryUpdateStrategy: "unsupervised",
        enableSuperuserAccess: false,
        postgresql: {
            // CloudNativePG serves TLS (minimum TLSv1.3 by default); refusing non-TLS connections makes it the only way in.
            pg_hba: ["hostnossl all all all reject"],
            parameters: { log_connections: "on", log_disconnections: "on" },
            // `required` blocks writes while no synchronous standby is up, e.g. when a standby cannot be
            // scheduled in its own zone (cloudnative-pg api/v1/cluster_types.go, DataDurabilityLevel).
            ...(a.highAvailability
                ? {
                      synchronous: {
                          method: "any",
                          number: 1,
                          dataDurability: a.strictZoneSpread ? "required" : "preferred",
                      },
                  }
                : {}),
        },
        bootstrap: {
            initdb: {
                database: a.databaseName,
                owner: a.owner,
                secret: { name: a.credentialsSecret },
                // The restore drill restores into a scratch database beside the real one; with superuser access off, the owner needs CREATEDB.
                postInitSQL: [`ALTER ROLE "${a.owner}" CREATEDB`],
            },
        },
        storage: { size: `${a.storageGb}Gi` },
        resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } },
        affinity: {
            enablePodAntiAffinity: true,
            topologyKey: "topology.kubernetes.io/zone",
            // `required` leaves a standby Pending for ever when there are fewer zones than instances.
            podAntiAffinityType: a.strictZoneSpread ? "required" : "preferred",
        },
        // The operator's PDB on a lone primary forbids evicting it, so a node drain never completes.
        enablePDB: a.instances > 1,
        inheritedMetadata: { labels: a.labels },
        // CloudNativePG names the pods' service account after the cluster; Workload Identity maps it to the backup writer.
        serviceAccountTemplate: {
            metadata: { annotations: { "iam.gke.io/gcp-service-account": a.backupServiceAccountEmail } },
        },
        // WAL archiving and base backups through the Barman Cloud plugin's sidecar (plugin docs, usage).
        plugins: [{ name: BARMAN_PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: a.objectStore } }],
    };
}

/** The Barman Cloud plugin's `ObjectStore` spec: the GCS bucket under Workload Identity, and the PITR window. */
export function barmanObjectStoreSpec(a: { bucket: string; retentionDays: number }): Record<string, unknown> {
    return {
        // The plugin prunes obsolete base backups and WAL itself (plugin docs, retention).
        retentionPolicy: `${a.retentionDays}d`,
        configuration: {
            destinationPath: `gs://${a.bucket}/`,
            googleCredentials: { gkeEnvironment: true },
            wal: { compression: "gzip", maxParallel: 2 },
            data: { compression: "gzip" },
        },
    };
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

        this.bucket = new storage.Bucket(
            `${name}-backups`,
            {
                project: args.gcpProject,
                name: args.bucketName ?? `${args.gcpProject}-${name}-backups`,
                location: args.bucketLocation ?? "EU",
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                versioning: { enabled: true },
                forceDestroy: false,
                // Base backups and WAL are pruned by CloudNativePG's retention policy; versions it replaces
                // or deletes are kept for one more window so a bad prune can be undone.
                lifecycleRules: [
                    {
                        action: { type: "Delete" },
                        condition: { daysSinceNoncurrentTime: retentionDays, withState: "ARCHIVED" },
                    },
                ],
                labels: { "part-of": "estate", "managed-by": "pulumi", component: "database" },
            },
            stateful,
        );

        const writer = new serviceaccount.Account(
            `${name}-backup-writer`,
            {
                project: args.gcpProject,
                accountId: `${name}-backup-writer`.slice(0, 30),
                displayName: `PostgreSQL WAL archive and base backups (${name})`,
            },
            { parent: this },
        );
        const bucketAccess = new storage.BucketIAMMember(
            `${name}-backup-writer-access`,
            {
                bucket: this.bucket.name,
                role: "roles/storage.objectAdmin",
                member: pulumi.interpolate`serviceAccount:${writer.email}`,
            },
            { parent: this },
        );
        const workloadIdentity = new serviceaccount.IAMMember(
            `${name}-workload-identity`,
            {
                serviceAccountId: writer.name,
                role: "roles/iam.workloadIdentityUser",
                member: pulumi.interpolate`serviceAccount:${args.gcpProject}.svc.id.goog[${namespace}/${name}]`,
            },
            { parent: this },
        );

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
            { ...stateful, dependsOn: [...(operator ? [operator] : []), bucketAccess, workloadIdentity] },
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
                extraIngress: [
                    // Streaming replication and the operator's status checks between the cluster's own pods.
                    {
                        from: [{ podSelector: { matchLabels: podSelector } }],
                        ports: [
                            { protocol: "TCP", port: POSTGRES_PORT },
                            { protocol: "TCP", port: INSTANCE_MANAGER_PORT },
                        ],
                    },
                    {
                        from: [
                            {
                                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": CNPG_NAMESPACE } },
                                podSelector: { matchLabels: { "app.kubernetes.io/name": "cloudnative-pg" } },
                            },
                        ],
                        ports: [{ protocol: "TCP", port: INSTANCE_MANAGER_PORT }],
                    },
                    {
                        from: [
                            {
                                namespaceSelector: {
                                    matchLabels: { "kubernetes.io/metadata.name": monitoringNamespace },
                                },
                                podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
                            },
                        ],
                        ports: [{ protocol: "TCP", port: METRICS_PORT }],
                    },
                ],
                egress: [
                    dnsEgress,
                    {
                        to: [{ podSelector: { matchLabels: podSelector } }],
                        ports: [
                            { protocol: "TCP", port: POSTGRES_PORT },
                            { protocol: "TCP", port: INSTANCE_MANAGER_PORT },
                        ],
                    },
                    // barman-cloud gets its Workload Identity token here before each WAL or base-backup upload.
                    metadataServerEgress,
                    // The instance manager watches its Cluster through the API server.
                    controlPlaneEgress(args.controlPlaneCidr),
                    // barman-cloud writes to GCS.
                    publicHttpsEgress(),
                ],
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
