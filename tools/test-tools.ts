/**
 * `npm test`'s pretest step: makes sure the real programs the tests drive are installed
 * (tools/lib/system-tools.ts lists them). Missing ones are installed with apt-get when this runs
 * as root or with passwordless sudo; otherwise it stops with one line naming the packages and the
 * command. No test is skipped for a missing program, so this is the only place that copes.
 */
import { spawnSync } from "node:child_process";
import { installPlan, missingPackages, type Environment } from "./lib/system-tools";

const USAGE = `Usage: node --import tsx tools/test-tools.ts

Installs the Debian packages the tests need (promtool, amtool, age, redis-server, shellcheck,
PostgreSQL) when they are missing; run by npm before \`npm test\`.

Exit codes: 0 everything present, 1 something is missing and could not be installed.`;

function main(argv: readonly string[]): number {
    if (argv.includes("--help") || argv.includes("-h")) {
        console.log(USAGE);
        return 0;
    }
    const env: Environment = { PATH: process.env.PATH ?? "" };
    const missing = missingPackages(env);
    if (missing.length === 0) return 0;

    const uid = process.getuid?.() ?? -1;
    const passwordlessSudo = uid !== 0 && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
    const plan = installPlan(missing, { PATH: env.PATH, uid, passwordlessSudo });
    if (plan.kind === "manual") {
        console.error(plan.message);
        return 1;
    }
    console.error(`pretest: installing ${missing.join(", ")} for the tests that drive them`);
    for (const [cmd, ...args] of plan.commands) {
        const result = spawnSync(cmd!, args, {
            stdio: ["ignore", "ignore", "inherit"],
            env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
        });
        if (result.status !== 0) {
            console.error(`pretest: \`${[cmd, ...args].join(" ")}\` failed (exit ${result.status ?? result.signal})`);
            return 1;
        }
    }
    const still = missingPackages(env);
    if (still.length > 0) {
        console.error(`pretest: ${still.join(", ")} installed but their programs are still not found on PATH`);
        return 1;
    }
    return 0;
}

process.exitCode = main(process.argv.slice(2));
