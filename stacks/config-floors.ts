/**
 * Config-level refusals: what a stack may not say even when each value is well-formed.
 * - Alert thresholds no looser than the runbooks' defaults (the schema defaults of
 *   `alertThresholdsSchema`), in every stack.
 * - Retention and HA floors in prod.
 * - https for every URL the config names, unless its host stays on the private network.
 * A floor is lifted only by a recorded exception in `estate:configExceptions`: one entry per key,
 * `<key> until <YYYY-MM-DD> (<ticket>): <reason>`, refused once its date has passed.
 */
import { z } from "zod";
import { alertThresholdsSchema, durationSeconds } from "../components/observability/thresholds";

/** The prod retention floor, in days: the same one the policy pack enforces in prod (data-backup-retention). */
export const PROD_MIN_RETENTION_DAYS = 14;

const EXCEPTION = /^([A-Za-z][A-Za-z0-9]*) until (\d{4}-\d{2}-\d{2}) \(([A-Za-z][A-Za-z0-9]*-[0-9]+)\): (.{10,})$/;

/** The schema entry of `estate:configExceptions`, spread into the config schema. */
export const configExceptionKeys = {
    configExceptions: z
        .array(
            z.string().regex(EXCEPTION, {
                error: 'must read "<key> until <YYYY-MM-DD> (<TICKET-123>): <reason of 10+ characters>"',
            }),
        )
        .default([])
        .meta({
            description:
                'Recorded exceptions to the config floors (runbook thresholds, prod retention and HA, https URLs), one per key: "<key> until <YYYY-MM-DD> (<TICKET-123>): <reason>". Refused once expired.',
        }),
};

export interface ConfigException {
    readonly key: string;
    readonly until: string;
    readonly ticket: string;
    readonly reason: string;
}

export function parseException(entry: string): ConfigException | undefined {
    const m = EXCEPTION.exec(entry);
    return m ? { key: m[1]!, until: m[2]!, ticket: m[3]!, reason: m[4]! } : undefined;
}

/** One refused value: the key (and list item) it sits at, and what to do. */
export interface FloorIssue {
    readonly path: readonly (string | number)[];
    readonly message: string;
}

/** Flat alert keys (`alertErrorRatePercent`) to their threshold field, as config-schema.ts derives them. */
const THRESHOLDS = Object.keys(alertThresholdsSchema.shape).filter((k) => k !== "disabled" && k !== "runbookBaseUrl");
const flatKey = (field: string) => `alert${field[0]!.toUpperCase()}${field.slice(1)}`;
// A longer window counts more failures, so for this one threshold shorter is looser.
const LOOSER_WHEN_SMALLER = new Set(["syncJobWindow"]);

function magnitude(value: unknown): number | undefined {
    if (typeof value === "number") return value;
    if (typeof value === "string") {
        try {
            return durationSeconds(value);
        } catch {
            return undefined;
        }
    }
    return undefined;
}

function thresholdIssues(c: Readonly<Record<string, unknown>>): Array<{ key: string; message: string }> {
    const out: Array<{ key: string; message: string }> = [];
    for (const field of THRESHOLDS) {
        const key = flatKey(field);
        const shape = alertThresholdsSchema.shape[field as keyof typeof alertThresholdsSchema.shape];
        const fallback: unknown = shape.parse(undefined);
        const value = magnitude(c[key]);
        const floor = magnitude(fallback);
        if (value === undefined || floor === undefined) continue;
        const looser = LOOSER_WHEN_SMALLER.has(field) ? value < floor : value > floor;
        if (looser) {
            out.push({
                key,
                message: `is looser than the runbook's ${JSON.stringify(fallback)}: remove it (or set ${JSON.stringify(fallback)} or stricter), or record an exception in estate:configExceptions`,
            });
        }
    }
    return out;
}

function prodIssues(c: Readonly<Record<string, unknown>>): Array<{ key: string; message: string }> {
    if (c.environment !== "prod") return [];
    const out: Array<{ key: string; message: string }> = [];
    for (const key of ["backupRetentionDays", "postgresBackupRetentionDays"]) {
        const days = c[key];
        if (typeof days === "number" && days < PROD_MIN_RETENTION_DAYS) {
            out.push({
                key,
                message: `must be at least ${PROD_MIN_RETENTION_DAYS} in prod (backups the restore drill and an incident can still reach), or record an exception in estate:configExceptions`,
            });
        }
    }
    if (c.postgresHighAvailability === false) {
        out.push({
            key: "postgresHighAvailability",
            message:
                "must stay on in prod (a zone-redundant standby / synchronous second instance): remove it, or record an exception in estate:configExceptions",
        });
    }
    return out;
}

/** Same rule as the pack's URL policies: loopback, single-label and cluster-local hosts may stay http. */
function isPrivateHost(host: string): boolean {
    const h = host.toLowerCase().replace(/^\[|\]$/g, "");
    return (
        h === "localhost" ||
        h === "::1" ||
        /^127\./.test(h) ||
        !h.includes(".") ||
        [".svc", ".svc.cluster.local", ".cluster.local", ".internal"].some((s) => h.endsWith(s))
    );
}

function isPlainHttp(value: unknown): boolean {
    if (typeof value !== "string") return false;
    try {
        const url = new URL(value);
        return (url.protocol === "http:" || url.protocol === "ws:") && !isPrivateHost(url.hostname);
    } catch {
        return false;
    }
}

function urlIssues(c: Readonly<Record<string, unknown>>): FloorIssue[] {
    const out: FloorIssue[] = [];
    const fix = "use https://, or record an exception in estate:configExceptions";
    // oidcIssuer and the OTLP endpoints are https-only in the schema itself.
    for (const key of ["redmineBaseUrl", "ollamaBaseUrl"]) {
        if (isPlainHttp(c[key]))
            out.push({ path: [key], message: `is plain http to a host off the private network: ${fix}` });
    }
    if (Array.isArray(c.corsAllowedOrigins)) {
        c.corsAllowedOrigins.forEach((origin, i) => {
            if (isPlainHttp(origin))
                out.push({ path: ["corsAllowedOrigins", i], message: `is a plain http origin: ${fix}` });
        });
    }
    // The webhook receiver's URL is a secret: the message never repeats it.
    if (c.alertOnCallReceiver === "webhook" && isPlainHttp(c.alertOnCallKey)) {
        out.push({ path: ["alertOnCallKey"], message: `is a plain http webhook URL: ${fix}` });
    }
    return out;
}

/** Every floor the config breaks, less those a live exception lifts; expired and unused exceptions too. */
export function configFloorIssues(c: Readonly<Record<string, unknown>>, today: Date = new Date()): FloorIssue[] {
    const broken: FloorIssue[] = [
        ...[...thresholdIssues(c), ...prodIssues(c)].map((i) => ({ path: [i.key], message: i.message })),
        ...urlIssues(c),
    ];
    const entries = Array.isArray(c.configExceptions) ? (c.configExceptions as unknown[]) : [];
    const exceptions = entries.map((e) => (typeof e === "string" ? parseException(e) : undefined));
    const day = today.toISOString().slice(0, 10);
    const out: FloorIssue[] = [];
    exceptions.forEach((e, i) => {
        if (e === undefined) return;
        if (e.until < day) {
            out.push({
                path: ["configExceptions", i],
                message: `expired on ${e.until} (${e.ticket}): restore ${e.key} to its floor, or renew the exception with a new date`,
            });
        } else if (!broken.some((b) => b.path[0] === e.key)) {
            out.push({
                path: ["configExceptions", i],
                message: `lifts no floor: ${e.key} is within it, so remove this exception`,
            });
        }
    });
    const live = new Set(exceptions.filter((e) => e !== undefined && e.until >= day).map((e) => e!.key));
    return [...broken.filter((b) => !live.has(String(b.path[0]))), ...out];
}

/** The schema's refinement: each issue at its key, so the config error names stack, key, value and fix. */
export function refuseBelowFloors(c: Readonly<Record<string, unknown>>, ctx: z.RefinementCtx): void {
    for (const issue of configFloorIssues(c)) {
        ctx.addIssue({ code: "custom", path: [...issue.path], message: issue.message });
    }
}
