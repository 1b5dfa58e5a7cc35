import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";

/** Runs `npm run plan -- <args>`; into a temporary --out unless `defaultOut`, which keeps out/<stack>-<platform>. */
function runPlan(args: string[], { defaultOut = false } = {}) {
    const out = defaultOut ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), "estate-plan-"));
    const result = spawnSync(
        process.execPath,
        ["--import", "tsx", path.join(PROJECT_ROOT, "tools/plan.ts"), ...args, ...(out ? ["--out", out] : [])],
        {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
        },
    );
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, out: out! };
}

function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe("npm run plan", () => {
    for (const [stack, platform] of [
        ["prod", "kubernetes"],
        ["staging", "azure"],
    ] as const) {
        it(`plans ${stack} on ${platform}: exit 0, progress, a preview tree, plan.json and no secret value anywhere`, () => {
            // staging/azure writes where a person finds it, out/staging-azure, so the other platform's plan survives.
            const defaultOut = platform === "azure";
            const run = runPlan(["--stack", stack, "-c", `estate:platform=${platform}`], { defaultOut });
            const { code, stdout, stderr } = run;
            const out = defaultOut ? path.join(PROJECT_ROOT, "out", `${stack}-${platform}`) : run.out;
            assert.equal(code, 0, stderr);
            if (defaultOut) assert.match(stdout, new RegExp(`Wrote out/${stack}-${platform}/plan\\.json`));
            // Progress goes to stderr as plain lines here (not a terminal), in the order the work happens.
            const steps = stderr
                .split("\n")
                .filter(Boolean)
                .map((line) => line.replace(/^\[ *\d+\.\ds\] /, "").replace(/\d+/g, "N"));
            assert.deepEqual(
                steps.filter((s) => !/^Resources: N declared(, N registered)?$/.test(s)),
                [
                    "Starting the policy pack (run-policy-pack) in the background",
                    `Loading the program for stack ${stack} (SDKs, components)`,
                    "Resources: N declared, N registered, done",
                    "Checking deployability (N rules)",
                    "Waiting for the policy pack",
                    "Running N policies over N resources",
                    "Policies done in N ms",
                ],
            );
            assert.match(stdout, new RegExp(`Previewing estate/${stack} offline \\(platform ${platform}`));
            assert.match(stdout, /[├└]─ estate:stack:Estate +estate/);
            assert.match(stdout, /no violations/);
            const plan = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8"));
            assert.equal(plan.platform, platform);
            assert.equal(plan.policies.ran, true);
            assert.deepEqual(plan.policies.violations, []);
            const api = plan.resources.find(
                (r: { name: string; type: string }) => r.name === "api" && r.type.startsWith("estate:workload:"),
            );
            assert.ok(api.parent.endsWith("estate:stack:Estate::estate"), "components are parented to the estate");
            assert.ok(
                plan.resources.every(
                    (r: { urn: string; dependencies: unknown[] }) => r.urn && Array.isArray(r.dependencies),
                ),
            );
            assert.equal(plan.config["estate:oidcClientSecret"], "[secret]");
            // No committed secret: each one is a stand-in the output names, never a silent default.
            assert.match(
                stdout,
                new RegExp(`offline stand-in for estate:oidcClientSecret \\(not set in Pulumi\\.${stack}\\.yaml`),
            );
            assert.deepEqual(
                plan.offlineStandIns.map((s: { key: string }) => s.key),
                ["estate:oidcClientSecret", "estate:alertOnCallKey", "estate:backupAgeIdentity"],
            );
            const files = filesUnder(out);
            assert.equal(
                files.some((f) => f.includes(`${path.sep}manifests${path.sep}`)),
                platform === "kubernetes",
            );
            for (const file of files) {
                const text = fs.readFileSync(file, "utf8");
                assert.doesNotMatch(text, /not-a-secret/, `secret value leaked into ${path.relative(out, file)}`);
            }
            assert.doesNotMatch(stdout, /not-a-secret/);
        });
    }

    it("exits 1 on bad config, naming stack, key, value and the fix on the -c flag, and writes nothing", () => {
        const { code, stderr, out } = runPlan(["--stack", "prod", "-c", "estate:apiTag=latest"]);
        assert.equal(code, 1);
        assert.match(stderr, /Stack "prod" has 1 invalid configuration value; nothing was declared\./);
        assert.match(stderr, /estate:apiTag = "latest": apiTag must be immutable.*Fix: `-c estate:apiTag=<value>`\.\n/);
        assert.deepEqual(fs.readdirSync(out), []);
    });

    it("exits 1 for a stack without a stack file", () => {
        const { code, stderr } = runPlan(["--stack", "qa"]);
        assert.equal(code, 1);
        assert.match(stderr, /Stack "qa" has no stack file Pulumi\.qa\.yaml\. Known stacks: prod, staging\./);
    });

    it("exits 2 on a deliberately insecure override, naming the policy and the fix", () => {
        const { code, stdout } = runPlan(["--stack", "prod", "-c", 'estate:corsAllowedOrigins=["*"]']);
        assert.equal(code, 2);
        assert.match(stdout, /\[mandatory\] +cors-restricted/);
        assert.match(stdout, /Set ALLOWED_ORIGINS on container "api" to the exact origins allowed, without "\*"\./);
    });

    it("exits 1 on a -c typo, with the fix on the -c flag and no stack trace", () => {
        const { code, stderr, out } = runPlan(["--stack", "prod", "-c", "estate:apiTgg=0a1b2c3", "--skip-policy"]);
        assert.equal(code, 1);
        assert.equal(
            stderr
                .split("\n")
                .filter((l) => l.startsWith("error:") || l.startsWith("  - "))
                .join("\n"),
            'error: Stack "prod" has 1 invalid configuration value; nothing was declared.\n' +
                '  - estate:apiTgg = "0a1b2c3": unknown key; did you mean estate:apiTag? Fix: pass `-c estate:apiTag=0a1b2c3` instead of `-c estate:apiTgg=0a1b2c3`.',
        );
        assert.doesNotMatch(stderr, /\n {4}at /);
        assert.deepEqual(fs.readdirSync(out), []);
    });

    it("exits 1 on a typo in the policy config, naming the file and the nearest policy, without a stack trace", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "estate-policy-config-"));
        const file = path.join(dir, "prod.json");
        fs.writeFileSync(file, JSON.stringify({ all: "mandatory", "cors-restricetd": "advisory" }));
        const { code, stdout, stderr } = runPlan(["--stack", "prod", "--policy-config", file]);
        assert.equal(code, 1);
        assert.equal(
            stderr.split("\n").find((l) => l.startsWith("error:")),
            `error: ${file} names unknown policy "cors-restricetd"; did you mean "cors-restricted"? Fix: rename the key to "cors-restricted" in ${file}.`,
        );
        assert.doesNotMatch(stderr, /\n {4}at |the program failed/);
        assert.equal(stdout, "");
    });

    it("exits 1 on a config key given as a flag, pointing at -c, before running anything", () => {
        const { code, stdout, stderr } = runPlan(["--stack", "prod", "--platform", "azure"]);
        assert.equal(code, 1);
        assert.equal(
            stderr,
            'error: unknown argument "--platform": config values are passed with -c, as with `pulumi up`: `-c estate:platform=azure`.\n',
        );
        assert.equal(stdout, "");
    });
});
