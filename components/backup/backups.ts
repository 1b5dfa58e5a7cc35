import type * as pulumi from "@pulumi/pulumi";
import type { SecretRef } from "../workload/service";
import type { BackupScript, BackupStore } from "./scripts";

/** A store to back up, with how the job reaches it. Env names are the ones the script reads (scripts.ts). */
export interface BackupStoreArgs {
    /** Plain env for the script (host, port, TLS switch): never a credential. */
    readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
    /** Credentials by reference: PGPASSWORD, REDISCLI_AUTH, … */
    readonly secretEnv: Readonly<Record<string, SecretRef>>;
}

/** Platform-neutral description of the estate's backups and restore drill. */
export interface BackupsArgs {
    /** PostgreSQL: one daily `pg_dump` job per database, and the monthly drill. @default not backed up */
    readonly postgres?: BackupStoreArgs & { readonly databases: readonly string[] };
    /** Self-hosted Redis: daily RDB copy. @default not backed up */
    readonly redis?: BackupStoreArgs;
    /** Neo4j: daily dump of `neo4j` and `system`. @default not backed up */
    readonly neo4j?: BackupStoreArgs;
    /** Cron schedule (UTC) of the backups; at most daily. */
    readonly schedule: string;
    /** Days an artefact is kept (lifecycle rule and retention/immutability period). */
    readonly retentionDays: number;
    /**
     * age public key the artefacts are encrypted to. `undefined` switches encryption off: the
     * scripts then refuse to run and the policy pack refuses the plan (`backups-encrypted`).
     */
    readonly ageRecipient: string | undefined;
    /** Restore drill into a scratch database; the age private key is read by reference. */
    readonly restoreDrill: { readonly enabled: boolean; readonly schedule: string; readonly ageIdentity?: SecretRef };
    /** Backup/drill job image (bash, age, pg_dump, redis-cli, neo4j-admin, gcloud/az), pinned by digest. */
    readonly image: string;
    /** Script texts by file name (`readBackupScripts()`), mounted where the image does not carry them. */
    readonly scripts: Readonly<Record<string, string>>;
    /** Plain env every job gets, e.g. ENVIRONMENT (never credentials). @default none */
    readonly env?: Readonly<Record<string, string>>;
    /** Protect the storage and keep it on delete (prod). @default false */
    readonly protect?: boolean;
}

/** What callers and the outputs contract build on. */
export interface BackupsOutputs {
    /** Bucket (GCS) or `<account>/<container>` (Azure Blob). */
    readonly storageName: pulumi.Output<string>;
    /** `gs://bucket` or `https://<account>.blob.core.windows.net/<container>`: the scripts' BACKUP_DEST. */
    readonly storageUrl: pulumi.Output<string>;
    /** Job name → cron schedule, drill included. */
    readonly schedules: pulumi.Output<Record<string, string>>;
    /** Drill schedule, absent when the drill is off. */
    readonly drillSchedule: pulumi.Output<string | undefined>;
}

/** One scheduled job the platform declares. */
export interface BackupJobSpec {
    /** Platform job name and `app.kubernetes.io/name` (stores admit job pods by it). */
    readonly name: string;
    readonly script: BackupScript;
    readonly store: BackupStore;
    readonly purpose: "backup" | "restore-drill";
    readonly schedule: string;
    /** Plain env (never credentials). */
    readonly env: Readonly<Record<string, pulumi.Input<string>>>;
    readonly secretEnv: Readonly<Record<string, SecretRef>>;
    /** The in-estate store the job connects to (network policy peer). */
    readonly dependency: "postgres" | "redis" | "neo4j";
}

/** Where every platform mounts (or bakes) the script files. */
export const BACKUP_SCRIPTS_PATH = "/opt/estate/backup";
/** Where the drill reads the age identity file. */
export const AGE_IDENTITY_DIR = "/var/run/secrets/estate-age";
export const AGE_IDENTITY_FILE = "identity.txt";

/** `pg-backup-<database>`, a DNS label (underscores become dashes). */
export function pgBackupJobName(database: string): string {
    return `pg-backup-${database.replace(/_/g, "-")}`;
}

/**
 * The pod names (`app.kubernetes.io/name`) of the backup jobs that connect to each store, so
 * the stores' network policies can admit exactly them.
 */
export function backupJobClients(
    databases: readonly string[],
    drill: boolean,
): Readonly<Record<"postgres" | "redis" | "neo4j", readonly string[]>> {
    return {
        postgres: [...databases.map(pgBackupJobName), ...(drill ? ["pg-restore-drill"] : [])],
        redis: ["redis-backup"],
        neo4j: ["neo4j-backup"],
    };
}

/**
 * The jobs for a set of stores, platform-neutral: one `pg_dump` per database (a failing
 * database never hides the others), one Redis copy, one Neo4j dump, and the drill.
 */
export function backupJobSpecs(
    args: BackupsArgs,
    shared: Readonly<Record<string, pulumi.Input<string>>>,
): BackupJobSpec[] {
    shared = { ...args.env, ...shared };
    const encryption: Record<string, string> =
        args.ageRecipient !== undefined ? { BACKUP_AGE_RECIPIENT: args.ageRecipient } : {};
    const retention = { BACKUP_RETENTION_DAYS: String(args.retentionDays) };
    const jobs: BackupJobSpec[] = [];
    const pg = args.postgres;
    if (pg) {
        for (const database of pg.databases) {
            jobs.push({
                name: pgBackupJobName(database),
                script: "pg-backup.sh",
                store: "postgres",
                purpose: "backup",
                schedule: args.schedule,
                dependency: "postgres",
                env: { ...shared, ...pg.env, ...encryption, ...retention, PGDATABASES: database },
                secretEnv: pg.secretEnv,
            });
        }
        if (args.restoreDrill.enabled) {
            if (!args.restoreDrill.ageIdentity)
                throw new Error(
                    "`restoreDrill.ageIdentity` is required while the drill is enabled: it decrypts the backup",
                );
            jobs.push({
                name: "pg-restore-drill",
                script: "pg-restore-drill.sh",
                store: "postgres",
                purpose: "restore-drill",
                schedule: args.restoreDrill.schedule,
                dependency: "postgres",
                // The scratch database is created (and always dropped) on the same server: its role needs CREATEDB.
                env: {
                    ...shared,
                    ...pg.env,
                    PGDATABASES: pg.databases.join(" "),
                    BACKUP_AGE_IDENTITY_FILE: `${AGE_IDENTITY_DIR}/${AGE_IDENTITY_FILE}`,
                },
                secretEnv: pg.secretEnv,
            });
        }
    }
    if (args.redis) {
        jobs.push({
            name: "redis-backup",
            script: "redis-backup.sh",
            store: "redis",
            purpose: "backup",
            schedule: args.schedule,
            dependency: "redis",
            env: { ...shared, ...args.redis.env, ...encryption, ...retention, REDIS_NAME: "redis" },
            secretEnv: args.redis.secretEnv,
        });
    }
    if (args.neo4j) {
        jobs.push({
            name: "neo4j-backup",
            script: "neo4j-backup.sh",
            store: "neo4j",
            purpose: "backup",
            schedule: args.schedule,
            dependency: "neo4j",
            env: { ...shared, ...args.neo4j.env, ...encryption, ...retention, NEO4J_DATABASES: "neo4j system" },
            secretEnv: args.neo4j.secretEnv,
        });
    }
    return jobs;
}
