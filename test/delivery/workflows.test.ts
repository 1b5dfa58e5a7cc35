import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";

import { parseSmokeArgs } from "../../scripts/smoke/args";

const ROOT = path.resolve(__dirname, "../..");
const WORKFLOWS = path.join(ROOT, ".github/workflows");
const NODE = path.join(ROOT, "node_modules/.bin/node");
const VALIDATOR = path.join(ROOT, "node_modules/.bin/action-validator");

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
}
interface Job {
    name?: string;
    needs?: string | string[];
    if?: string;
    uses?: string;
    with?: Record<string, unknown>;
    environment?: string | { name: string };
    permissions?: Record<string, string> | string;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    strategy?: { matrix?: Record<string, unknown> };
    env?: Record<string, string>;
    steps?: Step[];
}
interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string> | string;
    env?: Record<string, string>;
    jobs: Record<string, Job>;
}

const files = fs
    .readdirSync(WORKFLOWS)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
const text = (file: string): string => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
const load = (file: string): Workflow => parse(text(file)) as Workflow;
const workflows = new Map(files.map((f) => [f, load(f)]));
const get = (file: string): Workflow => {
    const wf = workflows.get(file);
    assert.ok(wf, `${file} exists`);
    return wf;
};

/** A job's steps, following `uses: ./.github/workflows/x.yml` into the reusable workflow. */
function steps(file: string, jobId: string): Step[] {
    const job = get(file).jobs[jobId];
    assert.ok(job, `${file} has job ${jobId}`);
    if (job.uses === undefined) return job.steps ?? [];
    const called = path.basename(job.uses);
    return Object.keys(get(called).jobs).flatMap((id) => steps(called, id));
}

function validate(file: string): { status: number | null; output: string } {
    const r = spawnSync(NODE, [VALIDATOR, file], { cwd: ROOT, encoding: "utf8" });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const OIDC_ACTIONS = ["pulumi/auth-actions", "azure/login", "google-github-actions/auth"];
const actionOf = (uses: string): string => uses.split("@")[0] ?? "";
const matrixStacks = (job: Job): string[] => (job.strategy?.matrix?.["stack"] as string[] | undefined) ?? [];

describe("workflow syntax (action-validator)", () => {
    it("finds the delivery workflows", () => {
        for (const f of ["pull-request.yml", "deploy.yml", "drift.yml"]) assert.ok(files.includes(f), f);
    });

    it("accepts every workflow", () => {
        for (const f of files) {
            const r = validate(path.join(WORKFLOWS, f));
            assert.equal(r.status, 0, `${f}: ${r.output}`);
        }
    });

    it("rejects deliberately broken copies, so a pass above means something", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflows-"));
        try {
            const breakages: [string, (s: string) => string, RegExp][] = [
                ["deploy.yml", (s) => s.replace("needs: staging", "needs: stagign"), /unresolved job stagign/],
                ["reusable-checks.yml", (s) => s.replace(/^ {4}runs-on: .*$/m, ""), /"path": "\/jobs\/test/],
                ["drift.yml", (s) => s.replace("workflow_dispatch:", "workflow_dispatchh:"), /"path": "\/on/],
            ];
            for (const [file, mutate, expected] of breakages) {
                const broken = mutate(text(file));
                assert.notEqual(broken, text(file), `mutation of ${file} applied`);
                const copy = path.join(dir, file);
                fs.writeFileSync(copy, broken);
                const r = validate(copy);
                assert.equal(r.status, 1, `${file} broken copy must fail`);
                assert.match(r.output, expected);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("supply chain", () => {
    it("pins every action to a full commit SHA with its release in a comment, one SHA per action", () => {
        const pins = new Map<string, string>();
        for (const f of files) {
            for (const line of text(f).split("\n")) {
                const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
                if (!m?.[1]) continue;
                const [ref, rest = ""] = [m[1], m[2]];
                if (ref.startsWith("./")) {
                    assert.ok(fs.existsSync(path.join(ROOT, ref)), `${f}: ${ref} exists`);
                    continue;
                }
                assert.match(ref, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `${f}: ${ref} is pinned to a commit`);
                assert.match(rest, /^\s+# v\d+\.\d+\.\d+$/, `${f}: ${ref} names its release`);
                const [action = "", sha = ""] = ref.split("@");
                assert.equal(pins.get(action) ?? sha, sha, `${action} pinned to one SHA everywhere`);
                pins.set(action, sha);
            }
        }
        assert.ok(pins.size >= 6, "the pins were actually found");
    });

    it("gives every job that runs the Pulumi CLI against a stack the GKE credentials, after Google auth and before the CLI", () => {
        const GKE = "google-github-actions/get-gke-credentials";
        let jobs = 0;
        for (const [f, wf] of workflows) {
            for (const [id, job] of Object.entries(wf.jobs)) {
                const list = job.steps ?? [];
                const cli = list.findIndex(
                    (st) =>
                        (actionOf(st.uses ?? "") === "pulumi/actions" && st.with?.["command"] !== undefined) ||
                        /\bpulumi (preview|up|config refresh)\b/.test(st.run ?? ""),
                );
                if (cli < 0) continue;
                jobs += 1;
                const auth = list.findIndex((st) => actionOf(st.uses ?? "") === "google-github-actions/auth");
                const gke = list.findIndex((st) => actionOf(st.uses ?? "") === GKE);
                assert.ok(gke > auth && auth >= 0, `${f} ${id}: ${GKE} runs after google-github-actions/auth`);
                assert.ok(gke < cli, `${f} ${id}: ${GKE} runs before the Pulumi CLI`);
                assert.equal(list[gke]?.with?.["cluster_name"], "${{ vars.GKE_CLUSTER }}", `${f} ${id}`);
            }
        }
        assert.equal(jobs, 4, "preview, up, rollback and drift");
    });

    it("references no secret but PULUMI_ACCESS_TOKEN and no long-lived cloud key", () => {
        for (const f of files) {
            const t = text(f);
            const secrets = [...t.matchAll(/secrets\.([A-Za-z0-9_]+)/g)].map((m) => m[1]);
            assert.deepEqual(
                secrets.filter((s) => s !== "PULUMI_ACCESS_TOKEN"),
                [],
                f,
            );
            assert.doesNotMatch(t, /secrets:\s*inherit/, f);
            assert.doesNotMatch(
                t,
                /ARM_CLIENT_SECRET|AZURE_CREDENTIALS|credentials_json|GOOGLE_CREDENTIALS|AWS_SECRET_ACCESS_KEY|client-secret|^\s+creds:/m,
                f,
            );
        }
    });

    it("never expands an expression inside a shell script (script injection)", () => {
        for (const [f, wf] of workflows) {
            for (const [id, job] of Object.entries(wf.jobs)) {
                for (const step of job.steps ?? []) {
                    if (step.run !== undefined)
                        assert.doesNotMatch(step.run, /\$\{\{/, `${f} ${id}: ${step.name ?? step.run}`);
                }
            }
        }
    });
});

describe("least privilege", () => {
    const allowedWrites = new Set(["contents", "id-token", "issues", "packages", "pull-requests"]);

    it("sets top-level permissions to contents: read in every workflow", () => {
        for (const [f, wf] of workflows) assert.deepEqual(wf.permissions, { contents: "read" }, f);
    });

    it("grants write only where a job needs it", () => {
        for (const [f, wf] of workflows) {
            for (const [id, job] of Object.entries(wf.jobs)) {
                const perms = job.permissions ?? {};
                assert.equal(typeof perms, "object", `${f} ${id}: no read-all/write-all`);
                const writes = Object.entries(perms)
                    .filter(([, v]) => v === "write")
                    .map(([k]) => k);
                for (const w of writes) assert.ok(allowedWrites.has(w), `${f} ${id}: ${w}: write`);

                const own = job.steps ?? [];
                const usesOidc = steps(f, id).some(
                    (s) => s.uses !== undefined && OIDC_ACTIONS.includes(actionOf(s.uses)),
                );
                assert.equal(
                    writes.includes("id-token"),
                    usesOidc,
                    `${f} ${id}: id-token: write exactly when it logs in via OIDC`,
                );
                if (job.uses === undefined && writes.includes("issues")) {
                    assert.ok(!writes.includes("id-token"), `${f} ${id}: the issue writer holds no cloud identity`);
                    assert.ok(
                        own.some((s) => s.uses?.startsWith("actions/github-script@")),
                        `${f} ${id}: issues: write only to file issues`,
                    );
                }
                if (writes.includes("packages")) {
                    const login = own.find((s) => s.uses?.startsWith("docker/login-action@"));
                    assert.equal(
                        login?.with?.["registry"],
                        "ghcr.io",
                        `${f} ${id}: packages: write only to push to ghcr.io`,
                    );
                    assert.equal(
                        login?.with?.["password"],
                        "${{ github.token }}",
                        `${f} ${id}: with the job's own token`,
                    );
                    assert.ok(
                        own.some((s) => s.uses?.startsWith("docker/build-push-action@")),
                        `${f} ${id}: packages: write only to push an image`,
                    );
                }
                // The one job that writes to the repository pins the backup image: it pushes a branch
                // and opens a pull request, so a new digest reaches the stacks only through review.
                const opensPinRequest =
                    f === "backup-image.yml" &&
                    own.some((s) => /git push origin "\$branch"/.test(s.run ?? "") && /gh pr create/.test(s.run ?? ""));
                if (writes.includes("contents"))
                    assert.ok(opensPinRequest, `${f} ${id}: contents: write only to push the backup-image pin branch`);
                if (job.uses === undefined && writes.includes("pull-requests")) {
                    assert.ok(
                        own.some((s) => s.with?.["comment-on-pr"] === true) || opensPinRequest,
                        `${f} ${id}: pull-requests: write only to comment or to open the pin pull request`,
                    );
                }
                if (writes.includes("issues"))
                    assert.match(f, /drift|ops-daily/, `${f} ${id}: only drift detection and ops_daily file issues`);
            }
        }
    });
});

describe("pull-request workflow", () => {
    const pr = get("pull-request.yml");

    it("runs on pull requests and gates them with exactly what .ci/run runs", () => {
        assert.ok("pull_request" in pr.on);
        const ciRun = fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8");
        const npmLines = ciRun
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l.startsWith("npm "));
        assert.ok(
            npmLines.some((l) => /^npm ci\b/.test(l)) && npmLines.includes("npm test"),
            ".ci/run runs npm ci and npm test",
        );
        // Nothing else: whatever the tests need is provisioned by `npm test` itself, as on a laptop.
        const commands = ciRun
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l !== "" && !l.startsWith("#") && !/^(set|cd) /.test(l));
        assert.deepEqual(commands, npmLines, ".ci/run runs only npm ci and npm test");
        assert.ok(fs.statSync(path.join(ROOT, ".ci/run")).mode & 0o111, ".ci/run is executable");
        const runs = steps("pull-request.yml", "checks").map((s) => s.run?.trim());
        assert.ok(runs.includes(".ci/run"), "the PR checks execute .ci/run itself");
    });

    it("plans and checks policy offline for every stack x platform, without credentials", () => {
        const checks = get("reusable-checks.yml");
        const offline = checks.jobs["offline"];
        assert.ok(offline);
        assert.deepEqual(offline.strategy?.matrix?.["platform"], ["kubernetes", "azure"]);
        assert.deepEqual(offline.env, { STACK: "${{ matrix.stack }}", PLATFORM: "${{ matrix.platform }}" });
        const runs = (offline.steps ?? []).map((s) => s.run);
        assert.ok(runs.includes('npm run plan -- --stack "$STACK" -c "estate:platform=$PLATFORM"'));
        assert.ok(runs.includes('npm run policy -- --stack "$STACK" -c "estate:platform=$PLATFORM"'));
        assert.ok(!Object.values(checks.jobs).some((j) => j.permissions !== undefined), "no elevated permissions");
        assert.equal(pr.jobs["checks"]?.if, undefined, "forks run the checks too");
    });

    it("previews every stack with the policy pack and a PR comment, never for forks", () => {
        const preview = pr.jobs["preview"];
        assert.ok(preview);
        assert.match(preview.if ?? "", /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/);
        const step = (preview.steps ?? []).find((s) => s.with?.["command"] === "preview");
        assert.ok(step?.uses?.startsWith("pulumi/actions@"));
        assert.ok(step);
        assert.equal(step.with?.["policyPacks"], "policies");
        assert.equal(step.with?.["policyPackConfigs"], "policies/config/${{ matrix.stack }}.json");
        assert.equal(step.with?.["comment-on-pr"], true);
        assert.match(preview.concurrency?.group ?? "", /\$\{\{ matrix\.stack \}\}/, "one concurrency group per stack");
    });
});

describe("deploy workflow", () => {
    const deploy = get("deploy.yml");
    const reusable = get("reusable-deploy.yml");

    it("deploys on push to main: checks, then staging, then production behind its environment", () => {
        assert.deepEqual(deploy.on["push"], { branches: ["main"] });
        assert.ok("workflow_dispatch" in deploy.on);
        assert.equal(deploy.jobs["checks"]?.uses, "./.github/workflows/reusable-checks.yml");
        assert.equal(deploy.jobs["staging"]?.needs, "checks");
        assert.equal(
            deploy.jobs["staging"]?.if,
            "github.ref == 'refs/heads/main'",
            "a dispatch from a branch deploys nothing",
        );
        assert.deepEqual(deploy.jobs["staging"]?.with, {
            stack: "staging",
            environment: "staging",
            "rollback-environment": "staging",
            "image-tag": "${{ inputs.image-tag }}",
        });
        assert.equal(deploy.jobs["prod"]?.needs, "staging");
        assert.equal(deploy.jobs["prod"]?.with?.["environment"], "production");
        // A rollback must not wait for a reviewer.
        assert.notEqual(deploy.jobs["prod"]?.with?.["rollback-environment"], "production");
        assert.equal(reusable.jobs["up"]?.environment, "${{ inputs.environment }}");
        assert.equal(reusable.jobs["rollback"]?.environment, "${{ inputs.rollback-environment }}");
    });

    it("handles the tags of all four services and hands the changed ones to the rollback job", () => {
        assert.deepEqual(reusable.env?.["SERVICES"]?.split(" "), ["api", "gateway", "ui", "worker"]);
        const pin = (reusable.jobs["up"]?.steps ?? []).find(
            (s) => s.name === "Pin every service image to its commit SHA",
        );
        assert.ok(pin?.run?.includes('"estate:${svc}PreviousTag"'));
        assert.ok(pin);
        assert.equal(pin.env?.["IMAGE_TAG"], "${{ inputs.image-tag }}");
        const rollbackRevert = (reusable.jobs["rollback"]?.steps ?? []).find((s) => s.env?.["CHANGED"] !== undefined);
        assert.equal(rollbackRevert?.env?.["CHANGED"], "${{ needs.up.outputs.changed }}");
    });

    it("runs pulumi up with the policy pack, then the smoke script, and rolls back when that job fails", () => {
        for (const id of ["up", "rollback"]) {
            const job = reusable.jobs[id];
            assert.ok(job);
            const up = (job.steps ?? []).find((s) => s.with?.["command"] === "up");
            assert.equal(up?.with?.["policyPacks"], "policies", id);
            assert.equal(up?.with?.["policyPackConfigs"], "policies/config/${{ inputs.stack }}.json", id);
            assert.equal(job.concurrency?.group, "pulumi-${{ inputs.stack }}", `${id}: one group per stack`);
            assert.equal(job.concurrency?.["cancel-in-progress"], false, `${id}: never cancel an update`);
        }
        const upSteps = reusable.jobs["up"]?.steps ?? [];
        const upAt = upSteps.findIndex((s) => s.with?.["command"] === "up");
        const smokeAt = upSteps.findIndex((s) => s.run?.includes("scripts/smoke/smoke.ts"));
        assert.ok(upAt >= 0 && smokeAt > upAt, "smoke runs after pulumi up");

        const rollback = reusable.jobs["rollback"];
        assert.equal(rollback?.needs, "up");
        assert.equal(rollback?.if, "failure() && needs.up.result == 'failure'");
        const rb = rollback?.steps ?? [];
        const revert = rb.findIndex((s) => s.run?.includes("PreviousTag"));
        assert.match(
            rb[revert]?.run ?? "",
            /pulumi config set --stack "\$STACK" "estate:\$\{svc\}Tag" \\\s+"\$\(pulumi config get --stack "\$STACK" "estate:\$\{svc\}PreviousTag"\)"/,
        );
        const rbUp = rb.findIndex((s) => s.with?.["command"] === "up");
        const wait = rb.findIndex((s) => /^sleep \d+$/.test(s.run?.trim() ?? ""));
        const verify = rb.findIndex((s) => s.run?.includes("scripts/smoke/smoke.ts"));
        assert.ok(
            revert >= 0 && revert < rbUp && rbUp < wait && wait < verify,
            "revert, up, wait, verify — in that order",
        );
        assert.match(rb[verify]?.run ?? "", /--checks healthz,readyz/);
    });

    it("calls the smoke script with arguments it accepts", () => {
        const samples: Record<string, string> = {
            API_BASE_URL: "https://api.example.com",
            APP_ORIGIN: "https://app.example.com",
        };
        let calls = 0;
        for (const job of Object.values(reusable.jobs)) {
            for (const step of job.steps ?? []) {
                if (!step.run?.includes("scripts/smoke/smoke.ts")) continue;
                const command =
                    step.run
                        .replace(/\\\n\s*/g, " ")
                        .split("\n")
                        .find((l) => l.includes("scripts/smoke/smoke.ts")) ?? "";
                const args = command
                    .trim()
                    .split(/\s+/)
                    .slice(4)
                    .map((a) => a.replace(/^"\$(\w+)"$/, (_m, v: string) => samples[v] ?? `unset:${v}`));
                assert.deepEqual(command.trim().split(/\s+/).slice(0, 4), [
                    "node_modules/.bin/node",
                    "--import",
                    "tsx",
                    "scripts/smoke/smoke.ts",
                ]);
                const options = parseSmokeArgs(args, { SMOKE_API_TOKEN: "sample" });
                assert.equal(options.baseUrl, "https://api.example.com");
                assert.ok(options.retries > 0, "the smoke check waits for the rollout");
                assert.match(
                    step.run,
                    /pulumi stack output --stack "\$STACK" --json services \| node_modules\/\.bin\/node -e "\$ENDPOINTS_FROM_OUTPUTS"/,
                );
                calls += 1;
            }
        }
        assert.equal(calls, 2, "post-deploy smoke and post-rollback verification");
    });
});

describe("drift workflow", () => {
    const drift = get("drift.yml");
    const reusable = get("reusable-drift.yml");

    it("runs daily and on demand, previews with --refresh, and files issues from a job without cloud access", () => {
        assert.ok("workflow_dispatch" in drift.on);
        const schedule = drift.on["schedule"] as { cron: string }[];
        assert.match(schedule[0]?.cron ?? "", /^\d+ \d+ \* \* \*$/, "once a day");
        const detect = (reusable.jobs["detect"]?.steps ?? []).find((s) => s.run?.includes("pulumi preview"));
        assert.match(detect?.run ?? "", /pulumi preview --stack "\$STACK" --refresh --json/);
        assert.equal(reusable.jobs["detect"]?.concurrency?.group, "pulumi-drift-${{ inputs.stack }}");
        assert.deepEqual(reusable.jobs["report"]?.permissions, { issues: "write" });
        assert.equal(reusable.jobs["report"]?.needs, "detect");
    });
});

describe("stacks", () => {
    const stackFiles = fs
        .readdirSync(ROOT)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined);
    const covered = {
        "offline plan/policy": matrixStacks(get("reusable-checks.yml").jobs["offline"] ?? {}),
        "PR preview": matrixStacks(get("pull-request.yml").jobs["preview"] ?? {}),
        drift: matrixStacks(get("drift.yml").jobs["stack"] ?? {}),
        "ops-daily": matrixStacks(get("ops-daily.yml").jobs["stack"] ?? {}),
        deploy: Object.values(get("deploy.yml").jobs)
            .map((j) => j.with?.["stack"])
            .filter((s): s is string => typeof s === "string"),
    };

    it("covers every Pulumi.<stack>.yaml in every matrix and in the deploy chain", () => {
        for (const [where, stacks] of Object.entries(covered)) {
            assert.deepEqual([...stacks].sort(), ["prod", "staging"], where);
            for (const s of stackFiles) assert.ok(stacks.includes(s), `Pulumi.${s}.yaml is missing from ${where}`);
        }
    });

    it("names only stacks that have a stack file, once the stack files exist", (t) => {
        if (stackFiles.length === 0) {
            t.diagnostic("no Pulumi.<stack>.yaml at the repo root yet");
            return;
        }
        for (const [where, stacks] of Object.entries(covered)) {
            for (const s of stacks)
                assert.ok(stackFiles.includes(s), `${where} names ${s}, which has no Pulumi.${s}.yaml`);
        }
    });
});
