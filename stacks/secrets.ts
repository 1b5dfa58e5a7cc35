import type { GeneratedSecretSpec } from "../components/secrets/generated-secrets";
import type { DependencyName, ServiceName } from "./services";

/** Credentials generated with @pulumi/random (runbooks 000 and 003). */
export const generatedSecretSpecs = [
    { id: "jwt-secret", length: 64 },
    { id: "jwt-refresh-secret", length: 64 },
    { id: "session-secret", length: 64 },
    { id: "encryption-key", length: 64 },
    { id: "bootstrap-admin-password", length: 32, special: true },
    { id: "bootstrap-admin-api-key", length: 48 },
] as const satisfies readonly GeneratedSecretSpec[];

/**
 * Passwords the estate generates for the data stores. They reach the secret store through the
 * stores' outputs (where a platform issues its own key, e.g. Azure Cache, that key wins), so
 * they are listed apart from the secrets stored as generated. No punctuation: they end up in URLs.
 */
export const dataCredentialSpecs = [
    { id: "db-password", length: 32 },
    { id: "redis-password", length: 32 },
    { id: "neo4j-password", length: 32 },
] as const satisfies readonly GeneratedSecretSpec[];

/** Secrets whose values come from encrypted stack config or are derived, not generated. */
export const providedSecretIds = [
    "oidc-client-secret",
    "bootstrap-admin-email",
    "alert-on-call-key",
    "backup-age-identity",
] as const;

/**
 * The one table of which secrets each store's outputs provide: connection settings and credentials,
 * read by the services, the backups and the outputs contract (its secret names per store).
 */
export const storeSecretIds = {
    postgres: ["db-host", "db-port", "db-name", "db-user", "db-password", "database-url", "database-read-url"],
    redis: ["redis-password", "redis-url"],
    neo4j: ["neo4j-uri", "neo4j-user", "neo4j-password"],
} as const satisfies Readonly<Record<Exclude<DependencyName, "ollama">, readonly string[]>>;
export type DataSecretId = (typeof storeSecretIds)[keyof typeof storeSecretIds][number];
/** Connection settings derived from the data stores' outputs. */
export const dataSecretIds: readonly DataSecretId[] = Object.values(storeSecretIds).flat();

/** Every secret id in the estate's store: what an env var or a job can reference. */
export type SecretId = (typeof generatedSecretSpecs)[number]["id"] | DataSecretId | (typeof providedSecretIds)[number];

const postgresEnv = {
    DB_HOST: "db-host",
    DB_PORT: "db-port",
    DB_NAME: "db-name",
    DB_USER: "db-user",
    DB_PASSWORD: "db-password",
    DATABASE_URL: "database-url",
    DATABASE_READ_REPLICAS: "database-read-url",
} as const satisfies Readonly<Record<string, DataSecretId>>;

/** Which env var of which service reads which secret. Both JWT names exist in the runbooks (000, 001). */
export const secretEnvByService: Readonly<Record<ServiceName, Readonly<Record<string, SecretId>>>> = {
    api: {
        JWT_SECRET: "jwt-secret",
        JWT_SECRET_KEY: "jwt-secret",
        JWT_REFRESH_SECRET: "jwt-refresh-secret",
        SESSION_SECRET: "session-secret",
        ENCRYPTION_KEY: "encryption-key",
        BOOTSTRAP_ADMIN_EMAIL: "bootstrap-admin-email",
        BOOTSTRAP_ADMIN_PASSWORD: "bootstrap-admin-password",
        BOOTSTRAP_ADMIN_API_KEY: "bootstrap-admin-api-key",
        OIDC_CLIENT_SECRET: "oidc-client-secret",
        ...postgresEnv,
        REDIS_URL: "redis-url",
        NEO4J_URI: "neo4j-uri",
        NEO4J_USER: "neo4j-user",
        NEO4J_PASSWORD: "neo4j-password",
    },
    gateway: {
        JWT_SECRET: "jwt-secret",
        SESSION_SECRET: "session-secret",
        OIDC_CLIENT_SECRET: "oidc-client-secret",
        REDIS_URL: "redis-url",
    },
    ui: {},
    worker: { JWT_SECRET: "jwt-secret", ENCRYPTION_KEY: "encryption-key", ...postgresEnv, REDIS_URL: "redis-url" },
};

/** Secret env only production reads: runbook 004's POSTGRES_DSN_PROD is the primary DSN. */
export const prodSecretEnvByService: Readonly<Partial<Record<ServiceName, Readonly<Record<string, SecretId>>>>> = {
    api: { POSTGRES_DSN_PROD: "database-url" },
};

/** The secret env of a service in a stack: env var → secret id. */
export function secretEnvOf(service: ServiceName, isProd: boolean): Readonly<Record<string, SecretId>> {
    return { ...secretEnvByService[service], ...(isProd ? prodSecretEnvByService[service] : {}) };
}
