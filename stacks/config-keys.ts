import { z } from "zod";
import { ALERT_IDS, type AlertId } from "../components/observability/catalogue";
import { alertThresholdsSchema } from "../components/observability/thresholds";
import { PITR_RETENTION_DAYS } from "../components/data/postgres";
import { azureSettingsShape } from "../components/platform/azure/settings";
import { kubernetesSettingsShape } from "../components/platform/kubernetes/settings";
import { configExceptionKeys } from "./config-floors";
import { dependencyNames, type ServiceName } from "./services";

/**
 * The `estate:*` keys every platform reads, each with its description, default and bounds; the
 * platform-only keys are in each platform's settings (components/platform/<platform>/settings.ts).
 * Keys are flat scalars or arrays because Pulumi's project config declarations only type
 * `string | integer | boolean | array`.
 */

/** A commit SHA (short or full), `sha-<sha>`, or a `sha256:` digest: the only tags that never move. */
export const IMMUTABLE_TAG = /^(?:[0-9a-f]{7,40}|sha-[0-9a-f]{7,40}|sha256:[0-9a-f]{64})$/;
const IMAGE_REPOSITORY = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)+$/;
const BACKUP_IMAGE =
    /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)+@sha256:[0-9a-f]{64}$/;
const DNS_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const tag = (what: string) =>
    z.string().regex(IMMUTABLE_TAG, {
        error: `${what} must be immutable: a commit SHA (7–40 lowercase hex), "sha-<sha>" or "sha256:<64 hex>" — never "latest" or a moving version`,
    });
const httpsUrl = z.url({ protocol: /^https$/, error: "must be an https:// URL" });
const positiveInt = z.int().positive();

function serviceKeys<S extends ServiceName>(svc: S) {
    const required = svc === "api";
    const image = z
        .string()
        .regex(IMAGE_REPOSITORY, { error: "must be an image repository without tag, e.g. ghcr.io/acme/estate-api" });
    return {
        [`${svc}Image`]: (required ? image : image.optional()).meta({
            description: `Image repository of the ${svc} service, without tag.${required ? "" : " Leave unset to not deploy it."}`,
        }),
        [`${svc}Tag`]: (required ? tag(`${svc}Tag`) : tag(`${svc}Tag`).optional()).meta({
            description: `Immutable image tag of the ${svc} service (commit SHA or sha256 digest).`,
        }),
        [`${svc}PreviousTag`]: (required ? tag(`${svc}PreviousTag`) : tag(`${svc}PreviousTag`).optional()).meta({
            description: `Previous immutable tag of the ${svc} service, kept for rollback.`,
        }),
        [`${svc}MinReplicas`]: positiveInt
            .optional()
            .meta({ description: `Minimum replicas of the ${svc} service (default 2, prod 3).` }),
        [`${svc}MaxReplicas`]: positiveInt
            .optional()
            .meta({ description: `Maximum replicas of the ${svc} service (default 6, prod 12).` }),
    } as {
        [K in `${S}Image` | `${S}Tag` | `${S}PreviousTag`]: z.ZodType<string | undefined>;
    } & { [K in `${S}MinReplicas` | `${S}MaxReplicas`]: z.ZodOptional<z.ZodInt> };
}

/** Flat `alert<Key>` keys, one per field of the alert thresholds schema, each with the runbook default. */
const thresholdFields = Object.keys(alertThresholdsSchema.shape).filter(
    (k) => k !== "disabled" && k !== "runbookBaseUrl",
) as Array<Exclude<keyof typeof alertThresholdsSchema.shape, "disabled" | "runbookBaseUrl">>;
export const alertConfigKeys = Object.fromEntries(
    thresholdFields.map((k) => [`alert${k[0]!.toUpperCase()}${k.slice(1)}`, k]),
) as Readonly<Record<string, string>>;
function alertKeys() {
    const keys: Record<string, z.ZodType> = {};
    for (const [flat, field] of Object.entries(alertConfigKeys)) {
        // The threshold's own schema, default included: same validation, messages and runbook default.
        const threshold = alertThresholdsSchema.shape[field as (typeof thresholdFields)[number]];
        keys[flat] = threshold.meta({ description: `Alert threshold \`${field}\`; the default is the runbook's.` });
    }
    return keys as Record<string, z.ZodDefault<z.ZodType<number | string>>>;
}
const SCHEDULE = /^(\S+\s+){4}\S+$/;
const cron = (fallback: string) =>
    z.string().regex(SCHEDULE, { error: 'must be a five-field cron schedule such as "15 2 * * *"' }).default(fallback);

export const platformNames = ["kubernetes", "azure"] as const;
export type Platform = (typeof platformNames)[number];

/** Each platform's own keys, from its folder: a new platform is one more entry. */
export const platformSettingsShapes = {
    kubernetes: kubernetesSettingsShape,
    azure: azureSettingsShape,
} as const satisfies Record<Platform, Readonly<Record<string, z.ZodType>>>;

/** The discriminator: each platform's member of the config union has it as a literal. */
export const platformKey = z
    .enum(platformNames)
    .meta({ description: "Where workloads run: kubernetes (Deployments, Helm) or azure (Container Apps)." });

export const commonConfigShape = {
    environment: z
        .enum(["staging", "prod"])
        .meta({ description: "Environment name; prod sets ENVIRONMENT=prod and the stricter defaults." }),
    domain: z
        .string()
        .regex(DNS_NAME, { error: "must be a DNS name such as estate.example.com" })
        .meta({ description: "Public DNS zone; services get <prefix>.<domain>." }),
    tlsEnabled: z
        .boolean()
        .default(true)
        .meta({ description: "Terminate TLS at the edge. Turning it off is refused by policy." }),
    secretRotation: z
        .array(
            z.string().regex(/^[a-z0-9-]+=[0-9]+$/, {
                error: 'each entry must be "<secret-id>=<generation>", e.g. "jwt-secret=2"',
            }),
        )
        .default([])
        .meta({
            description: 'Rotation knob: "<secret-id>=<generation>"; raising a generation regenerates that secret.',
        }),
    ...serviceKeys("api"),
    ...serviceKeys("gateway"),
    ...serviceKeys("ui"),
    ...serviceKeys("worker"),
    livenessPath: z
        .string()
        .startsWith("/")
        .default("/healthz")
        .meta({ description: "Liveness probe path (runbook 000/001)." }),
    readinessPath: z
        .string()
        .startsWith("/")
        .default("/readyz")
        .meta({ description: "Readiness probe path (runbook 000/001)." }),
    // Bounds both platforms accept: Container Apps takes a period of 1-240 s and a failure threshold
    // of 1-10 (ContainerAppProbe in @pulumi/azure-native types/input.d.ts); Kubernetes has no upper bound.
    probePeriodSeconds: positiveInt
        .max(240)
        .default(15)
        .meta({ description: "Probe period in seconds (runbook 001: every 15 s)." }),
    probeTimeoutSeconds: positiveInt.max(60).default(5).meta({ description: "Probe timeout in seconds." }),
    probeFailureThreshold: positiveInt
        .max(10)
        .default(3)
        .meta({ description: "Consecutive failures before a probe fails." }),
    // Container Apps spreads the start-up budget over at most 10 failures of a longer period (≤ 240 s).
    startupFailureThreshold: positiveInt
        .max(30)
        .default(30)
        .meta({ description: "Startup probe failures allowed (period × threshold = start-up budget)." }),
    targetCpuPercent: positiveInt
        .max(100)
        .default(70)
        .meta({ description: "Autoscaling target CPU utilisation (runbook 003: HPA on CPU)." }),
    rateLimitPerMinute: positiveInt
        .default(60)
        .meta({ description: "RATE_LIMIT_PER_MINUTE: per-user API limit (runbook 000)." }),
    rateLimitMax: positiveInt.default(100).meta({ description: "RATE_LIMIT_MAX per window (runbook 003)." }),
    rateLimitWindowMs: positiveInt.default(60000).meta({ description: "RATE_LIMIT_WINDOW_MS (runbook 003)." }),
    aiRateLimitMaxRequests: positiveInt
        .default(10)
        .meta({ description: "AI_RATE_LIMIT_MAX_REQUESTS for expensive AI calls (runbook 003)." }),
    backgroundRateLimitMaxRequests: positiveInt
        .default(50)
        .meta({ description: "BACKGROUND_RATE_LIMIT_MAX_REQUESTS for worker endpoints (runbook 003)." }),
    corsAllowedOrigins: z
        .array(z.string().min(1))
        .min(1, { error: "must list at least one origin" })
        .meta({ description: "ALLOWED_ORIGINS for CORS; never * in prod (policy)." }),
    oidcIssuer: httpsUrl.meta({ description: "OIDC_ISSUER (https)." }),
    oidcClientId: z.string().min(1).meta({ description: "OIDC_CLIENT_ID." }),
    oidcClientSecret: z
        .string()
        .min(1)
        .meta({ description: "OIDC_CLIENT_SECRET; set with `pulumi config set --secret`.", secret: true }),
    otelTracesEndpoint: httpsUrl.meta({ description: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (https)." }),
    otelMetricsEndpoint: httpsUrl.meta({ description: "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (https)." }),
    outboundAllowedHosts: z
        .array(z.string().regex(DNS_NAME, { error: "must be a host name" }))
        .default([])
        .meta({
            description: "Outbound allow-list (runbook 002 REDMINE_ALLOWED_HOSTS); required in prod.",
        }),
    redmineBaseUrl: z.url().optional().meta({ description: "REDMINE_BASE_URL upstream; https required (policy)." }),
    tuningProfile: z
        .enum(["laptop", "server"])
        .default("server")
        .meta({ description: "Runbook 002 runtime tuning profile." }),
    ollamaChatModel: z
        .string()
        .min(1)
        .default("llama3.1:8b")
        .meta({ description: "Ollama chat model pulled before the API uses it." }),
    ollamaEmbeddingModel: z
        .string()
        .min(1)
        .default("nomic-embed-text")
        .meta({ description: "Ollama embeddings model pulled before the API uses it." }),
    ollamaBaseUrl: z
        .url()
        .optional()
        .meta({ description: "OLLAMA_BASE_URL override; default is the in-estate Ollama service." }),
    publicDataStores: z.array(z.enum(dependencyNames)).default([]).meta({
        description: "Stores given a public endpoint. Break-glass only: the policy pack refuses every public store.",
    }),
    postgresVersion: z.enum(["15", "16", "17"]).default("16").meta({ description: "PostgreSQL major version." }),
    postgresStorageGb: positiveInt.default(32).meta({ description: "PostgreSQL data volume size in GiB." }),
    postgresHighAvailability: z
        .boolean()
        .optional()
        .meta({ description: "Zone-redundant standby / a synchronous second instance (default: on in prod)." }),
    postgresReadReplicas: z
        .int()
        .min(0)
        .max(5)
        .default(0)
        .meta({ description: "Read replicas serving DATABASE_READ_REPLICAS." }),
    postgresBackupRetentionDays: positiveInt
        .min(PITR_RETENTION_DAYS.min)
        .max(PITR_RETENTION_DAYS.max)
        .default(PITR_RETENTION_DAYS.min)
        .meta({ description: "Point-in-time restore window in days (runbook 000: backups and PITR active)." }),
    pgWritePoolSize: positiveInt.default(10).meta({ description: "PG_WRITE_POOL_SIZE per process (runbook 003)." }),
    pgReadPoolSize: positiveInt.default(10).meta({ description: "PG_READ_POOL_SIZE per process (runbook 003)." }),
    pgMaxLifetimeMs: positiveInt
        .default(1800000)
        .meta({ description: "PG_MAX_LIFETIME_MS: connection recycle age (runbook 003)." }),
    redisPersistence: z
        .boolean()
        .default(true)
        .meta({ description: "Persist Redis to disk (AOF on kubernetes, RDB on a Premium cache on azure)." }),
    neo4jStorageGb: positiveInt.default(20).meta({ description: "Neo4j data volume size in GiB." }),
    ollamaGpu: z.boolean().default(false).meta({
        description: "Run Ollama on a GPU (nvidia.com/gpu on kubernetes, a GPU workload profile on azure).",
    }),
    ollamaStorageGb: positiveInt.default(50).meta({ description: "Ollama models volume size in GiB." }),
    cacheTtlShort: positiveInt.default(60).meta({ description: "CACHE_TTL_SHORT seconds (runbook 001)." }),
    cacheTtlMedium: positiveInt.default(300).meta({ description: "CACHE_TTL_MEDIUM seconds (runbook 001)." }),
    cacheTtlLong: positiveInt.default(3600).meta({ description: "CACHE_TTL_LONG seconds (runbook 001)." }),
    cacheTtlDaily: positiveInt.default(86400).meta({ description: "CACHE_TTL_DAILY seconds (runbook 001)." }),
    cacheTtlSession: positiveInt.default(1800).meta({ description: "CACHE_TTL_SESSION seconds (runbook 001)." }),
    cacheTtlDefault: positiveInt.default(300).meta({ description: "CACHE_TTL_DEFAULT seconds (runbook 001)." }),
    logLevel: z.enum(["debug", "info", "warning", "error"]).default("info").meta({ description: "LOG_LEVEL." }),
    aiEnabled: z.boolean().default(true).meta({ description: "AI_ENABLED feature flag (runbook 003)." }),
    ...alertKeys(),
    alertsDisabled: z
        .array(z.enum(ALERT_IDS as [AlertId, ...AlertId[]]))
        .default([])
        .meta({ description: "Alert ids switched off for this stack; the policy pack refuses it." }),
    alertRunbookBaseUrl: httpsUrl
        .default("https://runbooks.invalid/estate")
        .meta({ description: "Where the runbooks are published; alerts link to sections under it." }),
    alertOnCallReceiver: z.enum(["pagerduty", "webhook"]).default("pagerduty").meta({
        description: "Kind of the on-call receiver that pages (runbook 000: Alertmanager routes to on-call).",
    }),
    alertOnCallKey: z.string().min(1).optional().meta({
        description:
            "PagerDuty routing key, or the webhook URL, of the on-call receiver; set with `pulumi config set --secret`. Unset leaves alerts unrouted (refused by policy).",
        secret: true,
        requiredWhen: "to deploy (unset, nothing pages and the policy pack refuses the update)",
    }),
    alertOnCallEmails: z.array(z.email()).default([]).meta({
        description:
            "E-mail receivers: of the Azure on-call action group, and of ticket-level alerts on kubernetes (never paged).",
    }),
    backupEncryption: z.boolean().default(true).meta({
        description: "Encrypt backups with age before they leave the job. Turning it off is refused by policy.",
    }),
    backupAgeRecipient: z
        .string()
        .regex(/^age1[0-9a-z]{58}$/, { error: "must be an age X25519 public key (age1…)" })
        .meta({ description: "age public key backups are encrypted to (runbook 000)." }),
    backupAgeIdentity: z.string().min(1).optional().meta({
        description:
            "age private key the restore drill decrypts with; set with `pulumi config set --secret`. Required while restoreDrillEnabled is true (the default).",
        secret: true,
        requiredWhen: "while estate:restoreDrillEnabled is true (the default)",
    }),
    backupSchedule: cron("15 2 * * *").meta({
        description: "Cron schedule of the daily backups, UTC (runbook 000: daily).",
    }),
    backupRetentionDays: positiveInt
        .default(35)
        .meta({ description: "Days backups are kept (bucket lifecycle / immutability period)." }),
    backupPostgresDatabases: z
        .array(z.string().regex(/^[a-z_][a-z0-9_]*$/))
        .min(1)
        .default(["estate"])
        .meta({ description: "PostgreSQL databases dumped and drilled." }),
    restoreDrillEnabled: z
        .boolean()
        .default(true)
        .meta({ description: "Run the monthly restore drill (runbook 000). Turning it off is refused by policy." }),
    restoreDrillSchedule: cron("30 4 1 * *").meta({
        description: "Cron schedule of the restore drill, UTC (monthly).",
    }),
    backupImage: z
        .string()
        .regex(BACKUP_IMAGE, { error: "must be pinned by digest: <registry>/<repository>@sha256:<64 hex>" })
        .meta({
            description:
                "Backup/drill job image built from images/backup by the backup-image workflow, pinned by digest (no default: only that workflow knows it).",
            fix: "take the `image` output of the backup-image workflow's latest run on main (its job summary prints it), e.g. `gh run list --workflow backup-image.yml --branch main --limit 1`, then `gh run view <id>`",
        }),
    bootstrapCommand: z
        .array(z.string().min(1))
        .min(1)
        .default(["python", "-m", "app.bootstrap", "--idempotent"])
        .meta({
            description: "Command of the one-time seeding job (admin user, roles, bootstrap API key; runbook 000).",
        }),
    ...configExceptionKeys,
};
