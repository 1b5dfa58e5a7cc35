import * as pulumi from "@pulumi/pulumi";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import type * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import { DEFAULT_PROMETHEUS_RELEASE } from "../../platform/kubernetes/cluster-services";
import { workloadLabels } from "../../platform/kubernetes/pod";
import { backupJobSpecs, type BackupsArgs, type BackupsOutputs, schedulesByStore } from "../backups";
import { backupCronJob, backupJobNetworkPolicy } from "./jobs";
import { pushgateway, pushgatewayUrl } from "./pushgateway";

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
            pushgateway(name, monitoringNamespace, args.prometheusRelease ?? DEFAULT_PROMETHEUS_RELEASE, this);
        const identity = args.restoreDrill.enabled ? args.restoreDrill.ageIdentity : undefined;
        const shared = {
            BACKUP_DEST: pulumi.interpolate`gs://${bucket.name}`,
            BACKUP_WORK_DIR: "/work",
            PUSHGATEWAY_URL: pushgatewayUrl(monitoringNamespace),
            CLOUDSDK_CONFIG: "/work/.gcloud",
        };
        const jobs = backupJobSpecs(args, shared, this);
        for (const job of jobs) {
            this.cronJobs[job.name] = backupCronJob(
                job,
                args.image,
                namespace,
                ksa,
                scripts,
                job.purpose === "restore-drill" ? identity : undefined,
                this,
            );
            backupJobNetworkPolicy(job, namespace, monitoringNamespace, this);
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
}
