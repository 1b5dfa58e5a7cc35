/**
 * Post-deploy smoke check (runbook 001 step 5, runbook 000 rollout checklist, runbook 004
 * prod_verify): health, readiness, CORS, one chat and one embeddings request.
 * Exit codes: 0 healthy, 1 error (arguments, DNS, connection, timeout), 2 unhealthy.
 */
import { HELP, parseSmokeArgs, USAGE, UsageError } from "./args";
import { exitCode, formatResult, formatSummary, runCheck, type CheckResult } from "./checks";

async function main(): Promise<number> {
    const argv = process.argv.slice(2);
    if (argv.includes("--help") || argv.includes("-h")) {
        console.log(HELP);
        return 0;
    }
    let options;
    try {
        options = parseSmokeArgs(process.argv.slice(2), process.env);
    } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        console.error(`smoke error=bad_args detail=${JSON.stringify(err.message)}`);
        console.error(USAGE);
        return 1;
    }
    console.log(`smoke target=${new URL(options.baseUrl).origin} checks=${options.checks.join(",")}`);
    const results: CheckResult[] = [];
    for (const name of options.checks) {
        const result = await runCheck(name, options);
        console.log(formatResult(result));
        results.push(result);
    }
    console.log(formatSummary(results));
    return exitCode(results);
}

main().then(
    (code) => {
        process.exitCode = code;
    },
    (err: unknown) => {
        // Only the error's class: its message could quote a response or a header.
        console.error(`smoke error=internal kind=${err instanceof Error ? err.name : typeof err}`);
        process.exitCode = 1;
    },
);
