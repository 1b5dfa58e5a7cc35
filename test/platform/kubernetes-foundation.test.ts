import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KubernetesFoundation, type KubernetesFoundationArgs } from "../../components/platform/kubernetes/foundation";
import { runComponents } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";

async function declare(args: Partial<KubernetesFoundationArgs> = {}) {
    let foundation!: KubernetesFoundation;
    const capture = await runComponents(() => {
        foundation = new KubernetesFoundation("foundation", { namespace: "estate", protect: true, ...args });
    });
    return { capture, foundation, names: capture.resources.filter((r) => r.custom).map((r) => r.name) };
}

describe("KubernetesFoundation (component)", () => {
    it("declares a restricted, protected namespace with a default-deny policy and the ACME solver's way in", async () => {
        const { capture, names } = await declare();
        assert.deepEqual(names.sort(), [
            "foundation-acme-http01-solver",
            "foundation-default-deny",
            "foundation-namespace",
        ]);
        const namespace = resource(capture, "kubernetes:core/v1:Namespace", "foundation-namespace");
        assert.equal(namespace.options.protect, true);
        assert.equal(inputsOf(namespace).metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        const deny = inputsOf(
            resource(capture, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "foundation-default-deny"),
        );
        assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    });

    it("names the cluster's shared namespaces, defaulted once here, for every NetworkPolicy that admits them", async () => {
        const defaults = (await declare()).foundation;
        assert.deepEqual([defaults.ingressNamespace, defaults.monitoringNamespace], ["ingress-nginx", "monitoring"]);
        const { capture, foundation } = await declare({
            ingressNamespace: "edge",
            monitoringNamespace: "observability",
        });
        assert.deepEqual([foundation.ingressNamespace, foundation.monitoringNamespace], ["edge", "observability"]);
        const solver = inputsOf(
            resource(capture, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "foundation-acme-http01-solver"),
        );
        assert.deepEqual(solver.spec.ingress[0].from, [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "edge" } } },
        ]);
    });

    it("opens nothing for ACME when no certificate is issued (TLS off)", async () => {
        assert.deepEqual((await declare({ acmeHttp01Solvers: false })).names.sort(), [
            "foundation-default-deny",
            "foundation-namespace",
        ]);
    });
});
