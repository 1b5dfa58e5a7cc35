import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { maskSecrets, type CapturedResource, type ProgramCapture } from "../../tools/lib/mock-run";
import { secretEnvOf } from "../../stacks/secrets";
import { serviceNames, type ServiceName } from "../../stacks/services";
import { inputsOf, plan, platforms, stacks, outputsOf } from "../support/program";

/** The workload of a service on either platform, and how its env names a secret. */
function serviceEnv(capture: ProgramCapture, service: ServiceName): Record<string, unknown> {
    const workload = capture.resources.find((r) => r.name === `${service}-deployment` || r.name === `${service}-app`);
    assert.ok(workload, `${service} has a workload`);
    const inputs = inputsOf(workload);
    const container = (inputs.spec?.template?.spec?.containers ?? inputs.template?.containers)[0];
    return Object.fromEntries(
        container.env.map(
            (e: {
                name: string;
                value?: string;
                secretRef?: string;
                valueFrom?: { secretKeyRef: { key: string } };
            }) => [
                e.name,
                e.value ??
                    (e.secretRef !== undefined ? { secret: e.secretRef } : { secret: e.valueFrom?.secretKeyRef.key }),
            ],
        ),
    );
}

const workloadOf = (capture: ProgramCapture, service: string): CapturedResource =>
    capture.resources.find((r) => r.name === `${service}-deployment` || r.name === `${service}-app`)!;

for (const platform of platforms) {
    for (const stack of stacks) {
        describe(`data wiring on ${platform} (${stack})`, () => {
            let capture: ProgramCapture;
            before(async () => {
                capture = await plan(stack, { platform });
            });

            it("gives each service exactly its store settings, every one by secret reference", () => {
                for (const service of serviceNames) {
                    const env = serviceEnv(capture, service);
                    for (const [name, id] of Object.entries(secretEnvOf(service, stack === "prod"))) {
                        assert.deepEqual(env[name], { secret: id }, `${service}.${name}`);
                    }
                }
                assert.equal(serviceEnv(capture, "api")["POSTGRES_DSN_PROD"] !== undefined, stack === "prod");
                assert.equal(serviceEnv(capture, "gateway")["DATABASE_URL"], undefined);
                assert.equal(serviceEnv(capture, "ui")["REDIS_URL"], undefined);
                const api = serviceEnv(capture, "api");
                assert.deepEqual(
                    [
                        api.PG_WRITE_POOL_SIZE,
                        api.PG_READ_POOL_SIZE,
                        api.PG_MAX_LIFETIME_MS,
                        api.CACHE_TTL_SHORT,
                        api.CACHE_TTL_LONG,
                        api.OLLAMA_MODEL,
                        api.OLLAMA_EMBEDDING_MODEL,
                    ],
                    ["10", "10", "1800000", "60", "3600", "llama3.1:8b", "nomic-embed-text"],
                );
            });

            it("never shows a credential outside a secret value", () => {
                const masked = JSON.stringify([
                    capture.resources.map((r) => maskSecrets(r.inputs)),
                    maskSecrets(capture.outputs),
                ]);
                assert.doesNotMatch(masked, /not-a-secret/);
            });

            it("starts the API and worker only after their stores exist and the models are pulled", () => {
                const urns = (service: string) => new Set(workloadOf(capture, service).dependencies);
                const parentOf = (r: CapturedResource) => r.urn.split("::")[2]!.split("$").slice(-2, -1)[0];
                const storeChildren = (kind: string) =>
                    capture.resources.filter((r) => r.custom && (parentOf(r) ?? "").includes(kind));
                for (const [service, needs] of [
                    ["api", ["Postgres", "Redis", "Neo4j", "Ollama"]],
                    ["worker", ["Postgres", "Redis", "Ollama"]],
                    ["gateway", ["Redis"]],
                ] as const) {
                    const deps = urns(service);
                    for (const kind of ["Postgres", "Redis", "Neo4j", "Ollama"]) {
                        const children = storeChildren(kind);
                        assert.ok(children.length > 0, `${kind} declares resources on ${platform}`);
                        assert.equal(
                            children.every((c) => deps.has(c.urn)),
                            (needs as readonly string[]).includes(kind),
                            `${service} waits for ${kind}`,
                        );
                    }
                }
            });

            it("exports the same data contract on every platform, with secret names only", () => {
                const data = outputsOf(capture).data;
                assert.deepEqual(Object.keys(data).sort(), ["neo4j", "ollama", "postgres", "redis"]);
                assert.deepEqual(Object.keys(data.postgres.secretNames).sort(), [
                    "database-read-url",
                    "database-url",
                    "db-host",
                    "db-name",
                    "db-password",
                    "db-port",
                    "db-user",
                ]);
                assert.deepEqual(Object.keys(data.redis.secretNames).sort(), ["redis-password", "redis-url"]);
                assert.deepEqual(Object.keys(data.neo4j.secretNames).sort(), [
                    "neo4j-password",
                    "neo4j-uri",
                    "neo4j-user",
                ]);
                assert.deepEqual(data.ollama.models, ["llama3.1:8b", "nomic-embed-text"]);
                assert.equal(data.postgres.databaseName, "estate");
                for (const store of ["postgres", "redis", "neo4j", "ollama"] as const) {
                    assert.equal(data[store].public, false, store);
                    assert.equal(typeof data[store].host, "string");
                    assert.equal(typeof data[store].port, "number");
                }
            });
        });
    }
}
