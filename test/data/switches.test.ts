import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyze } from "../../tools/lib/analyzer";
import { inputsOf, plan, resource, outputsOf } from "../support/program";

describe("data store config switches (kubernetes)", () => {
    it("makes every store named in publicDataStores public, and the policy pack refuses each one", async () => {
        const capture = await plan("prod", {
            platform: "kubernetes",
            publicDataStores: '["postgres","redis","neo4j","ollama"]',
        });
        for (const [store, port] of [
            ["postgres", 5432],
            ["redis", 6379],
            ["neo4j", 7687],
            ["ollama", 11434],
        ] as const) {
            const service = inputsOf(resource(capture, "kubernetes:core/v1:Service", `${store}-public`));
            assert.deepEqual([service.spec.type, service.spec.ports[0].port], ["LoadBalancer", port], store);
        }
        assert.deepEqual(
            Object.fromEntries(
                (["postgres", "redis", "neo4j", "ollama"] as const).map((s) => [s, outputsOf(capture).data[s].public]),
            ),
            { postgres: true, redis: true, neo4j: true, ollama: true },
        );
        const report = await analyze(capture, { stack: "prod" });
        const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory");
        assert.deepEqual(
            mandatory.map((v) => [v.policy, v.urn?.split("::").pop(), v.message]).sort(),
            ["neo4j", "ollama", "postgres", "redis"].map((s) => [
                "data-store-not-public",
                `${s}-public`,
                "Set spec.type to ClusterIP on this data-store Service (it is LoadBalancer).",
            ]),
        );
    });

    it("runs Ollama on a GPU when asked, and Redis without a volume when persistence is off", async () => {
        const capture = await plan("staging", { platform: "kubernetes", ollamaGpu: "true", redisPersistence: "false" });
        const pod = inputsOf(resource(capture, "kubernetes:apps/v1:Deployment", "ollama-deployment")).spec.template
            .spec;
        assert.deepEqual(pod.containers[0].resources.limits, { cpu: "2", memory: "8Gi", "nvidia.com/gpu": "1" });
        assert.deepEqual(pod.tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        const sts = inputsOf(resource(capture, "kubernetes:apps/v1:StatefulSet", "redis-statefulset"));
        assert.equal(sts.spec.volumeClaimTemplates, undefined);
        assert.deepEqual(sts.spec.template.spec.volumes, [{ name: "data", emptyDir: { sizeLimit: "8Gi" } }]);
        assert.deepEqual(sts.spec.template.spec.containers[0].args.slice(-4), ["--appendonly", "no", "--save", ""]);
    });

    it("skips the operator when the cluster already runs CloudNativePG", async () => {
        const capture = await plan("staging", { platform: "kubernetes", postgresOperatorInstall: "false" });
        assert.equal(capture.resources.filter((r) => r.name === "postgres-operator").length, 0);
        assert.equal(
            resource(capture, "kubernetes:postgresql.cnpg.io/v1:Cluster", "postgres-cluster").dependencies.some((d) =>
                d.endsWith("::postgres-operator"),
            ),
            false,
        );
    });
});
