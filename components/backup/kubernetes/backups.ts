import * as pulumi from "@pulumi/pulumi";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as helm from "@pulumi/kubernetes/helm/v3";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import { dnsEgress, metadataServerEgress, namespacePeer, publicHttpsEgress } from "../../platform/kubernetes/network";
import { DEFAULT_PROMETHEUS_RELEASE } from "../../platform/kubernetes/cluster-services";
import {
    containerEnv,
    JOB_PURPOSE_LABEL,
    memoryTmp,
    restrictedContainerSecurityContext,
    restrictedPodSecurityContext,
    secretKeyRefOf,
    workloadLabels,
} from "../../platform/kubernetes/pod";
import { resourceSizing, type SecretRef } from "../../workload/service";
import {
    AGE_IDENTITY_DIR,
    AGE_IDENTITY_FILE,
    BACKUP_SCRIPTS_PATH,
    backupJobSpecs,
    type BackupJobSpec,
    type BackupsArgs,
    type BackupsOutputs,
    schedulesByStore,
} from "../backups";
import { backupScriptCommand } from "../scripts";

/** Pinned chart: an upgrade is a reviewed change. The release name is the Service name. */

/** The backup tools' scratch space, in memory like every workload's `/tmp` (the root filesystem is read-only). */
const BACKUP_TMP = memoryTmp("256Mi");
export const PUSHGATEWAY_CHART = {
    chart: "prometheus-pushgateway",
    version: "3.2.0",
    repo: "https://prometheus-community.github.io/helm-charts",
} as const;

/** Where backup jobs push `estate_backup_*` gauges; Prometheus scrapes them from there. */
export function pushgatewayUrl(monitoringNamespace: string): string {
    return `http://${PUSHGATEWAY_CHART.chart}.${monitoringNamespace}.svc.cluster.local:9091`;
}

export interface KubernetesBackupsArgs extends BackupsArgs {
    readonly namespace: pulumi.Input<string>;
    /** GCP project of the bucket and the service account. */
    readonly gcpProject: string;
    /** Globally unique bucket name. */
    readonly bucketName: string;
    /** Bucket location. @default "EU" */
    readonly location?: string;
    /** Namespace of the Pushgateway the jobs push their freshness metrics to (from the foundation). */
    readonly monitoringNamespace: string;
    /**
     * Install the Pushgateway (pinned chart, persistent, scraped with honor_labels through a
     * ServiceMonitor). Off when the cluster's monitoring already runs one at the same address.
     * @default true
     */
    readonly installPushgateway?: boolean;
    /** `release` label the cluster's Prometheus selects ServiceMonitors by (kube-prometheus-stack's default). @default "kube-prometheus-stack" */
    readonly prometheusRelease?: string;
}

/**
 * Daily encrypted backups and the monthly restore drill on Kubernetes (runbooks 000, 003): a
 * private GCS bucket, the repository's scripts in a ConfigMap, one restricted CronJob per job,
 * and Workload Identity so no key file exists.
 */
export class KubernetesBackups extends pulumi.ComponentResource implements BackupsOutputs {
    readonly storageName: pulumi.Output<string>;
    readonly storageUrl: pulumi.Output<string>;
    readonly schedules: pulumi.Output<Record<string, string>>;
    readonly storeSchedules: pulumi.Output<Record<string, Record<string, string>>>;
    readonly drillSchedule: pulumi.Output<string | undefined>;
    readonly cronJobs: Record<string, batchv1.CronJob> = {};

    constructor(name: string, args: KubernetesBackupsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:backup:KubernetesBackups", name, {}, opts);
        const protect = args.protect ?? false;
        const stateful = { parent: this, protect, retainOnDelete: protect };
        const namespace = args.namespace;

        // Artefacts are never overwritten (timestamped names), so a retention lock protects them
        // better than versioning, which GCS does not allow together with a retention policy.
        const bucket = new storage.Bucket(
            `${name}-bucket`,
            {
                name: args.bucketName,
                project: args.gcpProject,
                location: args.location ?? "EU",
                storageClass: "STANDARD",
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                retentionPolicy: { retentionPeriod: String(args.retentionDays * 86400), isLocked: false },
                lifecycleRules: [{ action: { type: "Delete" }, condition: { age: args.retentionDays + 1 } }],
                forceDestroy: false,
                labels: { "estate-component": "backup" },
            },
            stateful,
        );

        // Workload Identity: the Kubernetes service account acts as this GCP account; no key exists.
        const account = new serviceaccount.Account(
            `${name}-gsa`,
            {
                project: args.gcpProject,
                accountId: `${name}-jobs`.slice(0, 30),
                displayName: "estate backup and restore-drill jobs",
            },
            { parent: this },
        );
        const member = pulumi.interpolate`serviceAccount:${account.email}`;
        for (const role of ["roles/storage.objectCreator", "roles/storage.objectViewer"]) {
            new storage.BucketIAMMember(
                `${name}-${role.split(".").pop()!.toLowerCase()}`,
                { bucket: bucket.name, role, member },
                { parent: this },
            );
        }
        const ksa = new corev1.ServiceAccount(
            `${name}-ksa`,
            {
                metadata: {
                    name,
                    namespace,
                    labels: workloadLabels(name, "job", "job"),
                    annotations: { "iam.gke.io/gcp-service-account": account.email },
                },
                automountServiceAccountToken: false,
            },
            { parent: this },
        );
        new serviceaccount.IAMMember(
            `${name}-workload-identity`,
            {
                serviceAccountId: account.name,
                role: "roles/iam.workloadIdentityUser",
                member: pulumi.interpolate`serviceAccount:${args.gcpProject}.svc.id.goog[${namespace}/${ksa.metadata.name}]`,
            },
            { parent: this },
        );

        const scripts = new corev1.ConfigMap(
            `${name}-scripts`,
            {
                metadata: { name: `${name}-scripts`, namespace, labels: workloadLabels(name, "job", "job") },
                data: { ...args.scripts },
            },
            { parent: this },
        );
        const monitoringNamespace = args.monitoringNamespace;
        if (args.installPushgateway ?? true)
            this.pushgateway(name, monitoringNamespace, args.prometheusRelease ?? DEFAULT_PROMETHEUS_RELEASE);
        const identity = args.restoreDrill.enabled ? args.restoreDrill.ageIdentity : undefined;
        const shared = {
            BACKUP_DEST: pulumi.interpolate`gs://${bucket.name}`,
            BACKUP_WORK_DIR: "/work",
            PUSHGATEWAY_URL: pushgatewayUrl(monitoringNamespace),
            CLOUDSDK_CONFIG: "/work/.gcloud",
        };
        const jobs = backupJobSpecs(args, shared, this);
        for (const job of jobs) {
            this.cronJobs[job.name] = this.cronJob(
                job,
                args.image,
                namespace,
                ksa,
                scripts,
                job.purpose === "restore-drill" ? identity : undefined,
            );
            this.networkPolicy(job, namespace, monitoringNamespace);
        }

        this.storageName = bucket.name;
        this.storageUrl = pulumi.interpolate`gs://${bucket.name}`;
        this.schedules = pulumi.output(Object.fromEntries(jobs.map((j) => [j.name, j.schedule])));
        this.storeSchedules = pulumi.output(schedulesByStore(jobs));
        this.drillSchedule = pulumi.output(args.restoreDrill.enabled ? args.restoreDrill.schedule : undefined);
        this.registerOutputs({
            storageName: this.storageName,
            storageUrl: this.storageUrl,
            schedules: this.schedules,
            storeSchedules: this.storeSchedules,
            drillSchedule: this.drillSchedule,
        });
    }

    private cronJob(
        job: BackupJobSpec,
        image: string,
        namespace: pulumi.Input<string>,
        ksa: corev1.ServiceAccount,
        scripts: corev1.ConfigMap,
        identity: SecretRef | undefined,
    ): batchv1.CronJob {
        const labels = {
            ...workloadLabels(job.name, "job", "job"),
            [JOB_PURPOSE_LABEL]: job.purpose,
            "estate.io/store": job.store,
        };
        // The age private key is a file from the synced Secret, readable by the job's user only.
        const key = identity ? secretKeyRefOf("BACKUP_AGE_IDENTITY_FILE", identity, this) : undefined;
        const identityVolume = key
            ? [
                  {
                      name: "age-identity",
                      secret: {
                          secretName: key.name,
                          items: [{ key: key.key, path: AGE_IDENTITY_FILE }],
                          defaultMode: 0o400,
                      },
                  },
              ]
            : [];
        return new batchv1.CronJob(
            `${job.name}-cronjob`,
            {
                metadata: { name: job.name, namespace, labels },
                spec: {
                    schedule: job.schedule,
                    timeZone: "Etc/UTC",
                    concurrencyPolicy: "Forbid",
                    startingDeadlineSeconds: 3600,
                    successfulJobsHistoryLimit: 3,
                    failedJobsHistoryLimit: 3,
                    jobTemplate: {
                        metadata: { labels },
                        spec: {
                            backoffLimit: 1,
                            activeDeadlineSeconds: job.purpose === "restore-drill" ? 6 * 3600 : 3 * 3600,
                            template: {
                                metadata: { labels },
                                spec: {
                                    restartPolicy: "Never",
                                    serviceAccountName: ksa.metadata.name,
                                    automountServiceAccountToken: false,
                                    securityContext: restrictedPodSecurityContext,
                                    containers: [
                                        {
                                            name: job.purpose,
                                            image,
                                            imagePullPolicy: "IfNotPresent",
                                            command: backupScriptCommand(job.script, BACKUP_SCRIPTS_PATH),
                                            env: containerEnv(job.env, job.secretEnv, this),
                                            resources: resourceSizing(job.size.cpu, job.size.memory),
                                            securityContext: restrictedContainerSecurityContext,
                                            volumeMounts: [
                                                { name: "scripts", mountPath: BACKUP_SCRIPTS_PATH, readOnly: true },
                                                { name: "work", mountPath: "/work" },
                                                BACKUP_TMP.mount,
                                                ...(identity
                                                    ? [
                                                          {
                                                              name: "age-identity",
                                                              mountPath: AGE_IDENTITY_DIR,
                                                              readOnly: true,
                                                          },
                                                      ]
                                                    : []),
                                            ],
                                        },
                                    ],
                                    volumes: [
                                        {
                                            name: "scripts",
                                            configMap: { name: scripts.metadata.name, defaultMode: 0o444 },
                                        },
                                        // Ciphertext is staged here before upload: on disk, sized for a dump.
                                        { name: "work", emptyDir: { sizeLimit: "20Gi" } },
                                        // The Neo4j drill's JVM writes its temporary files here too.
                                        BACKUP_TMP.volume,
                                        ...identityVolume,
                                    ],
                                },
                            },
                        },
                    },
                },
            },
            { parent: this },
        );
    }

    /** Freshness gauges outlive a pod restart (persistence file), so a restart does not page as "backup stale". */
    private pushgateway(name: string, namespace: string, prometheusRelease: string): void {
        new helm.Release(
            `${name}-pushgateway`,
            {
                name: PUSHGATEWAY_CHART.chart,
                chart: PUSHGATEWAY_CHART.chart,
                version: PUSHGATEWAY_CHART.version,
                repositoryOpts: { repo: PUSHGATEWAY_CHART.repo },
                namespace,
                createNamespace: true,
                values: {
                    // Without the `release` label a default kube-prometheus-stack never scrapes it, and BackupStale fires for ever.
                    serviceMonitor: {
                        enabled: true,
                        namespace,
                        honorLabels: true,
                        additionalLabels: { release: prometheusRelease },
                    },
                    persistentVolume: { enabled: true, size: "1Gi" },
                    extraArgs: ["--persistence.file=/data/pushgateway.data", "--persistence.interval=1m"],
                    automountServiceAccountToken: false,
                    containerSecurityContext: restrictedContainerSecurityContext,
                    resources: resourceSizing("50m", "64Mi"),
                },
            },
            { parent: this },
        );
    }

    private networkPolicy(job: BackupJobSpec, namespace: pulumi.Input<string>, monitoringNamespace: string): void {
        new networkingv1.NetworkPolicy(
            `${job.name}-netpol`,
            {
                metadata: { name: job.name, namespace, labels: workloadLabels(job.name, "job", "job") },
                spec: {
                    podSelector: { matchLabels: { "app.kubernetes.io/name": job.name } },
                    policyTypes: ["Ingress", "Egress"],
                    ingress: [],
                    egress: [
                        dnsEgress,
                        ...(job.dependency
                            ? [{ to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": job.dependency } } }] }]
                            : []),
                        { to: [namespacePeer(monitoringNamespace)], ports: [{ protocol: "TCP", port: 9091 }] },
                        // The GKE metadata server hands out the Workload Identity token.
                        metadataServerEgress,
                        // Google APIs (GCS), only over TLS.
                        publicHttpsEgress(),
                    ],
                },
            },
            { parent: this },
        );
    }
}
