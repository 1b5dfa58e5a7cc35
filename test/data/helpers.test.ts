import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ollamaModels, ollamaPullScript, ollamaServerEnv } from "../../components/ai/ollama";
import { ollamaGpuSettings } from "../../components/ai/kubernetes/ollama";
import { clientPeers } from "../../components/data/kubernetes/network";
import { cnpgClusterSpec, cnpgNetworkRules } from "../../components/data/kubernetes/cnpg";
import { redisMaxmemory, redisServerArgs } from "../../components/data/kubernetes/redis";
import { neo4jAuth, neo4jUri } from "../../components/data/neo4j";
import { postgresInstances, postgresPoolEnv, postgresUrl } from "../../components/data/postgres";
import { cacheTtlEnv, redisUrl } from "../../components/data/redis";
import { clientsOf } from "../../stacks/data";
import { secretEnvOf } from "../../stacks/secrets";
import { serviceBlueprints, serviceNames } from "../../stacks/services";

describe("data store helpers", () => {
    it("builds a TLS-required PostgreSQL URL whose credentials survive any generated value", () => {
        assert.equal(
            postgresUrl({
                host: "postgres-rw.estate.svc.cluster.local",
                port: 5432,
                database: "estate",
                user: "estate",
                password: "p@ss/w:rd?",
            }),
            "postgresql://estate:p%40ss%2Fw%3Ard%3F@postgres-rw.estate.svc.cluster.local:5432/estate?sslmode=require",
        );
        fc.assert(
            fc.property(fc.string({ minLength: 1 }), (password) => {
                const url = new URL(
                    postgresUrl({ host: "db", port: 5432, database: "estate", user: "estate", password }),
                );
                return decodeURIComponent(url.password) === password && url.searchParams.get("sslmode") === "require";
            }),
        );
    });

    it("builds redis and rediss URLs and the Neo4j driver URI", () => {
        assert.equal(
            redisUrl({ host: "redis.estate.svc.cluster.local", port: 6379, password: "a/b", tls: false }),
            "redis://:a%2Fb@redis.estate.svc.cluster.local:6379/0",
        );
        assert.equal(
            redisUrl({ host: "cache.redis.cache.windows.net", port: 6380, password: "k", tls: true }),
            "rediss://:k@cache.redis.cache.windows.net:6380/0",
        );
        assert.equal(
            neo4jUri("neo4j.estate.svc.cluster.local", 7687, false),
            "neo4j://neo4j.estate.svc.cluster.local:7687",
        );
        assert.equal(neo4jUri("neo4j.internal", 7687, true), "neo4j+s://neo4j.internal:7687");
        assert.equal(neo4jAuth("secret"), "neo4j/secret");
    });

    it("turns pools and cache TTLs into the runbooks' plain env", () => {
        assert.deepEqual(postgresPoolEnv({ writeSize: 10, readSize: 20, maxLifetimeMs: 1800000 }), {
            PG_WRITE_POOL_SIZE: "10",
            PG_READ_POOL_SIZE: "20",
            PG_MAX_LIFETIME_MS: "1800000",
        });
        assert.deepEqual(
            cacheTtlEnv({ short: 60, medium: 300, long: 3600, daily: 86400, session: 1800, default: 300 }),
            {
                CACHE_TTL_SHORT: "60",
                CACHE_TTL_MEDIUM: "300",
                CACHE_TTL_LONG: "3600",
                CACHE_TTL_DAILY: "86400",
                CACHE_TTL_SESSION: "1800",
                CACHE_TTL_DEFAULT: "300",
            },
        );
    });

    it("counts a primary, a synchronous standby when HA, and the read replicas", () => {
        assert.deepEqual(
            [
                postgresInstances(false, 0),
                postgresInstances(true, 0),
                postgresInstances(true, 2),
                postgresInstances(false, 1),
            ],
            [1, 2, 4, 2],
        );
    });

    it("refuses a PostgreSQL version without a pinned CloudNativePG image", () => {
        const base = {
            instances: 1,
            databaseName: "estate",
            owner: "estate",
            credentialsSecret: "s",
            storageGb: 1,
            highAvailability: false,
            strictZoneSpread: false,
            objectStore: "o",
            backupServiceAccountEmail: "e",
            labels: {},
        };
        assert.throws(() => cnpgClusterSpec({ ...base, version: "14" }), {
            message: '`version` must be one of 15, 16, 17, got "14"',
        });
    });

    it("spreads CloudNativePG over zones only as a preference unless the cluster has a zone per instance", () => {
        const spec = (strictZoneSpread: boolean) =>
            cnpgClusterSpec({
                instances: 3,
                version: "16",
                databaseName: "estate",
                owner: "estate",
                credentialsSecret: "s",
                storageGb: 1,
                highAvailability: true,
                strictZoneSpread,
                objectStore: "o",
                backupServiceAccountEmail: "e",
                labels: {},
            }) as { affinity: { podAntiAffinityType: string }; postgresql: { synchronous: unknown } };
        const loose = spec(false);
        assert.equal(loose.affinity.podAntiAffinityType, "preferred");
        assert.deepEqual(loose.postgresql.synchronous, { method: "any", number: 1, dataDurability: "preferred" });
        const strict = spec(true);
        assert.equal(strict.affinity.podAntiAffinityType, "required");
        assert.deepEqual(strict.postgresql.synchronous, { method: "any", number: 1, dataDurability: "required" });
    });

    it("lets a CloudNativePG cluster's pods reach each other, the operator and Prometheus reach them, and the API server only at its CIDR", () => {
        const podSelector = { "cnpg.io/cluster": "postgres" };
        const rules = (controlPlaneCidr?: string) =>
            cnpgNetworkRules({ podSelector, monitoringNamespace: "observability", controlPlaneCidr });
        const { extraIngress, egress } = rules("172.16.0.0/28");
        assert.deepEqual(
            extraIngress.map((rule) => [rule.from, (rule.ports as { port: number }[]).map((p) => p.port)]),
            [
                [[{ podSelector: { matchLabels: podSelector } }], [5432, 8000]],
                [
                    [
                        {
                            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "cnpg-system" } },
                            podSelector: { matchLabels: { "app.kubernetes.io/name": "cloudnative-pg" } },
                        },
                    ],
                    [8000],
                ],
                [
                    [
                        {
                            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } },
                            podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
                        },
                    ],
                    [9187],
                ],
            ],
        );
        assert.deepEqual(egress[1], {
            to: [{ podSelector: { matchLabels: podSelector } }],
            ports: [
                { protocol: "TCP", port: 5432 },
                { protocol: "TCP", port: 8000 },
            ],
        });
        const apiServer = (cidr?: string) => JSON.stringify(rules(cidr).egress[3]);
        assert.match(apiServer("172.16.0.0/28"), /"cidr":"172\.16\.0\.0\/28"/);
        // A public API server is reached like any public HTTPS address.
        assert.match(apiServer(undefined), /"cidr":"0\.0\.0\.0\/0"/);
    });
    it("pulls each model once, chat first, and fails the job when a pull fails", () => {
        assert.deepEqual(ollamaModels({ chatModel: "llama3.1:8b", embeddingModel: "nomic-embed-text" }), [
            "llama3.1:8b",
            "nomic-embed-text",
        ]);
        assert.deepEqual(ollamaModels({ chatModel: "same", embeddingModel: "same" }), ["same"]);
        assert.equal(
            ollamaPullScript("http://ollama:11434", ["llama3.1:8b", "it's"]),
            [
                "set -eu",
                "export OLLAMA_HOST='http://ollama:11434'",
                "for i in $(seq 1 60); do ollama list >/dev/null 2>&1 && break; sleep 5; done",
                "ollama pull 'llama3.1:8b'",
                "ollama pull 'it'\\''s'",
                "ollama list",
            ].join("\n"),
        );
        assert.deepEqual(ollamaServerEnv(), {
            OLLAMA_HOST: "0.0.0.0:11434",
            OLLAMA_MODELS: "/models",
            OLLAMA_KEEP_ALIVE: "24h",
        });
        assert.deepEqual(ollamaGpuSettings(true), {
            limits: { "nvidia.com/gpu": "1" },
            tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
        });
        assert.deepEqual(ollamaGpuSettings(false), { limits: {}, tolerations: [] });
    });

    it("keeps the Redis password out of the spec and persists only when asked", () => {
        assert.deepEqual(redisServerArgs(true, "1Gi"), [
            "--port",
            "6379",
            "--requirepass",
            "$(REDIS_PASSWORD)",
            "--dir",
            "/data",
            "--maxmemory",
            "614mb",
            "--maxmemory-policy",
            "volatile-lru",
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
        ]);
        assert.deepEqual(redisServerArgs(false, "1Gi"), [
            "--port",
            "6379",
            "--requirepass",
            "$(REDIS_PASSWORD)",
            "--dir",
            "/data",
            "--maxmemory",
            "819mb",
            "--maxmemory-policy",
            "volatile-lru",
            "--appendonly",
            "no",
            "--save",
            "",
        ]);
    });

    it("keeps Redis' memory ceiling under the container limit, with room for a fork when persistent", () => {
        assert.equal(redisMaxmemory("512Mi", true), "307mb");
        assert.equal(redisMaxmemory("2Gi", false), "1638mb");
        assert.throws(() => redisMaxmemory("1G", true), {
            message: 'the Redis memory limit must be a quantity in Mi or Gi, got "1G"',
        });
    });

    it("admits nobody when a store has no clients, rather than everybody", () => {
        assert.deepEqual(clientPeers([], []), []);
        assert.deepEqual(clientPeers(["api"], ["ollama-model-pull"]), [
            { podSelector: { matchLabels: { "app.kubernetes.io/name": "api" } } },
            {
                podSelector: {
                    matchLabels: { "app.kubernetes.io/name": "ollama-model-pull", "estate.io/tier": "job" },
                },
            },
        ]);
    });

    it("derives each store's clients from the topology and only from enabled services", () => {
        const all = { services: serviceNames.map((name) => ({ name })) } as unknown as Parameters<typeof clientsOf>[1];
        assert.deepEqual(clientsOf("postgres", all), ["api", "worker"]);
        assert.deepEqual(clientsOf("redis", all), ["api", "gateway", "worker"]);
        assert.deepEqual(clientsOf("neo4j", all), ["api"]);
        assert.deepEqual(clientsOf("ollama", all), ["api", "worker"]);
        const apiOnly = { services: [{ name: "api" }] } as unknown as Parameters<typeof clientsOf>[1];
        assert.deepEqual(clientsOf("redis", apiOnly), ["api"]);
        for (const name of serviceNames) {
            // Every service that needs a store reads its connection settings as secrets.
            const env = secretEnvOf(name, true);
            if (serviceBlueprints[name].needs.includes("postgres"))
                assert.equal(env["DATABASE_URL"], "database-url", name);
            if (serviceBlueprints[name].needs.includes("redis")) assert.equal(env["REDIS_URL"], "redis-url", name);
        }
        assert.equal(secretEnvOf("api", true)["POSTGRES_DSN_PROD"], "database-url");
        assert.equal(secretEnvOf("api", false)["POSTGRES_DSN_PROD"], undefined);
    });
});
