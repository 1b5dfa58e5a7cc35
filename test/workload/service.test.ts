import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { ProgramCapture } from "../../tools/lib/mock-run";
import { kubernetesManifest } from "../../tools/lib/plan-artefacts";
import { validateKubernetesObject } from "../support/kubernetes-schema";
import type { EstateOutputsValue } from "../../stacks/outputs";
import { inputsOf, outputsOf, plan, resource, resourcesOfType, syncedSecret } from "../support/program";

const restrictedContainer = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

for (const stack of ["staging", "prod"] as const) {
    describe(`API service on kubernetes (${stack})`, () => {
        let capture: ProgramCapture;
        before(async () => {
            capture = await plan(stack, { platform: "kubernetes" });
        });

        it("runs restricted pods with probes on the runbook endpoints, sized, by immutable image", () => {
            const deployment = inputsOf(resource(capture, "kubernetes:apps/v1:Deployment", "api-deployment"));
            const tag = stack === "prod" ? "9c1b7e2a4d6f" : "3f2a9c1d8e7b";
            const previous = stack === "prod" ? "51e0a7c3b2d9" : "9c1b7e2a4d6f";
            assert.equal(
                deployment.metadata.annotations["estate.io/previous-image"],
                `ghcr.io/acme/estate-api:${previous}`,
            );
            const pod = deployment.spec.template.spec;
            assert.deepEqual(pod.securityContext, {
                runAsNonRoot: true,
                runAsUser: 10001,
                runAsGroup: 10001,
                fsGroup: 10001,
                seccompProfile: { type: "RuntimeDefault" },
            });
            assert.equal(pod.automountServiceAccountToken, false);
            assert.equal(pod.serviceAccountName, "api");
            const [container] = pod.containers;
            assert.equal(container.image, `ghcr.io/acme/estate-api:${tag}`);
            assert.deepEqual(container.securityContext, restrictedContainer);
            assert.deepEqual(container.resources, {
                requests: { cpu: "250m", memory: "512Mi" },
                limits: { cpu: "500m", memory: "1024Mi" },
            });
            const probe = (path: string, failureThreshold: number) => ({
                httpGet: { path, port: "http" },
                periodSeconds: 15,
                timeoutSeconds: 5,
                failureThreshold,
            });
            assert.deepEqual(container.livenessProbe, probe("/healthz", 3));
            assert.deepEqual(container.readinessProbe, probe("/readyz", 3));
            assert.deepEqual(container.startupProbe, probe("/healthz", 30));
            assert.deepEqual(deployment.spec.strategy, {
                type: "RollingUpdate",
                rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
            });
        });

        it("sets the runbook environment and reads every credential by reference", () => {
            const container = inputsOf(resource(capture, "kubernetes:apps/v1:Deployment", "api-deployment")).spec
                .template.spec.containers[0];
            const env = Object.fromEntries(
                container.env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [
                    e.name,
                    e.value ?? e.valueFrom,
                ]),
            );
            assert.equal(env.ENVIRONMENT, stack);
            assert.equal(env.RATE_LIMIT_PER_MINUTE, stack === "prod" ? "60" : "120");
            assert.equal(
                env.ALLOWED_ORIGINS,
                stack === "prod"
                    ? "https://app.estate.example.com"
                    : "https://app.staging.estate.example.com,http://localhost:3000",
            );
            assert.equal(env.OLLAMA_MODEL, "llama3.1:8b");
            assert.equal(env.OLLAMA_TIMEOUT_S, "120");
            for (const [name, key] of [
                ["JWT_SECRET", "jwt-secret"],
                ["BOOTSTRAP_ADMIN_EMAIL", "bootstrap-admin-email"],
                ["BOOTSTRAP_ADMIN_PASSWORD", "bootstrap-admin-password"],
                ["BOOTSTRAP_ADMIN_API_KEY", "bootstrap-admin-api-key"],
                ["OIDC_CLIENT_SECRET", "oidc-client-secret"],
            ]) {
                assert.deepEqual(env[name], { secretKeyRef: { name: syncedSecret(capture), key } }, name);
            }
        });

        it("exposes public services only through a TLS ingress and scales on CPU (and p95 latency when public)", () => {
            const ingress = inputsOf(resource(capture, "kubernetes:networking.k8s.io/v1:Ingress", "api-ingress"));
            const host = stack === "prod" ? "api.estate.example.com" : "api.staging.estate.example.com";
            assert.deepEqual(ingress.spec.tls, [{ hosts: [host], secretName: "api-tls" }]);
            assert.equal(ingress.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-prod");
            assert.equal(
                inputsOf(resource(capture, "kubernetes:core/v1:Service", "api-service")).spec.type,
                "ClusterIP",
            );
            assert.equal(
                resourcesOfType(capture, "kubernetes:networking.k8s.io/v1:Ingress").some(
                    (r) => r.name === "worker-ingress",
                ),
                false,
            );
            // Both stack files turn latency autoscaling on: KEDA owns the public services' replicas, an HPA the worker's.
            const scaler = inputsOf(
                resource(capture, "kubernetes:keda.sh/v1alpha1:ScaledObject", "monitoring-api-scaler"),
            );
            assert.deepEqual(
                [scaler.spec.minReplicaCount, scaler.spec.maxReplicaCount],
                stack === "prod" ? [3, 12] : [2, 4],
            );
            assert.deepEqual(
                resourcesOfType(capture, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((r) => r.name),
                ["worker-hpa"],
            );
            const hpa = inputsOf(resource(capture, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "worker-hpa"));
            assert.deepEqual(hpa.spec.metrics, [
                {
                    type: "Resource",
                    resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
                },
            ]);
            assert.deepEqual(
                inputsOf(resource(capture, "kubernetes:policy/v1:PodDisruptionBudget", "api-pdb")).spec.maxUnavailable,
                1,
            );
        });

        it("denies all traffic by default and admits only the edge, callers and monitoring", () => {
            const deny = inputsOf(
                resource(capture, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "foundation-default-deny"),
            );
            assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
            const namespace = inputsOf(resource(capture, "kubernetes:core/v1:Namespace", "foundation-namespace"));
            assert.equal(namespace.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
            const policy = inputsOf(resource(capture, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "api-netpol"));
            assert.deepEqual(policy.spec.ingress[0].from, [
                { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } },
                { podSelector: { matchLabels: { "app.kubernetes.io/name": "gateway" } } },
                { podSelector: { matchLabels: { "app.kubernetes.io/name": "ui" } } },
                { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
            ]);
            const worker = inputsOf(
                resource(capture, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "worker-netpol"),
            );
            assert.deepEqual(worker.spec.ingress[0].from, [
                { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
            ]);
        });

        it("keeps secrets in GCP Secret Manager with replication, synced by External Secrets", () => {
            const secret = inputsOf(resource(capture, "gcp:secretmanager/secret:Secret", "app-secrets-jwt-secret"));
            assert.equal(secret.secretId, `estate-${stack}-jwt-secret`);
            assert.deepEqual(
                secret.replication,
                stack === "prod"
                    ? { userManaged: { replicas: [{ location: "europe-west1" }, { location: "europe-west4" }] } }
                    : { auto: {} },
            );
            const version = resource(
                capture,
                "gcp:secretmanager/secretVersion:SecretVersion",
                "app-secrets-jwt-secret-version",
            );
            assert.equal(
                (version.inputs["secretData"] as Record<string, unknown>)["4dabf18193072939515e22adb298388d"],
                "1b47061264138c4ac30d75fd1eb44270",
                "secret data must be a Pulumi secret",
            );
            assert.equal(
                resource(capture, "gcp:secretmanager/secret:Secret", "app-secrets-jwt-secret").options.protect,
                stack === "prod",
            );
            const sync = inputsOf(
                resource(capture, "kubernetes:external-secrets.io/v1:ExternalSecret", "app-secrets-sync"),
            );
            assert.equal(sync.spec.target.name, syncedSecret(capture));
            assert.equal(sync.spec.data.length, 22);
            assert.ok(
                sync.spec.data.some((d: { secretKey: string }) => d.secretKey === "alert-on-call-key"),
                "the on-call key is synced like every other secret",
            );
        });

        it("declares only objects that pass the real Kubernetes schemas", () => {
            const manifests = capture.resources.flatMap((r) => {
                const m = kubernetesManifest(r);
                return m ? [m] : [];
            });
            const validated = manifests.filter((m) => validateKubernetesObject(m) === "valid");
            assert.ok(validated.length >= 30, `validated ${validated.length} of ${manifests.length}`);
        });

        it("exports the outputs contract with secret names, never values", () => {
            const outputs = outputsOf(capture);
            assert.equal(outputs.contractVersion, "1");
            assert.equal(
                outputs.services.api.healthUrl,
                `https://api.${stack === "prod" ? "" : "staging."}estate.example.com/healthz`,
            );
            assert.ok(outputs.services.worker, "the worker is exported");
            assert.equal(outputs.services.worker.url, undefined);
            assert.equal(
                outputs.secretNames["jwt-secret"],
                `projects/acme-estate-${stack}/secrets/estate-${stack}-jwt-secret`,
            );
            assert.doesNotMatch(JSON.stringify(outputs), /not-a-secret/);
        });
    });
}

describe("API service on azure (prod)", () => {
    let capture: ProgramCapture;
    before(async () => {
        capture = await plan("prod", { platform: "azure" });
    });

    it("runs a Container App with HTTPS-only ingress, probes, scale rules and multiple revisions", () => {
        const app = inputsOf(resource(capture, "azure-native:app:ContainerApp", "api-app"));
        assert.equal(app.configuration.activeRevisionsMode, "Multiple");
        assert.equal(app.configuration.ingress.allowInsecure, false);
        assert.equal(app.configuration.ingress.external, true);
        assert.deepEqual(app.configuration.ingress.traffic, [{ latestRevision: true, weight: 100, label: "current" }]);
        // The configured origin, and the ui's Container App FQDN browsers use until the domain is bound.
        assert.deepEqual(app.configuration.ingress.corsPolicy.allowedOrigins, [
            "https://app.estate.example.com",
            "https://ui.offline-env.westeurope.azurecontainerapps.io",
        ]);
        const container = app.template.containers[0];
        assert.equal(container.image, "ghcr.io/acme/estate-api:9c1b7e2a4d6f");
        assert.deepEqual(
            container.probes.map((p: { type: string; httpGet: { path: string }; periodSeconds: number }) => [
                p.type,
                p.httpGet.path,
                p.periodSeconds,
            ]),
            [
                // Container Apps allows 10 failures: the 450 s start-up budget becomes 10 × 45 s.
                ["Startup", "/healthz", 45],
                ["Liveness", "/healthz", 15],
                ["Readiness", "/readyz", 15],
            ],
        );
        assert.deepEqual([app.template.scale.minReplicas, app.template.scale.maxReplicas], [3, 12]);
        assert.equal(app.identity.type, "UserAssigned");
        // Azure tag names cannot hold `/`: `estate-*`, not the Kubernetes `estate.io/*`.
        assert.deepEqual(app.tags, {
            "estate-tier": "app",
            "estate-name": "api",
            "estate-previous-image": "ghcr.io/acme/estate-api:51e0a7c3b2d9",
        });
        assert.equal(
            inputsOf(resource(capture, "azure-native:app:ContainerApp", "worker-app")).configuration.ingress.external,
            false,
        );
    });

    it("references Key Vault secrets through the managed identity instead of inlining values", () => {
        const app = inputsOf(resource(capture, "azure-native:app:ContainerApp", "api-app"));
        for (const secret of app.configuration.secrets) {
            assert.equal(secret.value, undefined);
            assert.match(secret.keyVaultUrl, /^https:\/\/.+\.vault\.azure\.net\/secrets\//);
        }
        const env = app.template.containers[0].env;
        assert.deepEqual(
            env.find((e: { name: string }) => e.name === "JWT_SECRET"),
            { name: "JWT_SECRET", secretRef: "jwt-secret" },
        );
        const vault = inputsOf(resource(capture, "azure-native:keyvault:Vault", "app-secrets-vault"));
        assert.equal(vault.properties.enableRbacAuthorization, true);
        assert.equal(vault.properties.enablePurgeProtection, true);
        assert.equal(resource(capture, "azure-native:keyvault:Vault", "app-secrets-vault").options.protect, true);
    });

    it("keeps the same outputs contract as on kubernetes", async () => {
        const kubernetes = await plan("prod", { platform: "kubernetes" });
        const shape = (value: unknown): unknown =>
            value && typeof value === "object" && !Array.isArray(value)
                ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]))
                : typeof value;
        // Job names under backups.schedules differ by what each platform backs up itself; the shape does not.
        const comparable = (o: EstateOutputsValue) => ({ ...o, backups: { ...o["backups"], schedules: {} } });
        assert.deepEqual(shape(comparable(outputsOf(capture))), shape(comparable(outputsOf(kubernetes))));
    });
});
