/**
 * `npm run plan -- --stack <name> [-c key=value ...] [--out dir] [--skip-policy]`
 *
 * Runs the real program under Pulumi's mock runtime with Pulumi.<stack>.yaml, prints what it
 * declares like `pulumi preview`, runs the policy pack through the real analyzer server, and
 * writes out/<stack>-<platform>/plan.json (+ manifests/ for Kubernetes). No credentials, no CLI.
 * Exit codes: 0 ok, 1 config or program error, 2 mandatory policy violations.
 */
import * as path from "node:path";
import { parseCliArgs, renderHelp, UsageError, type CommandHelp } from "./lib/cli";
import { DEFAULT_PACK_DIR, ensureBuilt, spawnPack, type PackProcess } from "./lib/pack-process";
import type { PlanViolation } from "./lib/plan-artefacts";
import { Progress } from "./lib/progress";
import { fastStartup, sourceMapsRequested } from "./lib/startup";

export const HELP: CommandHelp = {
    command: "plan",
    summary:
        "Plans a stack offline, like `pulumi preview`: runs the program under Pulumi's mock runtime (no credentials,\n" +
        "no cloud), checks what the target would refuse, runs the policy pack through its real analyzer, prints the\n" +
        "resource tree and writes out/<stack>-<platform>/plan.json (and manifests/ on Kubernetes).",
    examples: [
        "npm run plan                                      # staging, on the platform its stack file names",
        "npm run plan -- --stack prod",
        "npm run plan -- --stack prod -c estate:platform=azure   # the same stack on the other platform",
        "npm run plan -- --stack prod --skip-policy --out /tmp/plan",
    ],
    exitCodes:
        "0 planned, 1 usage, config or program error (or a deployability finding), 2 mandatory policy violations",
};
const PLAN_OPTIONS = [
    ["--out <dir>", "where to write plan.json and manifests/ (default: out/<stack>-<platform>)"],
    [
        "--policy-config <file>",
        "policy config, as `pulumi preview --policy-pack-config` (default: policies/config/<stack>.json)",
    ],
    ["--skip-policy", "do not run the policy pack"],
] as const;

/** The whole command; the exit code is returned, errors thrown (see the handler at the bottom). */
export async function main(argv: string[], progress: Progress): Promise<number> {
    const args = parseCliArgs(argv, { flags: ["skip-policy"], options: ["out", "policy-config"] });
    if (args.help) {
        console.log(renderHelp(HELP, PLAN_OPTIONS));
        return 0;
    }
    fastStartup();
    // The analyzer boots in its own process while this one loads and runs the program.
    let pack: Promise<PackProcess> | undefined;
    if (!args.flags.has("skip-policy")) {
        progress.step("Starting the policy pack (run-policy-pack) in the background");
        pack = spawnPack(DEFAULT_PACK_DIR, ensureBuilt(DEFAULT_PACK_DIR));
        // Its failure is reported when the policies run; until then it must not crash this process.
        pack.catch(() => undefined);
    }
    try {
        return await plan(args, progress, pack);
    } finally {
        await pack?.then((p) => p.kill()).catch(() => undefined);
    }
}

async function plan(
    args: ReturnType<typeof parseCliArgs>,
    progress: Progress,
    pack: Promise<PackProcess> | undefined,
): Promise<number> {
    progress.step(`Loading the program for stack ${args.stack} (SDKs, components)`);
    // Required only now, after the policy pack's process started, so both load at once;
    // `require` (not `import()`) keeps them in the one CommonJS module cache.
    const { describeStandIns, PROJECT_ROOT, runProgram } = require("./lib/mock-run") as typeof import("./lib/mock-run");
    const capture = await runProgram({
        stack: args.stack,
        overrides: args.config,
        onDeclare: () => progress.tick("Resources", "declared"),
        onResource: () => progress.tick("Resources", "registered"),
    });
    if (progress.endCount("registered") === 0) progress.step("Registered no resources");
    const platform = String(capture.config["estate:platform"]);

    const { checkDeployability, deployabilityRules, formatFindings } =
        require("./deployability") as typeof import("./deployability");
    progress.step(`Checking deployability (${deployabilityRules.length} rules)`);
    const findings = checkDeployability(capture);
    const { planDocument, renderTree, writePlanArtefacts } =
        require("./lib/plan-artefacts") as typeof import("./lib/plan-artefacts");
    const { formatViolations } = require("./lib/report") as typeof import("./lib/report");

    let violations: PlanViolation[] | undefined;
    if (findings.length === 0 && pack) {
        const { analyze } = require("./lib/analyzer") as typeof import("./lib/analyzer");
        progress.step("Waiting for the policy pack");
        const report = await analyze(capture, {
            stack: args.stack,
            ...(args.options["policy-config"] ? { configFile: path.resolve(args.options["policy-config"]) } : {}),
            started: pack,
            onStart: (policies, resources) => progress.step(`Running ${policies} policies over ${resources} resources`),
        });
        progress.step(`Policies done in ${report.ms} ms`);
        violations = report.violations;
    }

    console.log(`Previewing estate/${args.stack} offline (platform ${platform}, mock runtime, no credentials)`);
    for (const line of describeStandIns(args.stack, capture.offlineStandIns ?? [])) console.log(`    ${line}`);
    console.log();
    console.log(renderTree(capture.resources));
    // What the real target would refuse stops the plan before the policy verdict (exit 1).
    if (findings.length > 0) {
        console.error(`\n${formatFindings(findings)}`);
        return 1;
    }
    const planned = planDocument(capture, violations);
    const outDir = args.options["out"] ?? path.join(PROJECT_ROOT, "out", `${args.stack}-${platform}`);
    const written = writePlanArtefacts(outDir, planned, capture);

    console.log(`\nResources:\n    + ${planned.summary.resources} to create`);
    if (violations === undefined) console.log("\nPolicies: skipped (--skip-policy)");
    else console.log(`\n${formatViolations(violations)}`);
    console.log(
        `\nWrote ${path.relative(process.cwd(), written[0]!)}${written.length > 1 ? ` and ${written.length - 1} manifests` : ""}`,
    );
    return violations?.some((v) => v.enforcementLevel === "mandatory") ? 2 : 0;
}

/** Mistakes a person fixes in arguments or config: one line, no stack trace. */
function isUserError(error: unknown): boolean {
    if (error instanceof UsageError) return true;
    const { ConfigError } = require("../stacks/config") as typeof import("../stacks/config");
    const { StackFileError } = require("./lib/mock-run") as typeof import("./lib/mock-run");
    const { PolicyConfigError } = require("./lib/analyzer") as typeof import("./lib/analyzer");
    return error instanceof ConfigError || error instanceof StackFileError || error instanceof PolicyConfigError;
}

if (require.main === module) {
    main(process.argv.slice(2), new Progress()).then(
        (code) => process.exit(code),
        (error: unknown) => {
            if (isUserError(error)) console.error(`error: ${(error as Error).message}`);
            else
                console.error(
                    `error: the program failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` +
                        (sourceMapsRequested()
                            ? ""
                            : "\n(line numbers are of the transpiled code; NODE_OPTIONS=--enable-source-maps shows TypeScript positions)"),
                );
            process.exit(1);
        },
    );
}
