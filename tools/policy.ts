// `npm run policy -- --stack <name> [-c key=value ...]`: the program under mocks, then the
// policy pack through its real analyzer server, reported like `pulumi preview`.
// Exit 0: no mandatory violation; 2: mandatory violations; 1: program or config error.
import { checkDeployability, formatFindings } from "./deployability";
import { analyze, PolicyReport, Violation } from "./lib/analyzer";
import { parseCliArgs, UsageError } from "./lib/cli";
import { describeStandIns, runProgram } from "./lib/mock-run";

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
        args = parseCliArgs(process.argv.slice(2));
    } catch (e) {
        if (e instanceof UsageError) {
            console.error(e.message);
            return 1;
        }
        throw e;
    }
    try {
        const capture = await runProgram({ stack: args.stack, overrides: args.config });
        const findings = checkDeployability(capture);
        if (findings.length > 0) {
            console.error(formatFindings(findings));
            return 1;
        }
        for (const line of describeStandIns(args.stack, capture.offlineStandIns ?? [])) console.log(line);
        const report = await analyze(capture, { stack: args.stack });
        console.log(formatReport(report, args.stack));
        return policyExitCode(report);
    } catch (e) {
        console.error(e instanceof Error ? e.message : String(e));
        return 1;
    }
}

if (require.main === module) {
    main().then((code) => process.exit(code));
}
