import { PolicyResource, ReportViolation, validateResourceOfType } from "@pulumi/policy";
import { BlobContainer, ContainerAppJob, CronJob, GcpBucket as Bucket, StorageAccount } from "./resource-types";
import { acaContainers, COMPONENT_TAG, CONTAINER_APP_JOB } from "./azure";
import { COMPONENT_LABEL, CRON_JOB, k8sContainers, podTemplateOf, STATEFUL_SET } from "./k8s";
import { CatalogEntry, ContainerView, envValue } from "./lib";
import { JOB_PURPOSE_LABEL, JOB_PURPOSE_TAG, jobPurposeOf } from "./migrations";
import { containerLabel } from "./views";

export const STORE_LABEL = "estate.io/store";
export const STORE_TAG = "estate-store";
const BACKUP_COMPONENT = "backup";
type StoreKind = "postgres" | "redis" | "neo4j";

const CRON_FIELD = /^(\*|\d+(-\d+)?)(,\d+(-\d+)?)*(\/\d+)?$/;
const isAll = (f: string) => f === "*" || f === "*/1";

/** Five valid cron fields, or undefined. */
function cronFields(expr: string | undefined): string[] | undefined {
    const fields = (expr ?? "").trim().split(/\s+/);
    return fields.length === 5 && fields.every((f) => CRON_FIELD.test(f)) ? fields : undefined;
}

/** Runs every day: day-of-month, month and day-of-week unrestricted (runbook 000: "daily"). */
export function cronAtLeastDaily(expr: string | undefined): boolean {
    const f = cronFields(expr);
    return f !== undefined && isAll(f[2]) && isAll(f[3]) && isAll(f[4]);
}

/** Runs every month: the month field unrestricted (runbook 000: "test restore monthly"). */
export function cronAtLeastMonthly(expr: string | undefined): boolean {
    const f = cronFields(expr);
    return f !== undefined && isAll(f[3]);
}

/** A scheduled backup or drill job of either platform. */
interface ScheduledJob {
    readonly r: PolicyResource;
    readonly azure: boolean;
    readonly purpose?: string;
    readonly store?: string;
    readonly schedule?: string;
}

function scheduledJobs(resources: readonly PolicyResource[]): ScheduledJob[] {
    return resources.flatMap((r): ScheduledJob[] => {
        if (r.type === CRON_JOB) {
            const labels = podTemplateOf(r.type, r.props)?.metadata?.labels ?? {};
            return [
                {
                    r,
                    azure: false,
                    purpose: jobPurposeOf(r),
                    store: labels[STORE_LABEL],
                    schedule: r.props.spec?.schedule,
                },
            ];
        }
        if (r.type === CONTAINER_APP_JOB && r.props.configuration?.triggerType === "Schedule") {
            return [
                {
                    r,
                    azure: true,
                    purpose: jobPurposeOf(r),
                    store: r.props.tags?.[STORE_TAG],
                    schedule: r.props.configuration?.scheduleTriggerConfig?.cronExpression,
                },
            ];
        }
        return [];
    });
}

const K8S_COMPONENT_STORES: Readonly<Record<string, StoreKind>> = {
    database: "postgres",
    cache: "redis",
    graph: "neo4j",
};
const CHART_STORES: Readonly<Record<string, StoreKind>> = { neo4j: "neo4j", redis: "redis", postgresql: "postgres" };

/** Stores that hold data worth a backup: PostgreSQL everywhere, Redis and Neo4j where the estate runs them itself. */
function storesOf(resources: readonly PolicyResource[]): Array<{ r: PolicyResource; kind: StoreKind }> {
    return resources.flatMap((r): Array<{ r: PolicyResource; kind: StoreKind }> => {
        if (r.type === "kubernetes:postgresql.cnpg.io/v1:Cluster" || r.type === "azure-native:dbforpostgresql:Server")
            return [{ r, kind: "postgres" }];
        if (r.type === STATEFUL_SET) {
            const kind =
                K8S_COMPONENT_STORES[podTemplateOf(r.type, r.props)?.metadata?.labels?.[COMPONENT_LABEL] ?? ""];
            return kind ? [{ r, kind }] : [];
        }
        if (r.type === "kubernetes:helm.sh/v3:Release") {
            const kind =
                CHART_STORES[
                    String(r.props.chart ?? "")
                        .split("/")
                        .pop() ?? ""
                ];
            return kind ? [{ r, kind }] : [];
        }
        // Azure Cache for Redis refuses SYNC and is a cache; its own persistence is the backup.
        return [];
    });
}

const storeLabel = (s: { r: PolicyResource }) => `${s.r.type.split(":").pop()} "${s.r.name}"`;

export const backupDaily: CatalogEntry = {
    policy: {
        name: "backup-daily",
        description:
            "Every PostgreSQL database, self-hosted Redis and Neo4j store has a backup job scheduled at least daily.",
        enforcementLevel: "mandatory",
        severity: "high",
        validateStack: (args, report) => {
            const stores = storesOf(args.resources);
            const backups = scheduledJobs(args.resources).filter((j) => j.purpose === "backup");
            if (stores.length === 0 && backups.length === 0) {
                args.notApplicable("no data store");
            }
            for (const job of backups) {
                if (!cronAtLeastDaily(job.schedule)) {
                    report(
                        `Backup job "${job.r.name}" runs on "${job.schedule ?? "(none)"}": schedule it at least daily, e.g. "15 2 * * *".`,
                        job.r.urn,
                    );
                }
            }
            for (const store of stores) {
                // A store is backed up by a job on its own platform: a cluster's job cannot reach an Azure server.
                const azure = store.r.type.startsWith("azure-native:");
                if (!backups.some((j) => j.azure === azure && j.store === store.kind && cronAtLeastDaily(j.schedule))) {
                    report(
                        `${storeLabel(store)} has no daily backup: add a scheduled job labelled ${JOB_PURPOSE_LABEL}=backup and ${STORE_LABEL}=${store.kind} (tags ${JOB_PURPOSE_TAG}, ${STORE_TAG} on Azure).`,
                        store.r.urn,
                    );
                }
            }
        },
    },
    meta: {
        requirements: ["UA-DAILY-PG-DUMP", "GA-BACKUPS"],
        checks: [],
    },
};

const AGE_RECIPIENT = /^age1[0-9a-z]{58}$/;
const OFF = /^(off|false|no|none|0|disabled?)$/i;

function checkEncrypted(c: ContainerView, report: ReportViolation): void {
    const who = containerLabel(c);
    const recipients = (envValue(c, "BACKUP_AGE_RECIPIENT") ?? "").split(/[\s,]+/).filter(Boolean);
    if (recipients.length === 0) {
        report(`Set BACKUP_AGE_RECIPIENT on ${who} to an age public key (age1…): backups leave the job encrypted.`);
    } else if (!recipients.every((r) => AGE_RECIPIENT.test(r) || r.startsWith("ssh-ed25519 "))) {
        report(`BACKUP_AGE_RECIPIENT on ${who} must hold age public keys (age1…).`);
    }
    for (const name of ["BACKUP_ENCRYPTION", "BACKUP_ENCRYPT", "ENCRYPT_BACKUPS"]) {
        const value = envValue(c, name);
        if (value !== undefined && OFF.test(value))
            report(`Remove ${name}=${value} from ${who}: backups are always encrypted.`);
    }
}

export const backupsEncrypted: CatalogEntry = {
    policy: {
        name: "backups-encrypted",
        description: "Backup jobs encrypt every artefact to an age public key before it leaves the job.",
        enforcementLevel: "mandatory",
        severity: "high",
        validateResource: [
            validateResourceOfType(CronJob, (props, args, report) => {
                const template = podTemplateOf(CRON_JOB, props);
                if (template?.metadata?.labels?.[JOB_PURPOSE_LABEL] !== "backup")
                    args.notApplicable("not a backup job");
                for (const { view } of k8sContainers(template?.spec)) checkEncrypted(view, report);
            }),
            validateResourceOfType(ContainerAppJob, (props, args, report) => {
                if (props.tags?.[JOB_PURPOSE_TAG] !== "backup") args.notApplicable("not a backup job");
                for (const { view } of acaContainers(props)) checkEncrypted(view, report);
            }),
        ],
    },
    meta: {
        requirements: ["UA-ENCRYPTED-BACKUPS", "GA-BACKUPS"],
        checks: [],
    },
};

export const backupStoragePrivate: CatalogEntry = {
    policy: {
        name: "backup-storage-private",
        description:
            "Backup buckets and storage accounts are private, TLS-only and keep artefacts for a retention period.",
        enforcementLevel: "mandatory",
        severity: "high",
        validateResource: [
            validateResourceOfType(Bucket, (b, args, report) => {
                if (b.labels?.[COMPONENT_TAG] !== BACKUP_COMPONENT) args.notApplicable("not a backup bucket");
                if (b.publicAccessPrevention !== "enforced")
                    report('Set publicAccessPrevention: "enforced" on the backup bucket.');
                if (b.uniformBucketLevelAccess !== true)
                    report("Set uniformBucketLevelAccess: true on the backup bucket (no per-object ACLs).");
                const retention = Number(b.retentionPolicy?.retentionPeriod ?? 0);
                if (!(retention > 0) && b.versioning?.enabled !== true)
                    report(
                        "Give the backup bucket a retentionPolicy (or versioning) so artefacts cannot be deleted early.",
                    );
                if (
                    !(b.lifecycleRules ?? []).some(
                        (rule) => rule.action?.type === "Delete" && (rule.condition?.age ?? 0) > 0,
                    )
                ) {
                    report(
                        "Add a lifecycle rule deleting backup artefacts after the retention period (action Delete, condition.age).",
                    );
                }
            }),
            validateResourceOfType(StorageAccount, (a, args, report) => {
                if (a.tags?.[COMPONENT_TAG] !== BACKUP_COMPONENT) args.notApplicable("not a backup storage account");
                if (a.allowBlobPublicAccess !== false)
                    report("Set allowBlobPublicAccess: false on the backup storage account.");
                if (a.enableHttpsTrafficOnly === false)
                    report("Set enableHttpsTrafficOnly: true on the backup storage account.");
                if (a.minimumTlsVersion !== "TLS1_2" && a.minimumTlsVersion !== "TLS1_3")
                    report('Set minimumTlsVersion: "TLS1_2" on the backup storage account.');
            }),
            validateResourceOfType(BlobContainer, (c, _args, report) => {
                if ((c.publicAccess ?? "None") !== "None")
                    report(`Set publicAccess: "None" on blob container "${c.containerName ?? "(unnamed)"}".`);
            }),
        ],
        validateStack: (args, report) => {
            const accounts = args.resources.filter(
                (r) =>
                    r.type === "azure-native:storage:StorageAccount" &&
                    r.props.tags?.[COMPONENT_TAG] === BACKUP_COMPONENT,
            );
            for (const account of accounts) {
                const name = account.props.accountName;
                const kept = args.resources.some(
                    (r) =>
                        (r.type === "azure-native:storage:BlobContainerImmutabilityPolicy" &&
                            (r.props.immutabilityPeriodSinceCreationInDays ?? 0) > 0 &&
                            r.props.accountName === name) ||
                        (r.type === "azure-native:storage:BlobServiceProperties" &&
                            r.props.deleteRetentionPolicy?.enabled === true &&
                            r.props.accountName === name),
                );
                if (!kept)
                    report(
                        `Storage account "${name}" keeps no backup for a retention period: add a BlobContainerImmutabilityPolicy or a blob deleteRetentionPolicy.`,
                        account.urn,
                    );
            }
        },
    },
    meta: {
        requirements: ["GA-BACKUPS", "GA-SECURE-STORAGE"],
        checks: [
            "Checkov CKV_GCP_114",
            "Checkov CKV_GCP_29",
            "Checkov CKV_AZURE_59",
            "Checkov CKV_AZURE_44",
            "Checkov CKV_AZURE_3",
        ],
    },
};

export const restoreDrillScheduled: CatalogEntry = {
    policy: {
        name: "restore-drill-scheduled",
        description:
            "A restore drill of the PostgreSQL backups runs at least monthly and holds the key to decrypt them.",
        enforcementLevel: "mandatory",
        severity: "high",
        validateStack: (args, report) => {
            const databases = storesOf(args.resources).filter((s) => s.kind === "postgres");
            if (databases.length === 0) {
                args.notApplicable("no PostgreSQL database");
            }
            const drills = scheduledJobs(args.resources).filter((j) => j.purpose === "restore-drill");
            const good = drills.filter((j) => cronAtLeastMonthly(j.schedule));
            for (const drill of drills.filter((j) => !good.includes(j))) {
                report(
                    `Restore drill "${drill.r.name}" runs on "${drill.schedule ?? "(none)"}": schedule it at least monthly, e.g. "30 4 1 * *".`,
                    drill.r.urn,
                );
            }
            const uncovered = databases.filter(
                (d) => !good.some((j) => j.azure === d.r.type.startsWith("azure-native:")),
            );
            if (uncovered.length > 0) {
                report(
                    `No restore drill covers ${uncovered.map(storeLabel).join(", ")}: add a monthly job labelled ${JOB_PURPOSE_LABEL}=restore-drill (tag ${JOB_PURPOSE_TAG} on Azure) that restores the newest backup into a scratch database.`,
                );
            }
            for (const drill of good) {
                const containers =
                    drill.r.type === CRON_JOB
                        ? k8sContainers(podTemplateOf(CRON_JOB, drill.r.props)?.spec).map((x) => x.view)
                        : acaContainers(drill.r.props).map((x) => x.view);
                if (!containers.some((c) => envValue(c, "BACKUP_AGE_IDENTITY_FILE"))) {
                    report(
                        `Restore drill "${drill.r.name}" has no BACKUP_AGE_IDENTITY_FILE: mount the age identity from the secret store and point the variable at it.`,
                        drill.r.urn,
                    );
                }
            }
        },
    },
    meta: {
        requirements: ["UA-ENCRYPTED-BACKUPS", "UA-BACKUPS-TESTED"],
        checks: [],
    },
};

export const backupPolicies: readonly CatalogEntry[] = [
    backupDaily,
    backupsEncrypted,
    backupStoragePrivate,
    restoreDrillScheduled,
];
