import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cronAtLeastDaily, cronAtLeastMonthly } from "../../policies/backups";
import { Case, drop, estate, get, itReportsEachCase, setEnv } from "./cases";
import { findings } from "./harness";

const cron = (rs: Parameters<typeof get>[0], name: string) => get(rs, ":CronJob", name);
const cronContainer = (rs: Parameters<typeof get>[0], name: string) =>
    cron(rs, name).spec.jobTemplate.spec.template.spec.containers[0];
const acaJob = (rs: Parameters<typeof get>[0], name: string) => get(rs, "app:Job", name);

const noDrill =
    'No restore drill covers StatefulSet "postgres", Cluster "postgres", Server "db": add a monthly job labelled estate.io/job=restore-drill (tag estate-job on Azure) that restores the newest backup into a scratch database.';

const cases: Case[] = [
    {
        name: "the PostgreSQL backup runs weekly",
        mutate: (rs) => (cron(rs, "pg-backup").spec.schedule = "0 2 * * 0"),
        expect: [
            [
                "backup-daily",
                'Backup job "pg-backup" runs on "0 2 * * 0": schedule it at least daily, e.g. "15 2 * * *".',
            ],
            [
                "backup-daily",
                'StatefulSet "postgres" has no daily backup: add a scheduled job labelled estate.io/job=backup and estate.io/store=postgres (tags estate-job, estate-store on Azure).',
            ],
        ],
    },
    {
        name: "a database whose only job is for something else",
        mutate: (rs) =>
            (cron(rs, "pg-backup").spec.jobTemplate.spec.template.metadata.labels["estate.io/job"] = "report"),
        expect: [
            [
                "backup-daily",
                'StatefulSet "postgres" has no daily backup: add a scheduled job labelled estate.io/job=backup and estate.io/store=postgres (tags estate-job, estate-store on Azure).',
            ],
        ],
    },
    {
        name: "the Azure backup job is manual, not scheduled",
        mutate: (rs) => (acaJob(rs, "pg-backup").configuration.triggerType = "Manual"),
        expect: [
            [
                "backup-daily",
                'Backup job "pg-backup" never runs: set configuration.triggerType "Schedule" with a scheduleTriggerConfig.cronExpression (it is "Manual").',
            ],
            [
                "backup-daily",
                'Server "db" has no daily backup: add a scheduled job labelled estate.io/job=backup and estate.io/store=postgres (tags estate-job, estate-store on Azure).',
            ],
        ],
    },
    {
        name: "the PostgreSQL backup CronJob is suspended",
        mutate: (rs) => (cron(rs, "pg-backup").spec.suspend = true),
        expect: [
            ["backup-daily", 'Backup job "pg-backup" never runs: remove spec.suspend: true.'],
            [
                "backup-daily",
                'StatefulSet "postgres" has no daily backup: add a scheduled job labelled estate.io/job=backup and estate.io/store=postgres (tags estate-job, estate-store on Azure).',
            ],
        ],
    },
    {
        name: "the CloudNativePG ScheduledBackup is suspended",
        mutate: (rs) => (get(rs, "cnpg.io/v1:ScheduledBackup", "postgres-daily").spec.suspend = true),
        expect: [["backup-daily", 'Backup job "postgres-daily" never runs: remove spec.suspend: true.']],
    },
    {
        name: "the CloudNativePG base backup runs weekly (robfig/cron, seconds first)",
        mutate: (rs) => (get(rs, "cnpg.io/v1:ScheduledBackup", "postgres-daily").spec.schedule = "0 0 3 * * 0"),
        expect: [
            [
                "backup-daily",
                'Backup job "postgres-daily" runs on "0 0 3 * * 0": schedule it at least daily, e.g. "0 15 2 * * *".',
            ],
        ],
    },
    {
        name: "the restore drill CronJob is suspended",
        mutate: (rs) => (cron(rs, "pg-restore-drill").spec.suspend = true),
        expect: [
            ["restore-drill-scheduled", 'Restore drill "pg-restore-drill" never runs: remove spec.suspend: true.'],
            [
                "restore-drill-scheduled",
                'No restore drill covers StatefulSet "postgres", Cluster "postgres": add a monthly job labelled estate.io/job=restore-drill (tag estate-job on Azure) that restores the newest backup into a scratch database.',
            ],
        ],
    },
    {
        name: "the Azure restore drill only runs by hand",
        mutate: (rs) => {
            const job = acaJob(rs, "pg-restore-drill");
            job.configuration.triggerType = "Manual";
            delete job.configuration.scheduleTriggerConfig;
        },
        expect: [
            [
                "restore-drill-scheduled",
                'Restore drill "pg-restore-drill" never runs: set configuration.triggerType "Schedule" with a scheduleTriggerConfig.cronExpression (it is "Manual").',
            ],
            [
                "restore-drill-scheduled",
                'No restore drill covers Server "db": add a monthly job labelled estate.io/job=restore-drill (tag estate-job on Azure) that restores the newest backup into a scratch database.',
            ],
        ],
    },
    {
        name: "a backup job that prunes after a day",
        mutate: (rs) => setEnv(cronContainer(rs, "pg-backup"), "BACKUP_RETENTION_DAYS", { value: "1" }),
        expect: [
            [
                "backup-retention-kept",
                'Set BACKUP_RETENTION_DAYS on container "backup" to at least 14 (it is "1"): the job prunes older backups.',
            ],
        ],
    },
    {
        name: "an Azure backup job whose retention is not a number of days",
        mutate: (rs) =>
            setEnv(acaJob(rs, "pg-backup").template.containers[0], "BACKUP_RETENTION_DAYS", { value: "forever" }),
        expect: [
            [
                "backup-retention-kept",
                'Set BACKUP_RETENTION_DAYS on container "backup" to at least 14 (it is "forever"): the job prunes older backups.',
            ],
        ],
    },
    {
        name: "a Premium cache with its RDB persistence off",
        mutate: (rs) => {
            const cache = get(rs, "redis:Redis", "cache");
            cache.sku = { name: "Premium", family: "P", capacity: 1 };
            cache.redisConfiguration = { rdbBackupEnabled: "false" };
        },
        expect: [
            [
                "backup-daily",
                'Azure Cache for Redis "cache" persists nothing: set redisConfiguration.rdbBackupEnabled "true" (with rdbStorageConnectionString) or aofBackupEnabled "true".',
            ],
        ],
    },
    {
        name: "a backup without an age recipient (encryption switched off)",
        mutate: (rs) => setEnv(cronContainer(rs, "pg-backup"), "BACKUP_AGE_RECIPIENT", undefined),
        expect: [
            [
                "backups-encrypted",
                'Set BACKUP_AGE_RECIPIENT on container "backup" to an age public key (age1…): backups leave the job encrypted.',
            ],
        ],
    },
    {
        name: "a recipient that is not an age key",
        mutate: (rs) =>
            setEnv(acaJob(rs, "pg-backup").template.containers[0], "BACKUP_AGE_RECIPIENT", { value: "gpg:ABCDEF" }),
        expect: [
            ["backups-encrypted", 'BACKUP_AGE_RECIPIENT on container "backup" must hold age public keys (age1…).'],
        ],
    },
    {
        name: "an encryption opt-out variable",
        mutate: (rs) => setEnv(cronContainer(rs, "pg-backup"), "BACKUP_ENCRYPTION", { value: "off" }),
        expect: [
            [
                "backups-encrypted",
                'Remove BACKUP_ENCRYPTION=off from container "backup": backups are always encrypted.',
            ],
        ],
    },
    {
        name: "the backup bucket allows public access",
        mutate: (rs) => (get(rs, "storage/bucket:Bucket", "backups").publicAccessPrevention = "inherited"),
        expect: [
            ["backup-storage-private", 'Set publicAccessPrevention: "enforced" on the backup bucket.'],
            ["gcp-bucket-hardened", "Set publicAccessPrevention: enforced."],
        ],
    },
    {
        name: "the backup bucket keeps nothing",
        mutate: (rs) => {
            const b = get(rs, "storage/bucket:Bucket", "backups");
            delete b.retentionPolicy;
            b.lifecycleRules = [];
        },
        expect: [
            [
                "backup-storage-private",
                "Give the backup bucket a retentionPolicy (or versioning) so artefacts cannot be deleted early.",
            ],
            [
                "backup-storage-private",
                "Add a lifecycle rule deleting backup artefacts after the retention period (action Delete, condition.age).",
            ],
            [
                "gcp-bucket-hardened",
                "Add retentionPolicy.retentionPeriod of at least 1209600 s (14 days), or enable versioning.",
            ],
        ],
    },
    {
        name: "the backup storage account allows public blobs and TLS 1.0",
        mutate: (rs) =>
            Object.assign(get(rs, "storage:StorageAccount", "backups"), {
                allowBlobPublicAccess: true,
                minimumTlsVersion: "TLS1_0",
            }),
        expect: [
            ["backup-storage-private", "Set allowBlobPublicAccess: false on the backup storage account."],
            ["backup-storage-private", 'Set minimumTlsVersion: "TLS1_2" on the backup storage account.'],
            ["azure-storage-account-hardened", "Set allowBlobPublicAccess: false."],
            ["azure-storage-account-hardened", "Set minimumTlsVersion: TLS1_2 (it is TLS1_0)."],
        ],
    },
    {
        name: "a public blob container",
        mutate: (rs) => (get(rs, "storage:BlobContainer", "backups").publicAccess = "Blob"),
        expect: [
            ["backup-storage-private", 'Set publicAccess: "None" on blob container "backups".'],
            ["azure-backup-blobs-recoverable", "Set publicAccess: None (it is Blob)."],
        ],
    },
    {
        name: "the backup container has no immutability policy",
        mutate: (rs) => drop(rs, "storage:BlobContainerImmutabilityPolicy", "backups"),
        expect: [
            [
                "backup-storage-private",
                'Backup container "backups" can be emptied early: add a BlobContainerImmutabilityPolicy with immutabilityPeriodSinceCreationInDays of the retention period.',
            ],
        ],
    },
    {
        name: "the backup storage account keeps its copies in one datacentre",
        mutate: (rs) => (get(rs, "storage:StorageAccount", "backups").sku = { name: "Standard_LRS" }),
        expect: [
            [
                "backup-storage-private",
                'Backup storage account "estateprodbackups" keeps its copies in one datacentre (Standard_LRS): use Standard_ZRS, Standard_GZRS or Standard_RAGZRS.',
            ],
        ],
    },
    {
        name: "the backup account's blob service (soft delete, versioning) removed",
        mutate: (rs) => drop(rs, "storage:BlobServiceProperties", "backups"),
        expect: [
            [
                "backup-storage-private",
                'Backup storage account "estateprodbackups" has no blob soft delete: declare its BlobServiceProperties with deleteRetentionPolicy, containerDeleteRetentionPolicy and isVersioningEnabled.',
            ],
        ],
    },
    {
        name: "no restore drill at all (drill switched off)",
        mutate: (rs) => {
            drop(rs, ":CronJob", "pg-restore-drill");
            drop(rs, "app:Job", "pg-restore-drill");
        },
        expect: [["restore-drill-scheduled", noDrill]],
    },
    {
        name: "the cluster's drill runs once a year",
        mutate: (rs) => (cron(rs, "pg-restore-drill").spec.schedule = "30 4 1 1 *"),
        expect: [
            [
                "restore-drill-scheduled",
                'Restore drill "pg-restore-drill" runs on "30 4 1 1 *": schedule it at least monthly, e.g. "30 4 1 * *".',
            ],
            [
                "restore-drill-scheduled",
                'No restore drill covers StatefulSet "postgres", Cluster "postgres": add a monthly job labelled estate.io/job=restore-drill (tag estate-job on Azure) that restores the newest backup into a scratch database.',
            ],
        ],
    },
    {
        name: "a drill that cannot decrypt",
        mutate: (rs) => setEnv(cronContainer(rs, "pg-restore-drill"), "BACKUP_AGE_IDENTITY_FILE", undefined),
        expect: [
            [
                "restore-drill-scheduled",
                'Restore drill "pg-restore-drill" has no BACKUP_AGE_IDENTITY_FILE: mount the age identity from the secret store and point the variable at it.',
            ],
        ],
    },
    {
        name: "a backup CronJob that is not restricted is caught by the workload policies",
        mutate: (rs) => (cronContainer(rs, "pg-backup").securityContext.runAsNonRoot = false),
        expect: [
            ["pod-security-restricted", 'Set securityContext.runAsNonRoot: true on container "backup" or on the pod.'],
        ],
    },
];

describe("backup policies", () => {
    it("pass the compliant estate", async () => {
        assert.deepEqual(await findings(estate()), []);
    });
    itReportsEachCase(cases);
    it("read cron schedules as daily and monthly", () => {
        assert.deepEqual(
            ["15 2 * * *", "*/30 * * * *", "0 0,12 * * *", "0 2 * * 0", "0 2 1 * *", "0 2 * * *  extra", "daily"].map(
                (e) => cronAtLeastDaily(e),
            ),
            [true, true, true, false, false, false, false],
        );
        assert.deepEqual(
            ["30 4 1 * *", "30 4 * * 1", "15 2 * * *", "30 4 1 1 *", "30 4 1 */3 *"].map((e) => cronAtLeastMonthly(e)),
            [true, true, true, false, false],
        );
        assert.deepEqual(
            ["@daily", "@hourly", "@weekly", "@monthly"].map((e) => [cronAtLeastDaily(e), cronAtLeastMonthly(e)]),
            [
                [true, true],
                [true, true],
                [false, true],
                [false, true],
            ],
        );
        // CloudNativePG's ScheduledBackup leads with seconds: six fields, or it is not a schedule.
        assert.deepEqual(
            ["0 0 3 * * *", "0 0 3 * * 0", "0 3 * * *"].map((e) => cronAtLeastDaily(e, { seconds: true })),
            [true, false, false],
        );
    });
});
