/**
 * Who owns each runbook checklist item (tools/traceability/checklists.ts says what an item is):
 * the files that implement it, the policies that enforce it and the tests that prove it.
 * Policies whose catalog metadata quotes an item verbatim are added automatically, with the
 * policy tests that name them, so only what the metadata cannot say is written here.
 * docs/traceability.md is generated from this table (`npm run gen`); test/tools/traceability.test.ts
 * fails when an item has no owner or an owner points at nothing.
 */
import { RUNBOOK } from "../../policies/lib";

export interface Ownership {
    /** How the estate satisfies the item, in one sentence. */
    readonly how: string;
    /** Repository files that implement it: components, stack code, scripts, workflows, docs. */
    readonly files?: readonly string[];
    /** Policy names beyond those whose metadata quotes the item. */
    readonly policies?: readonly string[];
    /** Test files that prove it. */
    readonly tests?: readonly string[];
}

/**
 * An item only the application can satisfy (its request schema, its own logging). Named, with the
 * reason, so it is a visible decision in docs/traceability.md rather than a silent gap.
 */
export interface OutsideTheEstate {
    /** Who owns it instead, and why no resource, policy or script of this estate can. */
    readonly outside: string;
}

/** Runbook file → item text (verbatim, after its marker) → owner. */
export type OwnerTable = Readonly<Record<string, Readonly<Record<string, Ownership | OutsideTheEstate>>>>;

const SERVICE_TEST = "test/workload/service.test.ts";
const CONFIG = "stacks/config-schema.ts";
const CONFIG_TEST = "test/stacks/config.test.ts";
const DEPLOY = [".github/workflows/deploy.yml", ".github/workflows/reusable-deploy.yml"];
const WORKFLOWS_TEST = "test/delivery/workflows.test.ts";
const SMOKE = "scripts/smoke/smoke.ts";
const SMOKE_TEST = "test/delivery/smoke.test.ts";
const ALERTS = [
    "components/observability/catalogue.ts",
    "components/observability/prometheus.ts",
    "components/observability/azure-monitor.ts",
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
    "components/backup/azure/backups.ts",
];

export const owners: OwnerTable = {
    [RUNBOOK.userApi]: {
        "Set `ENVIRONMENT=prod`.": {
            how: "Every service's env carries ENVIRONMENT from `estate:environment`.",
            files: ["stacks/environment.ts"],
            tests: [SERVICE_TEST],
        },
        "Set `JWT_SECRET` to a high‑entropy value from your secret manager.": {
            how: "`jwt-secret` is generated (64 chars) into the secret store and referenced by JWT_SECRET / JWT_SECRET_KEY.",
            files: ["stacks/secrets.ts", "components/secrets/generated-secrets.ts"],
            tests: [SERVICE_TEST],
        },
        "Set `RATE_LIMIT_PER_MINUTE` to values aligned with your SLOs.": {
            how: "`estate:rateLimitPerMinute` reaches every service as RATE_LIMIT_PER_MINUTE.",
            files: ["stacks/environment.ts", CONFIG],
            tests: [SERVICE_TEST],
        },
        "Configure all `DB_*` variables to point at the managed PostgreSQL instance.": {
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
        "Ensure the production database exists and is reachable from the service.": {
            how: "The estate declares the PostgreSQL cluster or server and its database, opens it only to the services that need it, and starts those services after it.",
            files: [
                "stacks/data.ts",
                "components/data/kubernetes/postgres.ts",
                "components/data/kubernetes/network.ts",
                "components/data/azure/postgres.ts",
            ],
            tests: ["test/data/kubernetes.test.ts", "test/data/azure-stores.test.ts", "test/data/platforms.test.ts"],
        },
        "Confirm at least one chat model and one embeddings model are pulled and available.": {
            how: "Ollama pulls the configured chat and embeddings models before it serves, and the API and worker start only after the pull.",
            files: ["components/ai/ollama.ts", "components/ai/kubernetes/ollama.ts", "components/ai/azure/ollama.ts"],
            tests: [
                "test/data/kubernetes.test.ts",
                "test/data/azure-runtime.test.ts",
                "test/data/helpers.test.ts",
                "test/data/platforms.test.ts",
            ],
        },
        "Set `OLLAMA_BASE_URL` to the production Ollama endpoint if it differs from the default `http://ollama.default.svc.cluster.local:11434`.":
            {
                how: "OLLAMA_BASE_URL is the in-estate Ollama service unless `estate:ollamaBaseUrl` overrides it.",
                files: ["stacks/environment.ts", "stacks/estate.ts", CONFIG],
                tests: [SERVICE_TEST],
            },
        "Confirm backups and PITR settings are active and tested.": {
            how: "Daily encrypted pg_dump jobs and a monthly restore drill on both platforms, their scripts run end to end against a real PostgreSQL; PITR retention is `estate:postgresBackupRetentionDays`.",
            files: [...BACKUP_JOBS, ...BACKUP_SCRIPTS, CONFIG],
            tests: ["test/backup/backups.test.ts", "test/backup/scripts.test.ts"],
        },
        "Run Alembic migrations to `head` before switching traffic.": {
            how: "One `alembic upgrade head` job per image tag, which the schema owner's workload depends on (on Azure, started by the deploy: docs/migrations.md).",
            files: [...SCHEMA_JOBS, "docs/migrations.md"],
            tests: [SCHEMA_JOBS_TEST],
        },
        "Run the seeding procedure once (or during bootstrap) to create `admin@example.com`, roles, and bootstrap credentials.":
            {
                how: "The `<svc>-bootstrap` job runs `estate:bootstrapCommand` once per stack, after the migration, with the bootstrap credentials by reference.",
                files: SCHEMA_JOBS,
                tests: [SCHEMA_JOBS_TEST],
            },
        "Capture and store `BOOTSTRAP_ADMIN_EMAIL`, `BOOTSTRAP_ADMIN_PASSWORD` and `BOOTSTRAP_ADMIN_API_KEY` in the secret manager.":
            {
                how: "The bootstrap admin e-mail, password and API key are secret-store entries the API reads by reference.",
                files: ["stacks/secrets.ts", "stacks/estate.ts"],
                policies: ["credentials-by-reference"],
                tests: [SERVICE_TEST],
            },
        "Rotate the bootstrap API key after initial setup, issuing new keys per service or team.": {
            how: "`estate:secretRotation` (`bootstrap-admin-api-key=2`) regenerates the key on the next `pulumi up`.",
            files: ["components/secrets/generated-secrets.ts", CONFIG],
            tests: [CONFIG_TEST],
        },
        "Verify a sample chat and embeddings request through the API or frontend.": {
            how: "The post-deploy smoke script sends one chat and one embeddings request through the API.",
            files: [SMOKE, "scripts/smoke/checks.ts", ...DEPLOY],
            tests: [SMOKE_TEST, WORKFLOWS_TEST],
        },
        "Verify `/healthz` and `/readyz` responses and that probes are configured correctly.": {
            how: "Liveness/readiness/startup probes on /healthz and /readyz; the smoke script checks both answer 200 after each deploy.",
            files: ["components/workload/kubernetes/service.ts", "components/workload/azure/service.ts", SMOKE],
            tests: [SERVICE_TEST, SMOKE_TEST],
        },
        "Confirm metrics are ingested (Prometheus scrape, dashboards rendering).": {
            how: "A ServiceMonitor scrapes each service and a Grafana dashboard ConfigMap per service is provisioned (kubernetes); workspace-based Application Insights and a workbook (azure).",
            files: [
                "components/observability/kubernetes/monitoring.ts",
                "components/observability/azure/monitoring.ts",
                "components/observability/dashboards.ts",
                "stacks/monitoring.ts",
            ],
            tests: ["test/observability/monitoring.test.ts"],
        },
        "Validate alert rules for p95 latency, error rate and saturation.": {
            how: "The alert catalogue renders Prometheus rules and Azure Monitor alerts; promtool proves each threshold just over and just under.",
            files: ALERTS,
            tests: ALERT_TESTS,
        },
        "Validate TLS termination at the edge or ingress.": {
            how: "Public services get a cert-manager TLS ingress (kubernetes) or HTTPS-only Container Apps ingress (azure).",
            files: ["components/workload/kubernetes/service.ts", "components/workload/azure/service.ts"],
            tests: [SERVICE_TEST],
        },
        "Confirm that access to Ollama and PostgreSQL is restricted to the service via VPC/firewall rules.": {
            how: "Data stores are never public and admit only the services that need them (NetworkPolicies, private endpoints, internal ingress).",
            files: ["components/workload/kubernetes/security.ts", "components/data/kubernetes/network.ts"],
            tests: [SERVICE_TEST, "test/data/kubernetes.test.ts"],
        },
        "Verify that secrets are loaded from Secret Manager and not baked into images.": {
            how: "Secrets live in GCP Secret Manager (synced by External Secrets) or Key Vault and reach containers only by reference.",
            files: [
                "components/secrets/gcp/secret-manager.ts",
                "components/secrets/azure/key-vault.ts",
                "components/secrets/kubernetes/secrets.ts",
            ],
            tests: [SERVICE_TEST],
        },
        "Define the previous image tag to roll back to.": {
            how: "`estate:<svc>PreviousTag` is required with the tag, exported as `services.<svc>.previousImage`, and kept current by the deploy workflow.",
            files: [CONFIG, "stacks/outputs.ts", ...DEPLOY],
            tests: [CONFIG_TEST, "test/stacks/outputs.test.ts", "test/delivery/tag-scripts.test.ts"],
        },
        "Confirm that Alembic downgrade strategy and data implications are understood.": {
            how: "The README's rollback section and docs/migrations.md give the Alembic `downgrade` path, with the new image, after the data impact is accepted.",
            files: ["README.md", "docs/migrations.md"],
            tests: ["test/readme.test.ts"],
        },
        "Ensure runbooks for rollback are accessible to the on‑call team.": {
            how: "Every alert carries a runbook link (`estate:alertRunbookBaseUrl`); rollback is documented in the README and docs/delivery.md.",
            files: ["components/observability/catalogue.ts", "README.md", "docs/delivery.md"],
            tests: ["test/observability/catalogue.test.ts", "test/observability/prometheus.test.ts"],
        },
    },
    [RUNBOOK.containerApps]: {
        "Push to `main` triggers the `deploy-production.yml` GitHub Actions workflow.": {
            how: "`deploy.yml` runs on every push to main: checks, staging, then production behind its environment.",
            files: DEPLOY,
            tests: [WORKFLOWS_TEST],
        },
        "The workflow builds a Docker image tagged with the commit SHA.": {
            how: "Images are referenced by commit SHA; the config schema refuses mutable tags.",
            files: [CONFIG],
            tests: [CONFIG_TEST],
        },
        "The image is pushed to the Azure Container Registry.": {
            how: "The application's build pushes the image; the estate takes its repository from `estate:<svc>Image` (any registry) and pins the tag.",
            files: [CONFIG],
            tests: [CONFIG_TEST],
        },
        "Azure Container App is updated to the new image.": {
            how: "`pulumi up` with the new `estate:<svc>Tag` rolls the Container App (a new revision) or the Deployment.",
            files: ["components/workload/azure/service.ts", ...DEPLOY],
            tests: [SERVICE_TEST, WORKFLOWS_TEST],
        },
        "Post-deploy smoke tests verify health, CORS, and critical endpoints.": {
            how: "After each `pulumi up` the smoke script checks /healthz, /readyz, CORS from an allowed and a disallowed origin, chat and embeddings.",
            files: [SMOKE, "scripts/smoke/checks.ts", ...DEPLOY],
            tests: [SMOKE_TEST, WORKFLOWS_TEST],
        },
        "If smoke tests fail, the automated rollback job activates (see below).": {
            how: "The rollback job runs when the deploy job (update or smoke) fails.",
            files: DEPLOY,
            tests: [WORKFLOWS_TEST, "test/delivery/tag-scripts.test.ts"],
        },
        "Logs in to Azure.": {
            how: "The rollback job logs in with OIDC federation (azure/login), no stored key.",
            files: DEPLOY,
            tests: [WORKFLOWS_TEST],
        },
        "Reverts the Container App to the previous image (`previous_image` output).": {
            how: "The rollback sets `estate:<svc>Tag` to `estate:<svc>PreviousTag` for the services the run changed and runs `pulumi up`.",
            files: DEPLOY,
            tests: ["test/delivery/tag-scripts.test.ts", WORKFLOWS_TEST],
        },
        "Waits 30 seconds and verifies `/healthz` returns `200`.": {
            how: "After the rollback update the job waits 30 s, then runs the smoke script's healthz and readyz checks with retries.",
            files: [...DEPLOY, SMOKE],
            tests: [WORKFLOWS_TEST, SMOKE_TEST],
        },
    },
    [RUNBOOK.rag]: {
        "`REDMINE_API_KEY` is not placeholder in production.": {
            how: "Any `*_KEY` variable must come from the secret store by reference, so no literal placeholder can be deployed.",
            policies: ["credentials-by-reference"],
        },
        "Input payload IDs are positive and bounded by schema limits.": {
            outside:
                "The application's request schema validates payload IDs; infrastructure sees only bytes, so no resource or policy here can check it.",
        },
        "No secrets are logged in plaintext.": {
            how: "Plans, artefacts and smoke output never carry secret values; tests scan them for every secret.",
            files: ["tools/lib/plan-artefacts.ts", SMOKE],
            tests: ["test/tools/plan.test.ts", SMOKE_TEST],
        },
    },
    [RUNBOOK.summit]: {
        "Monitoring: Prometheus + Grafana deployed; alerts wired for health/readiness, error rates, and latency.": {
            how: "The alert catalogue covers readiness, 5xx rate and p95 latency on both platforms.",
            files: ALERTS,
            tests: ALERT_TESTS,
        },
        "Alerts: paging for elevated 5xx, dependency outages (Postgres/Neo4j/Redis), queue backlog, and AI provider errors.":
            {
                how: "Catalogue alerts for 5xx, dependency down, queue backlog and AI provider errors page the on-call receiver.",
                files: [...ALERTS, "components/observability/alertmanager.ts"],
                tests: [...ALERT_TESTS, "test/observability/alertmanager.test.ts"],
            },
        "Backups: daily full backups verified; retention + encryption enforced; restore drills performed quarterly.": {
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
        "Secrets: stored in vault/secret manager; rotation calendar active; no secrets in git or container images.": {
            how: "Secrets are generated into the store; `estate:secretRotation` rotates them; stack files hold only ciphertext.",
            files: ["components/secrets/generated-secrets.ts"],
            tests: [CONFIG_TEST],
        },
        "Audit logging: gateway and policy decisions logged; access logs retained per compliance policy.": {
            how: "On Azure every Container App's logs (the gateway's included) go to the estate's Log Analytics workspace, kept 30 days; every policy decision is in the log of the deploy workflow's `pulumi up`, kept by Pulumi Cloud. On Kubernetes, log shipping and retention belong to the cluster's logging stack.",
            files: ["components/platform/azure/foundation.ts", ...DEPLOY],
            tests: ["test/platform/azure-foundation.test.ts", WORKFLOWS_TEST],
        },
        "Load test smoke: run `make k6` (or equivalent perf smoke) before major releases; ensure headroom before scaling down.":
            {
                how: "`npm run smoke -- ... --checks latency` is the perf smoke: a bounded burst on /readyz with a p95 budget (2 s by default); minimum replicas and CPU autoscaling keep the headroom.",
                files: [
                    "scripts/smoke/latency.ts",
                    SMOKE,
                    "components/workload/kubernetes/service.ts",
                    "components/workload/azure/service.ts",
                ],
                tests: [SMOKE_TEST, SERVICE_TEST],
            },
        "Access control: RBAC enforced for cluster and databases; least privilege for service accounts.": {
            how: "One service account per service without an API token; Key Vault uses RBAC with per-app managed identities.",
            files: ["components/workload/kubernetes/service.ts", "components/secrets/azure/key-vault.ts"],
            tests: [SERVICE_TEST],
        },
    },
    [RUNBOOK.ops]: {
        "Set required secrets (names only):": {
            how: "The README's first-time setup lists every `pulumi config set --secret` key, generated from the config schema.",
            files: ["README.md", "tools/lib/readme.ts"],
            tests: ["test/readme.test.ts"],
        },
        "Run Actions → `db_bootstrap` → **dry_run**.": {
            how: "`npm run plan -- --stack prod` is the dry run: it lists the migration and seeding jobs `pulumi up` would run, and exits 0 only when config and policies pass.",
            files: ["tools/plan.ts", "stacks/migrations.ts"],
            tests: ["test/tools/plan.test.ts", SCHEMA_JOBS_TEST],
        },
        "After DB is provisioned, run Actions → `db_bootstrap` → **all**.": {
            how: "`pulumi up` (the deploy workflow) runs the migration job, then the one-time seeding job, both after PostgreSQL.",
            files: [...SCHEMA_JOBS, ...DEPLOY],
            tests: [SCHEMA_JOBS_TEST],
        },
        "`python3 tools/policy_check.py` is green.": {
            how: "`npm run policy` runs the policy pack over the plan for every stack and platform on each pull request and deploy.",
            files: ["tools/policy.ts", "policies/index.ts", ".github/workflows/reusable-checks.yml"],
            tests: ["test/tools/plan.test.ts", "test/policies/grpc.test.ts", WORKFLOWS_TEST],
        },
        "Migrations reviewed and ordered (see `db/migrations/`).": {
            how: "Alembic orders the application's revisions; the estate runs them once per tag, before the service (policy), and every pull request's plan shows the new migration job for review.",
            files: ["stacks/migrations.ts", "policies/migrations.ts", ".github/workflows/pull-request.yml"],
            policies: ["migrations-before-traffic"],
            tests: [SCHEMA_JOBS_TEST],
        },
        "Ops workflows are green.": {
            how: "Deploys start only after the same checks as pull requests (`.ci/run`, plan and policy per stack) pass.",
            files: [".github/workflows/deploy.yml", ".github/workflows/reusable-checks.yml"],
            tests: [WORKFLOWS_TEST],
        },
        "Deploy backend to your platform using your standard pipeline.": {
            how: "`deploy.yml` runs `pulumi up` with the policy pack per stack.",
            files: DEPLOY,
            tests: [WORKFLOWS_TEST],
        },
        "Do not change secrets or env vars in ad-hoc ways during deploy.": {
            how: "The deploy job changes only image tags; everything else comes from the committed stack files.",
            files: DEPLOY,
            tests: ["test/delivery/tag-scripts.test.ts", WORKFLOWS_TEST],
        },
        "Run Actions → `prod_verify`:": {
            how: "The smoke script is this estate's prod_verify, with its exit codes (0 healthy, 1 error, 2 unhealthy), run after each deploy.",
            files: [SMOKE, ...DEPLOY],
            tests: [SMOKE_TEST, WORKFLOWS_TEST],
        },
        "Run Actions → `ops_daily` → **mode=prod** to validate strict monitoring.": {
            how: "The `ops-daily` workflow runs the smoke script's strict checks against every stack, prod included, daily or on demand.",
            files: OPS_DAILY,
            tests: [OPS_DAILY_TEST, SMOKE_TEST],
        },
        "Confirm `ops_daily` strict is green.": {
            how: "A failing ops_daily opens the issue `ops_daily strict unhealthy (<stack>)`; a green run closes it.",
            files: OPS_DAILY,
            tests: [OPS_DAILY_TEST],
        },
        "Confirm `ops_daily` strict returns healthy or insufficient_data.": {
            how: "ops_daily exits 0 healthy, 1 error, 2 unhealthy; endpoint probes always have data, so there is no insufficient_data state.",
            files: OPS_DAILY,
            tests: [OPS_DAILY_TEST, SMOKE_TEST],
        },
        "Revert the last deploy using your platform’s rollback command.": {
            how: "Rollback is one config change and `pulumi up` (README), automated by the deploy workflow's rollback job.",
            files: ["README.md", ...DEPLOY],
            tests: ["test/delivery/tag-scripts.test.ts", WORKFLOWS_TEST],
        },
        "Re-run Actions → `prod_verify` → **verify**.": {
            how: "The rollback job re-runs the smoke script's health checks after the rollback update.",
            files: [...DEPLOY, SMOKE],
            tests: [WORKFLOWS_TEST],
        },
    },
};
