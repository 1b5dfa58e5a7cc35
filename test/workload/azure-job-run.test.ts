// The run that starts a Manual Container Apps job and waits for it, against a stand-in `az`,
// and where the real program puts it: between the migration job and the schema owner's app.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { JOB_RUN_SCRIPT, jobRunTimeoutSeconds } from "../../components/workload/azure/job-run";
import type { ProgramCapture } from "../../tools/lib/mock-run";
import { PlanView } from "../../tools/deployability/rule";
import { inputsOf, plan, resource, stacks } from "../support/program";

/** Runs the script with an `az` that answers `start` with `execution` and `show` with each status in turn. */
function runWith(statuses: readonly string[], opts: { execution?: string; timeoutSeconds?: number } = {}) {
    const dir = mkdtempSync(join(tmpdir(), "job-run-"));
    writeFileSync(join(dir, "statuses"), statuses.join("\n") + "\n");
    writeFileSync(
        join(dir, "az"),
        `#!/bin/bash
echo "$*" >> "${dir}/calls"
case "$*" in
  "containerapp job start "*) echo "${opts.execution ?? "api-migrate-abc-x1y2z3"}" ;;
  "containerapp job execution show "*)
    status=$(head -n 1 "${dir}/statuses"); tail -n +2 "${dir}/statuses" > "${dir}/rest"; mv "${dir}/rest" "${dir}/statuses"
    echo "\${status:-Running}" ;;
  *) echo "unexpected az $*" >&2; exit 2 ;;
esac
`,
    );
    chmodSync(join(dir, "az"), 0o755);
    const run = spawnSync("bash", ["-c", JOB_RUN_SCRIPT], {
        encoding: "utf8",
        env: {
            PATH: `${dir}:${process.env["PATH"]}`,
            JOB_NAME: "api-migrate-abc",
            RESOURCE_GROUP: "estate-rg",
            TIMEOUT_SECONDS: String(opts.timeoutSeconds ?? 60),
            POLL_SECONDS: "0",
        },
    });
    const calls = readFileSync(join(dir, "calls"), "utf8").trim().split("\n");
    return { status: run.status, stdout: run.stdout, stderr: run.stderr, calls };
}

describe("running a Manual Container Apps job from pulumi up", () => {
    it("starts one execution and succeeds once it has succeeded", () => {
        const run = runWith(["Running", "Processing", "Succeeded"]);
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(run.calls, [
            "containerapp job start --name api-migrate-abc --resource-group estate-rg --query name --output tsv",
            ...Array(3).fill(
                "containerapp job execution show --name api-migrate-abc --resource-group estate-rg --job-execution-name api-migrate-abc-x1y2z3 --query properties.status --output tsv",
            ),
        ]);
        assert.match(run.stdout, /api-migrate-abc execution api-migrate-abc-x1y2z3 succeeded/);
    });

    for (const ended of ["Failed", "Stopped"]) {
        it(`fails the deploy when the execution ends ${ended}`, () => {
            const run = runWith(["Running", ended, "Succeeded"]);
            assert.equal(run.status, 1);
            assert.match(
                run.stderr,
                new RegExp(`execution api-migrate-abc-x1y2z3 ended ${ended}; nothing ordered after it is deployed`),
            );
            assert.equal(run.calls.length, 3);
        });
    }

    it("fails when the execution is still running at the deadline", () => {
        const run = runWith(["Running"], { timeoutSeconds: 0 });
        assert.equal(run.status, 1);
        assert.match(run.stderr, /still Running after 0 s/);
    });

    it("fails when the start names no execution", () => {
        const run = runWith(["Succeeded"], { execution: "" });
        assert.equal(run.status, 1);
        assert.match(run.stderr, /named no execution of api-migrate-abc/);
        assert.equal(run.calls.length, 1);
    });

    it("waits for every attempt of the job", () => {
        assert.equal(jobRunTimeoutSeconds(900, 1), 2100);
    });
});

for (const stack of stacks) {
    describe(`migration gate on azure (${stack})`, () => {
        let capture: ProgramCapture;
        before(async () => {
            capture = await plan(stack, { platform: "azure" });
        });

        it("creates the api's app only after the migration run, which runs the migration job", () => {
            const view = new PlanView(capture);
            const job = resource(capture, "azure-native:app:Job", "api-migrate-job");
            const run = resource(capture, "command:local:Command", "api-migrate-run");
            const app = resource(capture, "azure-native:app:ContainerApp", "api-app");
            assert.equal(inputsOf(job).configuration.triggerType, "Manual");
            const inputs = inputsOf(run);
            assert.equal(inputs.create, JOB_RUN_SCRIPT);
            assert.deepEqual(inputs.interpreter, ["/bin/bash", "-c"]);
            assert.equal(inputs.environment.JOB_NAME, inputsOf(job).jobName);
            assert.deepEqual(run.propertyDependencies["environment"]?.includes(job.urn), true);
            // A new tag replaces the job (its name carries the tag) and so runs the migration again.
            assert.deepEqual(inputs.triggers, ["api-migrate-job-id", inputsOf(job).template.containers[0].image]);
            assert.ok(view.waitsFor(app).has(run.urn), "the app waits for the migration's run");
        });

        it("seeds after the migration has run, once for the stack", () => {
            const view = new PlanView(capture);
            const seed = resource(capture, "command:local:Command", "api-bootstrap-run");
            const bootstrap = resource(capture, "azure-native:app:Job", "api-bootstrap-job");
            assert.ok(view.waitsFor(bootstrap).has(resource(capture, "command:local:Command", "api-migrate-run").urn));
            assert.deepEqual(seed.options.ignoreChanges, ["triggers"]);
        });
    });
}
