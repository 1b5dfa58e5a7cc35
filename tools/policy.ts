// `npm run policy -- --stack <name> [-c key=value ...]`: the program under mocks, then the
// policy pack through its real analyzer server, reported like `pulumi preview`.
// Exit 0: no mandatory violation; 2: mandatory violations; 1: program or config error.
import * as path from "node:path";
import type { PolicyReport, Violation } from "./lib/analyzer";
import { parseCliArgs, renderHelp, UsageError, type CommandHelp } from "./lib/cli";
import { DEFAULT_PACK_DIR, ensureBuilt, spawnPack } from "./lib/pack-process";
import { fastStartup } from "./lib/startup";

export const HELP: CommandHelp = {
    command: "policy",
    summary:
        "Runs the policy pack over a stack offline: the program under Pulumi's mock runtime, then every policy\n" +
        "through the pack's real analyzer server, reported like `pulumi preview`. Writes nothing.",
    examples: [
        "npm run policy                                   # staging",
        "npm run policy -- --stack prod -c estate:platform=azure",
        "npm run policy -- --stack prod --policy-config /tmp/prod-strict.json",
    ],
    exitCodes:
        "0 no mandatory violation, 1 usage, config or program error (or a deployability finding), 2 mandatory violations",
};

export function formatReport(report: PolicyReport, stack: string): string {
    const lines: string[] = [];
    const byPolicy = new Map<string, Violation[]>();
    for (const v of report.violations) {
        byPolicy.set(v.policy, [...(byPolicy.get(v.policy) ?? []), v]);
    }
    if (byPolicy.size > 0) {
        lines.push("Policies:", "    estate@v0.1.0 (local: policies)");
        for (const [policy, vs] of [...byPolicy].sort(([a], [b]) => a.localeCompare(b))) {
            for (const v of vs) {
                lines.push(
                    `        - [${v.enforcementLevel}]${v.severity ? ` [severity: ${v.severity}]` : ""}  ${policy}  (${v.urn ?? "stack"})`,
                );
                lines.push(`          ${v.message}`);
            }
        }
        lines.push("");
    }
    const mandatory = report.violations.filter((v) => v.enforcementLevel !== "advisory").length;
    const advisory = report.violations.length - mandatory;
    lines.push(
        `Stack ${stack}: ${report.policies} policies over ${report.resourcesAnalyzed} resources in ${report.ms} ms: ` +
            `${mandatory} mandatory, ${advisory} advisory violation${advisory === 1 ? "" : "s"}.`,
    );
    return lines.join("\n");
}

/** 2 when a mandatory (or remediate) violation remains, else 0: what `pulumi preview` would refuse. */
export function policyExitCode(report: PolicyReport): number {
    return report.violations.some((v) => v.enforcementLevel !== "advisory") ? 2 : 0;
}

async function main(): Promise<number> {
    let args;
    try {
        args = parseCliArgs(process.argv.slice(2), { options: ["policy-config"] });
    } catch (e) {
        if (e instanceof UsageError) {
            console.error(`error: ${e.message}`);
            return 1;
        }
        throw e;
    }
    if (args.help) {
        console.log(
            renderHelp(HELP, [
                [
                    "--policy-config <file>",
                    "policy config, as `pulumi preview --policy-pack-config` (default: policies/config/<stack>.json)",
                ],
            ]),
        );
        return 0;
    }
    fastStartup();
    // The analyzer boots in its own process while this one loads and runs the program.
    const pack = spawnPack(DEFAULT_PACK_DIR, ensureBuilt(DEFAULT_PACK_DIR));
    pack.catch(() => undefined);
    try {
        const { describeStandIns, runProgram } = require("./lib/mock-run") as typeof import("./lib/mock-run");
        const { checkDeployability, formatFindings } = require("./deployability") as typeof import("./deployability");
        const { analyze } = require("./lib/analyzer") as typeof import("./lib/analyzer");
        const capture = await runProgram({ stack: args.stack, overrides: args.config });
        const findings = checkDeployability(capture);
        if (findings.length > 0) {
            console.error(formatFindings(findings));
            return 1;
        }
        for (const line of describeStandIns(args.stack, capture.offlineStandIns ?? [])) console.log(line);
        const configFile = args.options["policy-config"];
        const report = await analyze(capture, {
            stack: args.stack,
            started: pack,
            ...(configFile ? { configFile: path.resolve(configFile) } : {}),
        });
        console.log(formatReport(report, args.stack));
        return policyExitCode(report);
    } catch (e) {
        console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
        return 1;
    } finally {
        await pack.then((p) => p.kill()).catch(() => undefined);
    }
}

if (require.main === module) {
    main().then((code) => process.exit(code));
}
