import * as pulumi from "@pulumi/pulumi";
import * as storage from "@pulumi/gcp/storage";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";

export interface WalArchiveArgs {
    /** GCP project of the bucket and the writer's service account. */
    readonly gcpProject: string;
    /** Globally unique bucket name. @default `<gcpProject>-<name>-backups` */
    readonly bucketName?: string;
    /** Bucket location. @default "EU" */
    readonly bucketLocation?: string;
    /** PITR window: noncurrent object versions are kept this long after a prune. */
    readonly retentionDays: number;
    /** Namespace of the cluster, whose Kubernetes service account (named like the cluster) writes. */
    readonly namespace: pulumi.Input<string>;
    /** Keep the bucket through accidental deletes (prod). */
    readonly protect: boolean;
}

/**
 * The GCS side of a CloudNativePG cluster's WAL archive and base backups: a private, versioned
 * bucket, and a service account the cluster's pods act as through Workload Identity, allowed to
 * write only there. `readiness` is what the cluster waits for before it archives.
 */
export function walArchive(
    name: string,
    a: WalArchiveArgs,
    parent: pulumi.Resource,
): { bucket: storage.Bucket; writer: serviceaccount.Account; readiness: pulumi.Resource[] } {
    const bucket = new storage.Bucket(
        `${name}-backups`,
        {
            project: a.gcpProject,
            name: a.bucketName ?? `${a.gcpProject}-${name}-backups`,
            location: a.bucketLocation ?? "EU",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            versioning: { enabled: true },
            forceDestroy: false,
            // Base backups and WAL are pruned by CloudNativePG's retention policy; versions it replaces
            // or deletes are kept for one more window so a bad prune can be undone.
            lifecycleRules: [
                {
                    action: { type: "Delete" },
                    condition: { daysSinceNoncurrentTime: a.retentionDays, withState: "ARCHIVED" },
                },
            ],
            labels: { "part-of": "estate", "managed-by": "pulumi", component: "database" },
        },
        { parent, protect: a.protect, retainOnDelete: a.protect },
    );

    const writer = new serviceaccount.Account(
        `${name}-backup-writer`,
        {
            project: a.gcpProject,
            accountId: `${name}-backup-writer`.slice(0, 30),
            displayName: `PostgreSQL WAL archive and base backups (${name})`,
        },
        { parent },
    );
    const bucketAccess = new storage.BucketIAMMember(
        `${name}-backup-writer-access`,
        {
            bucket: bucket.name,
            role: "roles/storage.objectAdmin",
            member: pulumi.interpolate`serviceAccount:${writer.email}`,
        },
        { parent },
    );
    const workloadIdentity = new serviceaccount.IAMMember(
        `${name}-workload-identity`,
        {
            serviceAccountId: writer.name,
            role: "roles/iam.workloadIdentityUser",
            member: pulumi.interpolate`serviceAccount:${a.gcpProject}.svc.id.goog[${a.namespace}/${name}]`,
        },
        { parent },
    );
    return { bucket, writer, readiness: [bucketAccess, workloadIdentity] };
}
