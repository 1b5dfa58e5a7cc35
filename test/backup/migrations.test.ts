import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { imageVersionOf, migrationJobName } from "../../components/workload/job";
import type { ProgramCapture } from "../../tools/lib/mock-run";
import { kubernetesManifest } from "../../tools/lib/plan-artefacts";
import { validateKubernetesObject } from "../support/kubernetes-schema";
import { inputsOf, plan, resource, syncedSecret } from "../support/program";

const tags = { staging: "3f2a9c1d8e7b", prod: "9c1b7e2a4d6f" } as const;
const databaseEnv = ["DATABASE_URL", "POSTGRES_DSN_PROD", "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD"];
const restrictedContainer = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

type Env = Array<{ name: string; value?: string; valueFrom?: unknown; secretRef?: string }>;
const byName = (env: Env) => Object.fromEntries(env.map((e) => [e.name, e.value ?? e.valueFrom ?? e.secretRef]));
const secretNames = (env: Env) =>
    env.filter((e) => e.valueFrom !== undefined || e.secretRef !== undefined).map((e) => e.name);

describe("migration job names", () => {
    it("carry the image tag, or the digest's first 12 hex digits", () => {
        assert.equal(migrationJobName("api", "ghcr.io/acme/estate-api:9c1b7e2a4d6f"), "api-migrate-9c1b7e2a4d6f");
        assert.equal(
            migrationJobName("api", `ghcr.io/acme/estate-api@sha256:${"ab".repeat(32)}`),
            "api-migrate-abababababab",
        );
        assert.equal(migrationJobName("api", "registry:5000/api:V1.2_rc"), "api-migrate-v1-2-rc");
        assert.equal(imageVersionOf("localhost:5000/api:7"), "7");
    });
    it("fit the 32-character Container Apps limit", () => {
        assert.equal(
            migrationJobName("api", "r/api:0123456789abcdef0123456789abcdef"),
            "api-migrate-0123456789abcdef0123",
        );
    });
    it("refuse an image without a tag", () => {
        assert.throws(() => migrationJobName("api", "localhost:5000/api"), {
            message: '`image` must carry a tag or a digest, got "localhost:5000/api"',
        });
    });
});

for (const stack of ["staging", "prod"] as const) {
    describe(`migrations and seeding on kubernetes (${stack})`, () => {
        let capture: ProgramCapture;
        before(async () => {
            capture = await plan(stack, { platform: "kubernetes" });
        });

        it("runs `alembic upgrade head` once per image tag, in a restricted pod, with the api's image", () => {
            const job = inputsOf(resource(capture, "kubernetes:batch/v1:Job", "api-migrate-job"));
            assert.equal(job.metadata.name, `api-migrate-${tags[stack]}`);
            const pod = job.spec.template;
            assert.equal(pod.metadata.labels["estate.io/tier"], "job");
            assert.equal(pod.metadata.labels["app.kubernetes.io/component"], "job");
            assert.equal(pod.metadata.labels["estate.io/job"], "migration");
            assert.equal(pod.spec.restartPolicy, "Never");
            assert.equal(pod.spec.automountServiceAccountToken, false);
            assert.deepEqual(pod.spec.securityContext, {
                runAsNonRoot: true,
                runAsUser: 10001,
                runAsGroup: 10001,
                fsGroup: 10001,
                seccompProfile: { type: "RuntimeDefault" },
            });
            const [container] = pod.spec.containers;
            assert.equal(container.image, `ghcr.io/acme/estate-api:${tags[stack]}`);
            assert.deepEqual(container.command, ["alembic", "upgrade", "head"]);
            assert.deepEqual(container.securityContext, restrictedContainer);
            assert.equal(job.spec.backoffLimit, 1);
            assert.equal(job.spec.activeDeadlineSeconds, 900);
        });

        it("gives the migration only the database credentials the api reads, by the same reference", () => {
            const api = inputsOf(resource(capture, "kubernetes:apps/v1:Deployment", "api-deployment")).spec.template
                .spec.containers[0];
            const job = inputsOf(resource(capture, "kubernetes:batch/v1:Job", "api-migrate-job")).spec.template.spec
                .containers[0];
            const apiEnv = byName(api.env);
            const expected = databaseEnv.filter((n) => apiEnv[n] !== undefined && typeof apiEnv[n] !== "string");
            assert.deepEqual(secretNames(job.env), expected);
            for (const name of expected) assert.deepEqual(byName(job.env)[name], apiEnv[name], name);
            assert.equal(byName(job.env).ENVIRONMENT, stack);
            assert.ok(!secretNames(job.env).includes("JWT_SECRET"), "the migration does not get the JWT secret");
        });

        it("seeds once, after the migration, with the bootstrap credentials by reference", () => {
            const migration = resource(capture, "kubernetes:batch/v1:Job", "api-migrate-job");
            const bootstrap = resource(capture, "kubernetes:batch/v1:Job", "api-bootstrap-job");
            assert.ok(bootstrap.dependencies.includes(migration.urn), "bootstrap depends on the migration");
            assert.deepEqual(bootstrap.options.ignoreChanges, ["spec", "metadata.name"]);
            const inputs = inputsOf(bootstrap);
            assert.equal(inputs.metadata.name, "api-bootstrap");
            const container = inputs.spec.template.spec.containers[0];
            assert.deepEqual(container.command, ["python", "-m", "app.bootstrap", "--idempotent"]);
            const env = byName(container.env);
            for (const [name, key] of [
                ["BOOTSTRAP_ADMIN_EMAIL", "bootstrap-admin-email"],
                ["BOOTSTRAP_ADMIN_PASSWORD", "bootstrap-admin-password"],
                ["BOOTSTRAP_ADMIN_API_KEY", "bootstrap-admin-api-key"],
            ]) {
                assert.deepEqual(env[name], { secretKeyRef: { name: syncedSecret(capture), key } }, name);
            }
            assert.ok(!secretNames(container.env).includes("JWT_SECRET"), "seeding does not get the JWT secret");
        });

        it("rolls the api only after its migration job completed", () => {
            const migration = resource(capture, "kubernetes:batch/v1:Job", "api-migrate-job");
            assert.ok(
                resource(capture, "kubernetes:apps/v1:Deployment", "api-deployment").dependencies.includes(
                    migration.urn,
                ),
            );
            // Only the schema owner waits for it.
            assert.ok(
                !resource(capture, "kubernetes:apps/v1:Deployment", "worker-deployment").dependencies.includes(
                    migration.urn,
                ),
            );
            assert.equal(migration.parent, resource(capture, "estate:workload:KubernetesJob", "api-migrate").urn);
        });

        it("opens the job pods' network to DNS and PostgreSQL only, and validates against the Kubernetes schema", () => {
            const netpol = inputsOf(
                resource(capture, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "api-migrate-netpol"),
            );
            assert.deepEqual(netpol.spec.podSelector, { matchLabels: { "app.kubernetes.io/name": "api-migrate" } });
            assert.deepEqual(netpol.spec.egress.slice(1), [
                { to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "postgres" } } }] },
            ]);
            for (const name of ["api-migrate-job", "api-bootstrap-job", "api-migrate-netpol", "api-bootstrap-netpol"]) {
                const r = capture.resources.find((x) => x.name === name)!;
                assert.equal(validateKubernetesObject(kubernetesManifest(r)!), "valid", name);
            }
        });
    });

    describe(`migrations and seeding on azure (${stack})`, () => {
        let capture: ProgramCapture;
        before(async () => {
            capture = await plan(stack, { platform: "azure" });
        });

        it("declares a manual Container Apps job per tag, ordered before the api's revision", () => {
            const migration = resource(capture, "azure-native:app:Job", "api-migrate-job");
            const job = inputsOf(migration);
            assert.equal(job.jobName, `api-migrate-${tags[stack]}`);
            assert.equal(job.configuration.triggerType, "Manual");
            assert.equal(job.configuration.replicaTimeout, 900);
            assert.deepEqual(job.tags, {
                "estate-tier": "job",
                "estate-component": "job",
                "estate-name": "api-migrate",
                "estate-job": "migration",
            });
            assert.deepEqual(job.template.containers[0].command, ["alembic", "upgrade", "head"]);
            assert.equal(job.template.containers[0].image, `ghcr.io/acme/estate-api:${tags[stack]}`);
            const app = resource(capture, "azure-native:app:ContainerApp", "api-app");
            assert.ok(app.dependencies.includes(migration.urn));
            // The previous revision stays so traffic can shift back (runbook 001 rollback).
            assert.equal(inputsOf(app).configuration.activeRevisionsMode, "Multiple");
        });

        it("reads secrets as Key Vault references through the managed identity", () => {
            const job = inputsOf(resource(capture, "azure-native:app:Job", "api-bootstrap-job"));
            assert.equal(job.identity.type, "UserAssigned");
            for (const s of job.configuration.secrets) {
                assert.deepEqual(Object.keys(s).sort(), ["identity", "keyVaultUrl", "name"]);
            }
            const env = byName(job.template.containers[0].env);
            assert.equal(env.BOOTSTRAP_ADMIN_PASSWORD, "bootstrap-admin-password");
            // Seeding waits for the migration to have run, not only for its job to exist.
            assert.ok(
                resource(capture, "azure-native:app:Job", "api-bootstrap-job").dependencies.includes(
                    resource(capture, "command:local:Command", "api-migrate-run").urn,
                ),
            );
        });
    });
}
