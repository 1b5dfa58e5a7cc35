import { parseArgs } from "node:util";

/** Everything one smoke run needs, validated. */
export interface SmokeOptions {
    /** Origin (and optional base path) of the API, without a trailing slash. */
    readonly baseUrl: string;
    /** Origin the UI is served from: the API must allow it in CORS. */
    readonly allowedOrigin: string;
    /** An origin the API must refuse in CORS. */
    readonly disallowedOrigin: string;
    readonly chatPath: string;
    readonly embeddingsPath: string;
    /** Bearer token for the AI endpoints, read from the environment variable named by `--token-env`. */
    readonly token: string | undefined;
    readonly timeoutMs: number;
    /** Extra attempts per check after the first one. */
    readonly retries: number;
    readonly retryDelayMs: number;
    /** Which checks to run, in order. */
    readonly checks: readonly CheckName[];
    /** Perf smoke (`latency`): requests to /readyz, how many at a time, and the p95 budget. */
    readonly latency: { readonly requests: number; readonly concurrency: number; readonly p95Ms: number };
}

export const CHECK_NAMES = [
    "healthz",
    "readyz",
    "cors-allowed",
    "cors-disallowed",
    "chat",
    "embeddings",
    "latency",
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
/** `latency` is a small load and runs only when asked for (before major releases, runbook 003). */
export const DEFAULT_CHECKS: readonly CheckName[] = CHECK_NAMES.filter((c) => c !== "latency");

/** A mistake in the command line: the run never starts and the process exits 1. */
export class UsageError extends Error {}

export const USAGE = `usage: smoke.ts --base-url <url> --allowed-origin <origin> --disallowed-origin <origin>
  [--chat-path /api/v1/ai/chat] [--embeddings-path /api/v1/ai/embeddings]
  [--token-env SMOKE_API_TOKEN] [--timeout-ms 10000] [--retries 0] [--retry-delay-ms 2000]
  [--checks ${DEFAULT_CHECKS.join(",")}] (also: latency)
  [--latency-requests 50] [--latency-concurrency 5] [--latency-p95-ms 2000]
exit codes: 0 healthy, 1 error (arguments, DNS, connection, timeout), 2 unhealthy`;

/** `--help`: what the check does, the usage above, and examples. */
export const HELP = `Post-deploy smoke check of a running estate: health, readiness, CORS, one chat and one embeddings
request (and, when asked, a small latency run). Prints one line per check.

${USAGE.replace("usage: smoke.ts", "usage: npm run smoke --")}

examples:
  npm run smoke -- --base-url https://api.example.com --allowed-origin https://app.example.com \\
    --disallowed-origin https://evil.example --checks healthz,readyz,cors-allowed,cors-disallowed
  SMOKE_API_TOKEN=... npm run smoke -- --base-url https://api.example.com --allowed-origin https://app.example.com \\
    --disallowed-origin https://evil.example --token-env SMOKE_API_TOKEN`;

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Parses and validates the command line. Messages name the flag, never its value, so a
 * token pasted into the wrong flag does not end up in the log.
 */
export function parseSmokeArgs(argv: readonly string[], env: NodeJS.ProcessEnv): SmokeOptions {
    let values: Record<string, string | undefined>;
    try {
        ({ values } = parseArgs({
            args: [...argv],
            strict: true,
            allowPositionals: false,
            options: {
                "base-url": { type: "string" },
                "allowed-origin": { type: "string" },
                "disallowed-origin": { type: "string" },
                "chat-path": { type: "string", default: "/api/v1/ai/chat" },
                "embeddings-path": { type: "string", default: "/api/v1/ai/embeddings" },
                "token-env": { type: "string" },
                "timeout-ms": { type: "string", default: "10000" },
                retries: { type: "string", default: "0" },
                "retry-delay-ms": { type: "string", default: "2000" },
                checks: { type: "string", default: DEFAULT_CHECKS.join(",") },
                "latency-requests": { type: "string", default: "50" },
                "latency-concurrency": { type: "string", default: "5" },
                "latency-p95-ms": { type: "string", default: "2000" },
            },
        }));
    } catch (err) {
        const code = (err as { code?: string }).code ?? "ERR_PARSE_ARGS";
        throw new UsageError(`unrecognised or malformed arguments (${code})`);
    }

    const base = httpUrl(values["base-url"], "--base-url");
    if (base.search !== "" || base.hash !== "") {
        throw new UsageError("`--base-url` must not carry a query or fragment");
    }
    const allowedOrigin = origin(values["allowed-origin"], "--allowed-origin");
    const disallowedOrigin = origin(values["disallowed-origin"], "--disallowed-origin");
    if (allowedOrigin === disallowedOrigin) {
        throw new UsageError("`--allowed-origin` and `--disallowed-origin` must differ");
    }

    let token: string | undefined;
    const tokenEnv = values["token-env"];
    if (tokenEnv !== undefined) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) {
            throw new UsageError("`--token-env` must name an environment variable");
        }
        token = env[tokenEnv];
        if (token === undefined || token.trim() === "") {
            throw new UsageError(`environment variable \`${tokenEnv}\` named by \`--token-env\` is empty or unset`);
        }
        // A bearer token must never cross the network in clear text.
        if (base.protocol !== "https:" && !LOOPBACK.has(base.hostname)) {
            throw new UsageError("`--token-env` needs an https `--base-url` (plain http is allowed only for loopback)");
        }
    }

    const checks = (values.checks ?? "")
        .split(",")
        .map((c) => c.trim())
        .filter((c) => c !== "");
    for (const c of checks) {
        if (!(CHECK_NAMES as readonly string[]).includes(c)) {
            throw new UsageError(`\`--checks\` accepts only ${CHECK_NAMES.join(", ")}`);
        }
    }
    if (checks.length === 0) throw new UsageError("`--checks` must name at least one check");

    return {
        baseUrl: base.href.replace(/\/+$/, ""),
        allowedOrigin,
        disallowedOrigin,
        chatPath: path(values["chat-path"], "--chat-path"),
        embeddingsPath: path(values["embeddings-path"], "--embeddings-path"),
        token,
        timeoutMs: integer(values["timeout-ms"], "--timeout-ms", 1, 300_000),
        retries: integer(values.retries, "--retries", 0, 100),
        retryDelayMs: integer(values["retry-delay-ms"], "--retry-delay-ms", 0, 600_000),
        checks: checks as CheckName[],
        latency: {
            requests: integer(values["latency-requests"], "--latency-requests", 1, 10_000),
            concurrency: integer(values["latency-concurrency"], "--latency-concurrency", 1, 100),
            p95Ms: integer(values["latency-p95-ms"], "--latency-p95-ms", 1, 600_000),
        },
    };
}

function httpUrl(value: string | undefined, flag: string): URL {
    if (value === undefined) throw new UsageError(`\`${flag}\` is required`);
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        throw new UsageError(`\`${flag}\` must be an absolute http(s) URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new UsageError(`\`${flag}\` must be an absolute http(s) URL`);
    }
    if (url.username !== "" || url.password !== "") {
        throw new UsageError(`\`${flag}\` must not embed credentials; use \`--token-env\``);
    }
    return url;
}

function origin(value: string | undefined, flag: string): string {
    const url = httpUrl(value, flag);
    if (url.pathname !== "/" || url.search !== "" || url.hash !== "") {
        throw new UsageError(`\`${flag}\` must be an origin (scheme://host[:port]) without a path`);
    }
    return url.origin;
}

function path(value: string | undefined, flag: string): string {
    if (value === undefined || !value.startsWith("/") || value.startsWith("//")) {
        throw new UsageError(`\`${flag}\` must be an absolute path starting with a single /`);
    }
    return value;
}

function integer(value: string | undefined, flag: string, min: number, max: number): number {
    const n = Number(value);
    if (value === undefined || !/^\d+$/.test(value) || n < min || n > max) {
        throw new UsageError(`\`${flag}\` must be a whole number between ${min} and ${max}`);
    }
    return n;
}
