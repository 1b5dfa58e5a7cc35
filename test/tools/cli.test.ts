import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseCliArgs, UsageError } from "../../tools/lib/cli";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";
import { Progress } from "../../tools/lib/progress";

const spec = { flags: ["skip-policy"], options: ["out", "policy-config"] };

function usageError(argv: string[], env: NodeJS.ProcessEnv = {}): string {
    try {
        parseCliArgs(argv, spec, env);
    } catch (error) {
        assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
        return error.message;
    }
    assert.fail("expected the arguments to be refused");
}

describe("command-line arguments", () => {
    it("reads --stack, repeated -c and the command's own flags and options", () => {
        const args = parseCliArgs(
            ["--stack", "prod", "-c", "estate:platform=azure", "-c", "apiTag=abc1234", "--skip-policy", "--out", "x"],
            spec,
            {},
        );
        assert.equal(args.stack, "prod");
        assert.deepEqual(args.config, { "estate:platform": "azure", apiTag: "abc1234" });
        assert.deepEqual([...args.flags], ["skip-policy"]);
        assert.deepEqual(args.options, { out: "x" });
        assert.equal(args.help, false);
        assert.equal(parseCliArgs(["-h"], spec, {}).help, true);
        assert.equal(parseCliArgs(["--help"], spec, {}).help, true);
    });

    it("points a config key given as a flag at -c", () => {
        assert.equal(
            usageError(["--platform", "azure"]),
            'unknown argument "--platform": config values are passed with -c, as with `pulumi up`: `-c estate:platform=azure`.',
        );
        assert.equal(
            usageError(["--apiTag=abc1234"]),
            'unknown argument "--apiTag=abc1234": config values are passed with -c, as with `pulumi up`: `-c estate:apiTag=abc1234`.',
        );
    });

    it("lists the usage for any other unknown argument", () => {
        assert.equal(
            usageError(["--stak", "prod"]),
            'unknown argument "--stak". Usage: --stack <name> [-c key=value ...] [--skip-policy] [--out <value>] [--policy-config <value>] (--help for more)',
        );
    });

    it("explains what npm did with options given without --", () => {
        // `npm run plan --stack prod`: npm keeps --stack (npm_config_stack=true) and passes only "prod" on.
        assert.equal(
            usageError(["prod"], { npm_lifecycle_event: "plan", npm_config_stack: "true" }),
            'npm took "--stack" as its own option and did not pass it on. Put -- before the options: `npm run plan -- --stack prod`.',
        );
        assert.equal(
            usageError([], { npm_lifecycle_event: "plan", npm_config_stack: "prod" }),
            'npm took "--stack" as its own option and did not pass it on. Put -- before the options: `npm run plan -- --stack prod`.',
        );
        // npm's own -c is --call.
        assert.equal(
            usageError([], { npm_lifecycle_event: "policy", npm_config_call: "estate:platform=azure" }),
            'npm took "-c" as its own option and did not pass it on. Put -- before the options: `npm run policy -- -c estate:platform=azure`.',
        );
        assert.equal(
            usageError(["azure"], { npm_lifecycle_event: "plan", npm_config_platform: "true" }),
            'npm took "--platform" as its own option and did not pass it on. Put -- before the options: `npm run plan -- -c estate:platform=azure`.',
        );
        // Outside npm the same environment means nothing.
        assert.equal(parseCliArgs([], spec, { npm_config_stack: "prod" }).stack, "staging");
    });
});

describe("progress", () => {
    const recorder = (tty: boolean) => {
        const written: string[] = [];
        return { progress: new Progress({ write: (t: string) => written.push(t) }, tty, 2), written };
    };

    it("prints plain lines in a log: each step, the counts every few items, the totals", () => {
        const { progress, written } = recorder(false);
        progress.step("Loading");
        for (let i = 0; i < 3; i++) progress.tick("Resources", "declared");
        for (let i = 0; i < 2; i++) progress.tick("Resources", "registered");
        assert.equal(progress.endCount("registered"), 2);
        const lines = written.join("").split("\n").filter(Boolean);
        assert.deepEqual(
            lines.map((l) => l.replace(/^\[ *\d+\.\ds\] /, "")),
            [
                "Loading",
                "Resources: 2 declared",
                "Resources: 3 declared, 1 registered",
                "Resources: 3 declared, 2 registered, done",
            ],
        );
        assert.ok(
            written.every((w) => !w.includes("\r")),
            "no carriage returns in a log",
        );
    });

    it("redraws one counter line on a terminal", () => {
        const { progress, written } = recorder(true);
        for (let i = 0; i < 3; i++) progress.tick("Resources", "declared");
        progress.endCount();
        assert.match(written[0]!, /^\r\x1b\[2K\[ *\d+\.\ds\] Resources: 1 declared$/);
        assert.match(written.at(-1)!, /^\r\x1b\[2K\[ *\d+\.\ds\] Resources: 3 declared, done\n$/);
    });
});

describe("--help", () => {
    for (const [command, script] of [
        ["plan", "tools/plan.ts"],
        ["policy", "tools/policy.ts"],
        ["bench", "tools/bench.ts"],
        ["gen", "tools/gen.ts"],
        ["smoke", "scripts/smoke/smoke.ts"],
    ] as const) {
        it(`npm run ${command} -- --help: exit 0, usage and examples, nothing run`, () => {
            for (const flag of ["--help", "-h"]) {
                const run = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, script), flag], {
                    cwd: PROJECT_ROOT,
                    encoding: "utf8",
                });
                assert.equal(run.status, 0, run.stderr);
                assert.match(run.stdout, new RegExp(`^usage: npm run ${command} --`, "im"));
                assert.match(run.stdout, /^examples:\n {2}(SMOKE_API_TOKEN=\.\.\. )?npm run /im);
                assert.equal(run.stderr, "");
            }
        });
    }
});
