// Which Node runs the project: one version in .nvmrc, read by CI (setup-node), nvm and fnm (the
// Pulumi language host's hook), agreeing with package.json; the npm scripts refuse any other.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { minimumOf, satisfies, unsupportedNodeMessage } from "../../tools/lib/node-version.mjs";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
const pkg = JSON.parse(read("package.json"));
const nvmrc = read(".nvmrc").trim();
const GUARD = "node --import ./tools/require-node.mjs ";

/** Runs the real preload from a copy of the repository's files, with the given engines range. */
function runGuarded(engines: string): ReturnType<typeof spawnSync> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "estate-node-"));
    try {
        fs.mkdirSync(path.join(dir, "tools", "lib"), { recursive: true });
        for (const file of ["tools/require-node.mjs", "tools/lib/node-version.mjs", ".nvmrc"]) {
            fs.copyFileSync(path.join(PROJECT_ROOT, file), path.join(dir, file));
        }
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ engines: { node: engines } }));
        return spawnSync(process.execPath, ["--import", "./tools/require-node.mjs", "-e", "console.log('ran')"], {
            cwd: dir,
            encoding: "utf8",
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("Node version", () => {
    it(".nvmrc, the node devDependency, engines and the policy pack agree", () => {
        assert.match(nvmrc, /^\d+\.\d+\.\d+$/, ".nvmrc holds one exact version");
        assert.equal(pkg.devDependencies.node, nvmrc, "the npm scripts' Node is the one .nvmrc names");
        assert.equal(
            satisfies(nvmrc, pkg.engines.node),
            true,
            `.nvmrc ${nvmrc} is outside engines ${pkg.engines.node}`,
        );
        assert.equal(JSON.parse(read("policies/package.json")).engines.node, pkg.engines.node);
        // @pulumi/pulumi states its own floor; the project's must not be lower.
        const sdk = JSON.parse(read("node_modules/@pulumi/pulumi/package.json"));
        assert.ok(minimumOf(pkg.engines.node)[0] >= minimumOf(sdk.engines.node)[0]);
    });

    it("compares versions against the engines floor", () => {
        assert.equal(satisfies("24.21.0", ">=24"), true);
        assert.equal(satisfies("v25.0.0", ">=24.21.0"), true);
        assert.equal(satisfies("24.20.9", ">=24.21.0"), false);
        assert.equal(satisfies("20.20.2", ">=24"), false);
        assert.throws(() => minimumOf("^24"), /not of the form >=X.Y.Z/);
        assert.equal(unsupportedNodeMessage("24.21.0", ">=24", nvmrc, "/bin/node"), undefined);
        assert.equal(
            unsupportedNodeMessage("20.20.2", ">=24", "24.21.0", "/usr/bin/node"),
            "estate needs Node >=24 (package.json engines), but this is Node 20.20.2 (/usr/bin/node): run `nvm use` or " +
                "`fnm use` (.nvmrc says 24.21.0), or reinstall with `npm ci` without --ignore-scripts so " +
                "node_modules/.bin/node is the pinned Node.",
        );
    });

    it("the preload stops an unsupported Node with one line before anything runs", () => {
        const refused = runGuarded(">=999");
        assert.equal(refused.status, 1);
        assert.equal(refused.stdout, "");
        const lines = String(refused.stderr).trim().split("\n");
        assert.equal(lines.length, 1, String(refused.stderr));
        assert.match(lines[0]!, new RegExp(`^estate needs Node >=999 .* this is Node ${process.versions.node} `));

        const allowed = runGuarded(`>=${process.versions.node.split(".")[0]}`);
        assert.equal(allowed.status, 0, String(allowed.stderr));
        assert.equal(allowed.stdout, "ran\n");

        // An engines range the check cannot read fails instead of passing unread.
        const unreadable = runGuarded("^24");
        assert.notEqual(unreadable.status, 0);
        assert.match(String(unreadable.stderr), /not of the form >=X.Y.Z/);
    });

    it("every offline script and the test runner load the preload first", () => {
        for (const script of ["plan", "policy", "smoke", "bench", "gen"]) {
            assert.ok(pkg.scripts[script].startsWith(GUARD), `npm run ${script}: ${pkg.scripts[script]}`);
        }
        assert.ok(pkg.scripts.test.includes(`&& ${GUARD}--import tsx --test `), pkg.scripts.test);
    });

    it("every workflow sets Node up from .nvmrc", () => {
        const dir = path.join(PROJECT_ROOT, ".github", "workflows");
        let setups = 0;
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".yml"))) {
            const workflow = parseYaml(fs.readFileSync(path.join(dir, file), "utf8")) as {
                jobs?: Record<string, { steps?: Array<{ uses?: string; with?: Record<string, unknown> }> }>;
            };
            for (const [name, job] of Object.entries(workflow.jobs ?? {})) {
                for (const step of job.steps ?? []) {
                    if (!String(step.uses ?? "").startsWith("actions/setup-node@")) continue;
                    setups++;
                    assert.match(step.uses ?? "", /^actions\/setup-node@[0-9a-f]{40}$/, "pinned by commit SHA");
                    assert.equal(step.with?.["node-version-file"], ".nvmrc", `${file} ${name}`);
                    assert.equal(step.with?.["node-version"], undefined, `${file} ${name} names a version of its own`);
                }
            }
        }
        assert.ok(setups > 0, "no workflow sets Node up");
    });
});
