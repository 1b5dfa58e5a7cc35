import {
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    validateResourceOfType,
} from "@pulumi/policy";
import { ContainerAppJob, CronJob } from "./resource-types";
import { acaContainers } from "./azure";
import { COMPONENT_LABEL, CRON_JOB, k8sContainers, podTemplateOf, STATEFUL_SET } from "./k8s";
import { CatalogEntry, configWithDefaults, ContainerView, envValue, field, text } from "./lib";
import { JOB_PURPOSE_LABEL, JOB_PURPOSE_TAG } from "./migrations";
import {
    cronAtLeastDaily,
    cronAtLeastMonthly,
    type ScheduledJob,
    scheduledJobs,
    STORE_LABEL,
    STORE_TAG,
} from "./schedules";
import { MIN_RETENTION_DAYS } from "./storage";
import { CNPG_CLUSTER, FLEXIBLE_SERVER, isReplicaServer, REDIS_TYPES } from "./stores";
import { backupStoragePrivate } from "./backup-storage";
import { containerLabel } from "./views";

export { cronAtLeastDaily, cronAtLeastMonthly, STORE_LABEL, STORE_TAG } from "./schedules";
type StoreKind = "postgres" | "redis" | "neo4j";

const K8S_COMPONENT_STORES: Readonly<Record<string, StoreKind>> = {
    database: "postgres",
    cache: "redis",
    graph: "neo4j",
};
const CHART_STORES: Readonly<Record<string, StoreKind>> = { neo4j: "neo4j", redis: "redis", postgresql: "postgres" };

/** Stores that hold data worth a backup: PostgreSQL everywhere, Redis and Neo4j where the estate runs them itself. */
function storesOf(resources: readonly PolicyResource[]): Array<{ r: PolicyResource; kind: StoreKind }> {
    return resources.flatMap((r): Array<{ r: PolicyResource; kind: StoreKind }> => {
        // A read replica holds its primary's data: the primary's backup is its backup.
        if (r.type === CNPG_CLUSTER || (r.type === FLEXIBLE_SERVER && !isReplicaServer(r.props)))
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

/** A ScheduledBackup backs up the one Cluster it names; a job labelled with its store, any store of that kind. */
function covers(job: ScheduledJob, store: PolicyResource): boolean {
    if (job.cluster === undefined) return true;
    const namespace = text(store.props, "metadata", "namespace") ?? "default";
    return store.type === CNPG_CLUSTER && job.cluster === `${namespace}/${text(store.props, "metadata", "name") ?? ""}`;
}

const storeLabel = (s: { r: PolicyResource }) => `${s.r.type.split(":").pop()} "${s.r.name}"`;

const ON = (v: unknown) => String(v ?? "").toLowerCase() === "true";

/**
 * Azure Cache for Redis cannot be dumped by a job (it refuses SYNC): on Premium, the tier that
 * persists, its RDB or AOF persistence is the backup (Azure REST API, Redis
 * `RedisCommonPropertiesRedisConfiguration`: rdb-backup-enabled, aof-backup-enabled, Premium only).
 */
function checkCachePersisted(cache: PolicyResource, report: ReportViolation): void {
    if (text(cache.props, "sku", "name") !== "Premium") return;
    const config = field(cache.props, "redisConfiguration");
    if (!ON(field(config, "rdbBackupEnabled")) && !ON(field(config, "aofBackupEnabled")))
        report(
            `Azure Cache for Redis "${cache.name}" persists nothing: set redisConfiguration.rdbBackupEnabled "true" (with rdbStorageConnectionString) or aofBackupEnabled "true".`,
            cache.urn,
        );
}

/** Jobs of this purpose that run on their own; each one that never does is reported with its fix. */
function runningJobs(args: StackValidationArgs, purpose: string, report: ReportViolation): ScheduledJob[] {
    const jobs = scheduledJobs(args.resources).filter((j) => j.purpose === purpose);
    for (const job of jobs.filter((j) => j.stopped !== undefined)) {
        report(
            `${purpose === "backup" ? "Backup job" : "Restore drill"} "${job.r.name}" never runs: ${job.stopped}.`,
            job.r.urn,
        );
    }
    return jobs.filter((j) => j.stopped === undefined);
}

export const backupDaily: CatalogEntry = {
    policy: {
        name: "backup-daily",
        description:
            "Every PostgreSQL database, self-hosted Redis and Neo4j store has a backup scheduled at least daily, and no backup (CronJob, CloudNativePG ScheduledBackup, Container Apps job) is suspended or left to a manual trigger.",
        enforcementLevel: "mandatory",
        severity: "high",
        validateStack: (args, report) => {
            const stores = storesOf(args.resources);
            const backups = runningJobs(args, "backup", report);
            if (stores.length === 0 && backups.length === 0) {
                args.notApplicable("no data store");
            }
            const daily = backups.filter((j) => cronAtLeastDaily(j.schedule, j));
            for (const job of backups.filter((j) => !daily.includes(j))) {
                report(
                    `Backup job "${job.r.name}" runs on "${job.schedule ?? "(none)"}": schedule it at least daily, e.g. "${job.seconds ? "0 15 2 * * *" : "15 2 * * *"}".`,
                    job.r.urn,
                );
            }
            for (const cache of args.resources.filter((r) => REDIS_TYPES.includes(r.type)))
                checkCachePersisted(cache, report);
            for (const store of stores) {
                // A store is backed up by a job on its own platform: a cluster's job cannot reach an Azure server.
                const azure = store.r.type.startsWith("azure-native:");
                if (!daily.some((j) => j.azure === azure && j.store === store.kind && covers(j, store.r))) {
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

export const restoreDrillScheduled: CatalogEntry = {
    policy: {
        name: "restore-drill-scheduled",
        description:
            "Every restore drill runs on its schedule (never suspended or manual), at least monthly, holding the key to decrypt the backups; one covers each PostgreSQL database.",
        enforcementLevel: "mandatory",
        severity: "high",
        validateStack: (args, report) => {
            const databases = storesOf(args.resources).filter((s) => s.kind === "postgres");
            if (databases.length === 0) {
                args.notApplicable("no PostgreSQL database");
            }
            const drills = runningJobs(args, "restore-drill", report);
            const good = drills.filter((j) => cronAtLeastMonthly(j.schedule, j));
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

const retentionSchema: PolicyConfigSchema = {
    properties: {
        minRetentionDays: {
            type: "integer",
            minimum: 1,
            default: MIN_RETENTION_DAYS,
            description: "Fewest days a backup job keeps its artefacts before pruning them (BACKUP_RETENTION_DAYS).",
        },
    },
};

function checkRetention(c: ContainerView, min: number, report: ReportViolation): void {
    const value = c.env.find((e) => e.name === "BACKUP_RETENTION_DAYS");
    // Unset, the scripts keep 35 days (components/backup/scripts/lib.sh); a reference cannot be read here.
    if (value === undefined || value.byReference || value.value === undefined) return;
    const days = /^[1-9][0-9]*$/.test(value.value.trim()) ? Number(value.value) : NaN;
    if (!(days >= min))
        report(
            `Set BACKUP_RETENTION_DAYS on ${containerLabel(c)} to at least ${min} (it is "${value.value}"): the job prunes older backups.`,
        );
}

export const backupRetentionKept: CatalogEntry = {
    policy: {
        name: "backup-retention-kept",
        description: "Backup jobs keep their artefacts for at least the retention floor before pruning them.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: retentionSchema,
        validateResource: [
            validateResourceOfType(CronJob, (props, args, report) => {
                const template = podTemplateOf(CRON_JOB, props);
                if (template?.metadata?.labels?.[JOB_PURPOSE_LABEL] !== "backup")
                    args.notApplicable("not a backup job");
                const { minRetentionDays } = configWithDefaults<{ minRetentionDays: number }>(retentionSchema, args);
                for (const { view } of k8sContainers(template?.spec)) checkRetention(view, minRetentionDays, report);
            }),
            validateResourceOfType(ContainerAppJob, (props, args, report) => {
                if (props.tags?.[JOB_PURPOSE_TAG] !== "backup") args.notApplicable("not a backup job");
                const { minRetentionDays } = configWithDefaults<{ minRetentionDays: number }>(retentionSchema, args);
                for (const { view } of acaContainers(props)) checkRetention(view, minRetentionDays, report);
            }),
        ],
    },
    meta: {
        requirements: ["GA-BACKUPS", "UA-BACKUPS-TESTED"],
        checks: ["ASB BR-2"],
    },
};

export const backupPolicies: readonly CatalogEntry[] = [
    backupDaily,
    backupsEncrypted,
    backupRetentionKept,
    backupStoragePrivate,
    restoreDrillScheduled,
];
