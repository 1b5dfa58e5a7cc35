import * as pulumi from "@pulumi/pulumi";
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
    /** Redis: daily `redis-cli --rdb` snapshot (REDIS_URL, TLS with rediss://) and its drill. @default not backed up */
    readonly redis?: BackupStoreArgs;
    /** Neo4j: daily APOC export over Bolt (NEO4J_URI/USERNAME/PASSWORD) and its drill. @default not backed up */
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
    /** Backup/drill job image (images/backup), pinned by digest. */
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
    /** The same jobs grouped by store: store → job name → cron schedule. */
    readonly storeSchedules: pulumi.Output<Record<string, Record<string, string>>>;
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
    /** The in-estate store the job connects to (network policy peer); drills of Redis and Neo4j restore locally. */
    readonly dependency?: BackupStore;
    /** CPU and memory request: the Redis and Neo4j drills run a scratch server beside the script. */
    readonly size: { readonly cpu: string; readonly memory: string };
}

const SCRIPT_SIZE = { cpu: "250m", memory: "512Mi" } as const;
/** The drills' scratch servers: redis-server holds the whole dataset in memory; Neo4j gets a 1 GiB heap. */
const DRILL_SIZE: Readonly<Record<BackupStore, BackupJobSpec["size"]>> = {
    postgres: SCRIPT_SIZE,
    redis: { cpu: "500m", memory: "1Gi" },
    neo4j: { cpu: "1", memory: "2Gi" },
};

/** Where every platform mounts (or bakes) the script files. */
export const BACKUP_SCRIPTS_PATH = "/opt/estate/backup";
/** Where the drill reads the age identity file. */
export const AGE_IDENTITY_DIR = "/var/run/secrets/estate-age";
export const AGE_IDENTITY_FILE = "identity.txt";

/** `database` label and path segment of the one Redis the estate runs. */
export const REDIS_BACKUP_NAME = "redis";
/** Neo4j Community serves one user database; `system` is not a graph APOC can export. */
export const NEO4J_BACKUP_DATABASES: readonly string[] = ["neo4j"];

/** `pg-backup-<database>`, a DNS label (underscores become dashes). */
export function pgBackupJobName(database: string): string {
    return `pg-backup-${database.replace(/_/g, "-")}`;
}

/**
 * The pod names (`app.kubernetes.io/name`) of the backup jobs that connect to each store, so
 * the stores' network policies can admit exactly them. The Redis and Neo4j drills restore
 * into a scratch server inside their own pod and connect to no store.
 */
export function backupJobClients(
    databases: readonly string[],
    drill: boolean,
): Readonly<Record<BackupStore, readonly string[]>> {
    return {
        postgres: [...databases.map(pgBackupJobName), ...(drill ? ["pg-restore-drill"] : [])],
        redis: ["redis-backup"],
        neo4j: ["neo4j-backup"],
    };
}

/** Every (store, database) pair a backup freshness and a drill alert watch. */
export function backupSubjects(
    postgresDatabases: readonly string[],
): ReadonlyArray<{ readonly store: BackupStore; readonly database: string }> {
    return [
        ...postgresDatabases.map((database) => ({ store: "postgres" as const, database })),
        { store: "redis", database: REDIS_BACKUP_NAME },
        ...NEO4J_BACKUP_DATABASES.map((database) => ({ store: "neo4j" as const, database })),
    ];
}

/** Job name → schedule grouped by store, as the outputs contract lists them. */
export function schedulesByStore(jobs: readonly BackupJobSpec[]): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const job of jobs) out[job.store] = { ...out[job.store], [job.name]: job.schedule };
    return out;
}

/**
 * The jobs for a set of stores, platform-neutral: one `pg_dump` per database (a failing
 * database never hides the others), one Redis snapshot, one Neo4j export, and a drill per
 * store when the drill is on. `owner` is the component the jobs belong to, named in a refusal.
 */
export function backupJobSpecs(
    args: BackupsArgs,
    shared: Readonly<Record<string, pulumi.Input<string>>>,
    owner: pulumi.Resource,
): BackupJobSpec[] {
    shared = { ...args.env, ...shared };
    const encryption: Record<string, string> =
        args.ageRecipient !== undefined ? { BACKUP_AGE_RECIPIENT: args.ageRecipient } : {};
    const retention = { BACKUP_RETENTION_DAYS: String(args.retentionDays) };
    const drill = args.restoreDrill.enabled;
    if (drill && !args.restoreDrill.ageIdentity)
        throw new pulumi.ResourceError(
            "`restoreDrill.ageIdentity` is required while the drill is enabled: it decrypts the backup",
            owner,
        );
    const identity = { BACKUP_AGE_IDENTITY_FILE: `${AGE_IDENTITY_DIR}/${AGE_IDENTITY_FILE}` };
    const jobs: BackupJobSpec[] = [];
    const backup = (
        name: string,
        script: BackupScript,
        store: BackupStore,
        env: Readonly<Record<string, pulumi.Input<string>>>,
        secretEnv: BackupStoreArgs["secretEnv"],
    ) =>
        jobs.push({
            name,
            script,
            store,
            purpose: "backup",
            schedule: args.schedule,
            dependency: store,
            size: SCRIPT_SIZE,
            env: { ...shared, ...env, ...encryption, ...retention },
            secretEnv,
        });
    const restoreDrill = (
        name: string,
        script: BackupScript,
        store: BackupStore,
        env: Readonly<Record<string, pulumi.Input<string>>>,
        secretEnv: BackupStoreArgs["secretEnv"] = {},
        dependency?: BackupStore,
    ) => {
        if (!drill) return;
        jobs.push({
            name,
            script,
            store,
            purpose: "restore-drill",
            schedule: args.restoreDrill.schedule,
            ...(dependency ? { dependency } : {}),
            size: DRILL_SIZE[store],
            env: { ...shared, ...env, ...identity },
            secretEnv,
        });
    };
    const pg = args.postgres;
    if (pg) {
        for (const database of pg.databases)
            backup(
                pgBackupJobName(database),
                "pg-backup.sh",
                "postgres",
                { ...pg.env, PGDATABASES: database },
                pg.secretEnv,
            );
        // The scratch database is created (and always dropped) on the same server: its role needs CREATEDB.
        restoreDrill(
            "pg-restore-drill",
            "pg-restore-drill.sh",
            "postgres",
            { ...pg.env, PGDATABASES: pg.databases.join(" ") },
            pg.secretEnv,
            "postgres",
        );
    }
    if (args.redis) {
        backup(
            "redis-backup",
            "redis-backup.sh",
            "redis",
            { ...args.redis.env, REDIS_NAME: REDIS_BACKUP_NAME },
            args.redis.secretEnv,
        );
        restoreDrill("redis-restore-drill", "redis-restore-drill.sh", "redis", { REDIS_NAME: REDIS_BACKUP_NAME });
    }
    if (args.neo4j) {
        const databases = NEO4J_BACKUP_DATABASES.join(" ");
        backup(
            "neo4j-backup",
            "neo4j-backup.sh",
            "neo4j",
            { ...args.neo4j.env, NEO4J_DATABASES: databases },
            args.neo4j.secretEnv,
        );
        restoreDrill("neo4j-restore-drill", "neo4j-restore-drill.sh", "neo4j", { NEO4J_DATABASES: databases });
    }
    return jobs;
}
