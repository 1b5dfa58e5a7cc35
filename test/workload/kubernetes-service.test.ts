import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesService, type KubernetesServiceArgs } from "../../components/workload/kubernetes/service";
import { runComponents } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";

const probes = {
    livenessPath: "/healthz",
    readinessPath: "/readyz",
    periodSeconds: 15,
    timeoutSeconds: 5,
    failureThreshold: 3,
    startupFailureThreshold: 30,
};

/** A public service the way the Kubernetes platform declares one; each test changes one thing. */
function args(overrides: Partial<KubernetesServiceArgs> = {}): KubernetesServiceArgs {
    return {
        image: "ghcr.io/acme/estate-api:9c1b7e2a4d6f",
        previousImage: "ghcr.io/acme/estate-api:51e0a7c3b2d9",
        port: 8000,
        host: "api.estate.example.com",
        minReplicas: 3,
        maxReplicas: 12,
        targetCpuPercent: 70,
        probes,
        env: { LOG_LEVEL: "info" },
        secretEnv: { JWT_SECRET: { kind: "kubernetes-secret", secretName: "app-secrets", key: "jwt-secret" } },
        allowedCallers: ["gateway"],
        dependencies: ["postgres"],
        namespace: "estate",
        ingressNamespace: "ingress-nginx",
        monitoringNamespace: "monitoring",
        ingressClassName: "nginx",
        clusterIssuer: "letsencrypt-prod",
        ...overrides,
    };
}

async function declare(overrides: Partial<KubernetesServiceArgs> = {}) {
    let service!: KubernetesService;
    const capture = await runComponents(() => {
        service = new KubernetesService("api", args(overrides));
    });
    const url = await new Promise<string | undefined>((resolve) => service.url.apply(resolve));
    return { capture, url, types: capture.resources.filter((r) => r.custom).map((r) => r.type) };
}

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe("KubernetesService (component)", () => {
    it("declares a ServiceAccount, Deployment, Service, Ingress, HPA, PDB and NetworkPolicy, one each", async () => {
        const { types, url } = await declare();
        assert.deepEqual(types.sort(), [
            "kubernetes:apps/v1:Deployment",
            "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
            "kubernetes:core/v1:Service",
            "kubernetes:core/v1:ServiceAccount",
            "kubernetes:networking.k8s.io/v1:Ingress",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            "kubernetes:policy/v1:PodDisruptionBudget",
        ]);
        assert.equal(url, "https://api.estate.example.com");
    });

    it("runs the pod restricted, probed on the configured paths, with secrets by reference only", async () => {
        const { capture } = await declare();
        const deployment = inputsOf(resource(capture, DEPLOYMENT, "api-deployment"));
        assert.equal(deployment.spec.replicas, undefined, "the HPA owns the replica count");
        assert.equal(
            deployment.metadata.annotations["estate.io/previous-image"],
            "ghcr.io/acme/estate-api:51e0a7c3b2d9",
        );
        const container = deployment.spec.template.spec.containers[0];
        assert.deepEqual(container.env, [
            { name: "LOG_LEVEL", value: "info" },
            { name: "JWT_SECRET", valueFrom: { secretKeyRef: { name: "app-secrets", key: "jwt-secret" } } },
        ]);
        assert.deepEqual(container.livenessProbe, {
            httpGet: { path: "/healthz", port: "http" },
            periodSeconds: 15,
            timeoutSeconds: 5,
            failureThreshold: 3,
        });
        assert.equal(container.readinessProbe.httpGet.path, "/readyz");
        assert.equal(container.startupProbe.failureThreshold, 30);
        assert.equal(container.securityContext.readOnlyRootFilesystem, true);
        assert.equal(container.securityContext.allowPrivilegeEscalation, false);
        assert.equal(deployment.spec.template.spec.securityContext.runAsNonRoot, true);
        assert.equal(deployment.spec.template.spec.automountServiceAccountToken, false);
    });

    it("admits the ingress controller, its callers and the monitoring namespace it is given, and egress to its dependencies", async () => {
        const { capture } = await declare({ monitoringNamespace: "observability" });
        const spec = inputsOf(resource(capture, NETPOL, "api-netpol")).spec;
        assert.deepEqual(spec.ingress[0].from, [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } },
            { podSelector: { matchLabels: { "app.kubernetes.io/name": "gateway" } } },
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } } },
        ]);
        assert.ok(
            spec.egress.some(
                (rule: { to?: Array<{ podSelector?: { matchLabels?: Record<string, string> } }> }) =>
                    rule.to?.[0]?.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "postgres",
            ),
        );
    });

    it("terminates TLS with the given issuer and class, and drops the certificate only when TLS is off", async () => {
        const on = inputsOf(
            resource((await declare()).capture, "kubernetes:networking.k8s.io/v1:Ingress", "api-ingress"),
        );
        assert.equal(on.spec.ingressClassName, "nginx");
        assert.deepEqual(on.spec.tls, [{ hosts: ["api.estate.example.com"], secretName: "api-tls" }]);
        assert.equal(on.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-prod");
        const off = await declare({ tls: false });
        const ingress = inputsOf(resource(off.capture, "kubernetes:networking.k8s.io/v1:Ingress", "api-ingress"));
        assert.equal(ingress.spec.tls, undefined);
        assert.equal(off.url, "http://api.estate.example.com");
    });

    it("has no Ingress when internal, and no HPA when another autoscaler owns the replicas", async () => {
        const internal = await declare({ host: undefined });
        assert.equal(internal.types.includes("kubernetes:networking.k8s.io/v1:Ingress"), false);
        assert.equal(internal.url, undefined);
        const keda = await declare({ horizontalPodAutoscaler: false });
        assert.equal(keda.types.includes("kubernetes:autoscaling/v2:HorizontalPodAutoscaler"), false);
        const hpa = inputsOf(
            resource((await declare()).capture, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "api-hpa"),
        );
        assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [3, 12]);
        assert.equal(hpa.spec.metrics[0].resource.target.averageUtilization, 70);
    });

    it("refuses a Key Vault reference, naming the env var", async () => {
        let thrown: unknown;
        await runComponents(() => {
            try {
                new KubernetesService(
                    "api",
                    args({
                        secretEnv: {
                            JWT_SECRET: {
                                kind: "key-vault",
                                secretUri: "https://v.vault.azure.net/secrets/x",
                                identityId: "id",
                                name: "x",
                            },
                        },
                    }),
                );
            } catch (error) {
                thrown = error;
            }
        });
        assert.ok(thrown instanceof pulumi.ResourceError, String(thrown));
        assert.equal(
            thrown.message,
            "`secretEnv.JWT_SECRET` is a key-vault reference; Kubernetes workloads read Kubernetes Secrets synced from the store",
        );
    });
});
