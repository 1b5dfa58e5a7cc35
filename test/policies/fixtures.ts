// A small estate that satisfies every policy, built from the same resource shapes the program
// declares. Each test copies it and changes one field.
import { alertmanagerConfigCrdSpec } from "../../components/observability/kubernetes/alertmanager";
import { azureBackupAlerts } from "../../components/observability/azure/backup-alerts";
import { azureServiceAlerts } from "../../components/observability/azure/service-alerts";
import { type BackupAlertTarget, type ServiceAlertTarget } from "../../components/observability/catalogue";
import { parseAlertThresholds } from "../../components/observability/thresholds";
import { backupRuleGroups, serviceRuleGroups } from "../../components/observability/kubernetes/prometheus";
import type { CapturedResource } from "../../tools/lib/analyzer";
import type { ContainerInputs, NetworkPolicyInputs, PodTemplateInputs } from "../support/inputs";
import { SECRET_SIG, SECRET_VALUE } from "../../tools/lib/analyzer";

export const SHA = "3f2c9e1a7b4d";
export const DIGEST = `sha256:${"a".repeat(64)}`;

import { capture, kept, res, urnOf } from "../support/resources";

// Re-exported: the policy cases build their estates from these.
export { capture, kept, res, urnOf };

export function secret<T>(value: T): Record<string, unknown> {
    return { [SECRET_SIG]: SECRET_VALUE, value };
}

export const restricted = {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};
export const resources = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } };

export function apiContainer(): ContainerInputs {
    return {
        name: "api",
        image: `registry.example.com/estate/api:${SHA}`,
        env: [
            { name: "ENVIRONMENT", value: "prod" },
            { name: "JWT_SECRET", valueFrom: { secretKeyRef: { name: "api-secrets", key: "jwt-secret" } } },
            { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "api-secrets", key: "database-url" } } },
            { name: "JWT_ACCESS_TOKEN_EXPIRE_MINUTES", value: "15" },
            { name: "RATE_LIMIT_PER_MINUTE", value: "120" },
            { name: "ALLOWED_ORIGINS", value: "https://app.example.com,https://admin.example.com" },
            { name: "OLLAMA_BASE_URL", value: "http://ollama.estate.svc.cluster.local:11434" },
            { name: "REDMINE_BASE_URL", value: "https://redmine.example.com" },
            { name: "OUTBOUND_ALLOWED_HOSTS", value: "redmine.example.com" },
        ],
        livenessProbe: { httpGet: { path: "/healthz", port: 8000 } },
        readinessProbe: { httpGet: { path: "/readyz", port: 8000 } },
        startupProbe: { httpGet: { path: "/healthz", port: 8000 }, failureThreshold: 30 },
        securityContext: structuredClone(restricted),
        resources: structuredClone(resources),
    };
}

export function podTemplate(name: string, component: string, containers: ContainerInputs[]): PodTemplateInputs {
    return {
        metadata: { labels: { "app.kubernetes.io/name": name, "app.kubernetes.io/component": component } },
        spec: { automountServiceAccountToken: false, serviceAccountName: name, containers },
    };
}

export function apiDeployment(): CapturedResource {
    return res(
        "kubernetes:apps/v1:Deployment",
        "api",
        {
            metadata: { name: "api", namespace: "estate" },
            spec: {
                selector: { matchLabels: { "app.kubernetes.io/name": "api" } },
                template: podTemplate("api", "api", [apiContainer()]),
            },
        },
        { dependencies: [urnOf("kubernetes:batch/v1:Job", "api-migrate")] },
    );
}

/** `alembic upgrade head` with the api's own image; the api Deployment depends on it. */
export function migrationJob(): CapturedResource {
    const { livenessProbe: _l, readinessProbe: _r, startupProbe: _s, ...container } = apiContainer();
    const template = podTemplate("api-migrate", "job", [
        { ...container, name: "migration", command: ["alembic", "upgrade", "head"] },
    ]);
    template.metadata.labels["estate.io/job"] = "migration";
    template.spec.restartPolicy = "Never";
    return res("kubernetes:batch/v1:Job", "api-migrate", {
        metadata: { name: `api-migrate-${SHA}`, namespace: "estate" },
        spec: { template },
    });
}

/**
 * Another kind that can express the same thing: the program runs Postgres as a CloudNativePG Cluster
 * (data-fixtures.ts), but a self-run Postgres pod must meet the same policies, which read every workload
 * kind. Not a shape the program declares; the cases on it check that policies do not read the Cluster only.
 */
export function postgresStatefulSet(): CapturedResource {
    const probe = { exec: { command: ["pg_isready", "-U", "postgres"] } };
    return kept(
        res("kubernetes:apps/v1:StatefulSet", "postgres", {
            metadata: { name: "postgres", namespace: "estate" },
            spec: {
                serviceName: "postgres",
                selector: { matchLabels: { "app.kubernetes.io/name": "postgres" } },
                template: podTemplate("postgres", "database", [
                    {
                        name: "postgres",
                        image: `docker.io/library/postgres@${DIGEST}`,
                        env: [
                            {
                                name: "POSTGRES_PASSWORD",
                                valueFrom: { secretKeyRef: { name: "postgres", key: "password" } },
                            },
                        ],
                        livenessProbe: probe,
                        readinessProbe: probe,
                        startupProbe: probe,
                        securityContext: structuredClone(restricted),
                        resources: structuredClone(resources),
                    },
                ]),
            },
        }),
    );
}

export const AGE_RECIPIENT = "age1rpumrhk5y0l252r20c3tr6cxdmqyw54mwz4mz3wkz30nls22udrqxmvtsd";

/** A scheduled backup or drill job: labelled with its purpose and store, like the program's. */
export function scheduledJob(
    name: string,
    purpose: string,
    schedule: string,
    env: NonNullable<ContainerInputs["env"]>,
    store = "postgres",
): CapturedResource {
    const template = podTemplate(name, "backup", [
        {
            name: purpose,
            image: `registry.example.com/estate/backup:sha-${SHA}`,
            env: [{ name: "ENVIRONMENT", value: "prod" }, ...env],
            securityContext: structuredClone(restricted),
            resources: structuredClone(resources),
        },
    ]);
    Object.assign(template.metadata.labels, { "estate.io/job": purpose, "estate.io/store": store });
    return res("kubernetes:batch/v1:CronJob", name, {
        metadata: { name, namespace: "estate" },
        spec: { schedule, concurrencyPolicy: "Forbid", jobTemplate: { spec: { template } } },
    });
}

export function backupCronJob(): CapturedResource {
    return scheduledJob("pg-backup", "backup", "0 2 * * *", [
        { name: "POSTGRES_DSN_PROD", valueFrom: { secretKeyRef: { name: "backup", key: "dsn" } } },
        { name: "BACKUP_AGE_RECIPIENT", value: AGE_RECIPIENT },
    ]);
}

export function drillCronJob(): CapturedResource {
    return scheduledJob("pg-restore-drill", "restore-drill", "30 4 1 * *", [
        { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "backup", key: "db-password" } } },
        { name: "BACKUP_AGE_IDENTITY_FILE", value: "/var/run/secrets/estate-age/identity.txt" },
    ]);
}

export function backupBucket(): CapturedResource {
    return kept(
        res("gcp:storage/bucket:Bucket", "backups", {
            name: "estate-prod-backups",
            location: "EU",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            retentionPolicy: { retentionPeriod: "3024000", isLocked: false },
            lifecycleRules: [{ action: { type: "Delete" }, condition: { age: 36 } }],
            labels: { "estate-component": "backup" },
        }),
    );
}

export function netpol(
    name: string,
    spec: NetworkPolicyInputs["spec"],
    annotations?: Record<string, string>,
): CapturedResource {
    return res("kubernetes:networking.k8s.io/v1:NetworkPolicy", name, {
        metadata: { name, namespace: "estate", ...(annotations ? { annotations } : {}) },
        spec,
    });
}

export function defaultDeny(): CapturedResource {
    return netpol("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
}

export function postgresNetpol(): CapturedResource {
    return netpol(
        "postgres",
        {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "postgres" } },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        { podSelector: { matchLabels: { "app.kubernetes.io/name": "api" } } },
                        { podSelector: { matchLabels: { "app.kubernetes.io/name": "pg-backup" } } },
                    ],
                    ports: [{ port: 5432, protocol: "TCP" }],
                },
            ],
        },
        { "estate.io/allowed-clients": "api,pg-backup" },
    );
}

export function apiNetpol(): CapturedResource {
    return netpol("api", {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "api" } },
        policyTypes: ["Ingress"],
        ingress: [
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }],
                ports: [{ port: 8000 }],
            },
        ],
    });
}

/** The api as the alert renderers see it: public, reading PostgreSQL (DATABASE_URL) and Ollama (OLLAMA_BASE_URL). */
export const API_ALERT_TARGET: ServiceAlertTarget = {
    service: "api",
    namespace: "estate",
    dependencies: ["postgres", "ollama"],
    signals: ["public-endpoint", "ai-provider", "queue", "sync-jobs"],
    publicUrl: "https://api.example.com/healthz",
};
const THRESHOLDS = parseAlertThresholds({});
/** The one database the fixture backs up, as the backup alerts see it. */
const BACKUP_ALERT_TARGET: BackupAlertTarget = { store: "postgres", database: "estate" };

export function apiAlertRules(): CapturedResource {
    return res("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "api-rules", {
        metadata: { name: "api-alerts", namespace: "estate" },
        spec: {
            groups: [
                ...serviceRuleGroups(API_ALERT_TARGET, THRESHOLDS),
                ...backupRuleGroups([BACKUP_ALERT_TARGET], THRESHOLDS),
            ],
        },
    });
}

export function onCallRouting(): CapturedResource {
    const routingKey = { name: "api-secrets", key: "alert-on-call-key" };
    return res("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig", "on-call", {
        metadata: { name: "on-call", namespace: "estate" },
        spec: alertmanagerConfigCrdSpec({
            onCall: { kind: "pagerduty", routingKey },
            tickets: { kind: "pagerduty", routingKey },
        }),
    });
}

export const ACTION_GROUP_ID =
    "/subscriptions/x/resourceGroups/estate/providers/Microsoft.Insights/actionGroups/on-call";

/** The api's catalogue alerts as the Azure component declares them: tagged, wired to the on-call action group. */
export function acaAlertRules(): CapturedResource[] {
    return [
        ...azureServiceAlerts(API_ALERT_TARGET, THRESHOLDS),
        ...azureBackupAlerts([BACKUP_ALERT_TARGET], THRESHOLDS),
    ].map((a) => {
        const common = {
            resourceGroupName: "estate",
            severity: a.severity,
            windowSize: a.windowSize,
            evaluationFrequency: a.evaluationFrequency,
            tags: {
                "estate-service": a.service,
                "estate-alert": a.alertName,
                "estate-severity": a.severity === 1 ? "page" : "ticket",
            },
        };
        return a.kind === "metric"
            ? res("azure-native:monitor:MetricAlert", `api-${a.id}`, {
                  ...common,
                  scopes: ["/subscriptions/x/containerApps/api"],
                  criteria: {
                      odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                      allOf: [a.criterion],
                  },
                  actions: [{ actionGroupId: ACTION_GROUP_ID }],
              })
            : res("azure-native:monitor:ScheduledQueryRule", `api-${a.id}`, {
                  ...common,
                  scopes: ["/subscriptions/x/components/api-insights"],
                  criteria: { allOf: [a.condition] },
                  actions: { actionGroups: [ACTION_GROUP_ID] },
              });
    });
}

export function onCallActionGroup(): CapturedResource {
    return res("azure-native:monitor:ActionGroup", "on-call", {
        resourceGroupName: "estate",
        enabled: true,
        groupShortName: "oncall",
        webhookReceivers: [
            {
                name: "pagerduty",
                serviceUri: secret("https://events.pagerduty.com/integration/fixture-routing-key/enqueue"),
                useCommonAlertSchema: true,
            },
        ],
        emailReceivers: [],
    });
}

export function k8sEstate(): CapturedResource[] {
    return [
        apiDeployment(),
        migrationJob(),
        postgresStatefulSet(),
        backupCronJob(),
        drillCronJob(),
        backupBucket(),
        defaultDeny(),
        postgresNetpol(),
        apiNetpol(),
        // The self-run Postgres pod's Service (see postgresStatefulSet): CloudNativePG creates its own.
        res("kubernetes:core/v1:Service", "postgres", {
            metadata: { name: "postgres", namespace: "estate", labels: { "app.kubernetes.io/component": "database" } },
            spec: {
                type: "ClusterIP",
                selector: { "app.kubernetes.io/name": "postgres", "app.kubernetes.io/component": "database" },
                ports: [{ port: 5432 }],
            },
        }),
        res("kubernetes:core/v1:ServiceAccount", "api", {
            metadata: { name: "api", namespace: "estate" },
            automountServiceAccountToken: false,
        }),
        res("kubernetes:core/v1:Secret", "api-secrets", {
            metadata: { name: "api-secrets", namespace: "estate" },
            stringData: secret({ "jwt-secret": "s3cr3t-jwt-value-never-printed" }),
        }),
        res("kubernetes:networking.k8s.io/v1:Ingress", "api", {
            metadata: { name: "api", namespace: "estate" },
            spec: {
                tls: [{ hosts: ["api.example.com"], secretName: "api-tls" }],
                rules: [
                    {
                        host: "api.example.com",
                        http: {
                            paths: [
                                {
                                    path: "/",
                                    pathType: "Prefix",
                                    backend: { service: { name: "api", port: { number: 80 } } },
                                },
                            ],
                        },
                    },
                ],
            },
        }),
        res("kubernetes:helm.sh/v3:Release", "monitoring", {
            chart: "kube-prometheus-stack",
            values: { grafana: { image: { repository: "grafana/grafana", tag: SHA } } },
        }),
        apiAlertRules(),
        onCallRouting(),
    ];
}

export function acaMigrationJob(): CapturedResource {
    return res("azure-native:app:Job", "api-migrate", {
        resourceGroupName: "estate",
        jobName: `api-migrate-${SHA}`,
        tags: { "estate-component": "job", "estate-job": "migration" },
        configuration: {
            triggerType: "Manual",
            replicaTimeout: 900,
            secrets: [
                {
                    name: "database-url",
                    keyVaultUrl: "https://estate-kv.vault.azure.net/secrets/database-url",
                    identity: "/subscriptions/x/identity",
                },
            ],
        },
        template: {
            containers: [
                {
                    name: "migration",
                    image: `estate.azurecr.io/api:${SHA}`,
                    command: ["alembic", "upgrade", "head"],
                    env: [
                        { name: "ENVIRONMENT", value: "prod" },
                        { name: "DATABASE_URL", secretRef: "database-url" },
                    ],
                    resources: { cpu: 0.5, memory: "1Gi" },
                },
            ],
        },
    });
}

/** A scheduled Container Apps backup or drill job with its Key Vault secrets. */
export function acaScheduledJob(
    name: string,
    purpose: string,
    schedule: string,
    env: NonNullable<ContainerInputs["env"]>,
): CapturedResource {
    return res("azure-native:app:Job", name, {
        resourceGroupName: "estate",
        jobName: name,
        tags: { "estate-component": "job", "estate-job": purpose, "estate-store": "postgres" },
        configuration: {
            triggerType: "Schedule",
            scheduleTriggerConfig: { cronExpression: schedule },
            replicaTimeout: 10800,
            secrets: [
                {
                    name: "db-password",
                    keyVaultUrl: "https://estate-kv.vault.azure.net/secrets/db-password",
                    identity: "/subscriptions/x/identity",
                },
            ],
        },
        template: {
            containers: [
                {
                    name: purpose,
                    image: `estate.azurecr.io/backup@${DIGEST}`,
                    env: [
                        { name: "ENVIRONMENT", value: "prod" },
                        { name: "PGPASSWORD", secretRef: "db-password" },
                        ...env,
                    ],
                    resources: { cpu: 0.5, memory: "1Gi" },
                },
            ],
        },
    });
}

export function azureBackupStorage(): CapturedResource[] {
    return [
        kept(
            res("azure-native:storage:StorageAccount", "backups", {
                accountName: "estateprodbackups",
                resourceGroupName: "estate",
                kind: "StorageV2",
                allowBlobPublicAccess: false,
                enableHttpsTrafficOnly: true,
                minimumTlsVersion: "TLS1_2",
                allowSharedKeyAccess: false,
                sku: { name: "Standard_ZRS" },
                tags: { "estate-component": "backup" },
            }),
        ),
        res("azure-native:storage:BlobServiceProperties", "backups", {
            accountName: "estateprodbackups",
            resourceGroupName: "estate",
            blobServicesName: "default",
            deleteRetentionPolicy: { enabled: true, days: 35 },
            containerDeleteRetentionPolicy: { enabled: true, days: 35 },
            isVersioningEnabled: true,
        }),
        kept(
            res("azure-native:storage:BlobContainer", "backups", {
                accountName: "estateprodbackups",
                resourceGroupName: "estate",
                containerName: "backups",
                publicAccess: "None",
            }),
        ),
        res("azure-native:storage:BlobContainerImmutabilityPolicy", "backups", {
            accountName: "estateprodbackups",
            resourceGroupName: "estate",
            containerName: "backups",
            immutabilityPeriodSinceCreationInDays: 35,
        }),
    ];
}

export function acaApi(): CapturedResource {
    const probe = (type: string, path: string) => ({ type, httpGet: { path, port: 8000 } });
    return res(
        "azure-native:app:ContainerApp",
        "api",
        {
            resourceGroupName: "estate",
            tags: { "estate-component": "api" },
            configuration: {
                ingress: {
                    external: true,
                    targetPort: 8000,
                    allowInsecure: false,
                    corsPolicy: { allowedOrigins: ["https://app.example.com"] },
                },
                secrets: [
                    {
                        name: "jwt-secret",
                        keyVaultUrl: "https://estate-kv.vault.azure.net/secrets/jwt-secret",
                        identity: "/subscriptions/x/identity",
                    },
                ],
            },
            template: {
                scale: { minReplicas: 2, maxReplicas: 6 },
                containers: [
                    {
                        name: "api",
                        image: `estate.azurecr.io/api:${SHA}`,
                        env: [
                            { name: "ENVIRONMENT", value: "prod" },
                            { name: "JWT_SECRET", secretRef: "jwt-secret" },
                            { name: "RATE_LIMIT_PER_MINUTE", value: "120" },
                        ],
                        probes: [
                            probe("Liveness", "/healthz"),
                            probe("Readiness", "/readyz"),
                            probe("Startup", "/healthz"),
                        ],
                        resources: { cpu: 0.5, memory: "1Gi" },
                    },
                ],
            },
        },
        { dependencies: [urnOf("azure-native:app:Job", "api-migrate")] },
    );
}

/**
 * Another kind that can express the same thing: on Azure the program declares Azure Cache for Redis
 * (`redis:Redis`), but Redis run as a Container App must meet the same data-store policies.
 */
export function acaRedis(): CapturedResource {
    const probe = (type: string) => ({ type, tcpSocket: { port: 6379 } });
    return res("azure-native:app:ContainerApp", "redis", {
        resourceGroupName: "estate",
        tags: { "estate-component": "cache" },
        configuration: {
            ingress: { external: false, targetPort: 6379, transport: "tcp" },
            secrets: [
                {
                    name: "redis-password",
                    keyVaultUrl: "https://estate-kv.vault.azure.net/secrets/redis-password",
                    identity: "/subscriptions/x/identity",
                },
            ],
        },
        template: {
            containers: [
                {
                    name: "redis",
                    image: `docker.io/library/redis@${DIGEST}`,
                    command: ["sh", "-c", 'exec redis-server --requirepass "$REDIS_PASSWORD"'],
                    env: [{ name: "REDIS_PASSWORD", secretRef: "redis-password" }],
                    probes: [probe("Liveness"), probe("Readiness"), probe("Startup")],
                    resources: { cpu: 0.25, memory: "0.5Gi" },
                },
            ],
        },
    });
}

/** Flexible Server: private, 14-day PITR, geo-redundant backup, zone-redundant standby. */
export function flexibleServer(): CapturedResource {
    return kept(
        res("azure-native:dbforpostgresql:Server", "db", {
            resourceGroupName: "estate",
            serverName: "db",
            version: "16",
            sku: { name: "Standard_D2ds_v5", tier: "GeneralPurpose" },
            storage: { storageSizeGB: 32 },
            network: {
                publicNetworkAccess: "Disabled",
                delegatedSubnetResourceId: "/subscriptions/x/subnets/postgres",
            },
            backup: { backupRetentionDays: 14, geoRedundantBackup: "Enabled" },
            highAvailability: { mode: "ZoneRedundant" },
        }),
    );
}

export function azureEstate(): CapturedResource[] {
    return [
        acaMigrationJob(),
        acaApi(),
        acaScheduledJob("pg-backup", "backup", "15 2 * * *", [{ name: "BACKUP_AGE_RECIPIENT", value: AGE_RECIPIENT }]),
        acaScheduledJob("pg-restore-drill", "restore-drill", "30 4 1 * *", [
            { name: "BACKUP_AGE_IDENTITY_FILE", value: "/var/run/secrets/estate-age/identity.txt" },
        ]),
        ...azureBackupStorage(),
        acaRedis(),
        flexibleServer(),
        kept(
            res("azure-native:redis:Redis", "cache", {
                resourceGroupName: "estate",
                publicNetworkAccess: "Disabled",
                enableNonSslPort: false,
                minimumTlsVersion: "1.2",
                sku: { name: "Standard", family: "C", capacity: 1 },
            }),
        ),
        kept(
            res("gcp:secretmanager/secret:Secret", "jwt-secret", { secretId: "jwt-secret", replication: { auto: {} } }),
        ),
        ...acaAlertRules(),
        onCallActionGroup(),
    ];
}
