// A small estate that satisfies every policy, built from the same resource shapes the program
// declares. Each test copies it and changes one field.
import type { CapturedResource, ProgramCapture } from "../../tools/lib/analyzer";
import { SECRET_SIG, SECRET_VALUE } from "../../tools/lib/analyzer";

export const SHA = "3f2c9e1a7b4d";
export const DIGEST = `sha256:${"a".repeat(64)}`;

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:prod::estate::${type}::${name}`;
}

export function res(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<CapturedResource> = {}): CapturedResource {
    return {
        urn: urnOf(type, name),
        type,
        name,
        custom: true,
        dependencies: [],
        propertyDependencies: {},
        options: { protect: false, retainOnDelete: false, ignoreChanges: [], deleteBeforeReplace: false, additionalSecretOutputs: [], aliases: [] },
        inputs,
        ...extra,
    };
}

/** The resource with `protect` (and `retainOnDelete`), as the program declares stateful resources in prod. */
export function kept(r: CapturedResource): CapturedResource {
    r.options = { ...r.options, protect: true, retainOnDelete: true };
    return r;
}

export function secret<T>(value: T): Record<string, unknown> {
    return { [SECRET_SIG]: SECRET_VALUE, value };
}

const restricted = {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};
const resources = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } };

export function apiContainer(): Record<string, any> {
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

function podTemplate(name: string, component: string, containers: Record<string, any>[]): Record<string, any> {
    return {
        metadata: { labels: { "app.kubernetes.io/name": name, "app.kubernetes.io/component": component } },
        spec: { automountServiceAccountToken: false, serviceAccountName: name, containers },
    };
}

export function apiDeployment(): CapturedResource {
    return res("kubernetes:apps/v1:Deployment", "api", {
        metadata: { name: "api", namespace: "estate" },
        spec: { selector: { matchLabels: { "app.kubernetes.io/name": "api" } }, template: podTemplate("api", "api", [apiContainer()]) },
    });
}

export function postgresStatefulSet(): CapturedResource {
    const probe = { exec: { command: ["pg_isready", "-U", "postgres"] } };
    return kept(res("kubernetes:apps/v1:StatefulSet", "postgres", {
        metadata: { name: "postgres", namespace: "estate" },
        spec: {
            serviceName: "postgres",
            selector: { matchLabels: { "app.kubernetes.io/name": "postgres" } },
            template: podTemplate("postgres", "database", [
                {
                    name: "postgres",
                    image: `docker.io/library/postgres@${DIGEST}`,
                    env: [{ name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: "postgres", key: "password" } } }],
                    livenessProbe: probe,
                    readinessProbe: probe,
                    startupProbe: probe,
                    securityContext: structuredClone(restricted),
                    resources: structuredClone(resources),
                },
            ]),
        },
    }));
}

export function backupCronJob(): CapturedResource {
    return res("kubernetes:batch/v1:CronJob", "pg-backup", {
        metadata: { name: "pg-backup", namespace: "estate" },
        spec: {
            schedule: "0 2 * * *",
            jobTemplate: {
                spec: {
                    template: podTemplate("pg-backup", "backup", [
                        {
                            name: "backup",
                            image: `registry.example.com/estate/backup:sha-${SHA}`,
                            env: [
                                { name: "ENVIRONMENT", value: "prod" },
                                { name: "POSTGRES_DSN_PROD", valueFrom: { secretKeyRef: { name: "backup", key: "dsn" } } },
                            ],
                            securityContext: structuredClone(restricted),
                            resources: structuredClone(resources),
                        },
                    ]),
                },
            },
        },
    });
}

export function netpol(name: string, spec: Record<string, any>, annotations?: Record<string, string>): CapturedResource {
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
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports: [{ port: 8000 }] }],
    });
}

/** A data store's NetworkPolicy admitting only the api on its port, as the program declares them. */
export function storeNetpol(name: string, port: number): CapturedResource {
    return netpol(
        name,
        {
            podSelector: { matchLabels: { "app.kubernetes.io/name": name } },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "api" } } }], ports: [{ port, protocol: "TCP" }] }],
        },
        { "estate.io/allowed-clients": "api" },
    );
}

function storeContainer(name: string, image: string, port: number, extra: Record<string, unknown>): Record<string, any> {
    const probe = { tcpSocket: { port } };
    return {
        name,
        image,
        ports: [{ containerPort: port }],
        livenessProbe: probe,
        readinessProbe: probe,
        startupProbe: probe,
        securityContext: structuredClone(restricted),
        resources: structuredClone(resources),
        ...extra,
    };
}

/** CloudNativePG: two instances, WAL and base backups to GCS with a 14-day window. */
export function cnpgCluster(): CapturedResource {
    return kept(
        res("kubernetes:postgresql.cnpg.io/v1:Cluster", "postgres", {
            apiVersion: "postgresql.cnpg.io/v1",
            kind: "Cluster",
            metadata: { name: "postgres", namespace: "estate", labels: { "app.kubernetes.io/component": "database" } },
            spec: {
                instances: 2,
                imageName: `ghcr.io/cloudnative-pg/postgresql@${DIGEST}`,
                storage: { size: "32Gi" },
                bootstrap: { initdb: { database: "estate", owner: "estate", secret: { name: "postgres-app" } } },
                postgresql: { parameters: { max_connections: "200" }, pg_hba: ["hostnossl all all all reject"] },
                backup: {
                    barmanObjectStore: { destinationPath: "gs://acme-estate-prod-pg/postgres", googleCredentials: { gkeEnvironment: true } },
                    retentionPolicy: "14d",
                },
            },
        }),
    );
}

export function cnpgScheduledBackup(): CapturedResource {
    return res("kubernetes:postgresql.cnpg.io/v1:ScheduledBackup", "postgres-daily", {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "ScheduledBackup",
        metadata: { name: "postgres-daily", namespace: "estate" },
        spec: { schedule: "0 15 2 * * *", backupOwnerReference: "self", cluster: { name: "postgres" } },
    });
}

export function redisStatefulSet(): CapturedResource {
    const redis = storeContainer("redis", `docker.io/library/redis@${DIGEST}`, 6379, {
        args: ["--requirepass", "$(REDIS_PASSWORD)", "--appendonly", "yes"],
        env: [{ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis", key: "redis-password" } } }],
    });
    return kept(
        res("kubernetes:apps/v1:StatefulSet", "redis", {
            metadata: { name: "redis", namespace: "estate" },
            spec: { serviceName: "redis", selector: { matchLabels: { "app.kubernetes.io/name": "redis" } }, template: podTemplate("redis", "cache", [redis]) },
        }),
    );
}

export function neo4jRelease(): CapturedResource {
    return kept(
        res("kubernetes:helm.sh/v3:Release", "neo4j", {
            name: "neo4j",
            chart: "neo4j",
            version: "5.26.0",
            namespace: "estate",
            repositoryOpts: { repo: "https://helm.neo4j.com/neo4j" },
            values: {
                neo4j: { name: "neo4j", edition: "community", passwordFromSecret: "neo4j-auth" },
                volumes: { data: { mode: "defaultStorageClass", defaultStorageClass: { requests: { storage: "20Gi" } } } },
            },
        }),
    );
}

export function ollamaDeployment(): CapturedResource {
    const ollama = storeContainer("ollama", `docker.io/ollama/ollama@${DIGEST}`, 11434, {
        volumeMounts: [{ name: "models", mountPath: "/models" }],
        env: [{ name: "OLLAMA_MODELS", value: "/models" }],
    });
    const template = podTemplate("ollama", "ai-runtime", [ollama]);
    template.spec.volumes = [{ name: "models", persistentVolumeClaim: { claimName: "ollama-models" } }];
    return res("kubernetes:apps/v1:Deployment", "ollama", {
        metadata: { name: "ollama", namespace: "estate" },
        spec: { selector: { matchLabels: { "app.kubernetes.io/name": "ollama" } }, template },
    });
}

/** The data stores as the Kubernetes platform declares them. */
export function k8sDataStores(): CapturedResource[] {
    return [
        cnpgCluster(),
        cnpgScheduledBackup(),
        redisStatefulSet(),
        storeNetpol("redis", 6379),
        neo4jRelease(),
        ollamaDeployment(),
        storeNetpol("ollama", 11434),
        kept(
            res("kubernetes:core/v1:PersistentVolumeClaim", "ollama-models", {
                metadata: { name: "ollama-models", namespace: "estate" },
                spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "50Gi" } } },
            }),
        ),
        kept(res("gcp:storage/bucket:Bucket", "pg-backups", { name: "acme-estate-prod-pg", location: "EU", uniformBucketLevelAccess: true })),
    ];
}

export function k8sEstate(): CapturedResource[] {
    return [
        apiDeployment(),
        postgresStatefulSet(),
        backupCronJob(),
        defaultDeny(),
        postgresNetpol(),
        apiNetpol(),
        res("kubernetes:core/v1:Service", "postgres", {
            metadata: { name: "postgres", namespace: "estate", labels: { "app.kubernetes.io/component": "database" } },
            spec: { type: "ClusterIP", selector: { "app.kubernetes.io/name": "postgres", "app.kubernetes.io/component": "database" }, ports: [{ port: 5432 }] },
        }),
        res("kubernetes:core/v1:ServiceAccount", "api", { metadata: { name: "api", namespace: "estate" }, automountServiceAccountToken: false }),
        res("kubernetes:core/v1:Secret", "api-secrets", {
            metadata: { name: "api-secrets", namespace: "estate" },
            stringData: secret({ "jwt-secret": "s3cr3t-jwt-value-never-printed" }),
        }),
        res("kubernetes:networking.k8s.io/v1:Ingress", "api", {
            metadata: { name: "api", namespace: "estate" },
            spec: {
                tls: [{ hosts: ["api.example.com"], secretName: "api-tls" }],
                rules: [{ host: "api.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] } }],
            },
        }),
        res("kubernetes:helm.sh/v3:Release", "monitoring", {
            chart: "kube-prometheus-stack",
            values: { grafana: { image: { repository: "grafana/grafana", tag: SHA } } },
        }),
        ...k8sDataStores(),
    ];
}

export function acaApi(): CapturedResource {
    const probe = (type: string, path: string) => ({ type, httpGet: { path, port: 8000 } });
    return res("azure-native:app:ContainerApp", "api", {
        resourceGroupName: "estate",
        tags: { "estate-component": "api" },
        configuration: {
            ingress: { external: true, targetPort: 8000, allowInsecure: false, corsPolicy: { allowedOrigins: ["https://app.example.com"] } },
            secrets: [{ name: "jwt-secret", keyVaultUrl: "https://estate-kv.vault.azure.net/secrets/jwt-secret", identity: "/subscriptions/x/identity" }],
        },
        template: {
            containers: [
                {
                    name: "api",
                    image: `estate.azurecr.io/api:${SHA}`,
                    env: [
                        { name: "ENVIRONMENT", value: "prod" },
                        { name: "JWT_SECRET", secretRef: "jwt-secret" },
                        { name: "RATE_LIMIT_PER_MINUTE", value: "120" },
                    ],
                    probes: [probe("Liveness", "/healthz"), probe("Readiness", "/readyz"), probe("Startup", "/healthz")],
                    resources: { cpu: 0.5, memory: "1Gi" },
                },
            ],
        },
    });
}

export function acaRedis(): CapturedResource {
    const probe = (type: string) => ({ type, tcpSocket: { port: 6379 } });
    return res("azure-native:app:ContainerApp", "redis", {
        resourceGroupName: "estate",
        tags: { "estate-component": "cache" },
        configuration: {
            ingress: { external: false, targetPort: 6379, transport: "tcp" },
            secrets: [{ name: "redis-password", keyVaultUrl: "https://estate-kv.vault.azure.net/secrets/redis-password", identity: "/subscriptions/x/identity" }],
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
            network: { publicNetworkAccess: "Disabled", delegatedSubnetResourceId: "/subscriptions/x/subnets/postgres" },
            backup: { backupRetentionDays: 14, geoRedundantBackup: "Enabled" },
            highAvailability: { mode: "ZoneRedundant" },
        }),
    );
}

export function serverSetting(name: string, value: string): CapturedResource {
    const type = "azure-native:dbforpostgresql:Configuration";
    return res(
        type,
        `db-${name}`,
        { resourceGroupName: "estate", serverName: "db", configurationName: name, value, source: "user-override" },
        { propertyDependencies: { serverName: [urnOf("azure-native:dbforpostgresql:Server", "db")] } },
    );
}

export function azureEstate(): CapturedResource[] {
    return [
        acaApi(),
        acaRedis(),
        flexibleServer(),
        serverSetting("require_secure_transport", "on"),
        serverSetting("ssl_min_protocol_version", "TLSv1.2"),
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
            res("azure-native:storage:StorageAccount", "neo4jdata", {
                resourceGroupName: "estate",
                kind: "StorageV2",
                sku: { name: "Standard_ZRS" },
                enableHttpsTrafficOnly: true,
                minimumTlsVersion: "TLS1_2",
                allowBlobPublicAccess: false,
            }),
        ),
        kept(res("azure-native:storage:FileShare", "neo4j-data", { resourceGroupName: "estate", accountName: "neo4jdata", shareQuota: 20 })),
        kept(res("gcp:secretmanager/secret:Secret", "jwt-secret", { secretId: "jwt-secret", replication: { auto: {} } })),
    ];
}

export function capture(resources: CapturedResource[], stack = "prod"): ProgramCapture {
    return { project: "estate", stack, config: { "estate:environment": stack }, resources, outputs: { apiUrl: "https://api.example.com" } };
}
