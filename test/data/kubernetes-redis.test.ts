import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesRedis, type KubernetesRedisArgs } from "../../components/data/kubernetes/redis";
import { runComponents } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";

/** Redis the way the Kubernetes platform declares it; each test changes one thing. */
function args(overrides: Partial<KubernetesRedisArgs> = {}): KubernetesRedisArgs {
    return {
        password: pulumi.secret("p@ss"),
        persistence: true,
        storageGb: 8,
        clients: ["api"],
        jobClients: ["redis-backup"],
        protect: true,
        namespace: "estate",
        ...overrides,
    };
}

async function declare(overrides: Partial<KubernetesRedisArgs> = {}) {
    let redis!: KubernetesRedis;
    const capture = await runComponents(() => {
        redis = new KubernetesRedis("redis", args(overrides));
    });
    const url = await new Promise<string>((resolve) => redis.url.apply(resolve));
    const statefulSet = resource(capture, "kubernetes:apps/v1:StatefulSet", "redis-statefulset");
    return { capture, url, statefulSet, names: capture.resources.filter((r) => r.custom).map((r) => r.name) };
}

describe("KubernetesRedis (component)", () => {
    it("declares the auth Secret, the Service, the StatefulSet and its NetworkPolicy, and nothing public", async () => {
        assert.deepEqual((await declare()).names.sort(), [
            "redis-auth",
            "redis-netpol",
            "redis-service",
            "redis-statefulset",
        ]);
        assert.ok((await declare({ publicAccess: true })).names.includes("redis-public"));
    });

    it("keeps a persistent dataset on a retained volume of the given size", async () => {
        const { statefulSet } = await declare({ storageGb: 16 });
        assert.deepEqual([statefulSet.options.protect, statefulSet.options.retainOnDelete], [true, true]);
        const spec = inputsOf(statefulSet).spec;
        assert.equal(spec.volumeClaimTemplates[0].spec.resources.requests.storage, "16Gi");
        assert.equal(spec.template.spec.volumes, undefined);
    });

    it("keeps nothing on disk when not persistent: an emptyDir bounded by the same size", async () => {
        const spec = inputsOf((await declare({ persistence: false })).statefulSet).spec;
        assert.equal(spec.volumeClaimTemplates, undefined);
        assert.deepEqual(spec.template.spec.volumes, [{ name: "data", emptyDir: { sizeLimit: "8Gi" } }]);
    });

    it("admits only its clients and jobs, and hands out a password URL of the in-cluster service", async () => {
        const { capture, url } = await declare();
        assert.equal(url, "redis://:p%40ss@redis.estate.svc.cluster.local:6379/0");
        const ingress = inputsOf(resource(capture, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "redis-netpol"))
            .spec.ingress as Array<{ from: Array<{ podSelector?: { matchLabels: Record<string, string> } }> }>;
        const admitted = ingress.flatMap((rule) =>
            rule.from.map((peer) => peer.podSelector?.matchLabels["app.kubernetes.io/name"]),
        );
        assert.deepEqual(admitted.sort(), ["api", "redis-backup"]);
    });
});
