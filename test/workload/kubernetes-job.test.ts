import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesJob, type KubernetesJobArgs } from "../../components/workload/kubernetes/job";
import { runComponents } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";

/** A migration job the way the estate declares one; each test changes one thing. */
function args(overrides: Partial<KubernetesJobArgs> = {}): KubernetesJobArgs {
    return {
        purpose: "migration",
        jobName: "api-migrate-9c1b7e2a4d6f",
        image: "ghcr.io/acme/estate-api:9c1b7e2a4d6f",
        command: ["alembic", "upgrade", "head"],
        env: { ENVIRONMENT: "prod" },
        secretEnv: { DATABASE_URL: { kind: "kubernetes-secret", secretName: "app-secrets", key: "database-url" } },
        dependencies: ["postgres"],
        namespace: "estate",
        ...overrides,
    };
}

async function declare(overrides: Partial<KubernetesJobArgs> = {}) {
    const capture = await runComponents(() => {
        new KubernetesJob("api-migrate", args(overrides));
    });
    return {
        capture,
        job: resource(capture, "kubernetes:batch/v1:Job", "api-migrate-job"),
        types: capture.resources.filter((r) => r.custom).map((r) => r.type),
    };
}

describe("KubernetesJob (component)", () => {
    it("declares one Job and one NetworkPolicy", async () => {
        assert.deepEqual((await declare()).types.sort(), [
            "kubernetes:batch/v1:Job",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        ]);
    });

    it("runs once, restricted, with secrets by reference, and is replaced rather than waited on when it failed", async () => {
        const { job } = await declare();
        const spec = inputsOf(job);
        assert.equal(spec.metadata.name, "api-migrate-9c1b7e2a4d6f");
        assert.equal(spec.metadata.labels["estate.io/job"], "migration");
        assert.equal(spec.metadata.annotations["pulumi.com/replaceUnready"], "true");
        assert.deepEqual([spec.spec.backoffLimit, spec.spec.activeDeadlineSeconds], [1, 900]);
        const pod = spec.spec.template.spec;
        assert.equal(pod.restartPolicy, "Never");
        assert.equal(pod.automountServiceAccountToken, false);
        assert.deepEqual(pod.containers[0].command, ["alembic", "upgrade", "head"]);
        assert.deepEqual(pod.containers[0].env, [
            { name: "ENVIRONMENT", value: "prod" },
            { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "app-secrets", key: "database-url" } } },
        ]);
        assert.equal(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
    });

    it("gives Pulumi two minutes beyond the job's own deadline, and ignores later changes when it runs once", async () => {
        const { job } = await declare({ timeoutSeconds: 600 });
        assert.deepEqual(job.options.customTimeouts, { create: 720, update: 720 });
        assert.deepEqual(job.options.ignoreChanges, []);
        const once = await declare({ purpose: "bootstrap", runOnce: true });
        assert.deepEqual(once.job.options.ignoreChanges, ["spec", "metadata.name"]);
    });

    it("admits nothing in and lets out only DNS and its dependencies", async () => {
        const { capture } = await declare();
        const spec = inputsOf(
            resource(capture, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "api-migrate-netpol"),
        ).spec;
        assert.deepEqual(spec.ingress, []);
        assert.equal(spec.egress.length, 2);
        assert.deepEqual(spec.egress[1], {
            to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "postgres" } } }],
        });
    });

    it("refuses a Key Vault reference, naming the env var", async () => {
        let thrown: unknown;
        await runComponents(() => {
            try {
                new KubernetesJob(
                    "api-migrate",
                    args({
                        secretEnv: {
                            DATABASE_URL: {
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
            "`secretEnv.DATABASE_URL` is a key-vault reference; Kubernetes workloads read Kubernetes Secrets synced from the store",
        );
    });
});
