import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { checkDeployability, formatFindings, type DeployabilityRule } from "../../tools/deployability";
import { kubernetesRules } from "../../tools/deployability/kubernetes";
import { waitForExpressions } from "../../tools/deployability/kubernetes/await";
import { cidrContains, selects } from "../../tools/deployability/kubernetes/objects";
import type { CapturedResource, ProgramCapture } from "../../tools/lib/mock-run";
import type {
    CustomResourceInputs,
    DeploymentInputs,
    HelmReleaseInputs,
    HorizontalPodAutoscalerInputs,
    JobInputs,
    NetworkPolicyInputs,
    ScaledObjectInputs,
} from "../support/inputs";
import { plan, stacks } from "../support/program";

const rule = (id: string): DeployabilityRule => {
    const found = kubernetesRules.find((r) => r.id === id);
    assert.ok(found, `rule ${id} is registered`);
    return found;
};

/** A copy of the plan with one resource's inputs or options changed: the compliant estate, one change per case. */
function changed<T extends object>(
    capture: ProgramCapture,
    name: string,
    change: (inputs: T, resource: CapturedResource) => void,
): ProgramCapture {
    const copy = structuredClone(capture);
    const target = copy.resources.filter((r) => r.name === name);
    assert.equal(target.length, 1, `exactly one resource named ${name}`);
    change(target[0]!.inputs as T, target[0]!);
    return copy;
}

const findings = (capture: ProgramCapture, id: string) =>
    checkDeployability(capture, [rule(id)]).map((f) => [f.urn.split("::").pop(), f.property, f.value]);

describe("Kubernetes deployability rules", () => {
    it("every rule cites its upstream source and says what breaks", () => {
        assert.equal(kubernetesRules.length, 11);
        for (const r of kubernetesRules) {
            assert.match(r.id, /^[a-z0-9-]+$/);
            assert.ok(r.source.length > 40 && /[a-z]+\/[a-z]|https:\/\//.test(r.source), `${r.id} cites a source`);
            assert.ok(r.description.length > 20, `${r.id} describes the failure`);
        }
    });

    for (const stack of stacks) {
        it(`finds nothing on the real ${stack} plan`, async () => {
            const capture = await plan(stack);
            const found = checkDeployability(capture, kubernetesRules);
            assert.deepEqual(found, [], formatFindings(found));
        });
    }

    describe("cases on the prod plan", () => {
        let prod: ProgramCapture;
        before(async () => {
            prod = await plan("prod");
        });

        it("refuses spec.replicas on a Deployment a KEDA ScaledObject or an HPA scales", () => {
            const keda = changed(prod, "api-deployment", (i: DeploymentInputs) => (i.spec!.replicas = 3));
            assert.deepEqual(findings(keda, "kubernetes-autoscaled-replicas"), [
                ["api-deployment", "spec.replicas", 3],
            ]);
            const hpa = changed(prod, "worker-deployment", (i: DeploymentInputs) => (i.spec!.replicas = 2));
            assert.deepEqual(findings(hpa, "kubernetes-autoscaled-replicas"), [
                ["worker-deployment", "spec.replicas", 2],
            ]);
            // Ollama has no autoscaler: its fixed count is its own.
            assert.deepEqual(findings(prod, "kubernetes-autoscaled-replicas"), []);
        });

        it("refuses a second autoscaler on one workload and an autoscaler without a target", () => {
            const twoScalers = changed(
                prod,
                "monitoring-api-scaler",
                (i: ScaledObjectInputs) => (i.spec.scaleTargetRef.name = "worker"),
            );
            assert.deepEqual(findings(twoScalers, "kubernetes-single-autoscaler"), [
                ["worker-deployment", "autoscalers", ["monitoring-api-scaler", "worker-hpa"]],
            ]);
            const dangling = changed(
                prod,
                "worker-hpa",
                (i: HorizontalPodAutoscalerInputs) => (i.spec!.scaleTargetRef.name = "wroker"),
            );
            assert.deepEqual(findings(dangling, "kubernetes-single-autoscaler"), [
                ["worker-hpa", "spec.scaleTargetRef", { kind: "Deployment", name: "wroker" }],
            ]);
        });

        it("refuses a CloudNativePG Cluster a Job waits for or talks to without pulumi.com/waitFor", () => {
            const unawaited = changed(
                prod,
                "postgres-cluster",
                (i: CustomResourceInputs) => delete i.metadata.annotations,
            );
            const urnOf = (name: string) => prod.resources.find((r) => r.name === name)!.urn;
            const result = checkDeployability(unawaited, [rule("kubernetes-job-awaits-custom-resources")]);
            assert.deepEqual(
                result.map((f) => [f.urn, f.property, f.fix]),
                ["api-migrate-job", "api-bootstrap-job"].map((job) => [
                    urnOf("postgres-cluster"),
                    'metadata.annotations["pulumi.com/waitFor"]',
                    `Job ${job} waits for it: annotate pulumi.com/waitFor: "condition=Ready" so the provider waits until it serves.`,
                ]),
            );
            const wrongCondition = changed(
                prod,
                "postgres-cluster",
                (i: CustomResourceInputs) => (i.metadata.annotations!["pulumi.com/waitFor"] = "condition=Available"),
            );
            assert.equal(findings(wrongCondition, "kubernetes-job-awaits-custom-resources").length, 2);
        });

        it("refuses a Job that connects to the database without waiting for it", () => {
            const migrate = prod.resources.find((r) => r.name === "api-migrate-job")!;
            const cluster = prod.resources.find((r) => r.name === "postgres-cluster")!;
            const notOrdered = changed(prod, "api-migrate-job", (_, r) => {
                r.dependencies = r.dependencies.filter((urn) => urn === migrate.parent || !urn.includes("Postgres"));
            });
            assert.ok(
                !notOrdered.resources.find((r) => r.name === "api-migrate-job")!.dependencies.includes(cluster.urn),
            );
            // The seeding job waited for the database only through the migration.
            assert.deepEqual(findings(notOrdered, "kubernetes-job-awaits-custom-resources"), [
                ["api-migrate-job", "dependsOn", "postgres"],
                ["api-bootstrap-job", "dependsOn", "postgres"],
            ]);
        });

        it("refuses a Job whose deadline outlasts the provider's wait", () => {
            const noTimeouts = changed(prod, "ollama-model-pull-job", (_, r) => delete r.options.customTimeouts);
            assert.deepEqual(findings(noTimeouts, "kubernetes-job-timeout-covers-deadline"), [
                ["ollama-model-pull-job", "customTimeouts.create", "600s (default)"],
                ["ollama-model-pull-job", "customTimeouts.update", "600s (default)"],
            ]);
            const short = changed(prod, "api-migrate-job", (i: JobInputs) => (i.spec!.activeDeadlineSeconds = 3600));
            assert.deepEqual(findings(short, "kubernetes-job-timeout-covers-deadline"), [
                ["api-migrate-job", "customTimeouts.create", "1020s"],
                ["api-migrate-job", "customTimeouts.update", "1020s"],
            ]);
            // The provider also reads pulumi.com/timeoutSeconds when customTimeouts is unset.
            const annotated = changed(prod, "ollama-model-pull-job", (i: JobInputs, r) => {
                delete r.options.customTimeouts;
                i.metadata!.annotations!["pulumi.com/timeoutSeconds"] = "4000";
            });
            assert.deepEqual(findings(annotated, "kubernetes-job-timeout-covers-deadline"), []);
        });

        it("refuses DNS egress that admits kube-dns alone", () => {
            const kubeDnsOnly = changed(prod, "api-netpol", (i: NetworkPolicyInputs) => {
                i.spec!.egress![0]!.to = [
                    { namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } },
                ];
            });
            assert.deepEqual(findings(kubeDnsOnly, "kubernetes-dns-egress"), [
                [
                    "api-deployment",
                    "egress (NetworkPolicies selecting its pods)",
                    ["NodeLocal DNSCache 169.254.20.10", "the metadata server 169.254.169.254 (Cloud DNS)"],
                ],
            ]);
        });

        it("refuses a Workload Identity pod that cannot reach the metadata server", () => {
            const noMetadata = changed(prod, "postgres-netpol", (i: NetworkPolicyInputs) => {
                i.spec!.egress = i.spec!.egress!.filter(
                    (e) => !(e.to?.[0]?.ipBlock?.cidr === "169.254.169.254/32" && e.ports?.[0]?.port === 80),
                );
            });
            assert.deepEqual(findings(noMetadata, "kubernetes-metadata-server-egress"), [
                ["postgres-cluster", "egress (NetworkPolicies selecting its pods)", [80, 988]],
            ]);
            const noBackupMetadata = changed(prod, "redis-backup-netpol", (i: NetworkPolicyInputs) => {
                i.spec!.egress = i.spec!.egress!.filter((e) => e.to?.[0]?.ipBlock?.cidr !== "169.254.169.254/32");
            });
            assert.deepEqual(findings(noBackupMetadata, "kubernetes-metadata-server-egress"), [
                ["redis-backup-cronjob", "egress (NetworkPolicies selecting its pods)", [80, 988]],
            ]);
        });

        it("refuses CloudNativePG instances that cannot reach a private control plane", () => {
            const privateCluster = structuredClone(prod);
            privateCluster.config["estate:kubernetesControlPlaneCidr"] = "172.16.0.32/28";
            assert.deepEqual(findings(privateCluster, "kubernetes-control-plane-egress"), [
                ["postgres-cluster", "egress (NetworkPolicies selecting its pods)", "172.16.0.32/28"],
            ]);
            const noPublic = changed(prod, "postgres-netpol", (i: NetworkPolicyInputs) => {
                i.spec!.egress = i.spec!.egress!.filter((e) => e.to?.[0]?.ipBlock?.cidr !== "0.0.0.0/0");
            });
            assert.deepEqual(findings(noPublic, "kubernetes-control-plane-egress"), [
                ["postgres-cluster", "egress (NetworkPolicies selecting its pods)", "public endpoint"],
            ]);
        });

        it("refuses cert-manager Ingresses whose HTTP-01 solver pods nothing admits", () => {
            const noSolverPolicy = structuredClone(prod);
            noSolverPolicy.resources = noSolverPolicy.resources.filter(
                (r) => r.name !== "foundation-acme-http01-solver",
            );
            assert.deepEqual(findings(noSolverPolicy, "kubernetes-acme-solver-ingress"), [
                [
                    "ui-ingress",
                    "NetworkPolicies of namespace estate",
                    "solver pods admit nothing from the ingress controller",
                ],
            ]);
            const wrongPort = changed(
                prod,
                "foundation-acme-http01-solver",
                (i: NetworkPolicyInputs) => (i.spec!.ingress![0]!.ports![0]!.port = 80),
            );
            assert.equal(findings(wrongPort, "kubernetes-acme-solver-ingress").length, 1);
        });

        it("refuses monitors the cluster's Prometheus does not select, and CloudNativePG's deprecated PodMonitor", () => {
            const unlabelled = changed(
                prod,
                "postgres-podmonitor",
                (i: CustomResourceInputs) => delete i.metadata.labels!["release"],
            );
            assert.deepEqual(
                findings(unlabelled, "kubernetes-monitor-selectable").map((f) => f[0]),
                ["postgres-podmonitor"],
            );
            const pushgateway = changed(
                prod,
                "backups-pushgateway",
                (i: HelmReleaseInputs) => delete i.values!["serviceMonitor"].additionalLabels,
            );
            assert.deepEqual(findings(pushgateway, "kubernetes-monitor-selectable"), [
                ["backups-pushgateway", "values.serviceMonitor.additionalLabels", {}],
            ]);
            const deprecated = changed(
                prod,
                "postgres-cluster",
                (i: CustomResourceInputs) => (i.spec["monitoring"] = { enablePodMonitor: true }),
            );
            assert.deepEqual(findings(deprecated, "cnpg-explicit-pod-monitor"), [
                ["postgres-cluster", "spec.monitoring.enablePodMonitor", true],
            ]);
        });
    });

    it("refuses custom resources, and charts rendering them, that do not wait for the release installing their CRDs", async () => {
        const prod = await plan("prod");
        // The Cluster waits neither for the operator nor for its ObjectStore (which waits for the plugin, then the operator).
        const cut = new Set(
            prod.resources
                .filter((x) => ["postgres-operator", "postgres-object-store"].includes(x.name))
                .map((x) => x.urn),
        );
        const noOperatorWait = changed(prod, "postgres-cluster", (_, r) => {
            r.dependencies = r.dependencies.filter((urn) => !cut.has(urn));
            for (const key of Object.keys(r.propertyDependencies))
                r.propertyDependencies[key] = r.propertyDependencies[key]!.filter((urn) => !cut.has(urn));
        });
        // The ScheduledBackup waited for the operator only through the Cluster.
        assert.deepEqual(findings(noOperatorWait, "kubernetes-custom-resource-after-crd"), [
            ["postgres-cluster", "dependsOn", "postgres-operator"],
            ["postgres-scheduled-backup", "dependsOn", "postgres-operator"],
        ]);
        // Installing kube-prometheus-stack with the estate: the monitors declared before it cannot wait for its CRDs.
        const installed = await plan("staging", { prometheusStackInstall: "true" });
        assert.deepEqual(findings(installed, "kubernetes-custom-resource-after-crd"), [
            ["postgres-podmonitor", "dependsOn", "monitoring-prometheus-stack"],
            ["backups-pushgateway", "dependsOn", "monitoring-prometheus-stack"],
        ]);
    });

    it("reads an installed kube-prometheus-stack's selectors from its values", async () => {
        const staging = await plan("staging", { prometheusStackInstall: "true" });
        assert.deepEqual(checkDeployability(staging, [rule("kubernetes-monitor-selectable")]), []);
        const strict = changed(staging, "monitoring-prometheus-stack", (i: HelmReleaseInputs) => {
            i.values!["prometheus"].prometheusSpec.serviceMonitorSelector = { matchLabels: { team: "platform" } };
        });
        const unselected = findings(strict, "kubernetes-monitor-selectable").map((f) => f[0]);
        assert.deepEqual(unselected, [
            "monitoring-api-servicemonitor",
            "monitoring-gateway-servicemonitor",
            "monitoring-ui-servicemonitor",
            "monitoring-worker-servicemonitor",
            "backups-pushgateway",
        ]);
    });
});

describe("Kubernetes object semantics the rules rely on", () => {
    it("evaluates label selectors as the API server does", () => {
        const labels = { app: "api", tier: "app" };
        assert.equal(selects({}, labels), true);
        assert.equal(selects({ matchLabels: { app: "api" } }, labels), true);
        assert.equal(selects({ matchLabels: { app: "ui" } }, labels), false);
        assert.equal(selects({ matchExpressions: [{ key: "tier", operator: "In", values: ["app"] }] }, labels), true);
        assert.equal(
            selects({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["app"] }] }, labels),
            false,
        );
        assert.equal(selects({ matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, labels), true);
        assert.equal(selects({ matchExpressions: [{ key: "zone", operator: "Exists" }] }, labels), false);
    });

    it("contains address ranges by prefix", () => {
        assert.equal(cidrContains("0.0.0.0/0", "169.254.169.254/32"), true);
        assert.equal(cidrContains("172.16.0.0/12", "172.16.0.32/28"), true);
        assert.equal(cidrContains("172.16.0.32/28", "172.16.0.0/12"), false);
        assert.equal(cidrContains("10.0.0.0/8", "11.0.0.1/32"), false);
    });

    it("parses pulumi.com/waitFor the way the provider does", () => {
        assert.deepEqual(waitForExpressions({ "pulumi.com/waitFor": "condition=Ready" }), ["condition=Ready"]);
        assert.deepEqual(
            waitForExpressions({ "pulumi.com/waitFor": '["condition=Ready", "jsonpath={.status.phase}=Healthy"]' }),
            ["condition=Ready", "jsonpath={.status.phase}=Healthy"],
        );
        assert.deepEqual(waitForExpressions({}), []);
    });
});
