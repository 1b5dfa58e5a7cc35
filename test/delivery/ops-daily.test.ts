import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { parseSmokeArgs } from "../../scripts/smoke/args";
import type { EstateOutputsValue } from "../../stacks/outputs";
import { outputsOf, plan } from "../support/program";

const ROOT = path.resolve(__dirname, "../..");
const NODE = path.join(ROOT, "node_modules/.bin/node");
const load = (file: string) => parse(fs.readFileSync(path.join(ROOT, ".github/workflows", file), "utf8"));

interface Step {
    name?: string;
    id?: string;
    uses?: string;
    run?: string;
    env?: Record<string, string>;
    with?: Record<string, string>;
}

const daily = load("ops-daily.yml");
const reusable = load("reusable-ops-daily.yml");
const verifySteps = reusable.jobs.verify.steps as Step[];
const reportStep = (reusable.jobs.report.steps as Step[])[0]!;

function endpoints(stdin: string) {
    const r = spawnSync(NODE, ["--import", "tsx", "scripts/smoke/endpoints.ts"], {
        cwd: ROOT,
        input: stdin,
        encoding: "utf8",
    });
    return { code: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

/** Runs the report job's github-script body against a recording stand-in for the GitHub API. */
async function report(code: string, openIssues: Array<{ number: number; title: string }>) {
    const calls: string[] = [];
    const rest = {
        issues: {
            listForRepo: "listForRepo",
            create: async (a: { title: string; body: string }) =>
                void calls.push(`create ${a.title}: ${a.body.split("\n")[0]}`),
            createComment: async (a: { issue_number: number; body: string }) =>
                void calls.push(`comment #${a.issue_number}: ${a.body.split("\n")[0]}`),
            update: async (a: { issue_number: number; state: string }) =>
                void calls.push(`update #${a.issue_number} ${a.state}`),
        },
    };
    const github = { rest, paginate: async () => openIssues };
    const context = { serverUrl: "https://github.com", repo: { owner: "acme", repo: "estate" }, runId: 7 };
    const env = { ...process.env, STACK: "prod", CODE: code };
    const saved = process.env;
    process.env = env;
    try {
        const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
            ...args: string[]
        ) => (...a: unknown[]) => Promise<void>;
        await new AsyncFunction("github", "context", reportStep.with!["script"]!)(github, context);
    } finally {
        process.env = saved;
    }
    return calls;
}

describe("ops_daily workflow (runbook 004)", () => {
    let outputs: EstateOutputsValue;
    before(async () => {
        outputs = outputsOf(await plan("prod"));
    });

    it("runs daily and on demand for every stack, through the reusable workflow", () => {
        assert.match(daily.on.schedule[0].cron, /^\d+ \d+ \* \* \*$/);
        assert.ok("workflow_dispatch" in daily.on);
        assert.deepEqual(daily.jobs.stack.strategy.matrix.stack, ["staging", "prod"]);
        assert.equal(daily.jobs.stack.uses, "./.github/workflows/reusable-ops-daily.yml");
    });

    it("runs the smoke script's token-free checks with arguments it accepts, against the stack's outputs", () => {
        const step = verifySteps.find((s) => s.id === "smoke")!;
        assert.match(
            step.run!,
            /pulumi stack output --stack "\$STACK" --json services \| node_modules\/\.bin\/node --import tsx scripts\/smoke\/endpoints\.ts/,
        );
        const command = step
            .run!.replace(/\\\n\s*/g, " ")
            .split("\n")
            .find((l) => l.includes("scripts/smoke/smoke.ts"))!
            .trim()
            .split(/\s+/);
        assert.deepEqual(command.slice(0, 4), ["node_modules/.bin/node", "--import", "tsx", "scripts/smoke/smoke.ts"]);
        const samples: Record<string, string> = {
            API_BASE_URL: "https://api.example.com",
            APP_ORIGIN: "https://app.example.com",
        };
        const options = parseSmokeArgs(
            command.slice(4).map((a) => a.replace(/^"\$(\w+)"$/, (_m, v: string) => samples[v] ?? `unset:${v}`)),
            {},
        );
        assert.deepEqual(options.checks, ["healthz", "readyz", "cors-allowed", "cors-disallowed"]);
        assert.ok(options.retries > 0);
        assert.match(step.run!, /code=\$\?\n\s*echo "code=\$code" >> "\$GITHUB_OUTPUT"\n\s*exit "\$code"/);
        assert.deepEqual(reusable.jobs.verify.permissions, { contents: "read", "id-token": "write" });
        assert.ok(
            !verifySteps.some(
                (s) => s.uses?.startsWith("azure/login") || s.uses?.startsWith("google-github-actions/auth"),
            ),
            "no cloud identity",
        );
    });

    it("finds the API and UI in the real stack outputs, parsed with the contract", () => {
        assert.deepEqual(endpoints(JSON.stringify(outputs.services)), {
            code: 0,
            stdout: "https://api.estate.example.com https://app.estate.example.com",
            stderr: "",
        });
    });

    it("exits 1 naming the problem when the outputs do not fit", () => {
        const { ui: _ui, ...withoutUi } = outputs.services;
        assert.match(endpoints(JSON.stringify(withoutUi)).stderr, /lacks api\.url or ui\.url/);
        const broken = endpoints(JSON.stringify({ ...outputs.services, api: { ...outputs.services.api, image: 7 } }));
        assert.equal(broken.code, 1);
        assert.match(broken.stderr, /expected string, received number\\n {2}→ at services\.api\.image/);
        assert.equal(endpoints("").code, 1);
    });

    it("opens the issue on exit 2 or 1, comments on an open one, and closes it when healthy", async () => {
        assert.deepEqual(await report("2", []), [
            "create ops_daily strict unhealthy (prod): ops_daily on `prod`: unhealthy (exit 2): the service answered but a check failed.",
        ]);
        assert.deepEqual(await report("", [{ number: 4, title: "ops_daily strict unhealthy (prod)" }]), [
            "comment #4: ops_daily on `prod`: error (exit none): the checks could not run or reach the service.",
        ]);
        assert.deepEqual(await report("0", [{ number: 4, title: "ops_daily strict unhealthy (prod)" }]), [
            "comment #4: Healthy again (exit 0). Run: https://github.com/acme/estate/actions/runs/7",
            "update #4 closed",
        ]);
        assert.deepEqual(await report("0", [{ number: 5, title: "Drift detected on stack prod" }]), []);
    });
});
