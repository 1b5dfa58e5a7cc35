import type { CheckName, SmokeOptions } from "./args";
import { runLatency } from "./latency";

/** `ok` passed; `fail` the service answered wrongly (unhealthy); `error` no usable answer at all. */
export type CheckStatus = "ok" | "fail" | "error";

export interface CheckResult {
    readonly name: CheckName;
    readonly status: CheckStatus;
    /** A fixed code from this file (`http_503`, `origin_wildcard`, `timeout`), never server text. */
    readonly reason: string | undefined;
    readonly httpStatus: number | undefined;
    /** Duration of the last attempt. */
    readonly ms: number;
    readonly attempts: number;
    /** Perf smoke only: p95 over `requests` requests. */
    readonly p95Ms?: number;
    readonly requests?: number;
}

interface Answer {
    readonly status: number;
    readonly headers: Headers;
    readonly body: string;
}

interface Verdict {
    readonly status: CheckStatus;
    readonly reason?: string;
}

const OK: Verdict = { status: "ok" };
const fail = (reason: string): Verdict => ({ status: "fail", reason });
const is2xx = (status: number): boolean => status >= 200 && status < 300;

/** Exit code for a whole run: an error outranks an unhealthy answer, as in ops_daily. */
export function exitCode(results: readonly CheckResult[]): 0 | 1 | 2 {
    if (results.some((r) => r.status === "error")) return 1;
    if (results.some((r) => r.status === "fail")) return 2;
    return 0;
}

/** One aggregate-only log line: names, codes and numbers, never bodies, headers or tokens. */
export function formatResult(r: CheckResult): string {
    const parts = [`smoke check=${r.name}`, `status=${r.status}`];
    if (r.httpStatus !== undefined) parts.push(`http=${r.httpStatus}`);
    if (r.reason !== undefined) parts.push(`reason=${r.reason}`);
    parts.push(`ms=${r.ms}`, `attempts=${r.attempts}`);
    if (r.p95Ms !== undefined) parts.push(`p95_ms=${r.p95Ms}`, `requests=${r.requests ?? 0}`);
    return parts.join(" ");
}

export function formatSummary(results: readonly CheckResult[]): string {
    const code = exitCode(results);
    const result = code === 0 ? "healthy" : code === 2 ? "unhealthy" : "error";
    const count = (s: CheckStatus): number => results.filter((r) => r.status === s).length;
    return `smoke result=${result} exit=${code} ok=${count("ok")} failed=${count("fail")} errors=${count("error")}`;
}

/**
 * Finds an embedding vector in the shapes common APIs return: a bare array, `embedding`,
 * `vector`, `embeddings[0]` (Ollama /api/embed) or `data[0].embedding` (OpenAI-style).
 */
export function findVector(json: unknown): number[] | undefined {
    const isVector = (v: unknown): v is number[] =>
        Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number" && Number.isFinite(x));
    const candidates: unknown[] = [json];
    if (json !== null && typeof json === "object" && !Array.isArray(json)) {
        const o = json as Record<string, unknown>;
        candidates.push(o["embedding"], o["vector"]);
        if (Array.isArray(o["embeddings"])) candidates.push(o["embeddings"][0]);
        if (Array.isArray(o["data"])) {
            const first: unknown = o["data"][0];
            if (first !== null && typeof first === "object") {
                candidates.push((first as Record<string, unknown>)["embedding"]);
            }
        }
    }
    return candidates.find(isVector);
}

/** True when a body carries something: not blank, and not an empty JSON value. */
export function hasContent(body: string): boolean {
    const text = body.trim();
    return text !== "" && !["{}", "[]", "null", '""'].includes(text.replace(/\s+/g, ""));
}

/** Maps a fetch failure to a fixed code; the raw message may carry URLs or addresses. */
export function classifyError(err: unknown): string {
    const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
    if (e.name === "TimeoutError" || e.name === "AbortError" || e.cause?.name === "TimeoutError") return "timeout";
    const code = e.cause?.code ?? e.code ?? "";
    if (code === "ECONNREFUSED") return "connection_refused";
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "dns";
    if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET") return "connection_reset";
    if (code === "ETIMEDOUT" || (code.startsWith("UND_ERR_") && code.endsWith("TIMEOUT"))) return "timeout";
    if (/CERT|TLS|SSL|SELF_SIGNED/.test(code)) return "tls";
    return "network";
}

interface Probe {
    readonly path: (o: SmokeOptions) => string;
    readonly init: (o: SmokeOptions) => RequestInit;
    readonly judge: (a: Answer, o: SmokeOptions) => Verdict;
}

const jsonPost = (o: SmokeOptions, body: unknown): RequestInit => ({
    method: "POST",
    headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...(o.token === undefined ? {} : { authorization: `Bearer ${o.token}` }),
    },
    body: JSON.stringify(body),
});

const preflight = (origin: string): RequestInit => ({
    method: "OPTIONS",
    headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
    },
});

type ProbeName = Exclude<CheckName, "latency">;

const PROBES: Record<ProbeName, Probe> = {
    healthz: {
        path: () => "/healthz",
        init: () => ({ method: "GET" }),
        judge: (a) => (a.status === 200 ? OK : fail(`http_${a.status}`)),
    },
    readyz: {
        path: () => "/readyz",
        init: () => ({ method: "GET" }),
        judge: (a) => (a.status === 200 ? OK : fail(`http_${a.status}`)),
    },
    // The preflight a browser on the UI origin sends before calling the chat endpoint.
    "cors-allowed": {
        path: (o) => o.chatPath,
        init: (o) => preflight(o.allowedOrigin),
        judge: (a, o) => {
            if (!is2xx(a.status)) return fail(`http_${a.status}`);
            const allow = a.headers.get("access-control-allow-origin");
            if (allow === null) return fail("origin_missing");
            if (allow.trim() === "*") return fail("origin_wildcard");
            return allow.trim() === o.allowedOrigin ? OK : fail("origin_mismatch");
        },
    },
    // Any status is fine here; what matters is that a browser would refuse the origin.
    "cors-disallowed": {
        path: (o) => o.chatPath,
        init: (o) => preflight(o.disallowedOrigin),
        judge: (a, o) => {
            const allow = a.headers.get("access-control-allow-origin")?.trim();
            if (allow === "*") return fail("origin_wildcard");
            if (allow === o.disallowedOrigin) return fail("origin_echoed");
            return OK;
        },
    },
    chat: {
        path: (o) => o.chatPath,
        init: (o) =>
            jsonPost(o, { messages: [{ role: "user", content: "Reply with the single word: pong" }], stream: false }),
        judge: (a) => {
            if (!is2xx(a.status)) return fail(`http_${a.status}`);
            return hasContent(a.body) ? OK : fail("empty_body");
        },
    },
    embeddings: {
        path: (o) => o.embeddingsPath,
        init: (o) => jsonPost(o, { input: "smoke test" }),
        judge: (a) => {
            if (!is2xx(a.status)) return fail(`http_${a.status}`);
            let json: unknown;
            try {
                json = JSON.parse(a.body);
            } catch {
                return fail("not_json");
            }
            return findVector(json) === undefined ? fail("no_vector") : OK;
        },
    },
};

async function attempt(name: ProbeName, o: SmokeOptions): Promise<Omit<CheckResult, "attempts">> {
    const probe = PROBES[name];
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    try {
        // Redirects are reported, not followed, so a token is never replayed to another host.
        const res = await fetch(o.baseUrl + probe.path(o), {
            ...probe.init(o),
            redirect: "manual",
            signal: AbortSignal.timeout(o.timeoutMs),
        });
        const body = await res.text();
        const verdict =
            res.status >= 300 && res.status < 400
                ? fail("redirect")
                : probe.judge({ status: res.status, headers: res.headers, body }, o);
        return { name, status: verdict.status, reason: verdict.reason, httpStatus: res.status, ms: elapsed() };
    } catch (err) {
        return { name, status: "error", reason: classifyError(err), httpStatus: undefined, ms: elapsed() };
    }
}

/** Runs one check, retrying any non-ok outcome; the last attempt decides. */
export async function runCheck(name: CheckName, o: SmokeOptions): Promise<CheckResult> {
    if (name === "latency") return runLatency(o);
    let attempts = 0;
    for (;;) {
        attempts += 1;
        const result = await attempt(name, o);
        if (result.status === "ok" || attempts > o.retries) return { ...result, attempts };
        await new Promise((resolve) => setTimeout(resolve, o.retryDelayMs));
    }
}
