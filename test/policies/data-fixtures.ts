// The data stores as the program declares them on each platform, compliant with every policy.
import type { CapturedResource } from "../../tools/lib/analyzer";
import type { ContainerInputs } from "../support/inputs";
import {
    AGE_RECIPIENT,
    DIGEST,
    kept,
    netpol,
    podTemplate,
    res,
    resources,
    restricted,
    scheduledJob,
    urnOf,
} from "./fixtures";

/** A data store's NetworkPolicy admitting only the api on its port, as the program declares them. */
export function storeNetpol(name: string, port: number): CapturedResource {
    return netpol(
        name,
        {
            podSelector: { matchLabels: { "app.kubernetes.io/name": name } },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "api" } } }],
                    ports: [{ port, protocol: "TCP" }],
                },
            ],
        },
        { "estate.io/allowed-clients": "api" },
    );
}

function storeContainer(name: string, image: string, port: number, extra: Partial<ContainerInputs>): ContainerInputs {
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
                    barmanObjectStore: {
                        destinationPath: "gs://acme-estate-prod-pg/postgres",
                        googleCredentials: { gkeEnvironment: true },
                    },
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
            spec: {
                serviceName: "redis",
                selector: { matchLabels: { "app.kubernetes.io/name": "redis" } },
                template: podTemplate("redis", "cache", [redis]),
            },
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
                volumes: {
                    data: { mode: "defaultStorageClass", defaultStorageClass: { requests: { storage: "20Gi" } } },
                },
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
        scheduledJob(
            "redis-backup",
            "backup",
            "0 3 * * *",
            [
                { name: "REDIS_URL", valueFrom: { secretKeyRef: { name: "backup", key: "redis-url" } } },
                { name: "BACKUP_AGE_RECIPIENT", value: AGE_RECIPIENT },
            ],
            "redis",
        ),
        neo4jRelease(),
        scheduledJob(
            "neo4j-backup",
            "backup",
            "0 4 * * *",
            [
                { name: "NEO4J_PASSWORD", valueFrom: { secretKeyRef: { name: "backup", key: "neo4j-password" } } },
                { name: "BACKUP_AGE_RECIPIENT", value: AGE_RECIPIENT },
            ],
            "neo4j",
        ),
        ollamaDeployment(),
        storeNetpol("ollama", 11434),
        kept(
            res("kubernetes:core/v1:PersistentVolumeClaim", "ollama-models", {
                metadata: { name: "ollama-models", namespace: "estate" },
                spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "50Gi" } } },
            }),
        ),
        kept(
            res("gcp:storage/bucket:Bucket", "pg-backups", {
                name: "acme-estate-prod-pg",
                location: "EU",
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                versioning: { enabled: true },
            }),
        ),
    ];
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

/** Neo4j on Azure: an internal Container App whose data lives on an Azure Files share. */
export function acaNeo4j(): CapturedResource {
    const probe = (type: string) => ({ type, tcpSocket: { port: 7687 } });
    return res("azure-native:app:ContainerApp", "neo4j", {
        resourceGroupName: "estate",
        tags: { "estate-component": "graph", "estate-name": "neo4j" },
        configuration: {
            ingress: { external: false, targetPort: 7687, transport: "tcp" },
            secrets: [
                {
                    name: "neo4j-auth",
                    keyVaultUrl: "https://estate-kv.vault.azure.net/secrets/neo4j-auth",
                    identity: "/subscriptions/x/identity",
                },
            ],
        },
        template: {
            containers: [
                {
                    name: "neo4j",
                    image: `docker.io/library/neo4j@${DIGEST}`,
                    // As the program does: NEO4J_AUTH built in the container from a Key Vault secret.
                    command: ["/bin/sh", "-c"],
                    args: [
                        'export NEO4J_AUTH="neo4j/$AUTH_PASSWORD"; unset AUTH_PASSWORD; exec /startup/docker-entrypoint.sh neo4j',
                    ],
                    env: [{ name: "AUTH_PASSWORD", secretRef: "neo4j-auth" }],
                    probes: [probe("Liveness"), probe("Readiness"), probe("Startup")],
                    resources: { cpu: 1, memory: "2Gi" },
                    volumeMounts: [{ volumeName: "data", mountPath: "/data" }],
                },
            ],
            volumes: [{ name: "data", storageType: "AzureFile", storageName: "neo4j-data" }],
        },
    });
}

/** The Azure data stores beyond the server and cache of azureEstate(): TLS settings, Neo4j and its share. */
/** The Redis cache's private endpoint, linked as the program links it: by a dependency on the cache. */
export function cacheEndpoint(): CapturedResource {
    return res(
        "azure-native:network:PrivateEndpoint",
        "cache-endpoint",
        {
            resourceGroupName: "estate",
            privateLinkServiceConnections: [
                { name: "cache", groupIds: ["redisCache"], privateLinkServiceId: "cache-id" },
            ],
            subnet: { id: "endpoints-subnet-id" },
        },
        { propertyDependencies: { privateLinkServiceConnections: [urnOf("azure-native:redis:Redis", "cache")] } },
    );
}

export function azureDataStores(): CapturedResource[] {
    return [
        serverSetting("require_secure_transport", "on"),
        serverSetting("ssl_min_protocol_version", "TLSv1.2"),
        cacheEndpoint(),
        acaNeo4j(),
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
        kept(
            res("azure-native:storage:FileShare", "neo4j-data", {
                resourceGroupName: "estate",
                accountName: "neo4jdata",
                shareQuota: 20,
            }),
        ),
    ];
}
