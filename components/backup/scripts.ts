// The backup and restore-drill scripts as data: file names, the environment each one reads,
// the metric names they write, and a loader for their texts. Backup components mount the
// texts from a ConfigMap (or a Container Apps job volume) and run `backupScriptCommand(...)`
// in a pinned image; the alert catalogue builds on `backupMetrics`.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Where the script files live in this repository. */
export const backupScriptsDir = join(__dirname, "scripts");

/** Sourced by every script; must be mounted beside them. */
export const backupLibFile = "lib.sh";

export type BackupScript =
    | "pg-backup.sh"
    | "pg-restore-drill.sh"
    | "redis-backup.sh"
    | "redis-restore-drill.sh"
    | "neo4j-backup.sh"
    | "neo4j-restore-drill.sh";
export type BackupStore = "postgres" | "redis" | "neo4j";

/** One environment variable a script reads. */
export interface BackupEnvVar {
    readonly name: string;
    /** A deployment must set it: the script refuses to run, or cannot connect, without it. */
    readonly required: boolean;
    /** Must come from a secret store (Kubernetes Secret, Key Vault reference), never a literal. */
    readonly secret: boolean;
    /** Who reads it: the script itself, or the client library/tool it runs (libpq, redis-cli). */
    readonly readBy: "script" | "libpq" | "redis-cli" | "cypher-shell";
    readonly description: string;
    /** What happens when it is left out. */
    readonly default?: string;
}

export interface BackupScriptSpec {
    readonly store: BackupStore;
    readonly kind: "backup" | "restore-drill";
    readonly env: readonly BackupEnvVar[];
}

const v = (
    name: string,
    readBy: BackupEnvVar["readBy"],
    description: string,
    opts: { required?: boolean; secret?: boolean; default?: string } = {},
): BackupEnvVar => ({
    name,
    readBy,
    description,
    required: opts.required ?? false,
    secret: opts.secret ?? false,
    ...(opts.default !== undefined ? { default: opts.default } : {}),
});

const dest = v(
    "BACKUP_DEST",
    "script",
    "Local directory, gs://bucket/prefix (gcloud storage) or https://<account>.blob.core.windows.net/<container>/prefix (az storage blob).",
    { required: true },
);
const recipient = v(
    "BACKUP_AGE_RECIPIENT",
    "script",
    "age public key(s), space or comma separated; encryption is mandatory.",
    { required: true },
);
const retention = v(
    "BACKUP_RETENTION_DAYS",
    "script",
    "Prune local-directory artefact sets older than this (the newest is always kept); buckets use lifecycle rules.",
    { default: "35" },
);
const workDir = v(
    "BACKUP_WORK_DIR",
    "script",
    "Scratch directory for ciphertext before upload to a bucket, and for the drill's downloads.",
    { default: "/tmp" },
);
const textfile = v(
    "METRICS_TEXTFILE",
    "script",
    "Prometheus text file the freshness metrics are merged into (node-exporter textfile collector).",
    { default: "no file written" },
);
const pushgateway = v(
    "PUSHGATEWAY_URL",
    "script",
    "Pushgateway base URL; metrics are POSTed grouped by job=estate_backup, store, database.",
    { default: "no push" },
);

const libpq = [
    v("PGHOST", "libpq", "PostgreSQL host.", { required: true }),
    v("PGPORT", "libpq", "PostgreSQL port.", { default: "5432" }),
    v("PGUSER", "libpq", "Role used for the dump or the drill.", { required: true }),
    v("PGPASSWORD", "libpq", "Password of PGUSER.", { required: true, secret: true }),
    v(
        "PGDATABASE",
        "script",
        "Maintenance database used to list databases and create/drop the drill's scratch database.",
        { default: "postgres" },
    ),
    v("PGSSLMODE", "libpq", "TLS mode; use verify-full against a remote server.", {
        default: "libpq default (prefer)",
    }),
    v("PGSSLROOTCERT", "libpq", "CA bundle for verify-full.", { default: "~/.postgresql/root.crt" }),
    v("PGCONNECT_TIMEOUT", "script", "Connection timeout in seconds.", { default: "30" }),
];

const identity = v("BACKUP_AGE_IDENTITY_FILE", "script", "Path of the age private key file (mounted from a secret).", {
    required: true,
    secret: true,
});

const redisConnection = [
    v("REDIS_URL", "script", "redis:// or rediss:// (TLS) URL with the password; parsed, never put on argv.", {
        secret: true,
        default: "REDIS_HOST/REDIS_PORT/REDIS_TLS",
    }),
    v("REDIS_HOST", "script", "Redis host, without REDIS_URL.", { default: "127.0.0.1" }),
    v("REDIS_PORT", "script", "Redis port, without REDIS_URL.", { default: "6379" }),
    v("REDIS_USER", "script", "ACL user, without REDIS_URL.", { default: "the default user" }),
    v("REDISCLI_AUTH", "redis-cli", "Redis password without REDIS_URL (read by redis-cli, never on argv).", {
        secret: true,
    }),
    v("REDIS_TLS", "script", "true to connect with TLS, without REDIS_URL.", { default: "false" }),
    v("REDIS_CACERT", "script", "CA bundle for TLS.", { default: "system trust store" }),
    v("REDIS_NAME", "script", "Name used as the `database` label and path segment.", { default: "default" }),
];

const neo4jConnection = [
    v("NEO4J_URI", "cypher-shell", "Bolt URI of the server (neo4j:// or neo4j+s://).", { required: true }),
    v("NEO4J_USERNAME", "cypher-shell", "User the export runs as.", { required: true }),
    v("NEO4J_PASSWORD", "cypher-shell", "Password of NEO4J_USERNAME (read by cypher-shell, never on argv).", {
        required: true,
        secret: true,
    }),
];
const neo4jDatabases = v("NEO4J_DATABASES", "script", "Databases to export or drill, space or comma separated.", {
    default: "neo4j",
});

export const backupScripts: Readonly<Record<BackupScript, BackupScriptSpec>> = {
    "pg-backup.sh": {
        store: "postgres",
        kind: "backup",
        env: [
            ...libpq,
            v("PGDATABASES", "script", "Databases to dump, space or comma separated.", {
                default: "every non-template database that accepts connections",
            }),
            v("PGDATABASES_EXCLUDE", "script", "Databases skipped by discovery (managed-service internals).", {
                default: "azure_maintenance azure_sys cloudsqladmin rdsadmin",
            }),
            recipient,
            dest,
            retention,
            workDir,
            textfile,
            pushgateway,
        ],
    },
    "pg-restore-drill.sh": {
        store: "postgres",
        kind: "restore-drill",
        env: [
            ...libpq,
            v("PGDATABASES", "script", "Databases whose newest backup is drilled.", {
                default: "every database directory under BACKUP_DEST/postgres (required for Azure Blob)",
            }),
            identity,
            dest,
            workDir,
            textfile,
            pushgateway,
        ],
    },
    "redis-backup.sh": {
        store: "redis",
        kind: "backup",
        env: [...redisConnection, recipient, dest, retention, workDir, textfile, pushgateway],
    },
    "redis-restore-drill.sh": {
        store: "redis",
        kind: "restore-drill",
        env: [
            v("REDIS_NAME", "script", "Name whose newest RDB is drilled.", { default: "default" }),
            v("REDIS_SERVER", "script", "Path of the scratch redis-server.", { default: "redis-server on PATH" }),
            v(
                "REDIS_DRILL_TOLERANCE_PERCENT",
                "script",
                "Allowed difference between the manifest's and the restored key count (TTL expiry on a live cache).",
                { default: "2" },
            ),
            identity,
            dest,
            workDir,
            textfile,
            pushgateway,
        ],
    },
    "neo4j-backup.sh": {
        store: "neo4j",
        kind: "backup",
        env: [
            ...neo4jConnection,
            neo4jDatabases,
            v("CYPHER_SHELL", "script", "Path of cypher-shell.", { default: "cypher-shell on PATH" }),
            recipient,
            dest,
            retention,
            workDir,
            textfile,
            pushgateway,
        ],
    },
    "neo4j-restore-drill.sh": {
        store: "neo4j",
        kind: "restore-drill",
        env: [
            neo4jDatabases,
            v("CYPHER_SHELL", "script", "Path of cypher-shell.", { default: "cypher-shell on PATH" }),
            v("NEO4J_SERVER", "script", "Path of the `neo4j` launcher of the scratch server.", {
                default: "neo4j on PATH",
            }),
            v("NEO4J_DRILL_PORT", "script", "Loopback bolt port of the scratch server.", { default: "17687" }),
            v("NEO4J_DRILL_HEAP", "script", "Heap of the scratch server.", { default: "1g" }),
            identity,
            dest,
            workDir,
            textfile,
            pushgateway,
        ],
    },
};

/** Metric names the scripts write; the alert catalogue keys its backup alerts on them. */
export const backupMetrics = {
    /** Gauge, labels store and database: Unix time of the last successful backup. */
    lastSuccess: "estate_backup_last_success_timestamp_seconds",
    /** Gauge, labels store and database: size of the last successful artefact. */
    lastSizeBytes: "estate_backup_last_size_bytes",
    /** Gauge, labels store and database: Unix time of the last successful restore drill. */
    drillLastSuccess: "estate_restore_drill_last_success_timestamp_seconds",
    /** Gauge, labels store and database: 1 when the last drill succeeded, else 0. */
    drillSuccess: "estate_restore_drill_success",
} as const;

/** Exit codes of the restore drill (runbook 004). */
export const drillExitCodes = { healthy: 0, error: 1, unhealthy: 2 } as const;

/** Every file to mount: the scripts and the library they source. */
export const backupScriptFiles: readonly string[] = [backupLibFile, ...Object.keys(backupScripts)];

/**
 * Reads the script texts, keyed by file name, ready to be ConfigMap data. Called by the
 * entrypoint, which passes the texts down: components do not read files.
 */
export function readBackupScripts(dir: string = backupScriptsDir): Record<string, string> {
    return Object.fromEntries(backupScriptFiles.map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}

/** Container command running `script` from the directory the files are mounted at. */
export function backupScriptCommand(script: BackupScript, mountPath: string): string[] {
    if (!mountPath.startsWith("/")) {
        throw new Error(`\`mountPath\` must be absolute, got "${mountPath}"`);
    }
    // bash explicitly: a ConfigMap mount may drop the executable bit.
    return ["bash", `${mountPath.replace(/\/+$/, "")}/${script}`];
}
