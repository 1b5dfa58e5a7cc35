// data-auth-required: every store requires credentials from the secret store, from the compliant
// estate one change at a time.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CapturedResource } from "../../tools/lib/analyzer";
import { aca, Case, estate, get, itReportsEachCase, postgres, setEnv } from "./cases";
import { DIGEST } from "./fixtures";
import { findings } from "./harness";

const cluster = (rs: CapturedResource[]) => get(rs, "postgresql.cnpg.io/v1:Cluster", "postgres");
const cache = (rs: CapturedResource[]) => get(rs, "redis:Redis", "cache");
const redis = (rs: CapturedResource[]) => get(rs, ":StatefulSet", "redis").spec.template.spec.containers[0];
const acaRedis = (rs: CapturedResource[]) => get(rs, "app:ContainerApp", "redis").template.containers[0];
const acaNeo4j = (rs: CapturedResource[]) => get(rs, "app:ContainerApp", "neo4j").template.containers[0];
const neo4jValues = (rs: CapturedResource[]) => get(rs, "helm.sh/v3:Release", "neo4j").values;

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

describe("data policies: authentication", () => {
    itReportsEachCase(auth);

    it("the data policies judge a container by its image, not by the name its app is tagged with", async () => {
        const rs = estate();
        aca(rs).tags["estate-name"] = "redis";
        assert.deepEqual(
            (await findings(rs)).filter(([policy]) => policy.startsWith("data-")),
            [],
        );
    });
});
