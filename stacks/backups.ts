import type { BackupsArgs } from "../components/backup/backups";
import { readBackupScripts } from "../components/backup/scripts";
import type { SecretRef } from "../components/workload/service";
import type { EstateConfig } from "./config";
import type { DataSecretId, SecretId } from "./secrets";

/** The age private key the drill decrypts with, kept in the secret store like every credential. */
export const AGE_IDENTITY_SECRET_ID = "backup-age-identity" satisfies SecretId;

/** Which secret (by id in the store) each script variable reads. */
export const backupSecretEnv = {
    postgres: {
        PGHOST: "db-host",
        PGPORT: "db-port",
        PGDATABASE: "db-name",
        PGUSER: "db-user",
        PGPASSWORD: "db-password",
    },
    // One URL carries host, port, TLS (rediss://) and password on both platforms; the script parses it.
    redis: { REDIS_URL: "redis-url" },
    neo4j: { NEO4J_URI: "neo4j-uri", NEO4J_USERNAME: "neo4j-user", NEO4J_PASSWORD: "neo4j-password" },
} as const satisfies Readonly<Record<string, Readonly<Record<string, DataSecretId>>>>;

/**
 * The estate's backups from config and the secret store: every PostgreSQL database daily, the
 * Redis RDB and the Neo4j export, a monthly drill of each, all encrypted to the configured age key.
 * Turning `backupEncryption` off drops the recipient, which the scripts and the policy refuse.
 */
export function backupArgs(
    config: EstateConfig,
    refs: Readonly<Record<string, SecretRef>>,
    scripts: Readonly<Record<string, string>> = readBackupScripts(),
): BackupsArgs {
    const ref = (id: SecretId): SecretRef => {
        const found = refs[id];
        if (!found) throw new Error(`secret \`${id}\` needed by the backups is not in the store`);
        return found;
    };
    const secretEnv = (map: Readonly<Record<string, DataSecretId>>) =>
        Object.fromEntries(Object.entries(map).map(([env, id]) => [env, ref(id)]));
    const b = config.backups;
    return {
        postgres: {
            databases: b.postgresDatabases,
            env: { PGSSLMODE: "require" },
            secretEnv: secretEnv(backupSecretEnv.postgres),
        },
        redis: { secretEnv: secretEnv(backupSecretEnv.redis) },
        neo4j: { secretEnv: secretEnv(backupSecretEnv.neo4j) },
        schedule: b.schedule,
        retentionDays: b.retentionDays,
        ageRecipient: b.encryption ? b.ageRecipient : undefined,
        restoreDrill: {
            enabled: b.restoreDrill.enabled,
            schedule: b.restoreDrill.schedule,
            ...(b.restoreDrill.enabled ? { ageIdentity: ref(AGE_IDENTITY_SECRET_ID) } : {}),
        },
        image: b.image,
        env: { ENVIRONMENT: config.environment },
        scripts,
        protect: config.isProd,
    };
}
