/**
 * Argument parsing shared by the offline commands: `--stack`, repeated `-c key=value` like
 * `pulumi up -c`, `--help`. Kept free of SDK imports so a command can start work before loading them.
 */
export class UsageError extends Error {}

export interface CliArgs {
    stack: string;
    config: Record<string, string>;
    flags: Set<string>;
    options: Record<string, string>;
    /** `--help` or `-h` was given: print the usage and exit 0. */
    help: boolean;
}

/** What `--help` prints: one line of purpose, the synopsis, each option, examples and exit codes. */
export interface CommandHelp {
    readonly command: string;
    readonly summary: string;
    readonly examples: readonly string[];
    readonly exitCodes: string;
}

export interface CliSpec {
    flags?: readonly string[];
    options?: readonly string[];
}

const COMMON_OPTIONS: ReadonlyArray<readonly [string, string]> = [
    ["--stack, -s <name>", "stack to plan, read from Pulumi.<name>.yaml (default: staging)"],
    ["-c, --config <key=value>", "override one config value for this run, like `pulumi up -c`; repeatable"],
    ["-h, --help", "show this help"],
];

export function renderHelp(
    help: CommandHelp,
    options: ReadonlyArray<readonly [string, string]> = [],
    { stackOptions = true }: { stackOptions?: boolean } = {},
): string {
    const all = [...(stackOptions ? COMMON_OPTIONS.slice(0, 2) : []), ...options, ...COMMON_OPTIONS.slice(2)];
    const width = Math.max(...all.map(([flag]) => flag.length)) + 2;
    return [
        `${help.summary}`,
        "",
        `Usage: npm run ${help.command} -- [options]`,
        "",
        "Options:",
        ...all.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`),
        "",
        "Examples:",
        ...help.examples.map((e) => `  ${e}`),
        "",
        `Exit codes: ${help.exitCodes}`,
        "",
        "Note: npm keeps options before `--` for itself; put `--` between the script and its options.",
    ].join("\n");
}

/** npm's own `-c` is `--call`; every other option keeps its name in `npm_config_<name>`. */
const NPM_NAMES: Record<string, string> = { stack: "--stack", call: "-c", config: "--config" };

/**
 * `npm run plan --stack prod` (no `--`) hands `--stack` to npm, which keeps it as its own
 * config (`npm_config_stack`) and passes only "prod" on (npm/cli lib/commands/run-script.js:
 * arguments after `--` go to the script). Detected here so the run does not silently plan staging.
 */
function npmSwallowed(argv: readonly string[], spec: CliSpec, env: NodeJS.ProcessEnv): UsageError | undefined {
    const script = env["npm_lifecycle_event"];
    if (!script) return undefined;
    const names: Record<string, string> = { ...NPM_NAMES };
    for (const name of [...(spec.flags ?? []), ...(spec.options ?? []), "platform"]) names[name] = `--${name}`;
    for (const [name, flag] of Object.entries(names)) {
        const value = env[`npm_config_${name.replace(/-/g, "_")}`];
        if (value === undefined) continue;
        const given = value === "true" ? argv.find((a) => !a.startsWith("-")) : value;
        const shown =
            name === "platform"
                ? `-c estate:platform=${given ?? "<value>"}`
                : `${flag}${given && !(spec.flags ?? []).includes(name) ? ` ${given}` : ""}`;
        return new UsageError(
            `npm took "${flag}" as its own option and did not pass it on. Put -- before the options: \`npm run ${script} -- ${shown}\`.`,
        );
    }
    return undefined;
}

/** `--platform azure` (or any config key as a flag): config values go through -c, as with `pulumi up`. */
function configFlagHint(arg: string, next: string | undefined): string | undefined {
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    const name = flag.replace(/^--?/, "");
    // Loaded only on this error path: the schema pulls in zod.
    const { configKeyDeclarations } =
        require("../../stacks/config-declarations") as typeof import("../../stacks/config-declarations");
    const key = configKeyDeclarations().find((d) => d.key.toLowerCase() === name.toLowerCase())?.key;
    if (!key) return undefined;
    const value = inline ?? (next && !next.startsWith("-") ? next : "<value>");
    return `config values are passed with -c, as with \`pulumi up\`: \`-c estate:${key}=${value}\`.`;
}

export function parseCliArgs(
    argv: readonly string[],
    spec: CliSpec = {},
    env: NodeJS.ProcessEnv = process.env,
): CliArgs {
    const result: CliArgs = { stack: "staging", config: {}, flags: new Set(), options: {}, help: false };
    const swallowed = npmSwallowed(argv, spec, env);
    if (swallowed) throw swallowed;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        const next = () => {
            const value = argv[++i];
            if (value === undefined) throw new UsageError(`${arg} needs a value`);
            return value;
        };
        if (arg === "--help" || arg === "-h") result.help = true;
        else if (arg === "--stack" || arg === "-s") result.stack = next();
        else if (arg.startsWith("--stack=")) result.stack = arg.slice("--stack=".length);
        else if (arg === "-c" || arg === "--config") {
            const pair = next();
            const eq = pair.indexOf("=");
            if (eq <= 0) throw new UsageError(`-c takes key=value (as \`pulumi up -c\`), got "${pair}"`);
            result.config[pair.slice(0, eq)] = pair.slice(eq + 1);
        } else if (arg.startsWith("--") && spec.flags?.includes(arg.slice(2))) result.flags.add(arg.slice(2));
        else if (arg.startsWith("--") && spec.options?.includes(arg.slice(2))) result.options[arg.slice(2)] = next();
        else {
            const hint = arg.startsWith("-") ? configFlagHint(arg, argv[i + 1]) : undefined;
            throw new UsageError(
                `unknown argument "${arg}"${hint ? `: ${hint}` : `. Usage: --stack <name> [-c key=value ...]${(spec.flags ?? []).map((f) => ` [--${f}]`).join("")}${(spec.options ?? []).map((o) => ` [--${o} <value>]`).join("")} (--help for more)`}`,
            );
        }
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(result.stack))
        throw new UsageError(`--stack must be a stack name, got "${result.stack}"`);
    return result;
}
