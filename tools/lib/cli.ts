/** Argument parsing shared by the offline commands: `--stack`, repeated `-c key=value` like `pulumi up -c`. */
export class UsageError extends Error {}

export interface CliArgs {
    stack: string;
    config: Record<string, string>;
    flags: Set<string>;
    options: Record<string, string>;
}

export function parseCliArgs(
    argv: readonly string[],
    spec: { flags?: readonly string[]; options?: readonly string[] } = {},
): CliArgs {
    const result: CliArgs = { stack: "staging", config: {}, flags: new Set(), options: {} };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        const next = () => {
            const value = argv[++i];
            if (value === undefined) throw new UsageError(`${arg} needs a value`);
            return value;
        };
        if (arg === "--stack" || arg === "-s") result.stack = next();
        else if (arg.startsWith("--stack=")) result.stack = arg.slice("--stack=".length);
        else if (arg === "-c" || arg === "--config") {
            const pair = next();
            const eq = pair.indexOf("=");
            if (eq <= 0) throw new UsageError(`-c takes key=value (as \`pulumi up -c\`), got "${pair}"`);
            result.config[pair.slice(0, eq)] = pair.slice(eq + 1);
        } else if (arg.startsWith("--") && spec.flags?.includes(arg.slice(2))) result.flags.add(arg.slice(2));
        else if (arg.startsWith("--") && spec.options?.includes(arg.slice(2))) result.options[arg.slice(2)] = next();
        else
            throw new UsageError(
                `unknown argument "${arg}". Usage: --stack <name> [-c key=value ...]${(spec.flags ?? []).map((f) => ` [--${f}]`).join("")}${(spec.options ?? []).map((o) => ` [--${o} <value>]`).join("")}`,
            );
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(result.stack))
        throw new UsageError(`--stack must be a stack name, got "${result.stack}"`);
    return result;
}
