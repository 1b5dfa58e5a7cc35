import { z } from "zod";
import { ALERT_IDS, alertThresholdsSchema, type AlertId } from "../components/observability/catalogue";
import { dependencyNames, serviceNames, type ServiceName } from "./services";

/**
 * The stack configuration schema: the single source of truth for every `estate:*` key. Pulumi.yaml's
 * `config:` block and the README's config reference are generated from it (`npm run gen`), and a
 * test fails when they drift. Keys are flat scalars or arrays because Pulumi's project config
 * declarations only type `string | integer | boolean | array`.
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
export const secretStoreNames = ["gcp-secret-manager", "kubernetes", "key-vault"] as const;

export const rawConfigSchema = z
    .strictObject({
        platform: z
            .enum(platformNames)
            .meta({ description: "Where workloads run: kubernetes (Deployments, Helm) or azure (Container Apps)." }),
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
        clusterIssuer: z
            .string()
            .min(1)
            .default("letsencrypt-prod")
            .meta({ description: "cert-manager ClusterIssuer for ingress certificates (kubernetes)." }),
        ingressClassName: z
            .string()
            .min(1)
            .default("nginx")
            .meta({ description: "IngressClass for public services (kubernetes)." }),
        kubernetesNamespace: z
            .string()
            .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
            .default("estate")
            .meta({ description: "Namespace the estate is deployed to (kubernetes)." }),
        kubernetesContext: z.string().min(1).optional().meta({
            description:
                "kubeconfig context the Kubernetes provider deploys to (kubernetes); unset: the kubeconfig's current context.",
        }),
        kubeconfig: z.string().min(1).optional().meta({
            description:
                "kubeconfig the Kubernetes provider uses, as file contents (kubernetes); set with `pulumi config set --secret`. Unset: the ambient kubeconfig ($KUBECONFIG or ~/.kube/config, as CI's GKE credentials step writes it).",
            secret: true,
        }),
        kubernetesControlPlaneCidr: z
            .string()
            .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, { error: "must be an IPv4 CIDR such as 172.16.0.0/28" })
            .optional()
            .meta({
                description:
                    "Control-plane CIDR of a private cluster, admitted for pods that call the API server (kubernetes; unset: a public endpoint).",
            }),
        azureLocation: z.string().min(1).default("westeurope").meta({ description: "Azure region (azure)." }),
        // --- Azure keys added for issue #12 (private registry) ---
        azureContainerRegistryId: z
            .string()
            .regex(
                /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ContainerRegistry\/registries\/[a-zA-Z0-9]{5,50}$/,
                {
                    error: "must be the resource id of an Azure Container Registry (/subscriptions/…/providers/Microsoft.ContainerRegistry/registries/<name>)",
                },
            )
            .optional()
            .meta({
                description:
                    "Azure Container Registry the private images come from (azure): each workload whose image is on `<name>.azurecr.io` pulls it as its own identity, granted AcrPull. Unset: public images only.",
            }),
        // --- end of issue #12 Azure keys ---
        secretStore: z.enum(secretStoreNames).optional().meta({
            description:
                "Secret store: gcp-secret-manager or kubernetes on kubernetes, key-vault on azure (default: gcp-secret-manager / key-vault).",
        }),
        gcpProject: z
            .string()
            .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, { error: "must be a GCP project id" })
            .optional()
            .meta({
                description: "GCP project holding the Secret Manager secrets (required with gcp-secret-manager).",
            }),
        secretReplicaLocations: z
            .array(z.string().min(1))
            .default([])
            .meta({ description: "Secret Manager user-managed replica regions; empty means automatic replication." }),
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
            description:
                "Stores given a public endpoint. Break-glass only: the policy pack refuses every public store.",
        }),
        postgresOperatorInstall: z.boolean().default(true).meta({
            description:
                "Install the CloudNativePG operator with the estate (kubernetes); off when the cluster already runs it.",
        }),
        postgresStrictZoneSpread: z.boolean().default(false).meta({
            description:
                "The cluster has a zone per PostgreSQL instance: require one instance per zone and block writes without a synchronous standby (kubernetes). Off, both are preferred.",
        }),
        postgresVersion: z.enum(["15", "16", "17"]).default("16").meta({ description: "PostgreSQL major version." }),
        postgresSku: z
            .string()
            .min(1)
            .default("Standard_D2ds_v5")
            .meta({ description: "Flexible Server compute SKU, General Purpose tier (azure)." }),
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
            .min(7)
            .max(35)
            .default(7)
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
        redisStorageGb: positiveInt.default(8).meta({ description: "Redis data volume size in GiB (kubernetes)." }),
        redisReplicas: z
            .int()
            .min(0)
            .max(3)
            .default(0)
            .meta({ description: "Replicas per primary of the Premium Azure cache (azure)." }),
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
        alertSmtpSmarthost: z
            .string()
            .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { error: "must be host:port, e.g. smtp-relay.gmail.com:587" })
            .optional()
            .meta({
                description:
                    "SMTP relay (host:port, TLS, no credentials) Alertmanager sends ticket e-mail through (kubernetes; required with alertOnCallEmails).",
            }),
        alertSmtpFrom: z.email().optional().meta({
            description: "Sender of Alertmanager's ticket e-mail (kubernetes; required with alertOnCallEmails).",
        }),
        prometheusStackInstall: z.boolean().default(false).meta({
            description:
                "Install kube-prometheus-stack (pinned Helm release); otherwise the operator is assumed present (kubernetes).",
        }),
        latencyAutoscaling: z.boolean().default(false).meta({
            description: "Scale on p95 latency as well as CPU with a KEDA ScaledObject (kubernetes; runbook 003).",
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
    })
    .superRefine((c, ctx) => {
        const store = c.secretStore;
        if (store === "key-vault" && c.platform !== "azure") {
            ctx.addIssue({
                code: "custom",
                path: ["secretStore"],
                message: "key-vault references work only on azure; use gcp-secret-manager or kubernetes",
            });
        }
        if (c.platform === "azure" && store !== undefined && store !== "key-vault") {
            ctx.addIssue({
                code: "custom",
                path: ["secretStore"],
                message: "Container Apps reference secrets from Key Vault; use key-vault (or leave unset)",
            });
        }
        const usesGcp = store === "gcp-secret-manager" || (store === undefined && c.platform === "kubernetes");
        if (usesGcp && c.gcpProject === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["gcpProject"],
                message: "required with the gcp-secret-manager secret store: set the GCP project id",
            });
        }
        for (const svc of serviceNames) {
            const image = c[`${svc}Image`];
            for (const key of [`${svc}Tag`, `${svc}PreviousTag`] as const) {
                if (image !== undefined && c[key] === undefined) {
                    ctx.addIssue({ code: "custom", path: [key], message: `required when ${svc}Image is set` });
                }
            }
            const min = c[`${svc}MinReplicas`];
            const max = c[`${svc}MaxReplicas`];
            if (min !== undefined && max !== undefined && min > max) {
                ctx.addIssue({
                    code: "custom",
                    path: [`${svc}MaxReplicas`],
                    message: `must be at least ${svc}MinReplicas (${min})`,
                });
            }
            if (c.environment === "prod" && min !== undefined && min < 2) {
                ctx.addIssue({
                    code: "custom",
                    path: [`${svc}MinReplicas`],
                    message: "must be at least 2 in prod so a rollout or node loss keeps the service up",
                });
            }
        }
        if (c.restoreDrillEnabled && c.backupAgeIdentity === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["backupAgeIdentity"],
                message: "required while restoreDrillEnabled is true: the drill decrypts with it",
            });
        }
        if (c.platform === "kubernetes" && c.gcpProject === undefined && !usesGcp) {
            ctx.addIssue({
                code: "custom",
                path: ["gcpProject"],
                message:
                    "required on kubernetes: PostgreSQL WAL archives and base backups go to a GCS bucket in this project",
            });
        }
        if (c.platform === "kubernetes" && c.alertOnCallEmails.length > 0) {
            for (const key of ["alertSmtpSmarthost", "alertSmtpFrom"] as const) {
                if (c[key] === undefined) {
                    ctx.addIssue({
                        code: "custom",
                        path: [key],
                        message: "required on kubernetes with alertOnCallEmails: Alertmanager sends the ticket e-mail",
                    });
                }
            }
        }
        if (c.environment === "prod" && c.outboundAllowedHosts.length === 0) {
            ctx.addIssue({
                code: "custom",
                path: ["outboundAllowedHosts"],
                message: "must list the trusted upstream hosts in prod (runbook 002 security checklist)",
            });
        }
    });

export type RawConfig = z.output<typeof rawConfigSchema>;
export type ConfigKey = keyof z.input<typeof rawConfigSchema>;

/** The JSON type a key's value has once parsed: what the stack file or `-c` string is turned into. */
export type ConfigValueType = "string" | "integer" | "number" | "boolean" | "array";
/** The types a Pulumi.yaml `config:` declaration can name (pulumi/pulumi sdk/go/common/workspace/project.go). */
export type PulumiConfigType = "string" | "integer" | "boolean" | "array";

/** One key of the schema, as Pulumi.yaml declares it and the README documents it. */
export interface ConfigKeyDeclaration {
    readonly key: string;
    /** The Pulumi.yaml type: Pulumi has no number type, so a key that accepts fractions is declared `string`. */
    readonly type: PulumiConfigType;
    readonly valueType: ConfigValueType;
    /** Type of the array's items, for `type: array`. */
    readonly items?: PulumiConfigType;
    readonly description: string;
    readonly secret: boolean;
    /** Required by the schema: no default, and the program refuses to run without it. */
    readonly required: boolean;
    /** When a key the schema calls optional is still needed to deploy (README secret setup). */
    readonly requiredWhen?: string;
    /** The zod default, in the Pulumi.yaml type (a number declared `string` gets its decimal string). */
    readonly default?: unknown;
    readonly allowed?: readonly string[];
    /**
     * Declared under `config:` in Pulumi.yaml. The CLI treats a declared key without a stack value or
     * `default:` as missing (pulumi/pulumi pkg/workspace/config.go mergeConfig) and has no "optional"
     * marker, so only keys with a default and required non-secret keys are declared. Secrets are never
     * declared: no committed value could satisfy the check before `pulumi config set --secret`.
     */
    readonly declared: boolean;
    /** How to obtain a value, where `pulumi config set` alone does not say. */
    readonly fix?: string;
}

interface JsonSchemaProperty {
    type?: string;
    description?: string;
    secret?: boolean;
    requiredWhen?: string;
    default?: unknown;
    enum?: string[];
    items?: { type?: string };
    fix?: string;
}

function pulumiType(jsonType: string | undefined): PulumiConfigType {
    if (jsonType === "integer" || jsonType === "boolean" || jsonType === "array") return jsonType;
    return "string";
}

export function configKeyDeclarations(): ConfigKeyDeclaration[] {
    const json = z.toJSONSchema(rawConfigSchema, { io: "input", unrepresentable: "any" }) as {
        properties: Record<string, JsonSchemaProperty>;
        required?: string[];
    };
    const required = new Set(json.required ?? []);
    return Object.entries(json.properties).map(([key, prop]) => {
        const valueType = (prop.type ?? "string") as ConfigValueType;
        const type = pulumiType(prop.type);
        const secret = prop.secret === true;
        const fallback =
            prop.default === undefined ? undefined : type === "string" ? String(prop.default) : prop.default;
        return {
            key,
            type,
            valueType,
            ...(type === "array" ? { items: pulumiType(prop.items?.type) } : {}),
            description: prop.description ?? "",
            secret,
            required: required.has(key),
            ...(prop.requiredWhen ? { requiredWhen: prop.requiredWhen } : {}),
            ...(fallback !== undefined ? { default: fallback } : {}),
            ...(prop.enum ? { allowed: prop.enum } : {}),
            declared: !secret && (fallback !== undefined || required.has(key)),
            ...(prop.fix ? { fix: prop.fix } : {}),
        };
    });
}
