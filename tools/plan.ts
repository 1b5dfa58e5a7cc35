/**
 * `npm run plan -- --stack <name> [-c key=value ...] [--out dir] [--skip-policy]`
 *
 * Runs the real program under Pulumi's mock runtime with Pulumi.<stack>.yaml, prints what it
 * declares like `pulumi preview`, runs the policy pack through the real analyzer server, and
 * writes out/<stack>/plan.json (+ manifests/ for Kubernetes). No credentials, no CLI.
 * Exit codes: 0 ok, 1 config or program error, 2 mandatory policy violations.
 */
import * as path from "node:path";
import { ConfigError } from "../stacks/config";
import { checkDeployability, formatFindings } from "./deployability";
import { analyze } from "./lib/analyzer";
import { parseCliArgs, UsageError } from "./lib/cli";
import { describeStandIns, PROJECT_ROOT, runProgram, StackFileError } from "./lib/mock-run";
import { planDocument, renderTree, writePlanArtefacts, type PlanViolation } from "./lib/plan-artefacts";
import { formatViolations } from "./lib/report";

async function main(argv: string[]): Promise<number> {
    const args = parseCliArgs(argv, { flags: ["skip-policy"], options: ["out"] });
    const capture = await runProgram({ stack: args.stack, overrides: args.config });
    const platform = String(capture.config["estate:platform"]);
    console.log(`Previewing estate/${args.stack} offline (platform ${platform}, mock runtime, no credentials)`);
    for (const line of describeStandIns(args.stack, capture.offlineStandIns ?? [])) console.log(`    ${line}`);
    console.log();
    console.log(renderTree(capture.resources));

    // What the real target would refuse stops the plan before the policy verdict (exit 1).
    const findings = checkDeployability(capture);
    if (findings.length > 0) {
        console.error(`\n${formatFindings(findings)}`);
        return 1;
    }

    let violations: PlanViolation[] | undefined;
    if (!args.flags.has("skip-policy")) {
        const report = await analyze(capture, { stack: args.stack });
        violations = report.violations;
    }
    const plan = planDocument(capture, violations);
    const outDir = args.options["out"] ?? path.join(PROJECT_ROOT, "out", args.stack);
    const written = writePlanArtefacts(outDir, plan, capture);

    console.log(`\nResources:\n    + ${plan.summary.resources} to create`);
    if (violations === undefined) console.log("\nPolicies: skipped (--skip-policy)");
    else console.log(`\n${formatViolations(violations)}`);
    console.log(
        `\nWrote ${path.relative(process.cwd(), written[0]!)}${written.length > 1 ? ` and ${written.length - 1} manifests` : ""}`,
    );
    return violations?.some((v) => v.enforcementLevel === "mandatory") ? 2 : 0;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        if (error instanceof ConfigError || error instanceof StackFileError || error instanceof UsageError)
            console.error(`error: ${error.message}`);
        else
            console.error(
                `error: the program failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
            );
        process.exit(1);
    },
);
