/**
 * Alert thresholds and switches as the stack config's `alerts` block declares them: the schema
 * with the runbook defaults, its parser, and the one-unit durations the windows are written in.
 */
import { z } from "zod";
import { RUNBOOK_ALERT_DEFAULTS as R } from "../../policies/runbook-thresholds";
import { ALERT_IDS, type AlertId, type ThresholdKey } from "./catalogue";

/** A Prometheus/KQL duration with one unit, e.g. `5m`, `26h`. */
const DURATION = /^[1-9][0-9]*[smhd]$/;
const duration = (fallback: string) =>
    z.string().regex(DURATION, { error: "must be a duration with one unit, like 30s, 5m, 2h or 1d" }).default(fallback);
const positive = (fallback: number) =>
    z.number({ error: "must be a number" }).positive({ error: "must be greater than 0" }).default(fallback);
const positiveInt = (fallback: number) =>
    z
        .number({ error: "must be a number" })
        .int({ error: "must be a whole number" })
        .positive({ error: "must be greater than 0" })
        .default(fallback);
const percent = (fallback: number) =>
    z
        .number({ error: "must be a number" })
        .positive({ error: "must be greater than 0" })
        .max(100, { error: "is a percentage and must be at most 100" })
        .default(fallback);

/** Alert thresholds and switches, with the runbook defaults (written once, in the policy pack, which holds the alerts to them); embedded as `alerts` in the stack config. */
export const alertThresholdsSchema = z.strictObject({
    /** p95 request latency, seconds (runbook 001). */
    latencyP95Seconds: positive(R.latencyP95Seconds),
    /** Window the p95 is computed over. */
    latencyWindow: duration(R.latencyWindow),
    /** Share of 5xx responses, percent (runbook 001). */
    errorRatePercent: percent(R.errorRatePercent),
    /** Window the 5xx share is computed over (runbook 001: 5 min). */
    errorRateWindow: duration(R.errorRateWindow),
    /** Container restarts tolerated in 10 minutes (runbook 001). */
    restartsIn10m: positiveInt(R.restartsIn10m),
    /** CPU use of the busiest replica, percent of its limit (runbook 001). */
    cpuPercent: percent(R.cpuPercent),
    /** Memory use of the fullest replica, percent of its limit (runbook 001). */
    memoryPercent: percent(R.memoryPercent),
    /** How long saturation or a queue backlog must last before alerting. */
    sustainedFor: duration(R.sustainedFor),
    /** How long a dependency must be down from every replica before paging. */
    dependencyDownFor: duration(R.dependencyDownFor),
    /** How long the synthetic public-endpoint check must fail before paging. */
    probeFailingFor: duration(R.probeFailingFor),
    /** Queue depth, messages (runbook 003). */
    queueBacklog: positiveInt(R.queueBacklog),
    /** Share of failed AI provider requests, percent (runbook 003). */
    aiProviderErrorRatePercent: percent(R.aiProviderErrorRatePercent),
    /** Failed sync jobs within `syncJobWindow` that raise a ticket (runbook 002). */
    syncJobFailures: positiveInt(R.syncJobFailures),
    syncJobWindow: duration(R.syncJobWindow),
    /** Age of the last successful backup, hours: daily schedule plus 2 h slack (runbooks 000, 003). */
    backupMaxAgeHours: positive(R.backupMaxAgeHours),
    /** Age of the last successful restore drill, days: monthly plus slack (runbook 000). */
    restoreDrillMaxAgeDays: positive(R.restoreDrillMaxAgeDays),
    /** Alert ids switched off for this stack; the policy pack reports each one. */
    disabled: z.array(z.enum(ALERT_IDS as [AlertId, ...AlertId[]])).default([]),
    /** Where runbook sections are published; alerts link to `<base>/<file>#<section>`. */
    runbookBaseUrl: z.url({ error: "must be an absolute URL" }).default("https://runbooks.invalid/estate"),
});

export type AlertThresholds = z.output<typeof alertThresholdsSchema>;
export type AlertThresholdsInput = z.input<typeof alertThresholdsSchema>;
// Checked both ways so the catalogue's keys and the schema cannot drift apart.
type SchemaThresholdKey = Exclude<keyof AlertThresholds, "disabled" | "runbookBaseUrl">;
const _keysMatch: [ThresholdKey, SchemaThresholdKey] extends [SchemaThresholdKey, ThresholdKey] ? true : never = true;
void _keysMatch;

/** Parses thresholds, throwing one message that names every bad key as `alerts.<key>`. */
export function parseAlertThresholds(input: unknown): AlertThresholds {
    const result = alertThresholdsSchema.safeParse(input ?? {});
    if (result.success) return result.data;
    const problems = result.error.issues.map((issue) => {
        const path = ["alerts", ...issue.path.map(String)].join(".");
        return `\`${path}\` ${issue.message}`;
    });
    throw new Error(`Invalid alert thresholds: ${problems.join("; ")}`);
}

/** Seconds in a one-unit duration such as `5m`. */
export function durationSeconds(value: string): number {
    const unit = value.slice(-1);
    const amount = Number(value.slice(0, -1));
    const factor = { s: 1, m: 60, h: 3600, d: 86400 }[unit];
    if (!DURATION.test(value) || factor === undefined)
        throw new Error(`\`${value}\` is not a one-unit duration like 5m`);
    return amount * factor;
}
