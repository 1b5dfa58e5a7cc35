import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ContainerAppJob, type ContainerAppJobArgs } from "../../components/workload/azure/job";
import { JOB_RUN_SCRIPT } from "../../components/workload/azure/job-run";
import { UNBOUND_IDENTITY } from "../../components/secrets/azure/key-vault";
import { runComponents } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";
import { refusalOf } from "../support/components";

const KEY_VAULT_REF = {
    kind: "key-vault",
    secretUri: "https://kv.vault.azure.net/secrets/db-url",
    identityId: "/identities/api-migrate",
    name: "db-url",
} as const;

/** The api's migration job the way the Azure platform declares it; each test changes one thing. */
function args(overrides: Partial<ContainerAppJobArgs> = {}): ContainerAppJobArgs {
    return {
        purpose: "migration",
        jobName: "api-migrate-1-2-0",
        image: "ghcr.io/acme/api:1.2.0",
        command: ["alembic", "upgrade", "head"],
        env: { LOG_LEVEL: "info" },
        secretEnv: { DATABASE_URL: KEY_VAULT_REF },
        resourceGroupName: "rg-estate",
        environmentId: "/environments/estate",
        identityId: "/identities/api-migrate",
        ...overrides,
    };
}

async function declare(overrides: Partial<ContainerAppJobArgs> = {}) {
    let job!: ContainerAppJob;
    const capture = await runComponents(() => {
        job = new ContainerAppJob("api-migrate", args(overrides));
    });
    const jobName = await new Promise<string>((resolve) => job.jobName.apply(resolve));
    const jobResource = resource(capture, "azure-native:app:Job", "api-migrate-job");
    const run = resource(capture, "command:local:Command", "api-migrate-run");
    return {
        capture,
        jobName,
        jobResource,
        run,
        job: inputsOf(jobResource),
        names: capture.resources.filter((r) => r.custom).map((r) => r.name),
    };
}

/** The message the constructor throws, caught inside the run so the run itself completes. */
function refusal(overrides: Partial<ContainerAppJobArgs>): Promise<string> {
    return refusalOf(() => {
        new ContainerAppJob("api-migrate", args(overrides));
    });
}

describe("ContainerAppJob (component)", () => {
    it("declares the Manual job and the command that runs it, both under the component", async () => {
        const { capture, names, job, jobName } = await declare();
        assert.deepEqual(names.sort(), ["api-migrate-job", "api-migrate-run"]);
        const component = capture.resources.find((r) => r.type === "estate:workload:ContainerAppJob");
        for (const child of capture.resources.filter((r) => r.custom)) assert.equal(child.parent, component?.urn);
        assert.equal(jobName, "api-migrate-1-2-0");
        assert.equal(job.jobName, "api-migrate-1-2-0");
        assert.equal(job.environmentId, "/environments/estate");
        assert.deepEqual(job.identity, { type: "UserAssigned", userAssignedIdentities: ["/identities/api-migrate"] });
        assert.equal(job.tags["estate-job"], "migration");
        assert.equal(job.tags["estate-tier"], "job");
    });

    it("runs one replica once per trigger, with the default timeout and one retry", async () => {
        const { configuration } = (await declare()).job;
        assert.equal(configuration.triggerType, "Manual");
        assert.deepEqual(configuration.manualTriggerConfig, { parallelism: 1, replicaCompletionCount: 1 });
        assert.deepEqual([configuration.replicaTimeout, configuration.replicaRetryLimit], [900, 1]);
        assert.equal(configuration.registries, undefined);
        const custom = (await declare({ timeoutSeconds: 300, retries: 2 })).job.configuration;
        assert.deepEqual([custom.replicaTimeout, custom.replicaRetryLimit], [300, 2]);
    });

    it("runs the image's command, sized on a Container Apps pair, secrets by Key Vault reference", async () => {
        const { job } = await declare({ cpu: "1" });
        assert.deepEqual(job.template.containers, [
            {
                name: "migration",
                image: "ghcr.io/acme/api:1.2.0",
                command: ["alembic", "upgrade", "head"],
                resources: { cpu: 1, memory: "2Gi" },
                env: [
                    { name: "LOG_LEVEL", value: "info" },
                    { name: "DATABASE_URL", secretRef: "db-url" },
                ],
            },
        ]);
        assert.deepEqual(job.configuration.secrets, [
            { name: "db-url", keyVaultUrl: KEY_VAULT_REF.secretUri, identity: "/identities/api-migrate" },
        ]);
    });

    it("starts an execution and waits for every attempt, again when the job or image changes", async () => {
        const { run, jobResource } = await declare({ timeoutSeconds: 600, retries: 1 });
        const inputs = inputsOf(run);
        assert.deepEqual(inputs.interpreter, ["/bin/bash", "-c"]);
        assert.equal(inputs.create, JOB_RUN_SCRIPT);
        assert.deepEqual(inputs.environment, {
            JOB_NAME: "api-migrate-1-2-0",
            RESOURCE_GROUP: "rg-estate",
            TIMEOUT_SECONDS: "1500",
        });
        assert.deepEqual(inputs.triggers, ["api-migrate-job-id", "ghcr.io/acme/api:1.2.0"]);
        assert.deepEqual(run.options.ignoreChanges, []);
        // The name is the job's output: the run waits for the job to exist.
        assert.ok(run.dependencies.includes(jobResource.urn));
    });

    it("runs once for the stack when asked: later templates and triggers are ignored", async () => {
        const { jobResource, run } = await declare({ runOnce: true });
        assert.deepEqual(jobResource.options.ignoreChanges, ["template", "jobName"]);
        assert.deepEqual(run.options.ignoreChanges, ["triggers"]);
        assert.deepEqual((await declare()).jobResource.options.ignoreChanges, []);
    });

    it("pulls from a private registry as the given identity", async () => {
        const registries = [{ server: "acme.azurecr.io", identity: "/identities/api-migrate" }];
        assert.deepEqual((await declare({ registries })).job.configuration.registries, registries);
    });

    it("refuses a Kubernetes secret reference", async () => {
        assert.equal(
            await refusal({ secretEnv: { TOKEN: { kind: "kubernetes-secret", secretName: "api", key: "token" } } }),
            "`secretEnv.TOKEN` is a kubernetes-secret reference; Container Apps read secrets as Key Vault references",
        );
    });

    it("refuses a Key Vault reference not yet granted to the job's identity", async () => {
        assert.equal(
            await refusal({ secretEnv: { TOKEN: { ...KEY_VAULT_REF, identityId: UNBOUND_IDENTITY } } }),
            "`secretEnv.TOKEN` is not bound to the workload's identity: grant it with KeyVaultStore.grantRead",
        );
    });
});
