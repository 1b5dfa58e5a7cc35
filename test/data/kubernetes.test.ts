import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { OLLAMA_IMAGE } from "../../components/ai/ollama";
import { NEO4J_IMAGE } from "../../components/data/neo4j";
import { maskSecrets, type CapturedResource, type ProgramCapture } from "../../tools/lib/mock-run";
import { kubernetesManifest } from "../../tools/lib/plan-artefacts";
import { validateKubernetesObject } from "../support/kubernetes-schema";
import { inputsOf, outputsOf, plan, resource, syncedSecret } from "../support/program";

const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const dataLabels = (name: string, component: string) => ({
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/part-of": "estate",
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/component": component,
    "estate.io/tier": "data",
});
const byName = (name: string) => ({ podSelector: { matchLabels: { "app.kubernetes.io/name": name } } });
const restrictedContainer = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};
const restrictedPod = {
    runAsNonRoot: true,
    runAsUser: 10001,
    runAsGroup: 10001,
    fsGroup: 10001,
    seccompProfile: { type: "RuntimeDefault" },
};

for (const stack of ["staging", "prod"] as const) {
    const prod = stack === "prod";
    describe(`data stores on kubernetes (${stack})`, () => {
        let capture: ProgramCapture;
        let find: (type: string, name: string) => CapturedResource;
        before(async () => {
            capture = await plan(stack, { platform: "kubernetes" });
            find = (type, name) => resource(capture, type, name);
        });

        it("runs PostgreSQL on CloudNativePG: instances, storage, TLS only, no superuser, monitoring, PITR to the bucket", () => {
            const cluster = inputsOf(find("kubernetes:postgresql.cnpg.io/v1:Cluster", "postgres-cluster"));
            assert.deepEqual(cluster.metadata, {
                name: "postgres",
                namespace: "estate",
                labels: dataLabels("postgres", "database"),
                annotations: { "pulumi.com/waitFor": "condition=Ready" },
            });
            assert.deepEqual(cluster.spec, {
                // prod: a primary, a synchronous standby and one read replica; staging: one instance.
                instances: prod ? 3 : 1,
                // A current Debian trixie "standard" operand image, by digest.
                imageName:
                    "ghcr.io/cloudnative-pg/postgresql:16.15-202608170814-standard-trixie@sha256:3df9103d7f89c8abc2870463d4d446944c81b5f1f4b707c590895dc003ecbb65",
                primaryUpdateStrategy: "unsupervised",
                enableSuperuserAccess: false,
                postgresql: {
                    pg_hba: ["hostnossl all all all reject"],
                    // No ssl_min_protocol_version: CloudNativePG's own minimum is TLSv1.3.
                    parameters: { log_connections: "on", log_disconnections: "on" },
                    // Writes keep flowing when no synchronous standby can run (fewer zones than instances).
                    ...(prod ? { synchronous: { method: "any", number: 1, dataDurability: "preferred" } } : {}),
                },
                bootstrap: {
                    initdb: {
                        database: "estate",
                        owner: "estate",
                        secret: { name: "postgres-app-credentials" },
                        postInitSQL: ['ALTER ROLE "estate" CREATEDB'],
                    },
                },
                storage: { size: "32Gi" },
                resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } },
                affinity: {
                    enablePodAntiAffinity: true,
                    topologyKey: "topology.kubernetes.io/zone",
                    podAntiAffinityType: "preferred",
                },
                // Staging's lone primary must not carry a PDB that blocks node drains.
                enablePDB: prod,
                inheritedMetadata: { labels: dataLabels("postgres", "database") },
                serviceAccountTemplate: {
                    metadata: {
                        annotations: {
                            "iam.gke.io/gcp-service-account": `postgres-backup-writer@acme-estate-${stack}.iam.gserviceaccount.com`,
                        },
                    },
                },
                plugins: [
                    {
                        name: "barman-cloud.cloudnative-pg.io",
                        isWALArchiver: true,
                        parameters: { barmanObjectName: "postgres-backups" },
                    },
                ],
            });
            const store = inputsOf(find("kubernetes:barmancloud.cnpg.io/v1:ObjectStore", "postgres-object-store"));
            assert.deepEqual(store.metadata, {
                name: "postgres-backups",
                namespace: "estate",
                labels: dataLabels("postgres", "database"),
            });
            assert.deepEqual(store.spec, {
                retentionPolicy: prod ? "35d" : "7d",
                configuration: {
                    destinationPath: `gs://acme-estate-${stack}-postgres-backups/`,
                    googleCredentials: { gkeEnvironment: true },
                    wal: { compression: "gzip", maxParallel: 2 },
                    data: { compression: "gzip" },
                },
            });
            const credentials = inputsOf(find("kubernetes:core/v1:Secret", "postgres-credentials"));
            assert.equal(credentials.type, "kubernetes.io/basic-auth");
            assert.deepEqual(Object.keys(credentials.stringData).sort(), ["password", "username"]);
            assert.deepEqual(
                inputsOf(find("kubernetes:postgresql.cnpg.io/v1:ScheduledBackup", "postgres-scheduled-backup")).spec,
                {
                    schedule: "0 0 3 * * *",
                    backupOwnerReference: "self",
                    cluster: { name: "postgres" },
                    method: "plugin",
                    pluginConfiguration: { name: "barman-cloud.cloudnative-pg.io" },
                    immediate: true,
                },
            );
        });

        it("installs a pinned operator and archives to a private, versioned bucket only the cluster can write", () => {
            const operator = inputsOf(find("kubernetes:helm.sh/v3:Release", "postgres-operator"));
            assert.deepEqual(
                [
                    operator.chart,
                    operator.version,
                    operator.repositoryOpts,
                    operator.namespace,
                    operator.createNamespace,
                ],
                ["cloudnative-pg", "0.27.0", { repo: "https://cloudnative-pg.github.io/charts" }, "cnpg-system", true],
            );
            // The Barman Cloud plugin runs beside the operator, pinned, installed by the same switch.
            const plugin = find("kubernetes:helm.sh/v3:Release", "postgres-barman-cloud");
            assert.deepEqual(
                [inputsOf(plugin).chart, inputsOf(plugin).version, inputsOf(plugin).namespace],
                ["plugin-barman-cloud", "0.7.0", "cnpg-system"],
            );
            assert.equal(plugin.options.protect, prod);
            assert.deepEqual(inputsOf(find("gcp:storage/bucket:Bucket", "postgres-backups")), {
                project: `acme-estate-${stack}`,
                name: `acme-estate-${stack}-postgres-backups`,
                location: "EU",
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                versioning: { enabled: true },
                forceDestroy: false,
                lifecycleRules: [
                    {
                        action: { type: "Delete" },
                        condition: { daysSinceNoncurrentTime: prod ? 35 : 7, withState: "ARCHIVED" },
                    },
                ],
                labels: { "part-of": "estate", "managed-by": "pulumi", component: "database" },
            });
            const access = inputsOf(
                find("gcp:storage/bucketIAMMember:BucketIAMMember", "postgres-backup-writer-access"),
            );
            assert.deepEqual(
                [access.role, access.member],
                [
                    "roles/storage.objectAdmin",
                    `serviceAccount:postgres-backup-writer@acme-estate-${stack}.iam.gserviceaccount.com`,
                ],
            );
            const identity = inputsOf(find("gcp:serviceaccount/iAMMember:IAMMember", "postgres-workload-identity"));
            assert.equal(identity.member, `serviceAccount:acme-estate-${stack}.svc.id.goog[estate/postgres]`);
        });

        it("runs Redis restricted, with the password from a Secret and AOF on a retained volume", () => {
            const sts = inputsOf(find("kubernetes:apps/v1:StatefulSet", "redis-statefulset"));
            assert.equal(sts.spec.replicas, 1);
            assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, {
                whenDeleted: "Retain",
                whenScaled: "Retain",
            });
            assert.deepEqual(sts.spec.volumeClaimTemplates, [
                {
                    metadata: { name: "data", labels: dataLabels("redis", "cache") },
                    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "8Gi" } } },
                },
            ]);
            const pod = sts.spec.template.spec;
            assert.deepEqual(pod.securityContext, restrictedPod);
            assert.equal(pod.automountServiceAccountToken, false);
            const [redis] = pod.containers;
            assert.equal(
                redis.image,
                "docker.io/library/redis:7.4.11-alpine@sha256:ff02b58f971e7d7d156a1267e283fcbbeee91773b6aa36c49dac28ecfe28eadf",
            );
            assert.equal(redis.resources.limits.memory, "1024Mi");
            assert.deepEqual(redis.args, [
                "--port",
                "6379",
                "--requirepass",
                "$(REDIS_PASSWORD)",
                "--dir",
                "/data",
                // Under the 1Gi limit with room for the AOF rewrite's fork; only expiring (cache) keys are evicted.
                "--maxmemory",
                "614mb",
                "--maxmemory-policy",
                "volatile-lru",
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
            ]);
            assert.deepEqual(redis.env, [
                { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-auth", key: "password" } } },
                { name: "REDISCLI_AUTH", valueFrom: { secretKeyRef: { name: "redis-auth", key: "password" } } },
            ]);
            assert.deepEqual(redis.securityContext, restrictedContainer);
            assert.equal(inputsOf(find("kubernetes:core/v1:Service", "redis-service")).spec.type, "ClusterIP");
        });

        it("runs Neo4j from the pinned official chart with auth from a Secret, persistence, a PDB and no LoadBalancer", () => {
            const release = inputsOf(find("kubernetes:helm.sh/v3:Release", "neo4j-release"));
            assert.deepEqual(
                [release.chart, release.version, release.repositoryOpts, release.name],
                ["neo4j", "5.26.28", { repo: "https://helm.neo4j.com/neo4j" }, "neo4j"],
            );
            // The chart runs the very image (and digest) the other platforms run.
            assert.deepEqual(release.values.image, { customImage: NEO4J_IMAGE });
            assert.ok(NEO4J_IMAGE.startsWith(`docker.io/library/neo4j:${release.version}-community@sha256:`));
            assert.equal(release.values.neo4j.passwordFromSecret, "neo4j-auth");
            assert.deepEqual(release.values.neo4j.labels, dataLabels("neo4j", "graph"));
            assert.deepEqual(release.values.volumes.data, {
                mode: "defaultStorageClass",
                defaultStorageClass: { accessModes: ["ReadWriteOnce"], requests: { storage: "20Gi" } },
            });
            assert.deepEqual(release.values.services, { neo4j: { enabled: false } });
            // A budget on a single member would forbid every eviction and block node drains.
            assert.deepEqual(release.values.podDisruptionBudget, { enabled: false });
            assert.equal(release.values.config["dbms.security.auth_enabled"], "true");
            assert.equal(release.values.logInitialPassword, false);
            const auth = find("kubernetes:core/v1:Secret", "neo4j-auth");
            assert.match(String(inputsOf(auth).stringData.NEO4J_AUTH), /^neo4j\//);
        });

        it("runs Ollama with a models volume and a job pulling exactly the two configured models before the API starts", () => {
            const deployment = inputsOf(find("kubernetes:apps/v1:Deployment", "ollama-deployment"));
            assert.deepEqual(deployment.spec.strategy, { type: "Recreate" });
            const [ollama] = deployment.spec.template.spec.containers;
            assert.equal(ollama.image, OLLAMA_IMAGE);
            assert.deepEqual(ollama.securityContext, restrictedContainer);
            assert.deepEqual(ollama.resources, {
                requests: { cpu: "1", memory: "4Gi" },
                limits: { cpu: "2", memory: "8Gi" },
            });
            assert.deepEqual(deployment.spec.template.spec.tolerations, []);
            assert.deepEqual(inputsOf(find("kubernetes:core/v1:PersistentVolumeClaim", "ollama-models")).spec, {
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: "50Gi" } },
            });

            const jobResource = find("kubernetes:batch/v1:Job", "ollama-model-pull-job");
            const job = inputsOf(jobResource);
            assert.deepEqual(job.metadata.labels, {
                ...dataLabels("ollama-model-pull", "job"),
                "estate.io/tier": "job",
            });
            const script: string = job.spec.template.spec.containers[0].command[2];
            assert.deepEqual(
                script.split("\n").filter((line) => line.startsWith("ollama pull")),
                ["ollama pull 'llama3.1:8b'", "ollama pull 'nomic-embed-text'"],
            );
            assert.match(script, /^export OLLAMA_HOST='http:\/\/ollama\.estate\.svc\.cluster\.local:11434'$/m);
            assert.deepEqual(job.spec.template.spec.securityContext, restrictedPod);
            for (const service of ["api", "worker"]) {
                const deps = find("kubernetes:apps/v1:Deployment", `${service}-deployment`).dependencies;
                assert.ok(deps.includes(jobResource.urn), `${service} waits for the model pull`);
            }
            assert.ok(
                !find("kubernetes:apps/v1:Deployment", "gateway-deployment").dependencies.includes(jobResource.urn),
            );
            // The schema owner's migration runs only once the database exists.
            const cluster = find("kubernetes:postgresql.cnpg.io/v1:Cluster", "postgres-cluster");
            assert.ok(
                find("kubernetes:batch/v1:Job", "api-migrate-job").dependencies.includes(cluster.urn),
                "migration waits for PostgreSQL",
            );
        });

        it("admits to each store exactly the services that need it, and the jobs that use it", () => {
            const ingressPeers = (name: string) => inputsOf(find(NETPOL, name)).spec.ingress[0];
            const job = (name: string) => ({
                podSelector: { matchLabels: { "app.kubernetes.io/name": name, "estate.io/tier": "job" } },
            });
            assert.deepEqual(ingressPeers("postgres-netpol"), {
                from: [
                    byName("api"),
                    byName("worker"),
                    job("api-migrate"),
                    job("api-bootstrap"),
                    job("pg-backup-estate"),
                    job("pg-restore-drill"),
                ],
                ports: [{ protocol: "TCP", port: 5432 }],
            });
            assert.deepEqual(ingressPeers("redis-netpol"), {
                from: [byName("api"), byName("gateway"), byName("worker"), job("redis-backup")],
                ports: [{ protocol: "TCP", port: 6379 }],
            });
            assert.deepEqual(ingressPeers("neo4j-netpol"), {
                // The password rotation job changes Neo4j's password through bolt.
                from: [byName("api"), job("neo4j-password-rotation"), job("neo4j-backup")],
                ports: [
                    { protocol: "TCP", port: 7687 },
                    { protocol: "TCP", port: 7474 },
                ],
            });
            assert.deepEqual(ingressPeers("ollama-netpol"), {
                from: [byName("api"), byName("worker"), job("ollama-model-pull")],
                ports: [{ protocol: "TCP", port: 11434 }],
            });
            for (const [name, rules] of [
                ["redis-netpol", 1],
                ["neo4j-netpol", 1],
                ["ollama-netpol", 1],
            ] as const) {
                assert.equal(
                    inputsOf(find(NETPOL, name)).spec.ingress.length,
                    rules,
                    `${name} admits nothing beyond its clients`,
                );
            }
            assert.deepEqual(
                ["postgres", "redis", "neo4j", "ollama"].map(
                    (s) => inputsOf(find(NETPOL, `${s}-netpol`)).metadata.annotations["estate.io/allowed-clients"],
                ),
                [
                    "api,worker,api-migrate,api-bootstrap,pg-backup-estate,pg-restore-drill",
                    "api,gateway,worker,redis-backup",
                    "api,neo4j-password-rotation,neo4j-backup",
                    "api,worker,ollama-model-pull",
                ],
            );
        });

        it("hands the stores' settings to services only by secret reference, and never a credential in plaintext", () => {
            const env = (service: string) => {
                const container = inputsOf(find("kubernetes:apps/v1:Deployment", `${service}-deployment`)).spec.template
                    .spec.containers[0];
                return Object.fromEntries(
                    container.env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [
                        e.name,
                        e.value ?? e.valueFrom,
                    ]),
                );
            };
            const ref = (key: string) => ({ secretKeyRef: { name: syncedSecret(capture), key } });
            const api = env("api");
            const dbRefs = {
                DB_HOST: ref("db-host"),
                DB_PORT: ref("db-port"),
                DB_NAME: ref("db-name"),
                DB_USER: ref("db-user"),
                DB_PASSWORD: ref("db-password"),
                DATABASE_URL: ref("database-url"),
                DATABASE_READ_REPLICAS: ref("database-read-url"),
            };
            for (const [name, value] of Object.entries({
                ...dbRefs,
                REDIS_URL: ref("redis-url"),
                NEO4J_URI: ref("neo4j-uri"),
                NEO4J_USER: ref("neo4j-user"),
                NEO4J_PASSWORD: ref("neo4j-password"),
            })) {
                assert.deepEqual(api[name], value, name);
            }
            assert.deepEqual(api.POSTGRES_DSN_PROD, prod ? ref("database-url") : undefined);
            assert.deepEqual(
                [
                    api.PG_WRITE_POOL_SIZE,
                    api.PG_READ_POOL_SIZE,
                    api.PG_MAX_LIFETIME_MS,
                    api.CACHE_TTL_SESSION,
                    api.CACHE_TTL_DEFAULT,
                ],
                ["10", "10", "1800000", "1800", "300"],
            );
            assert.equal(api.OLLAMA_BASE_URL, "http://ollama.estate.svc.cluster.local:11434");
            const worker = env("worker");
            for (const [name, value] of Object.entries({ ...dbRefs, REDIS_URL: ref("redis-url") }))
                assert.deepEqual(worker[name], value, name);
            assert.equal(worker.NEO4J_PASSWORD, undefined);
            const gateway = env("gateway");
            assert.deepEqual(
                [gateway.REDIS_URL, gateway.DATABASE_URL, gateway.PG_WRITE_POOL_SIZE, gateway.CACHE_TTL_SHORT],
                [ref("redis-url"), undefined, undefined, "60"],
            );
            assert.equal(env("ui").REDIS_URL, undefined);

            // Generated passwords exist only inside secret values: masked, no resource input shows one.
            const masked = JSON.stringify(capture.resources.map((r) => maskSecrets(r.inputs)));
            assert.doesNotMatch(masked, /offline-generated-not-a-secret|offline-placeholder-not-a-secret/);
            const raw = JSON.stringify(capture.resources.map((r) => r.inputs));
            assert.match(
                raw,
                /offline-generated-not-a-secret-secrets-db-password/,
                "the scan sees the placeholders where they are secret",
            );
        });

        it(`protects every stateful resource ${prod ? "and keeps it on delete" : "only in prod"}`, () => {
            const stateful: Array<[string, string]> = [
                ["gcp:storage/bucket:Bucket", "postgres-backups"],
                ["kubernetes:postgresql.cnpg.io/v1:Cluster", "postgres-cluster"],
                ["kubernetes:helm.sh/v3:Release", "postgres-operator"],
                ["kubernetes:apps/v1:StatefulSet", "redis-statefulset"],
                ["kubernetes:helm.sh/v3:Release", "neo4j-release"],
                ["kubernetes:core/v1:PersistentVolumeClaim", "ollama-models"],
                ["random:index/randomPassword:RandomPassword", "secrets-db-password"],
            ];
            for (const [type, name] of stateful) {
                const r = find(type, name);
                assert.deepEqual(
                    [r.options.protect, r.options.retainOnDelete || type.startsWith("random:")],
                    [prod, prod || type.startsWith("random:")],
                    name,
                );
            }
        });

        it("declares data-store objects that pass the real Kubernetes schemas", () => {
            const data = capture.resources.filter((r) =>
                /::estate::estate:(data|ai):Kubernetes[A-Za-z0-9]+\$/.test(r.urn),
            );
            const manifests = data.flatMap((r) => {
                const m = kubernetesManifest(r);
                return m ? [m] : [];
            });
            const validated = manifests
                .filter((m) => validateKubernetesObject(m) === "valid")
                .map((m) => `${m["kind"]}/${(m["metadata"] as { name: string }).name}`)
                // One rotation Job per Neo4j password, named after its digest.
                .map((n) => n.replace(/^Job\/neo4j-password-[0-9a-f]{10}$/, "Job/neo4j-password-<version>"));
            assert.deepEqual(validated.sort(), [
                "Deployment/ollama",
                "Job/neo4j-password-<version>",
                "Job/ollama-model-pull",
                "NetworkPolicy/neo4j-netpol",
                "NetworkPolicy/neo4j-password-rotation-netpol",
                "NetworkPolicy/ollama-model-pull-netpol",
                "NetworkPolicy/ollama-netpol",
                "NetworkPolicy/postgres-netpol",
                "NetworkPolicy/redis-netpol",
                "PersistentVolumeClaim/ollama-models",
                "Secret/neo4j-auth",
                "Secret/neo4j-auth-applied",
                "Secret/postgres-app-credentials",
                "Secret/redis-auth",
                "Service/ollama",
                "Service/redis",
                "StatefulSet/redis",
            ]);
            // The CloudNativePG and Barman Cloud kinds have no schema there; their shape is asserted exactly above.
            assert.deepEqual(
                manifests
                    .filter((m) => validateKubernetesObject(m) === undefined)
                    .map((m) => m["kind"])
                    .sort(),
                ["Cluster", "ObjectStore", "PodMonitor", "ScheduledBackup"],
            );
        });

        it("exports where each store answers and the names of its secrets, never values", () => {
            const data = outputsOf(capture).data;
            const secretName = (id: string) => `projects/acme-estate-${stack}/secrets/estate-${stack}-${id}`;
            assert.deepEqual(data.postgres, {
                host: "postgres-rw.estate.svc.cluster.local",
                readHost: prod ? "postgres-ro.estate.svc.cluster.local" : "postgres-rw.estate.svc.cluster.local",
                port: 5432,
                databaseName: "estate",
                public: false,
                secretNames: Object.fromEntries(
                    [
                        "db-host",
                        "db-port",
                        "db-name",
                        "db-user",
                        "db-password",
                        "database-url",
                        "database-read-url",
                    ].map((id) => [id, secretName(id)]),
                ),
            });
            assert.deepEqual(data.redis, {
                host: "redis.estate.svc.cluster.local",
                port: 6379,
                public: false,
                secretNames: { "redis-password": secretName("redis-password"), "redis-url": secretName("redis-url") },
            });
            assert.deepEqual(
                [data.neo4j.host, data.neo4j.port, Object.keys(data.neo4j.secretNames).sort()],
                ["neo4j.estate.svc.cluster.local", 7687, ["neo4j-password", "neo4j-uri", "neo4j-user"]],
            );
            assert.deepEqual(data.ollama, {
                host: "ollama.estate.svc.cluster.local",
                port: 11434,
                public: false,
                models: ["llama3.1:8b", "nomic-embed-text"],
            });
            assert.deepEqual(outputsOf(capture).services.api.readinessCovers, ["postgres", "redis", "neo4j", "ollama"]);
        });
    });
}
