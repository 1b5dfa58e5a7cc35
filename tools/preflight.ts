/**
 * `npm run preflight -- --stack <name> [-c key=value ...]`
 *
 * Plans the stack offline to learn what it needs from its cluster (tools/preflight/prerequisites.ts),
 * then asks the cluster for each item with kubectl, using estate:kubernetesContext when set and
 * otherwise the current context of the ambient kubeconfig. Exit 0 when everything is there, 1 with
 * the list of what is missing (or when kubectl cannot reach the cluster). It reads the cluster only.
 */
import { spawnSync } from "node:child_process";
import { ConfigError } from "../stacks/config";
import { parseCliArgs, UsageError } from "./lib/cli";
import { runProgram, StackFileError } from "./lib/mock-run";
import { describePrerequisite, kubectlCheck, prerequisitesOf } from "./preflight/prerequisites";

async function main(argv: string[]): Promise<number> {
    const args = parseCliArgs(argv);
    const capture = await runProgram({ stack: args.stack, overrides: args.config });
    const context = capture.config["estate:kubernetesContext"];
    const contextArgs = typeof context === "string" && context !== "[secret]" ? ["--context", context] : [];
    const kubectl = process.env["KUBECTL"] ?? "kubectl";
    const reach = spawnSync(kubectl, [...contextArgs, "version", "-o", "json"], { encoding: "utf8" });
    if (reach.error || reach.status !== 0) {
        console.error(
            `error: kubectl cannot reach the cluster${contextArgs.length ? ` (context ${String(context)})` : ""}: ${reach.error?.message ?? reach.stderr.trim()}`,
        );
        return 1;
    }
    const missing: string[] = [];
    for (const { prerequisite, providedBy } of prerequisitesOf(capture.resources)) {
        const check = kubectlCheck(prerequisite);
        const result = spawnSync(kubectl, [...contextArgs, ...check.args], { encoding: "utf8" });
        const ok = result.status === 0 && check.present(result.stdout);
        console.log(`${ok ? "ok     " : "MISSING"} ${describePrerequisite(prerequisite)} — ${providedBy}`);
        if (!ok) missing.push(`${describePrerequisite(prerequisite)}: install ${providedBy}`);
    }
    if (missing.length > 0) {
        console.error(`\nThe cluster lacks ${missing.length} prerequisite(s) of estate/${args.stack}:`);
        for (const m of missing) console.error(`  - ${m}`);
        return 1;
    }
    console.log(`\nThe cluster has every prerequisite of estate/${args.stack}.`);
    return 0;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        if (error instanceof ConfigError || error instanceof StackFileError || error instanceof UsageError)
            console.error(`error: ${error.message}`);
        else console.error(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        process.exit(1);
    },
);
