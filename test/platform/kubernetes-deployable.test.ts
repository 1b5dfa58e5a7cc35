import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { dnsEgress, metadataServerEgress } from "../../components/platform/kubernetes/network";
import type { ProgramCapture } from "../../tools/lib/mock-run";
import { inputsOf, plan, resource, resourcesOfType } from "../support/program";

const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const JOB = "kubernetes:batch/v1:Job";

for (const stack of ["staging", "prod"] as const) {
    describe(`a first pulumi up on GKE succeeds and every part works (${stack})`, () => {
        let capture: ProgramCapture;
        before(async () => {
            capture = await plan(stack);
        });

        it("sends no replica count where an HPA or a KEDA ScaledObject owns it", () => {
            const scaled = [
                ...resourcesOfType(capture, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"),
                ...resourcesOfType(capture, "kubernetes:keda.sh/v1alpha1:ScaledObject"),
            ].map((r) => inputsOf(r).spec.scaleTargetRef.name as string);
            assert.deepEqual(scaled.sort(), ["api", "gateway", "ui", "worker"]);
            for (const service of scaled) {
                const spec = inputsOf(resource(capture, DEPLOYMENT, `${service}-deployment`)).spec;
                assert.equal("replicas" in spec, false, `${service} leaves replicas to its autoscaler`);
            }
            // The autoscalers start from the configured minimum instead.
            const minimum = stack === "prod" ? 3 : 2;
            assert.equal(
                inputsOf(resource(capture, "kubernetes:keda.sh/v1alpha1:ScaledObject", "monitoring-api-scaler")).spec
                    .minReplicaCount,
                minimum,
            );
        });

        it("runs the migration only once CloudNativePG reports the Cluster Ready", () => {
            const cluster = resource(capture, "kubernetes:postgresql.cnpg.io/v1:Cluster", "postgres-cluster");
            assert.equal(inputsOf(cluster).metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
            const migrate = resource(capture, JOB, "api-migrate-job");
            assert.ok(migrate.dependencies.includes(cluster.urn), "the migration Job depends on the Cluster itself");
        });

        it("waits for the model pull as long as it may run", () => {
            const pull = resource(capture, JOB, "ollama-model-pull-job");
            assert.equal(inputsOf(pull).spec.activeDeadlineSeconds, 3600);
            assert.deepEqual(pull.options.customTimeouts, { create: 3720, update: 3720 });
            const migrate = resource(capture, JOB, "api-migrate-job");
            assert.deepEqual(migrate.options.customTimeouts, { create: 1020, update: 1020 });
            assert.equal(inputsOf(migrate).spec.activeDeadlineSeconds, 900);
        });

        it("lets PostgreSQL reach the metadata server, GCS and the API server", () => {
            const egress = inputsOf(resource(capture, NETPOL, "postgres-netpol")).spec.egress;
            assert.deepEqual(egress.slice(2), [
                {
                    to: [{ ipBlock: { cidr: "169.254.169.254/32" } }],
                    ports: [
                        { protocol: "TCP", port: 80 },
                        { protocol: "TCP", port: 988 },
                    ],
                },
                // No control-plane CIDR configured: the API server's endpoint is public.
                {
                    to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } }],
                    ports: [
                        { protocol: "TCP", port: 443 },
                        { protocol: "TCP", port: 6443 },
                    ],
                },
                {
                    to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } }],
                    ports: [{ protocol: "TCP", port: 443 }],
                },
            ]);
        });

        it("admits a private cluster's control plane when its CIDR is configured", async () => {
            const privateCluster = await plan(stack, { kubernetesControlPlaneCidr: "172.16.0.32/28" });
            const egress = inputsOf(resource(privateCluster, NETPOL, "postgres-netpol")).spec.egress;
            assert.deepEqual(egress[3], {
                to: [{ ipBlock: { cidr: "172.16.0.32/28" } }],
                ports: [
                    { protocol: "TCP", port: 443 },
                    { protocol: "TCP", port: 6443 },
                ],
            });
        });

        it("resolves names through kube-dns, NodeLocal DNSCache and Cloud DNS in every pod that resolves at all", () => {
            const withDns = resourcesOfType(capture, NETPOL)
                .map((r) => [r.name, inputsOf(r).spec.egress ?? []] as const)
                .filter(([, egress]) =>
                    egress.some((e: { ports?: Array<{ port: unknown }> }) => e.ports?.some((p) => p.port === 53)),
                );
            assert.ok(withDns.length >= 12, `found ${withDns.length} policies admitting DNS`);
            for (const [name, egress] of withDns) {
                assert.deepEqual(
                    egress.filter((e: { ports?: Array<{ port: unknown }> }) => e.ports?.some((p) => p.port === 53)),
                    [dnsEgress],
                    `${name} uses the shared DNS rule`,
                );
            }
            assert.deepEqual(dnsEgress.to, [
                { namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } },
                { namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "node-local-dns" } } },
                { ipBlock: { cidr: "169.254.20.10/32" } },
                { ipBlock: { cidr: "169.254.169.254/32" } },
            ]);
        });

        it("lets the backup jobs reach the metadata server through the same shared rule", () => {
            for (const job of ["pg-backup-estate", "redis-backup", "neo4j-backup"]) {
                const egress = inputsOf(resource(capture, NETPOL, `${job}-netpol`)).spec.egress;
                assert.deepEqual(
                    egress.filter(
                        (e: unknown) =>
                            JSON.stringify(e).includes("169.254.169.254/32") && !JSON.stringify(e).includes("53"),
                    ),
                    [metadataServerEgress],
                );
            }
        });

        it("admits the ingress controller to cert-manager's HTTP-01 solver pods", () => {
            const solver = inputsOf(resource(capture, NETPOL, "foundation-acme-http01-solver"));
            assert.deepEqual(solver.metadata, { name: "acme-http01-solver", namespace: "estate" });
            assert.deepEqual(solver.spec, {
                podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [
                            {
                                namespaceSelector: {
                                    matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" },
                                },
                            },
                        ],
                        ports: [{ protocol: "TCP", port: 8089 }],
                    },
                ],
            });
        });

        it("labels every monitor for the cluster's kube-prometheus-stack, with an explicit CloudNativePG PodMonitor", () => {
            const podMonitor = inputsOf(
                resource(capture, "kubernetes:monitoring.coreos.com/v1:PodMonitor", "postgres-podmonitor"),
            );
            assert.equal(podMonitor.metadata.labels.release, "kube-prometheus-stack");
            assert.deepEqual(podMonitor.spec, {
                selector: { matchLabels: { "cnpg.io/cluster": "postgres", "cnpg.io/podRole": "instance" } },
                podMetricsEndpoints: [{ port: "metrics" }],
            });
            const cluster = inputsOf(resource(capture, "kubernetes:postgresql.cnpg.io/v1:Cluster", "postgres-cluster"));
            assert.equal(cluster.spec.monitoring, undefined, "the deprecated enablePodMonitor is gone");
            const pushgateway = inputsOf(resource(capture, "kubernetes:helm.sh/v3:Release", "backups-pushgateway"));
            assert.deepEqual(pushgateway.values.serviceMonitor.additionalLabels, { release: "kube-prometheus-stack" });
            for (const monitor of resourcesOfType(capture, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"))
                assert.equal(inputsOf(monitor).metadata.labels.release, "kube-prometheus-stack", monitor.name);
        });
    });
}
