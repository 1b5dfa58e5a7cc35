/**
 * The perf smoke (runbook 003 GA mini-checklist: "run `make k6` (or equivalent perf smoke) before
 * major releases"): a small, bounded burst of GET /readyz — the endpoint that touches every
 * dependency — with a p95 budget that defaults to the runbook 001 alert threshold (2 s).
 */
import type { SmokeOptions } from "./args";
import { classifyError, type CheckResult } from "./checks";

/** Nearest-rank percentile: the smallest value with at least `p` % of the values at or below it. */
export function percentile(values: readonly number[], p: number): number {
    if (values.length === 0) throw new Error("percentile of no values");
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

type Sample = { readonly ms: number; readonly status: number } | { readonly ms: number; readonly error: string };

async function one(o: SmokeOptions): Promise<Sample> {
    const started = performance.now();
    try {
        const res = await fetch(`${o.baseUrl}/readyz`, {
            redirect: "manual",
            signal: AbortSignal.timeout(o.timeoutMs),
        });
        await res.arrayBuffer();
        return { ms: Math.round(performance.now() - started), status: res.status };
    } catch (err) {
        return { ms: Math.round(performance.now() - started), error: classifyError(err) };
    }
}

export async function runLatency(o: SmokeOptions): Promise<CheckResult> {
    const samples: Sample[] = [];
    let next = 0;
    const worker = async () => {
        while (next < o.latency.requests) {
            next += 1;
            samples.push(await one(o));
        }
    };
    await Promise.all(Array.from({ length: Math.min(o.latency.concurrency, o.latency.requests) }, worker));
    const p95Ms = percentile(
        samples.map((s) => s.ms),
        95,
    );
    const base = { name: "latency" as const, ms: p95Ms, attempts: 1, p95Ms, requests: samples.length };
    const failed = samples.find((s): s is Extract<Sample, { error: string }> => "error" in s);
    if (failed) return { ...base, status: "error", reason: failed.error, httpStatus: undefined };
    const wrong = samples.find((s): s is Extract<Sample, { status: number }> => "status" in s && s.status !== 200);
    if (wrong) return { ...base, status: "fail", reason: `http_${wrong.status}`, httpStatus: wrong.status };
    return {
        ...base,
        status: p95Ms > o.latency.p95Ms ? "fail" : "ok",
        reason: p95Ms > o.latency.p95Ms ? "p95_over_budget" : undefined,
        httpStatus: 200,
    };
}
