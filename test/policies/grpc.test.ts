// The pack as the CLI runs it: `run-policy-pack` as a separate process, driven over gRPC.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { catalog } from "../../policies/catalog";
import { analyze } from "../../tools/lib/analyzer";
import { runProgram } from "../../tools/lib/mock-run";
import { api, aca, estate, get, setEnv } from "./cases";
import { capture } from "./fixtures";

function summary(vs: Array<{ policy: string; enforcementLevel: string; urn?: string; message: string }>) {
    return vs.map((v) => [v.policy, v.enforcementLevel, v.urn?.split("::").slice(-2).join("::") ?? "stack", v.message]);
}

describe("policy pack over gRPC", () => {
    it("reports the violations of a non-compliant capture with per-stack levels", async () => {
        const rs = estate();
        setEnv(api(rs), "ENVIRONMENT", { value: "staging" });
        setEnv(api(rs), "ALLOWED_ORIGINS", { value: "*" });
        aca(rs).configuration.ingress.allowInsecure = true;
        const prod = await analyze(capture(rs, "prod"), { stack: "prod" });
        assert.deepEqual(summary(prod.violations), [
            [
                "environment-prod",
                "mandatory",
                "kubernetes:apps/v1:Deployment::api",
                'Set env ENVIRONMENT to "prod" on container "api" (it is "staging").',
            ],
            [
                "cors-restricted",
                "mandatory",
                "kubernetes:apps/v1:Deployment::api",
                'Set ALLOWED_ORIGINS on container "api" to the exact origins allowed, without "*".',
            ],
            [
                "container-app-https-only",
                "mandatory",
                "azure-native:app:ContainerApp::api",
                "Set configuration.ingress.allowInsecure: false.",
            ],
        ]);
        assert.equal(prod.resourcesAnalyzed, rs.length);
        assert.equal(prod.policies, catalog.length);

        // Staging: ENVIRONMENT=prod does not apply, and the runbooks let CORS be advisory there.
        const staging = await analyze(capture(rs, "staging"), { stack: "staging" });
        assert.deepEqual(summary(staging.violations), [
            [
                "cors-restricted",
                "advisory",
                "kubernetes:apps/v1:Deployment::api",
                'Set ALLOWED_ORIGINS on container "api" to the exact origins allowed, without "*".',
            ],
            [
                "container-app-https-only",
                "mandatory",
                "azure-native:app:ContainerApp::api",
                "Set configuration.ingress.allowInsecure: false.",
            ],
        ]);
        console.log(`full gRPC run, server start included: prod ${prod.ms} ms, staging ${staging.ms} ms`);
    });

    it("holds prod data stores to prod rules only", async () => {
        const rs = estate();
        get(rs, "dbforpostgresql:Server", "db").backup.backupRetentionDays = 10;
        get(rs, "postgresql.cnpg.io/v1:Cluster", "postgres").spec.instances = 1;
        const pvc = rs.find((r) => r.name === "ollama-models")!;
        pvc.options = { ...pvc.options, protect: false };
        const prod = await analyze(capture(rs, "prod"), { stack: "prod" });
        assert.deepEqual(summary(prod.violations), [
            [
                "data-replication-prod",
                "mandatory",
                "kubernetes:postgresql.cnpg.io/v1:Cluster::postgres",
                'Set spec.instances on Cluster "postgres" to at least 2 (it is 1), so a standby takes over when the primary fails.',
            ],
            [
                "data-protected-in-prod",
                "mandatory",
                "kubernetes:core/v1:PersistentVolumeClaim::ollama-models",
                "Set the resource option protect: true on this PersistentVolumeClaim in prod (and retainOnDelete: true where the provider supports it).",
            ],
            // prod.json raises the PITR window to 14 days.
            [
                "data-backup-retention",
                "mandatory",
                "azure-native:dbforpostgresql:Server::db",
                'Set backup.backupRetentionDays on Flexible Server "db" to at least 14 (it is 10).',
            ],
        ]);
        const staging = await analyze(capture(rs, "staging"), { stack: "staging" });
        assert.deepEqual(summary(staging.violations), []);
    });

    it("passes the real program's prod stack and catches a change to it", async () => {
        const program = await runProgram({ stack: "prod" });
        const clean = await analyze(program, { stack: "prod" });
        assert.deepEqual(summary(clean.violations.filter((v) => v.enforcementLevel === "mandatory")), []);
        assert.equal(clean.resourcesAnalyzed, program.resources.length);

        const deployment = program.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment");
        assert.ok(deployment, "the program declares a Deployment");
        // The Deployment's pod spec, changed in place as a later program run would declare it.
        const spec = (deployment.inputs as { spec: { template: { spec: { automountServiceAccountToken?: boolean } } } })
            .spec.template.spec;
        spec.automountServiceAccountToken = true;
        const changed = await analyze(program, { stack: "prod" });
        assert.deepEqual(
            changed.violations.map((v) => [v.policy, v.enforcementLevel, v.urn, v.message]),
            [
                [
                    "service-account-token-not-automounted",
                    "mandatory",
                    deployment.urn,
                    "Set automountServiceAccountToken: false on the pod template spec.",
                ],
            ],
        );
    });

    it("refuses a stack without a policy config file", async () => {
        await assert.rejects(
            analyze(capture(estate(), "qa"), { stack: "qa" }),
            /No policy config for stack "qa": create policies\/config\/qa.json/,
        );
    });
});
