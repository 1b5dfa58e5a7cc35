import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CapturedResource } from "../../tools/lib/analyzer";
import { retentionDays } from "../../policies/stores";
import { aca, acaContainer, api, Case, drop, estate, get, itReportsEachCase, postgres, setEnv } from "./cases";
import { DIGEST, urnOf } from "./fixtures";
import { findings, violations } from "./harness";

const CLUSTER = "postgresql.cnpg.io/v1:Cluster";
const SETTING = "dbforpostgresql:Configuration";
const cluster = (rs: CapturedResource[]) => get(rs, CLUSTER, "postgres");
const cache = (rs: CapturedResource[]) => get(rs, "redis:Redis", "cache");
const storage = (rs: CapturedResource[]) => get(rs, "storage:StorageAccount", "neo4jdata");
const redis = (rs: CapturedResource[]) => get(rs, ":StatefulSet", "redis").spec.template.spec.containers[0];
const acaRedis = (rs: CapturedResource[]) => get(rs, "app:ContainerApp", "redis").template.containers[0];
const acaNeo4j = (rs: CapturedResource[]) => get(rs, "app:ContainerApp", "neo4j").template.containers[0];
const neo4jValues = (rs: CapturedResource[]) => get(rs, "helm.sh/v3:Release", "neo4j").values;

const tls: Case[] = [
    {
        name: "Flexible Server that accepts connections without TLS",
        mutate: (rs) => (get(rs, SETTING, "db-require_secure_transport").value = "off"),
        expect: [
            [
                "data-tls-only",
                'Set value "on" on Configuration "require_secure_transport" (it is "off"): the server must refuse connections without TLS.',
            ],
        ],
    },
    {
        name: "Flexible Server that accepts TLS 1.0",
        mutate: (rs) => (get(rs, SETTING, "db-ssl_min_protocol_version").value = "TLSv1"),
        expect: [["data-tls-only", 'Set value "TLSv1.2" on Configuration "ssl_min_protocol_version" (it is "TLSv1").']],
    },
    {
        name: "Flexible Server that leaves TLS enforcement to Azure's default",
        mutate: (rs) => drop(rs, SETTING, "db-require_secure_transport"),
        expect: [
            [
                "data-tls-only",
                'Flexible Server "db" does not declare require_secure_transport: add a dbforpostgresql.Configuration with configurationName "require_secure_transport", value "on", source "user-override" and this server\'s serverName.',
            ],
        ],
    },
    {
        name: "a TLS setting of another server does not count",
        mutate: (rs) => {
            const setting = rs.find((r) => r.name === "db-ssl_min_protocol_version")!;
            setting.propertyDependencies = {};
            (setting.inputs as Record<string, unknown>).serverName = "other";
        },
        expect: [
            [
                "data-tls-only",
                'Flexible Server "db" does not declare ssl_min_protocol_version: add a dbforpostgresql.Configuration with configurationName "ssl_min_protocol_version", value "TLSv1.2", source "user-override" and this server\'s serverName.',
            ],
        ],
    },
    {
        name: "Redis non-TLS port open",
        mutate: (rs) => (cache(rs).enableNonSslPort = true),
        expect: [["data-tls-only", "Set enableNonSslPort: false on this cache: the non-TLS port carries plaintext."]],
    },
    {
        name: "Redis without a minimum TLS version",
        mutate: (rs) => delete cache(rs).minimumTlsVersion,
        expect: [["data-tls-only", 'Set minimumTlsVersion: "1.2" on this cache (it is unset).']],
    },
    {
        name: "storage account that allows HTTP",
        mutate: (rs) => (storage(rs).enableHttpsTrafficOnly = false),
        expect: [
            ["azure-storage-account-hardened", "Set enableHttpsTrafficOnly: true."],
            ["data-tls-only", "Set enableHttpsTrafficOnly: true on this storage account."],
        ],
    },
    {
        name: "storage account that accepts TLS 1.0",
        mutate: (rs) => (storage(rs).minimumTlsVersion = "TLS1_0"),
        expect: [
            ["azure-storage-account-hardened", "Set minimumTlsVersion: TLS1_2 (it is TLS1_0)."],
            ["data-tls-only", 'Set minimumTlsVersion: "TLS1_2" on this storage account (it is "TLS1_0").'],
        ],
    },
    {
        name: "CloudNativePG with TLS switched off",
        mutate: (rs) => (cluster(rs).spec.postgresql.parameters.ssl = "off"),
        expect: [
            [
                "data-tls-only",
                'Remove spec.postgresql.parameters.ssl "off" from Cluster "postgres": CloudNativePG serves TLS by default.',
            ],
        ],
    },
    {
        name: "CloudNativePG lowering its TLSv1.3 default to TLS 1.2",
        mutate: (rs) => (cluster(rs).spec.postgresql.parameters.ssl_min_protocol_version = "TLSv1.2"),
        expect: [
            [
                "data-tls-only",
                'Remove spec.postgresql.parameters.ssl_min_protocol_version "TLSv1.2" from Cluster "postgres": CloudNativePG\'s default minimum is TLSv1.3.',
            ],
        ],
    },
    {
        name: "CloudNativePG admitting clients without TLS",
        mutate: (rs) => (cluster(rs).spec.postgresql.pg_hba = ["hostnossl  all all all scram-sha-256"]),
        expect: [
            [
                "data-tls-only",
                'Remove pg_hba rule "hostnossl all all all scram-sha-256" from Cluster "postgres" (it admits connections without TLS), or make its method reject.',
            ],
        ],
    },
    {
        name: "client DSN that disables TLS",
        mutate: (rs) =>
            setEnv(api(rs), "DATABASE_URL", {
                value: "postgresql://estate@postgres-rw.estate.svc:5432/estate?sslmode=disable",
            }),
        expect: [
            [
                "credentials-by-reference",
                'Container "api" sets DATABASE_URL without a secret reference: use valueFrom.secretKeyRef pointing at a Kubernetes Secret.',
            ],
            [
                "data-tls-only",
                'Container "api" connects with sslmode=disable in DATABASE_URL: use sslmode=require (or verify-full).',
            ],
        ],
    },
    {
        name: "client that prefers but does not require TLS",
        mutate: (rs) => setEnv(acaContainer(rs), "PGSSLMODE", { value: "prefer" }),
        expect: [["data-tls-only", 'Set PGSSLMODE on container "api" to require or verify-full (it is "prefer").']],
    },
    {
        name: "client that verifies the server certificate",
        mutate: (rs) => setEnv(acaContainer(rs), "PGSSLMODE", { value: "verify-full" }),
        expect: [],
    },
];

const auth: Case[] = [
    {
        name: "Redis without a password",
        mutate: (rs) => {
            delete redis(rs).args;
            delete redis(rs).env;
        },
        expect: [
            [
                "data-auth-required",
                'Container "redis" runs Redis without a password: pass --requirepass "$(REDIS_PASSWORD)" with env REDIS_PASSWORD from a secretKeyRef.',
            ],
        ],
    },
    {
        name: "Redis with a literal password",
        mutate: (rs) => (redis(rs).args = ["--requirepass", "hunter2"]),
        expect: [
            [
                "data-auth-required",
                'Container "redis" passes --requirepass a literal: pass "$(REDIS_PASSWORD)" with env REDIS_PASSWORD from a secretKeyRef.',
            ],
        ],
    },
    {
        name: "Redis password from a literal env value",
        mutate: (rs) => setEnv(redis(rs), "REDIS_PASSWORD", { value: "hunter2" }),
        expect: [
            [
                "credentials-by-reference",
                'Container "redis" sets REDIS_PASSWORD without a secret reference: use valueFrom.secretKeyRef pointing at a Kubernetes Secret.',
            ],
            [
                "data-auth-required",
                'Container "redis" takes --requirepass from REDIS_PASSWORD, which is no secret reference: set REDIS_PASSWORD from a secretKeyRef.',
            ],
        ],
    },
    {
        name: "official Redis image given REDIS_PASSWORD, which it ignores",
        mutate: (rs) => delete redis(rs).args,
        expect: [
            [
                "data-auth-required",
                'Container "redis" runs Redis without a password: pass --requirepass "$(REDIS_PASSWORD)" with env REDIS_PASSWORD from a secretKeyRef.',
            ],
        ],
    },
    {
        name: "Bitnami Redis image, which turns REDIS_PASSWORD from a secret into requirepass",
        mutate: (rs) => {
            delete redis(rs).args;
            redis(rs).image = `docker.io/bitnami/redis@${DIGEST}`;
        },
        expect: [],
    },
    {
        name: "Redis that allows an empty password",
        mutate: (rs) => setEnv(redis(rs), "ALLOW_EMPTY_PASSWORD", { value: "yes" }),
        expect: [
            // The name matches the credential patterns too: the pack reports both, the fix satisfies both.
            [
                "credentials-by-reference",
                'Container "redis" sets ALLOW_EMPTY_PASSWORD without a secret reference: use valueFrom.secretKeyRef pointing at a Kubernetes Secret.',
            ],
            [
                "data-auth-required",
                'Remove ALLOW_EMPTY_PASSWORD from container "redis": Redis must require a password.',
            ],
        ],
    },
    {
        name: "Redis Container App without a password",
        mutate: (rs) => delete acaRedis(rs).command,
        expect: [
            [
                "data-auth-required",
                'Container "redis" runs Redis without a password: pass --requirepass "$REDIS_PASSWORD" through sh -c with env REDIS_PASSWORD from a secretRef.',
            ],
        ],
    },
    {
        name: "Neo4j Helm release without a password secret",
        mutate: (rs) => delete neo4jValues(rs).neo4j.passwordFromSecret,
        expect: [
            [
                "data-auth-required",
                'Set values.neo4j.passwordFromSecret on Helm release "neo4j" to the Secret whose NEO4J_AUTH key holds neo4j/<password>.',
            ],
        ],
    },
    {
        name: "Neo4j Helm release with authentication disabled",
        mutate: (rs) => (neo4jValues(rs).config = { "dbms.security.auth_enabled": "false" }),
        expect: [
            [
                "data-auth-required",
                'Remove values.config."dbms.security.auth_enabled": "false" from Helm release "neo4j".',
            ],
        ],
    },
    {
        name: "Neo4j Helm release with NEO4J_AUTH=none",
        mutate: (rs) => (neo4jValues(rs).env = { NEO4J_AUTH: "none" }),
        expect: [["data-auth-required", 'Remove values.env.NEO4J_AUTH "none" from Helm release "neo4j".']],
    },
    {
        name: "Neo4j Container App with NEO4J_AUTH=none",
        mutate: (rs) => {
            delete acaNeo4j(rs).args;
            acaNeo4j(rs).env = [{ name: "NEO4J_AUTH", value: "none" }];
        },
        expect: [
            [
                "data-auth-required",
                'Container "neo4j" sets NEO4J_AUTH=none: set NEO4J_AUTH to neo4j/<password> from a secret reference.',
            ],
        ],
    },
    {
        name: "Neo4j Container App taking NEO4J_AUTH straight from a secret",
        mutate: (rs) => {
            delete acaNeo4j(rs).args;
            acaNeo4j(rs).env = [{ name: "NEO4J_AUTH", secretRef: "neo4j-auth" }];
        },
        expect: [],
    },
    {
        name: "Neo4j Container App exporting NEO4J_AUTH from a literal variable",
        mutate: (rs) => (acaNeo4j(rs).env = [{ name: "AUTH_PASSWORD", value: "changeme" }]),
        expect: [
            [
                "credentials-by-reference",
                'Container "neo4j" sets AUTH_PASSWORD without a secret reference: use secretRef naming a configuration.secrets entry backed by Key Vault.',
            ],
            [
                "data-auth-required",
                'Container "neo4j" builds NEO4J_AUTH from AUTH_PASSWORD, which is no secret reference: set AUTH_PASSWORD from a secret reference.',
            ],
        ],
    },
    {
        name: "Neo4j Container App exporting NEO4J_AUTH=none",
        mutate: (rs) => (acaNeo4j(rs).args = ["export NEO4J_AUTH=none; exec /startup/docker-entrypoint.sh neo4j"]),
        expect: [
            [
                "data-auth-required",
                'Container "neo4j" exports NEO4J_AUTH without a password from the secret store: export NEO4J_AUTH="neo4j/$<VAR>" with <VAR> a secret reference.',
            ],
        ],
    },
    {
        name: "Neo4j Container App without NEO4J_AUTH",
        mutate: (rs) => {
            delete acaNeo4j(rs).args;
            acaNeo4j(rs).env = [];
        },
        expect: [
            [
                "data-auth-required",
                'Container "neo4j" has no NEO4J_AUTH: set it to neo4j/<password> from a secret reference.',
            ],
        ],
    },
    {
        name: "PostgreSQL container trusting every connection",
        mutate: (rs) => setEnv(postgres(rs), "POSTGRES_HOST_AUTH_METHOD", { value: "trust" }),
        expect: [
            [
                "data-auth-required",
                'Remove POSTGRES_HOST_AUTH_METHOD=trust from container "postgres": PostgreSQL must require a password.',
            ],
        ],
    },
    {
        name: "CloudNativePG trusting a network",
        mutate: (rs) => cluster(rs).spec.postgresql.pg_hba.push("host all all 10.0.0.0/8 trust"),
        expect: [
            [
                "data-auth-required",
                'Replace method trust in pg_hba rule "host all all 10.0.0.0/8 trust" of Cluster "postgres" with scram-sha-256.',
            ],
        ],
    },
    {
        name: "Azure cache that needs no authentication",
        mutate: (rs) => (cache(rs).redisConfiguration = { authnotrequired: "true" }),
        expect: [
            [
                "data-auth-required",
                "Remove redisConfiguration.authnotrequired from this cache: clients must authenticate.",
            ],
        ],
    },
    {
        name: "Azure cache with access keys off and no Entra authentication",
        mutate: (rs) => (cache(rs).disableAccessKeyAuthentication = true),
        expect: [
            [
                "data-auth-required",
                'Set redisConfiguration.aadEnabled: "true" on this cache: with access keys disabled, only Microsoft Entra authentication admits clients.',
            ],
        ],
    },
    {
        name: "Azure cache with access keys off and Entra authentication",
        mutate: (rs) => {
            cache(rs).disableAccessKeyAuthentication = true;
            cache(rs).redisConfiguration = { aadEnabled: "true" };
        },
        expect: [],
    },
];

describe("data policies: TLS and authentication", () => {
    it("the compliant estate, with all four stores on both platforms and an Ollama without auth, has no findings", async () => {
        const rs = estate();
        for (const [type, name] of [
            [CLUSTER, "postgres"],
            [":StatefulSet", "redis"],
            ["helm.sh/v3:Release", "neo4j"],
            [":Deployment", "ollama"],
            ["app:ContainerApp", "neo4j"],
        ]) {
            assert.ok(get(rs, type, name), `${type} ${name}`);
        }
        assert.deepEqual(await findings(rs), []);
    });

    itReportsEachCase([...tls, ...auth]);

    it("reports stack findings on the offending resource", async () => {
        const rs = estate();
        cache(rs).enableNonSslPort = true;
        const [v] = await violations(rs);
        assert.deepEqual(
            [v.policy, v.urn, v.enforcementLevel, v.severity],
            ["data-tls-only", urnOf("azure-native:redis:Redis", "cache"), "mandatory", "high"],
        );
    });

    it("the data policies judge a container by its image, not by the name its app is tagged with", async () => {
        const rs = estate();
        aca(rs).tags["estate-name"] = "redis";
        assert.deepEqual(
            (await findings(rs)).filter(([policy]) => policy.startsWith("data-")),
            [],
        );
    });

    it("reads CloudNativePG retention policies as the operator does", () => {
        assert.deepEqual(["14d", "2w", "1m", "0d", "14", "d", "7y"].map(retentionDays), [
            14,
            14,
            28,
            undefined,
            undefined,
            undefined,
            undefined,
        ]);
    });
});
