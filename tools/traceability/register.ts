/**
 * The requirements register: every runbook line this estate answers for, in the project's own
 * words, under a stable id. Each entry says where it comes from (runbook file, line and a digest
 * of that line, so a changed runbook is noticed without quoting it here) and who owns it: the
 * files that implement it, the policies that enforce it and the tests that prove it. Policies name
 * the ids they enforce in their metadata (`requirements`); those are joined in automatically, with
 * the policy tests that name them, so only what the metadata cannot say is written here.
 *
 * docs/traceability.md is generated from this register (`npm run gen`). test/tools/traceability.test.ts
 * fails when an entry has no owner or an owner points at nothing; test/tools/runbook-drift.test.ts
 * compares the register with the runbooks when they are checked out beside the repository.
 */
import { RUNBOOK } from "./runbooks";

/** Where a requirement comes from. */
export interface RunbookSource {
    readonly file: string;
    /** 1-based line in the runbook. */
    readonly line: number;
    /** `lineDigest` of that line: tells the drift test the line still says what the entry was written from. */
    readonly digest: string;
}

interface Entry {
    /** Stable id, `<runbook prefix>-<NAME>`; never reused or renumbered. */
    readonly id: string;
    readonly source: RunbookSource;
    /** What is required, in the project's words. */
    readonly requirement: string;
}

export interface Ownership {
    /** How the estate satisfies the requirement, in one sentence; optional when policies alone enforce it. */
    readonly how?: string;
    /** Repository files that implement it: components, stack code, scripts, workflows, docs. */
    readonly files?: readonly string[];
    /** Policy names beyond those whose metadata names the requirement. */
    readonly policies?: readonly string[];
    /** Test files that prove it. */
    readonly tests?: readonly string[];
}

/**
 * A requirement only the application can satisfy (its request schema, its own logging). Named, with
 * the reason, so it is a visible decision in docs/traceability.md rather than a silent gap.
 */
export interface OutsideTheEstate {
    /** Who owns it instead, and why no resource, policy or script of this estate can. */
    readonly outside: string;
}

export type Requirement = Entry & (Ownership | OutsideTheEstate);

/** The id prefix of each runbook's requirements. */
export const ID_PREFIX: Readonly<Record<string, string>> = {
    [RUNBOOK.userApi]: "UA",
    [RUNBOOK.containerApps]: "CA",
    [RUNBOOK.rag]: "RAG",
    [RUNBOOK.summit]: "GA",
    [RUNBOOK.ops]: "OPS",
};

const SERVICE_TEST = "test/workload/service.test.ts";
const CONFIG = "stacks/config-schema.ts";
const CONFIG_TEST = "test/stacks/config.test.ts";
const DEPLOY = [".github/workflows/deploy.yml", ".github/workflows/reusable-deploy.yml"];
const WORKFLOWS_TEST = "test/delivery/workflows.test.ts";
const SMOKE = "scripts/smoke/smoke.ts";
const SMOKE_TEST = "test/delivery/smoke.test.ts";
const ALERTS = [
    "components/observability/catalogue.ts",
    "components/observability/thresholds.ts",
    "components/observability/kubernetes/prometheus.ts",
    "components/observability/azure/azure-monitor.ts",
    "components/observability/azure/service-alerts.ts",
    "components/observability/azure/backup-alerts.ts",
    "components/observability/kubernetes/monitoring.ts",
    "components/observability/azure/monitoring.ts",
];
const ALERT_TESTS = [
    "test/observability/catalogue.test.ts",
    "test/observability/prometheus.test.ts",
    "test/observability/azure-monitor.test.ts",
    "test/observability/monitoring.test.ts",
];
const OPS_DAILY = [
    ".github/workflows/ops-daily.yml",
    ".github/workflows/reusable-ops-daily.yml",
    "scripts/smoke/endpoints.ts",
    SMOKE,
];
const OPS_DAILY_TEST = "test/delivery/ops-daily.test.ts";
const SCHEMA_JOBS = [
    "stacks/migrations.ts",
    "components/workload/job.ts",
    "components/workload/kubernetes/job.ts",
    "components/workload/azure/job.ts",
];
const SCHEMA_JOBS_TEST = "test/backup/migrations.test.ts";
const BACKUP_SCRIPTS = [
    "components/backup/scripts.ts",
    "components/backup/scripts/pg-backup.sh",
    "components/backup/scripts/pg-restore-drill.sh",
];
const BACKUP_JOBS = [
    "stacks/backups.ts",
    "components/backup/backups.ts",
    "components/backup/kubernetes/backups.ts",
    "components/backup/kubernetes/jobs.ts",
    "components/backup/azure/backups.ts",
    "components/backup/azure/jobs.ts",
];

export const register: readonly Requirement[] = [
    {
        id: "UA-ENVIRONMENT",
        source: { file: RUNBOOK.userApi, line: 30, digest: "00eb9bb2fd73" },
        requirement: "Production services know they run in production (an environment flag set to prod).",
        how: "Every service's env carries ENVIRONMENT from `estate:environment`.",
        files: ["stacks/environment.ts"],
        tests: [SERVICE_TEST],
    },
    {
        id: "UA-JWT-SECRET",
        source: { file: RUNBOOK.userApi, line: 31, digest: "56f302e6ca1c" },
        requirement: "The token-signing secret is long, random and kept in the secret store.",
        how: "`jwt-secret` is generated (64 chars) into the secret store and referenced by JWT_SECRET / JWT_SECRET_KEY.",
        files: ["stacks/secrets.ts", "components/secrets/generated-secrets.ts"],
        tests: [SERVICE_TEST],
    },
    {
        id: "UA-RATE-LIMIT",
        source: { file: RUNBOOK.userApi, line: 34, digest: "86a2066a46a8" },
        requirement: "A per-client request rate limit is set to match the service objectives.",
        how: "`estate:rateLimitPerMinute` reaches every service as RATE_LIMIT_PER_MINUTE.",
        files: ["stacks/environment.ts", CONFIG],
        tests: [SERVICE_TEST],
    },
    {
        id: "UA-DB-SETTINGS",
        source: { file: RUNBOOK.userApi, line: 32, digest: "95e1666eb463" },
        requirement: "The service's database settings point at the managed PostgreSQL.",
        how: "DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD and DATABASE_URL are secret-store entries built from the PostgreSQL component's outputs (CloudNativePG or Flexible Server), read by reference.",
        files: [
            "stacks/secrets.ts",
            "stacks/data.ts",
            "components/data/postgres.ts",
            "components/data/kubernetes/postgres.ts",
            "components/data/azure/postgres.ts",
        ],
        tests: ["test/data/platforms.test.ts", "test/data/kubernetes.test.ts", "test/data/azure-stores.test.ts"],
    },
    {
        id: "UA-DB-REACHABLE",
        source: { file: RUNBOOK.userApi, line: 37, digest: "4e5e77557024" },
        requirement: "The production database exists and the service can reach it.",
        how: "The estate declares the PostgreSQL cluster or server and its database, opens it only to the services that need it, and starts those services after it.",
        files: [
            "stacks/data.ts",
            "components/data/kubernetes/postgres.ts",
            "components/data/kubernetes/network.ts",
            "components/data/azure/postgres.ts",
        ],
        tests: ["test/data/kubernetes.test.ts", "test/data/azure-stores.test.ts", "test/data/platforms.test.ts"],
    },
    {
        id: "UA-MODELS-PULLED",
        source: { file: RUNBOOK.userApi, line: 48, digest: "65dc0fa82d79" },
        requirement: "A chat model and an embeddings model are present before the service uses them.",
        how: "Ollama pulls the configured chat and embeddings models before it serves, and the API and worker start only after the pull.",
        files: ["components/ai/ollama.ts", "components/ai/kubernetes/ollama.ts", "components/ai/azure/ollama.ts"],
        tests: [
            "test/data/kubernetes.test.ts",
            "test/data/azure-runtime.test.ts",
            "test/data/helpers.test.ts",
            "test/data/platforms.test.ts",
        ],
    },
    {
        id: "UA-OLLAMA-URL",
        source: { file: RUNBOOK.userApi, line: 33, digest: "01faafb38cc5" },
        requirement: "The service reaches the production model runtime, overridable when it is not the in-cluster one.",
        how: "OLLAMA_BASE_URL is the in-estate Ollama service unless `estate:ollamaBaseUrl` overrides it.",
        files: ["stacks/environment.ts", "stacks/estate.ts", CONFIG],
        tests: [SERVICE_TEST],
    },
    {
        id: "UA-BACKUPS-TESTED",
        source: { file: RUNBOOK.userApi, line: 39, digest: "2291054c794b" },
        requirement: "Database backups and point-in-time recovery are on and proven by restores.",
        how: "Daily encrypted pg_dump jobs and a monthly restore drill on both platforms, their scripts run end to end against a real PostgreSQL; PITR retention is `estate:postgresBackupRetentionDays`.",
        files: [...BACKUP_JOBS, ...BACKUP_SCRIPTS, "components/data/kubernetes/postgres-archive.ts", CONFIG],
        tests: ["test/backup/backups.test.ts", "test/backup/scripts.test.ts"],
    },
    {
        id: "UA-MIGRATE-FIRST",
        source: { file: RUNBOOK.userApi, line: 38, digest: "fc02957e02cd" },
        requirement: "Schema migrations reach the latest revision before traffic moves to a new version.",
        how: "One `alembic upgrade head` job per image tag, which the schema owner's workload depends on (on Azure, started by the deploy: docs/migrations.md).",
        files: [...SCHEMA_JOBS, "docs/migrations.md"],
        tests: [SCHEMA_JOBS_TEST],
    },
    {
        id: "UA-SEED-ONCE",
        source: { file: RUNBOOK.userApi, line: 42, digest: "9d4b62eec92e" },
        requirement: "A one-time seeding step creates the first admin, the roles and the bootstrap credentials.",
        how: "The `<svc>-bootstrap` job runs `estate:bootstrapCommand` once per stack, after the migration, with the bootstrap credentials by reference.",
        files: SCHEMA_JOBS,
        tests: [SCHEMA_JOBS_TEST],
    },
    {
        id: "UA-BOOTSTRAP-SECRETS",
        source: { file: RUNBOOK.userApi, line: 43, digest: "8fbf3d8b803e" },
        requirement: "The bootstrap admin's e-mail, password and API key live in the secret store.",
        how: "The bootstrap admin e-mail, password and API key are secret-store entries the API reads by reference.",
        files: ["stacks/secrets.ts", "stacks/estate.ts"],
        policies: ["credentials-by-reference"],
        tests: [SERVICE_TEST],
    },
    {
        id: "UA-ROTATE-BOOTSTRAP-KEY",
        source: { file: RUNBOOK.userApi, line: 44, digest: "a10450707404" },
        requirement: "The bootstrap API key can be rotated after setup.",
        how: "`estate:secretRotation` (`bootstrap-admin-api-key=2`) regenerates the key on the next `pulumi up`.",
        files: ["components/secrets/generated-secrets.ts", CONFIG],
        tests: [CONFIG_TEST],
    },
    {
        id: "UA-SAMPLE-AI-REQUEST",
        source: { file: RUNBOOK.userApi, line: 49, digest: "c2d557da47f6" },
        requirement: "A chat and an embeddings request succeed through the API after a deploy.",
        how: "The post-deploy smoke script sends one chat and one embeddings request through the API.",
        files: [SMOKE, "scripts/smoke/checks.ts", ...DEPLOY],
        tests: [SMOKE_TEST, WORKFLOWS_TEST],
    },
    {
        id: "UA-HEALTH-PROBES",
        source: { file: RUNBOOK.userApi, line: 52, digest: "31c298a8ce9b" },
        requirement: "Liveness and readiness endpoints answer and the platform probes them.",
        how: "Liveness/readiness/startup probes on /healthz and /readyz; the smoke script checks both answer 200 after each deploy.",
        files: ["components/workload/kubernetes/service.ts", "components/workload/azure/service.ts", SMOKE],
        tests: [SERVICE_TEST, SMOKE_TEST],
    },
    {
        id: "UA-METRICS-INGESTED",
        source: { file: RUNBOOK.userApi, line: 53, digest: "8e2db7f8ef80" },
        requirement: "Service metrics are scraped and shown on dashboards.",
        how: "A ServiceMonitor scrapes each service and a Grafana dashboard ConfigMap per service is provisioned (kubernetes); workspace-based Application Insights and a workbook (azure).",
        files: [
            "components/observability/kubernetes/monitoring.ts",
            "components/observability/azure/monitoring.ts",
            "components/observability/kubernetes/grafana.ts",
            "components/observability/azure/workbook.ts",
            "stacks/monitoring.ts",
        ],
        tests: ["test/observability/monitoring.test.ts"],
    },
    {
        id: "UA-SLO-ALERT-RULES",
        source: { file: RUNBOOK.userApi, line: 54, digest: "85a44ddceacf" },
        requirement: "Alert rules exist for p95 latency, error rate and saturation, and are proven.",
        how: "The alert catalogue renders Prometheus rules and Azure Monitor alerts; promtool proves each threshold just over and just under.",
        files: ALERTS,
        tests: ALERT_TESTS,
    },
    {
        id: "UA-EDGE-TLS",
        source: { file: RUNBOOK.userApi, line: 57, digest: "292681957f40" },
        requirement: "TLS is terminated at the edge or ingress.",
        how: "Public services get a cert-manager TLS ingress (kubernetes) or HTTPS-only Container Apps ingress (azure).",
        files: ["components/workload/kubernetes/service.ts", "components/workload/azure/service.ts"],
        tests: [SERVICE_TEST],
    },
    {
        id: "UA-PRIVATE-DATA-NETWORK",
        source: { file: RUNBOOK.userApi, line: 58, digest: "45fc552dd087" },
        requirement: "Only the service can reach the model runtime and PostgreSQL over the network.",
        how: "Data stores are never public and admit only the services that need them (NetworkPolicies, private endpoints, internal ingress).",
        files: ["components/platform/kubernetes/pod.ts", "components/data/kubernetes/network.ts"],
        tests: [SERVICE_TEST, "test/data/kubernetes.test.ts"],
    },
    {
        id: "UA-SECRETS-BY-REFERENCE",
        source: { file: RUNBOOK.userApi, line: 59, digest: "6c3ac7574fcf" },
        requirement: "Secrets come from the secret store at runtime, never from the image.",
        how: "Secrets live in GCP Secret Manager (synced by External Secrets) or Key Vault and reach containers only by reference.",
        files: [
            "components/secrets/gcp/secret-manager.ts",
            "components/secrets/azure/key-vault.ts",
            "components/secrets/kubernetes/secrets.ts",
        ],
        tests: [SERVICE_TEST],
    },
    {
        id: "UA-PREVIOUS-TAG",
        source: { file: RUNBOOK.userApi, line: 62, digest: "902a65b2ba46" },
        requirement: "The image tag to roll back to is known before each deploy.",
        how: "`estate:<svc>PreviousTag` is required with the tag, exported as `services.<svc>.previousImage`, and kept current by the deploy workflow.",
        files: [CONFIG, "stacks/outputs.ts", ...DEPLOY],
        tests: [CONFIG_TEST, "test/stacks/outputs.test.ts", "test/delivery/tag-scripts.test.ts"],
    },
    {
        id: "UA-DOWNGRADE-PLAN",
        source: { file: RUNBOOK.userApi, line: 63, digest: "d118976708d5" },
        requirement: "How to downgrade the schema, and what it does to data, is written down.",
        how: "The README's rollback section and docs/migrations.md give the Alembic `downgrade` path, with the new image, after the data impact is accepted.",
        files: ["README.md", "docs/migrations.md"],
        tests: ["test/readme.test.ts"],
    },
    {
        id: "UA-ROLLBACK-DOCS",
        source: { file: RUNBOOK.userApi, line: 64, digest: "8dda091d039e" },
        requirement: "On-call can find the rollback instructions.",
        how: "Every alert carries a runbook link (`estate:alertRunbookBaseUrl`); rollback is documented in the README and docs/delivery.md.",
        files: ["components/observability/catalogue.ts", "README.md", "docs/delivery.md"],
        tests: ["test/observability/catalogue.test.ts", "test/observability/prometheus.test.ts"],
    },
    {
        id: "UA-OLLAMA-REACHABLE",
        source: { file: RUNBOOK.userApi, line: 47, digest: "022ee5a2364a" },
        requirement: "The API's pods can reach the model runtime.",
    },
    {
        id: "UA-DAILY-PG-DUMP",
        source: { file: RUNBOOK.userApi, line: 8, digest: "93b6a5f2a320" },
        requirement: "PostgreSQL is dumped logically every day.",
    },
    {
        id: "UA-ENCRYPTED-BACKUPS",
        source: { file: RUNBOOK.userApi, line: 9, digest: "4fdd7aaf53d4" },
        requirement: "Backups are encrypted, and a restore is tested every month.",
    },
    {
        id: "UA-SLO-SIGNALS",
        source: { file: RUNBOOK.userApi, line: 12, digest: "a48ed6f14d0f" },
        requirement: "The service objectives cover p95 latency, error rate and saturation.",
    },
    {
        id: "UA-ALERTS-TO-ONCALL",
        source: { file: RUNBOOK.userApi, line: 13, digest: "ea2ac1d71ecd" },
        requirement: "Alertmanager routes alerts to the on-call receiver.",
    },
    {
        id: "UA-IMMUTABLE-TAGS",
        source: { file: RUNBOOK.userApi, line: 16, digest: "8caa1ec161ea" },
        requirement: "Image tags never move; a rollback redeploys an earlier tag.",
    },
    {
        id: "UA-GCP-SECRET-MANAGER",
        source: { file: RUNBOOK.userApi, line: 20, digest: "210ed337bfae" },
        requirement: "Production environment secrets are kept in GCP Secret Manager.",
    },
    {
        id: "CA-DEPLOY-ON-PUSH",
        source: { file: RUNBOOK.containerApps, line: 14, digest: "93dbf09a35ad" },
        requirement: "A push to the main branch starts the production deploy workflow.",
        how: "`deploy.yml` runs on every push to main: checks, staging, then production behind its environment.",
        files: DEPLOY,
        tests: [WORKFLOWS_TEST],
    },
    {
        id: "CA-IMAGE-BY-SHA",
        source: { file: RUNBOOK.containerApps, line: 15, digest: "4287640db65a" },
        requirement: "Each build's image is tagged with its commit id.",
        how: "Images are referenced by commit SHA; the config schema refuses mutable tags.",
        files: [CONFIG],
        tests: [CONFIG_TEST],
    },
    {
        id: "CA-IMAGE-REGISTRY",
        source: { file: RUNBOOK.containerApps, line: 16, digest: "10b948d07e28" },
        requirement: "The image is published to the container registry the apps pull from.",
        how: "The application's build pushes the image; the estate takes its repository from `estate:<svc>Image` (any registry) and pins the tag.",
        files: [CONFIG],
        tests: [CONFIG_TEST],
    },
    {
        id: "CA-APP-UPDATED",
        source: { file: RUNBOOK.containerApps, line: 17, digest: "12872eb2856c" },
        requirement: "The deploy rolls the Container App to the new image.",
        how: "`pulumi up` with the new `estate:<svc>Tag` rolls the Container App (a new revision) or the Deployment.",
        files: ["components/workload/azure/service.ts", ...DEPLOY],
        tests: [SERVICE_TEST, WORKFLOWS_TEST],
    },
    {
        id: "CA-SMOKE-AFTER-DEPLOY",
        source: { file: RUNBOOK.containerApps, line: 18, digest: "08499da5aac3" },
        requirement: "After a deploy, smoke checks cover health, CORS and the critical endpoints.",
        how: "After each `pulumi up` the smoke script checks /healthz, /readyz, CORS from an allowed and a disallowed origin, chat and embeddings.",
        files: [SMOKE, "scripts/smoke/checks.ts", ...DEPLOY],
        tests: [SMOKE_TEST, WORKFLOWS_TEST],
    },
    {
        id: "CA-ROLLBACK-ON-FAILURE",
        source: { file: RUNBOOK.containerApps, line: 19, digest: "5e43eddac5d5" },
        requirement: "A failed smoke check starts the automated rollback.",
        how: "The rollback job runs when the deploy job (update or smoke) fails.",
        files: DEPLOY,
        tests: [WORKFLOWS_TEST, "test/delivery/tag-scripts.test.ts"],
    },
    {
        id: "CA-ROLLBACK-LOGIN",
        source: { file: RUNBOOK.containerApps, line: 27, digest: "c315bb1851a4" },
        requirement: "The rollback job signs in to Azure.",
        how: "The rollback job logs in with OIDC federation (azure/login), no stored key.",
        files: DEPLOY,
        tests: [WORKFLOWS_TEST],
    },
    {
        id: "CA-ROLLBACK-PREVIOUS-IMAGE",
        source: { file: RUNBOOK.containerApps, line: 28, digest: "8e994b9fd038" },
        requirement: "The rollback returns the app to its previous image.",
        how: "The rollback sets `estate:<svc>Tag` to `estate:<svc>PreviousTag` for the services the run changed and runs `pulumi up`.",
        files: DEPLOY,
        tests: ["test/delivery/tag-scripts.test.ts", WORKFLOWS_TEST],
    },
    {
        id: "CA-ROLLBACK-VERIFY",
        source: { file: RUNBOOK.containerApps, line: 29, digest: "7992b8f4a4a0" },
        requirement: "After a pause, the rollback checks the health endpoint answers 200.",
        how: "After the rollback update the job waits 30 s, then runs the smoke script's healthz and readyz checks with retries.",
        files: [...DEPLOY, SMOKE],
        tests: [WORKFLOWS_TEST, SMOKE_TEST],
    },
    {
        id: "CA-READINESS-GATE",
        source: { file: RUNBOOK.containerApps, line: 10, digest: "a5e5e352c8fe" },
        requirement: "The platform gates readiness on the readiness endpoint.",
    },
    {
        id: "CA-5XX-THRESHOLD",
        source: { file: RUNBOOK.containerApps, line: 51, digest: "a8af97308132" },
        requirement: "An alert fires when over 1 % of responses are 5xx for 5 minutes.",
    },
    {
        id: "CA-SATURATION-THRESHOLD",
        source: { file: RUNBOOK.containerApps, line: 54, digest: "1cd105d183dd" },
        requirement: "An alert fires when CPU or memory stays above 80 %.",
    },
    {
        id: "CA-ACTION-GROUPS",
        source: { file: RUNBOOK.containerApps, line: 56, digest: "4ac45401ed92" },
        requirement: "Azure alerts reach the on-call channel through an action group.",
    },
    {
        id: "CA-MIGRATIONS-IN-PIPELINE",
        source: { file: RUNBOOK.containerApps, line: 102, digest: "0e4d44b81023" },
        requirement: "Production migrations run as part of the deploy pipeline.",
    },
    {
        id: "RAG-NO-PLACEHOLDER-KEY",
        source: { file: RUNBOOK.rag, line: 121, digest: "65d7b7b2969f" },
        requirement: "The upstream API key is a real secret in production, not a placeholder.",
        how: "Any `*_KEY` variable must come from the secret store by reference, so no literal placeholder can be deployed.",
        policies: ["credentials-by-reference"],
    },
    {
        id: "RAG-PAYLOAD-ID-BOUNDS",
        source: { file: RUNBOOK.rag, line: 125, digest: "e9423811e479" },
        requirement: "Request payload ids are positive and within the schema's bounds.",
        outside:
            "The application's request schema validates payload IDs; infrastructure sees only bytes, so no resource or policy here can check it.",
    },
    {
        id: "RAG-NO-SECRETS-IN-LOGS",
        source: { file: RUNBOOK.rag, line: 124, digest: "d2b77fe03e29" },
        requirement: "Secrets never appear in logs in plain text.",
        how: "Plans, artefacts and smoke output never carry secret values; tests scan them for every secret.",
        files: ["tools/lib/plan-artefacts.ts", SMOKE],
        tests: ["test/tools/plan.test.ts", SMOKE_TEST],
    },
    {
        id: "RAG-ALLOWED-HOSTS",
        source: { file: RUNBOOK.rag, line: 122, digest: "b6f1bfc18708" },
        requirement: "Production names the upstream hosts it may call.",
    },
    {
        id: "RAG-UPSTREAM-HTTPS",
        source: { file: RUNBOOK.rag, line: 123, digest: "a6ec0147b4c4" },
        requirement: "The upstream endpoint is HTTPS, except on a developer's machine.",
    },
    {
        id: "RAG-HTTPS-CHECK",
        source: { file: RUNBOOK.rag, line: 117, digest: "99d9f9e741fb" },
        requirement: "The health check's security section insists on an HTTPS upstream.",
    },
    {
        id: "RAG-OUTBOUND-POLICY-CHECK",
        source: { file: RUNBOOK.rag, line: 12, digest: "3b0d2504bc45" },
        requirement: "The health check reports the outbound policy and secrets configuration.",
    },
    {
        id: "GA-MONITORING",
        source: { file: RUNBOOK.summit, line: 137, digest: "f5c67710935d" },
        requirement: "Prometheus and Grafana run, with alerts on health, readiness, errors and latency.",
        how: "The alert catalogue covers readiness, 5xx rate and p95 latency on both platforms.",
        files: ALERTS,
        tests: ALERT_TESTS,
    },
    {
        id: "GA-PAGING",
        source: { file: RUNBOOK.summit, line: 138, digest: "c8ed9017b154" },
        requirement: "Elevated 5xx, dependency outages, queue backlog and AI provider errors page on-call.",
        how: "Catalogue alerts for 5xx, dependency down, queue backlog and AI provider errors page the on-call receiver.",
        files: [...ALERTS, "components/observability/kubernetes/alertmanager.ts"],
        tests: [...ALERT_TESTS, "test/observability/alertmanager.test.ts"],
    },
    {
        id: "GA-BACKUPS",
        source: { file: RUNBOOK.summit, line: 139, digest: "c4e2b8d952ad" },
        requirement:
            "Full backups run daily with retention and encryption, and restores are drilled at least quarterly.",
        how: "Daily age-encrypted dumps of PostgreSQL, Neo4j and Redis into private storage with retention, and a monthly restore drill (more often than quarterly).",
        files: [
            ...BACKUP_JOBS,
            ...BACKUP_SCRIPTS,
            "components/backup/scripts/neo4j-backup.sh",
            "components/backup/scripts/redis-backup.sh",
            CONFIG,
        ],
        tests: ["test/backup/backups.test.ts", "test/backup/scripts.test.ts"],
    },
    {
        id: "GA-SECRETS",
        source: { file: RUNBOOK.summit, line: 140, digest: "5dbc9da2aedb" },
        requirement: "Secrets live in a vault, are rotated on a schedule and never sit in git or images.",
        how: "Secrets are generated into the store; `estate:secretRotation` rotates them; stack files hold only ciphertext.",
        files: ["components/secrets/generated-secrets.ts"],
        tests: [CONFIG_TEST],
    },
    {
        id: "GA-AUDIT-LOGS",
        source: { file: RUNBOOK.summit, line: 142, digest: "5b2bdfffd992" },
        requirement: "Gateway and policy decisions are logged and access logs kept as compliance requires.",
        how: "On Azure every Container App's logs (the gateway's included) go to the estate's Log Analytics workspace, kept 30 days; every policy decision is in the log of the deploy workflow's `pulumi up`, kept by Pulumi Cloud. On Kubernetes, log shipping and retention belong to the cluster's logging stack.",
        files: ["components/platform/azure/foundation.ts", ...DEPLOY],
        tests: ["test/platform/azure-foundation.test.ts", WORKFLOWS_TEST],
    },
    {
        id: "GA-PERF-SMOKE",
        source: { file: RUNBOOK.summit, line: 143, digest: "a04791a89a85" },
        requirement: "A performance smoke runs before major releases and headroom is kept before scaling down.",
        how: "`npm run smoke -- ... --checks latency` is the perf smoke: a bounded burst on /readyz with a p95 budget (2 s by default); minimum replicas and CPU autoscaling keep the headroom.",
        files: [
            "scripts/smoke/latency.ts",
            SMOKE,
            "components/workload/kubernetes/service.ts",
            "components/workload/azure/service.ts",
        ],
        tests: [SMOKE_TEST, SERVICE_TEST],
    },
    {
        id: "GA-LEAST-PRIVILEGE",
        source: { file: RUNBOOK.summit, line: 141, digest: "386aa5cdf87a" },
        requirement: "Cluster and database access is role-based and service accounts get least privilege.",
        how: "One service account per service without an API token; Key Vault uses RBAC with per-app managed identities.",
        files: [
            "components/workload/kubernetes/service.ts",
            "components/secrets/azure/key-vault.ts",
            "components/platform/azure/workload-access.ts",
        ],
        tests: [SERVICE_TEST],
    },
    {
        id: "GA-SECURE-STORAGE",
        source: { file: RUNBOOK.summit, line: 68, digest: "19f295c62cdb" },
        requirement: "Secrets and backups are stored encrypted with restricted, audited access.",
    },
    {
        id: "GA-GRAPH-CREDENTIALS",
        source: { file: RUNBOOK.summit, line: 91, digest: "624283c082e0" },
        requirement: "The graph database is reached with a user and password.",
    },
    {
        id: "GA-CACHE-CREDENTIALS",
        source: { file: RUNBOOK.summit, line: 92, digest: "5703c17a035d" },
        requirement: "The cache is reached with a password.",
    },
    {
        id: "GA-CORS",
        source: { file: RUNBOOK.summit, line: 95, digest: "adf9b6e3f6a8" },
        requirement: "Cross-origin access is limited to named origins.",
    },
    {
        id: "GA-RATE-LIMITS",
        source: { file: RUNBOOK.summit, line: 96, digest: "1eab67d9f84e" },
        requirement: "API, AI and background work are each rate limited.",
    },
    {
        id: "GA-TLS",
        source: { file: RUNBOOK.summit, line: 99, digest: "937db4c4f174" },
        requirement: "Ingress serves TLS from certificates held as secrets.",
    },
    {
        id: "GA-HA-CACHE",
        source: { file: RUNBOOK.summit, line: 117, digest: "a86130ee75d8" },
        requirement: "The cache is highly available before the app scales out.",
    },
    {
        id: "OPS-SECRET-NAMES",
        source: { file: RUNBOOK.ops, line: 12, digest: "32f95cf6b004" },
        requirement: "The production secrets the workflows need are set (by name; values stay in the store).",
        how: "The README's first-time setup lists every `pulumi config set --secret` key, generated from the config schema.",
        files: ["README.md", "tools/lib/readme.ts"],
        tests: ["test/readme.test.ts"],
    },
    {
        id: "OPS-BOOTSTRAP-DRY-RUN",
        source: { file: RUNBOOK.ops, line: 15, digest: "0464d61a7632" },
        requirement: "The database bootstrap is first run as a dry run.",
        how: "`npm run plan -- --stack prod` is the dry run: it lists the migration and seeding jobs `pulumi up` would run, and exits 0 only when config and policies pass.",
        files: ["tools/plan.ts", "stacks/migrations.ts"],
        tests: ["test/tools/plan.test.ts", SCHEMA_JOBS_TEST],
    },
    {
        id: "OPS-BOOTSTRAP-ALL",
        source: { file: RUNBOOK.ops, line: 17, digest: "895c75c6ce36" },
        requirement: "Once the database exists, the full bootstrap runs.",
        how: "`pulumi up` (the deploy workflow) runs the migration job, then the one-time seeding job, both after PostgreSQL.",
        files: [...SCHEMA_JOBS, ...DEPLOY],
        tests: [SCHEMA_JOBS_TEST],
    },
    {
        id: "OPS-POLICY-GREEN",
        source: { file: RUNBOOK.ops, line: 23, digest: "31aa86c04e79" },
        requirement: "The policy check passes before a deploy.",
        how: "`npm run policy` runs the policy pack over the plan for every stack and platform on each pull request and deploy.",
        files: ["tools/policy.ts", "policies/index.ts", ".github/workflows/reusable-checks.yml"],
        tests: ["test/tools/plan.test.ts", "test/policies/grpc.test.ts", WORKFLOWS_TEST],
    },
    {
        id: "OPS-MIGRATIONS-REVIEWED",
        source: { file: RUNBOOK.ops, line: 24, digest: "7ebb84efa168" },
        requirement: "Migrations are reviewed and ordered before a deploy.",
        how: "Alembic orders the application's revisions; the estate runs them once per tag, before the service (policy), and every pull request's plan shows the new migration job for review.",
        files: ["stacks/migrations.ts", "policies/migrations.ts", ".github/workflows/pull-request.yml"],
        policies: ["migrations-before-traffic"],
        tests: [SCHEMA_JOBS_TEST],
    },
    {
        id: "OPS-WORKFLOWS-GREEN",
        source: { file: RUNBOOK.ops, line: 25, digest: "e3b0bd5eff09" },
        requirement: "The ops workflows pass before a deploy.",
        how: "Deploys start only after the same checks as pull requests (`.ci/run`, plan and policy per stack) pass.",
        files: [".github/workflows/deploy.yml", ".github/workflows/reusable-checks.yml"],
        tests: [WORKFLOWS_TEST],
    },
    {
        id: "OPS-STANDARD-PIPELINE",
        source: { file: RUNBOOK.ops, line: 28, digest: "8e92000aa2bd" },
        requirement: "The backend is deployed through the standard pipeline.",
        how: "`deploy.yml` runs `pulumi up` with the policy pack per stack.",
        files: DEPLOY,
        tests: [WORKFLOWS_TEST],
    },
    {
        id: "OPS-NO-ADHOC-CHANGES",
        source: { file: RUNBOOK.ops, line: 29, digest: "fb0e253d4d31" },
        requirement: "Secrets and environment are not changed by hand during a deploy.",
        how: "The deploy job changes only image tags; everything else comes from the committed stack files.",
        files: DEPLOY,
        tests: ["test/delivery/tag-scripts.test.ts", WORKFLOWS_TEST],
    },
    {
        id: "OPS-PROD-VERIFY",
        source: { file: RUNBOOK.ops, line: 32, digest: "c431ec96a792" },
        requirement: "The production verification runs after a deploy.",
        how: "The smoke script is this estate's prod_verify, with its exit codes (0 healthy, 1 error, 2 unhealthy), run after each deploy.",
        files: [SMOKE, ...DEPLOY],
        tests: [SMOKE_TEST, WORKFLOWS_TEST],
    },
    {
        id: "OPS-DAILY-STRICT",
        source: { file: RUNBOOK.ops, line: 19, digest: "1e5778c413d2" },
        requirement: "The daily ops check runs in strict production mode.",
        how: "The `ops-daily` workflow runs the smoke script's strict checks against every stack, prod included, daily or on demand.",
        files: OPS_DAILY,
        tests: [OPS_DAILY_TEST, SMOKE_TEST],
    },
    {
        id: "OPS-DAILY-GREEN",
        source: { file: RUNBOOK.ops, line: 35, digest: "91e64df79dc1" },
        requirement: "The strict daily ops check is green after a deploy.",
        how: "A failing ops_daily opens the issue `ops_daily strict unhealthy (<stack>)`; a green run closes it.",
        files: OPS_DAILY,
        tests: [OPS_DAILY_TEST],
    },
    {
        id: "OPS-DAILY-AFTER-ROLLBACK",
        source: { file: RUNBOOK.ops, line: 45, digest: "e736a580393d" },
        requirement: "After a rollback the daily ops check is healthy or reports insufficient data.",
        how: "ops_daily exits 0 healthy, 1 error, 2 unhealthy; endpoint probes always have data, so there is no insufficient_data state.",
        files: OPS_DAILY,
        tests: [OPS_DAILY_TEST, SMOKE_TEST],
    },
    {
        id: "OPS-REVERT-DEPLOY",
        source: { file: RUNBOOK.ops, line: 43, digest: "bea62a846922" },
        requirement: "A rollback reverts the last deploy with the platform's own command.",
        how: "Rollback is one config change and `pulumi up` (README), automated by the deploy workflow's rollback job.",
        files: ["README.md", ...DEPLOY],
        tests: ["test/delivery/tag-scripts.test.ts", WORKFLOWS_TEST],
    },
    {
        id: "OPS-REVERIFY",
        source: { file: RUNBOOK.ops, line: 44, digest: "7b1e3a45fc13" },
        requirement: "Production verification runs again after a rollback.",
        how: "The rollback job re-runs the smoke script's health checks after the rollback update.",
        files: [...DEPLOY, SMOKE],
        tests: [WORKFLOWS_TEST],
    },
    {
        id: "OPS-NO-SECRETS-IN-TICKETS",
        source: { file: RUNBOOK.ops, line: 9, digest: "04f0f461f8ca" },
        requirement: "Secrets, connection strings and user data stay out of logs and tickets.",
    },
];
