// `npm run policy` as CI runs it (tools/policy.ts under tsx), for tests that check its exit code and report.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";

/** Runs the policy pack over one stack's plan with `-c key=value` overrides. */
export function runPolicy(stack: string, config: string[] = []): SpawnSyncReturns<string> {
    return spawnSync(
        process.execPath,
        [
            "--import",
            "tsx",
            path.join(PROJECT_ROOT, "tools/policy.ts"),
            "--stack",
            stack,
            ...config.flatMap((c) => ["-c", c]),
        ],
        { cwd: PROJECT_ROOT, encoding: "utf8" },
    );
}
