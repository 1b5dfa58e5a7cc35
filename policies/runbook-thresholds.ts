// The runbooks' alert thresholds, written once. The program's alert catalogue
// (components/observability/catalogue.ts) takes its defaults from here and the pack holds the
// declared alerts to them, so the two cannot drift; the pack itself stays free of the program.

/** Runbook 001 (Azure Monitor thresholds), 000 (SLOs, daily backups, monthly restore), 002, 003. */
export const RUNBOOK_ALERT_DEFAULTS = {
    latencyP95Seconds: 2,
    latencyWindow: "5m",
    errorRatePercent: 1,
    errorRateWindow: "5m",
    restartsIn10m: 2,
    cpuPercent: 80,
    memoryPercent: 80,
    sustainedFor: "10m",
    dependencyDownFor: "2m",
    probeFailingFor: "5m",
    queueBacklog: 1000,
    aiProviderErrorRatePercent: 5,
    syncJobFailures: 1,
    syncJobWindow: "1h",
    backupMaxAgeHours: 26,
    restoreDrillMaxAgeDays: 35,
} as const;

export type RunbookThresholdKey = {
    [K in keyof typeof RUNBOOK_ALERT_DEFAULTS]: (typeof RUNBOOK_ALERT_DEFAULTS)[K] extends number ? K : never;
}[keyof typeof RUNBOOK_ALERT_DEFAULTS];

/** Seconds in a Prometheus duration (`90s`, `1h30m`); undefined when it is not one. */
export function promDurationSeconds(value: string): number | undefined {
    const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
    const parts = [...value.trim().matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== value.trim()) return undefined;
    return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]], 0);
}

/** Seconds in an ISO 8601 duration as Azure Monitor takes it (`PT15M`, `P1D`); undefined when it is not one. */
export function isoDurationSeconds(value: string): number | undefined {
    const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value.trim());
    if (!m || value.trim() === "P" || value.trim().endsWith("T")) return undefined;
    return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
}

/** The longest a runbook lets a condition last before it alerts: the wait no alert may exceed. */
export function longestRunbookWaitSeconds(): number {
    const { sustainedFor, dependencyDownFor, probeFailingFor } = RUNBOOK_ALERT_DEFAULTS;
    // ContainerRestartsHigh counts restarts over ten minutes (`restartsIn10m`).
    const restartsWindow = 600;
    return Math.max(
        restartsWindow,
        ...[sustainedFor, dependencyDownFor, probeFailingFor].map((d) => promDurationSeconds(d)!),
    );
}
