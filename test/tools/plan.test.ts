import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";

function runPlan(args: string[]) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "estate-plan-"));
    const result = spawnSync(
        process.execPath,
        ["--import", "tsx", path.join(PROJECT_ROOT, "tools/plan.ts"), ...args, "--out", out],
        {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
        },
    );
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, out };
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
        it(`plans ${stack} on ${platform}: exit 0, a preview tree, plan.json and no secret value anywhere`, () => {
            const { code, stdout, stderr, out } = runPlan(["--stack", stack, "-c", `estate:platform=${platform}`]);
            assert.equal(code, 0, stderr);
            assert.match(stdout, new RegExp(`Previewing estate/${stack} offline \\(platform ${platform}`));
            assert.match(stdout, /└─ estate:stack:Estate +estate/);
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

    it("exits 1 on bad config, naming stack, key, value and fix, and writes nothing", () => {
        const { code, stderr, out } = runPlan(["--stack", "prod", "-c", "estate:apiTag=latest"]);
        assert.equal(code, 1);
        assert.match(stderr, /Stack "prod" has 1 invalid configuration value; nothing was declared\./);
        assert.match(
            stderr,
            /estate:apiTag = "latest": apiTag must be immutable.*Fix: `pulumi config set estate:apiTag <value> --stack prod`/,
        );
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
});
