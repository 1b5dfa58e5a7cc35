import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";

/**
 * Runs the image-pinning and rollback shell steps of reusable-deploy.yml for real, with bash,
 * against a stand-in `pulumi` that keeps the stack file as JSON and the last deployment's
 * configuration beside it (what `pulumi config refresh` restores).
 */
const ROOT = path.resolve(__dirname, "../..");
const NODE = path.join(ROOT, "node_modules/.bin/node");
const workflow = parse(fs.readFileSync(path.join(ROOT, ".github/workflows/reusable-deploy.yml"), "utf8")) as {
    env: Record<string, string>;
    jobs: Record<string, { steps: { id?: string; name?: string; run?: string }[] }>;
};
const pinStep = workflow.jobs["up"]?.steps.find((s) => s.id === "pin")?.run;
const rollbackStep = workflow.jobs["rollback"]?.steps.find((s) => s.run?.includes("PreviousTag"))?.run;
const ENDPOINTS = workflow.env["ENDPOINTS_FROM_OUTPUTS"] ?? "";

const FAKE_PULUMI = `#!${NODE}
const fs = require("fs");
const [cmd, sub, ...rest] = process.argv.slice(2);
const stack = rest[rest.indexOf("--stack") + 1];
const file = "Pulumi." + stack.split("/").pop() + ".yaml";
const args = rest.filter((a, i) => a !== "--stack" && rest[i - 1] !== "--stack" && a !== "--force");
if (cmd !== "config") process.exit(2);
const local = () => JSON.parse(fs.readFileSync(file, "utf8")).config;
const save = (config) => fs.writeFileSync(file, JSON.stringify({ config }));
if (sub === "refresh") {
  if (!fs.existsSync("deployed.json")) { console.error("no deployment"); process.exit(255); }
  save(JSON.parse(fs.readFileSync("deployed.json", "utf8")));
} else if (sub === "get") {
  const v = local()[args[0]];
  if (v === undefined) { console.error("missing"); process.exit(255); }
  console.log(v);
} else if (sub === "set") {
  save({ ...local(), [args[0]]: args[1] });
} else process.exit(2);
`;

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

type Config = Record<string, string>;
const config = (tags: Record<string, [string, string]>): Config =>
    Object.fromEntries(
        Object.entries(tags).flatMap(([svc, [tag, previous]]) => [
            [`estate:${svc}Image`, `ghcr.io/acme/estate-${svc}`],
            [`estate:${svc}Tag`, tag],
            [`estate:${svc}PreviousTag`, previous],
        ]),
    );

function run(script: string, stackFile: Config, deployed: Config | undefined, env: Record<string, string>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tags-"));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(path.join(dir, "bin/pulumi"), FAKE_PULUMI, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), JSON.stringify({ config: stackFile }));
    if (deployed) fs.writeFileSync(path.join(dir, "deployed.json"), JSON.stringify(deployed));
    const output = path.join(dir, "github-output");
    fs.writeFileSync(output, "");
    const r = spawnSync("bash", ["-e", "-c", script], {
        cwd: dir,
        encoding: "utf8",
        env: {
            PATH: `${path.join(dir, "bin")}:${process.env["PATH"] ?? ""}`,
            STACK: "acme/estate/staging",
            SHORT_STACK: "staging",
            SERVICES: workflow.env["SERVICES"] ?? "",
            RUNNER_TEMP: dir,
            GITHUB_OUTPUT: output,
            IMAGE_TAG: "",
            ...env,
        },
    });
    const result = (JSON.parse(fs.readFileSync(path.join(dir, "Pulumi.staging.yaml"), "utf8")) as { config: Config })
        .config;
    return { status: r.status, log: r.stdout + r.stderr, config: result, output: fs.readFileSync(output, "utf8") };
}

describe("deploy tag handling (bash steps of reusable-deploy.yml)", () => {
    assert.ok(pinStep && rollbackStep, "both steps found");
    const running = config({
        api: ["aaa1111", "9999999"],
        gateway: ["ccc3333", "8888888"],
        ui: ["ccc3333", "8888888"],
        worker: ["ccc3333", "8888888"],
    });
    const committed = config({
        api: ["bbb2222", "0000000"],
        gateway: ["ccc3333", "0000000"],
        ui: ["ccc3333", "0000000"],
        worker: ["ccc3333", "0000000"],
    });

    it("deploys the committed tags, records the running tag as previousTag, and reports only changed services", () => {
        const r = run(pinStep, committed, running, {});
        assert.equal(r.status, 0, r.log);
        assert.equal(r.config["estate:apiTag"], "bbb2222");
        assert.equal(r.config["estate:apiPreviousTag"], "aaa1111");
        // Unchanged services keep the rollback target they already had.
        assert.equal(r.config["estate:gatewayTag"], "ccc3333");
        assert.equal(r.config["estate:gatewayPreviousTag"], "8888888");
        assert.equal(r.output, "changed=api=bbb2222\n");
    });

    it("rolls out a dispatched commit SHA to every service and rejects anything else", () => {
        const r = run(pinStep, committed, running, { IMAGE_TAG: "ddd4444" });
        assert.equal(r.status, 0, r.log);
        for (const svc of ["api", "gateway", "ui", "worker"]) assert.equal(r.config[`estate:${svc}Tag`], "ddd4444");
        assert.equal(r.config["estate:workerPreviousTag"], "ccc3333");
        assert.equal(r.output, "changed=api=ddd4444 gateway=ddd4444 ui=ddd4444 worker=ddd4444\n");
        const bad = run(pinStep, committed, running, { IMAGE_TAG: "latest" });
        assert.notEqual(bad.status, 0);
        assert.match(bad.log, /image-tag must be a commit SHA/);
    });

    it("keeps the stack file's tags on a first deployment", () => {
        const r = run(pinStep, committed, undefined, {});
        assert.equal(r.status, 0, r.log);
        assert.deepEqual(r.config, committed);
        assert.equal(r.output, "changed=\n");
    });

    it("rolls back exactly the services the failed deploy changed", () => {
        const deployedByFailedRun = run(pinStep, committed, running, {}).config;
        const r = run(rollbackStep, committed, deployedByFailedRun, { CHANGED: "api=bbb2222" });
        assert.equal(r.status, 0, r.log);
        assert.equal(r.config["estate:apiTag"], "aaa1111");
        assert.equal(r.config["estate:gatewayTag"], "ccc3333");
        assert.match(r.log, /^rollback service=api tag=aaa1111$/m);
    });

    it("leaves the last good configuration alone when the failed update never recorded the new tag", () => {
        const r = run(rollbackStep, committed, running, { CHANGED: "api=bbb2222" });
        assert.equal(r.status, 0, r.log);
        assert.equal(r.config["estate:apiTag"], "aaa1111");
        assert.equal(r.config["estate:apiPreviousTag"], "9999999");
    });

    it("reads the API and UI origins from the services stack output, and fails without them", () => {
        const ok = spawnSync(NODE, ["-e", ENDPOINTS], {
            input: JSON.stringify({
                api: { url: "https://api.estate.example.com/" },
                ui: { url: "https://app.estate.example.com/" },
            }),
            encoding: "utf8",
        });
        assert.equal(ok.stdout.trim(), "https://api.estate.example.com https://app.estate.example.com");
        const missing = spawnSync(NODE, ["-e", ENDPOINTS], {
            input: JSON.stringify({ api: { url: "https://x.example" } }),
            encoding: "utf8",
        });
        assert.equal(missing.status, 1);
    });
});
