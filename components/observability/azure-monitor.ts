import {
    type AlertThresholds,
    type BackupAlertTarget,
    type CatalogueEntry,
    type ServiceAlertTarget,
    backupEntries,
    durationSeconds,
    runbookUrl,
    serviceEntries,
} from "./catalogue";

export type AzureOperator = "GreaterThan" | "GreaterThanOrEqual" | "LessThan" | "LessThanOrEqual";
export type AzureAggregation = "Average" | "Maximum" | "Minimum" | "Total" | "Count";

/** Fields every Azure rendering shares; `severity` is Azure's 0 (critical) .. 4 scale. */
interface AzureAlertBase {
    readonly id: string;
    readonly alertName: string;
    readonly severity: 1 | 3;
    readonly description: string;
    readonly runbookUrl: string;
    /** `service` (or backup owner) the rule is about. */
    readonly service: string;
    /** ISO 8601 window and evaluation frequency. */
    readonly windowSize: string;
    readonly evaluationFrequency: string;
}

/** A metric alert on the Container App resource (shape of MetricCriteria). */
export interface AzureMetricAlert extends AzureAlertBase {
    readonly kind: "metric";
    readonly criterion: {
        readonly criterionType: "StaticThresholdCriterion";
        readonly name: string;
        readonly metricNamespace: "Microsoft.App/containerApps";
        readonly metricName: string;
        readonly timeAggregation: AzureAggregation;
        readonly operator: AzureOperator;
        readonly threshold: number;
    };
}

/** A scheduled query rule (shape of a ScheduledQueryRule condition). */
export interface AzureLogAlert extends AzureAlertBase {
    readonly kind: "log";
    /** `appInsights`: scope the Application Insights component; `logAnalytics`: the workspace. */
    readonly source: "appInsights" | "logAnalytics";
    readonly condition: {
        readonly query: string;
        readonly metricMeasureColumn: string;
        readonly timeAggregation: AzureAggregation;
        readonly operator: AzureOperator;
        readonly threshold: number;
        readonly failingPeriods: { readonly numberOfEvaluationPeriods: 1; readonly minFailingPeriodsToAlert: 1 };
    };
    /** Lookback longer than the window (backups); the workspace must retain logs at least this long. */
    readonly overrideQueryTimeRange?: string;
    /** `<store>-<database>` of a backup alert: one rule per backed-up database, so it is part of the name. */
    readonly subject?: string;
    /** The rule was once named without its subject (one PostgreSQL database): its old name becomes an alias. */
    readonly unqualifiedBefore?: boolean;
}

export type AzureAlert = AzureMetricAlert | AzureLogAlert;

/** `5m` → `PT5M`, `35d` → `P35D`. */
export function isoDuration(value: string): string {
    return isoFromSeconds(durationSeconds(value));
}

function isoFromSeconds(seconds: number): string {
    if (seconds % 86400 === 0) return `P${seconds / 86400}D`;
    if (seconds % 3600 === 0) return `PT${seconds / 3600}H`;
    if (seconds % 60 === 0) return `PT${seconds / 60}M`;
    return `PT${seconds}S`;
}

/** KQL string literal. */
const kql = (value: string) => JSON.stringify(value);
const num = (value: number) => String(Number(value.toPrecision(12)));

function base(entry: CatalogueEntry, service: string, window: string, t: AlertThresholds) {
    return {
        id: entry.id,
        alertName: entry.alertName,
        severity: entry.severity === "page" ? (1 as const) : (3 as const),
        description: entry.description,
        runbookUrl: runbookUrl(entry, t),
        service,
        windowSize: isoDuration(window),
        evaluationFrequency: durationSeconds(window) <= 300 ? "PT1M" : "PT5M",
    };
}

function metric(
    entry: CatalogueEntry,
    service: string,
    window: string,
    t: AlertThresholds,
    metricName: string,
    timeAggregation: AzureAggregation,
    threshold: number,
): AzureMetricAlert {
    const seconds = durationSeconds(window);
    if (seconds < 60 || seconds > 86400) {
        throw new Error(
            `\`alerts.${entry.thresholdKey}\` window ${window} is outside what Azure metric alerts accept (1m to 24h)`,
        );
    }
    return {
        ...base(entry, service, window, t),
        kind: "metric",
        criterion: {
            criterionType: "StaticThresholdCriterion",
            name: entry.alertName,
            metricNamespace: "Microsoft.App/containerApps",
            metricName,
            timeAggregation,
            operator: "GreaterThan",
            threshold,
        },
    };
}

function log(
    entry: CatalogueEntry,
    service: string,
    window: string,
    t: AlertThresholds,
    source: AzureLogAlert["source"],
    query: readonly string[],
    column: string,
    timeAggregation: AzureAggregation,
    operator: AzureOperator,
    threshold: number,
): AzureLogAlert {
    return {
        ...base(entry, service, window, t),
        kind: "log",
        source,
        condition: {
            query: query.join("\n| "),
            metricMeasureColumn: column,
            timeAggregation,
            operator,
            threshold,
            failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
        },
    };
}

/** OpenTelemetry metrics exported to Application Insights land in `customMetrics`. */
const customMetric = (name: string, service: string) => [
    `customMetrics`,
    `where name == ${kql(name)} and cloud_RoleName == ${kql(service)}`,
];

function serviceAlert(entry: CatalogueEntry, target: ServiceAlertTarget, t: AlertThresholds): AzureAlert {
    const svc = target.service;
    const role = `where cloud_RoleName == ${kql(svc)}`;
    switch (entry.id) {
        case "http-latency-p95-high":
            // requests.duration is in milliseconds.
            return log(
                entry,
                svc,
                t.latencyWindow,
                t,
                "appInsights",
                ["requests", role, "summarize p95 = percentile(duration, 95)"],
                "p95",
                "Maximum",
                "GreaterThan",
                t.latencyP95Seconds * 1000,
            );
        case "http-error-rate-high":
            return log(
                entry,
                svc,
                t.errorRateWindow,
                t,
                "appInsights",
                [
                    "requests",
                    role,
                    "summarize total = count(), failed = countif(toint(resultCode) >= 500)",
                    "extend errorRatePercent = iff(total == 0, 0.0, 100.0 * failed / total)",
                ],
                "errorRatePercent",
                "Maximum",
                "GreaterThan",
                t.errorRatePercent,
            );
        case "container-restarts-high":
            return metric(entry, svc, "10m", t, "RestartCount", "Total", t.restartsIn10m);
        case "cpu-saturation-high":
            return metric(entry, svc, t.sustainedFor, t, "CpuPercentage", "Average", t.cpuPercent);
        case "memory-saturation-high":
            return metric(entry, svc, t.sustainedFor, t, "MemoryPercentage", "Average", t.memoryPercent);
        case "public-endpoint-down":
            // The availability test is named after the service; every run failing in the window pages.
            return log(
                entry,
                svc,
                t.probeFailingFor,
                t,
                "appInsights",
                [
                    "availabilityResults",
                    `where name == ${kql(`${svc}-public-endpoint`)}`,
                    "summarize ok = max(toint(success))",
                ],
                "ok",
                "Maximum",
                "LessThan",
                1,
            );
        case "queue-backlog-high":
            // min over the window: the backlog stayed above the threshold the whole time ("sustained").
            return log(
                entry,
                svc,
                t.sustainedFor,
                t,
                "appInsights",
                [
                    ...customMetric("estate_queue_depth", svc),
                    `summarize depth = min(value) by queue = tostring(customDimensions["queue"])`,
                ],
                "depth",
                "Maximum",
                "GreaterThan",
                t.queueBacklog,
            );
        case "ai-provider-errors-high":
            return log(
                entry,
                svc,
                t.errorRateWindow,
                t,
                "appInsights",
                [
                    ...customMetric("estate_ai_provider_requests_total", svc),
                    `summarize total = sum(valueSum), errors = sumif(valueSum, tostring(customDimensions["outcome"]) == "error") by provider = tostring(customDimensions["provider"])`,
                    "extend errorRatePercent = iff(total == 0, 0.0, 100.0 * errors / total)",
                ],
                "errorRatePercent",
                "Maximum",
                "GreaterThan",
                t.aiProviderErrorRatePercent,
            );
        case "sync-job-failures":
            return log(
                entry,
                svc,
                t.syncJobWindow,
                t,
                "appInsights",
                [
                    ...customMetric("estate_sync_jobs_total", svc),
                    `where tostring(customDimensions["status"]) == "failed"`,
                    "summarize failures = sum(valueSum)",
                ],
                "failures",
                "Total",
                "GreaterThanOrEqual",
                t.syncJobFailures,
            );
    }
    if (entry.scope === "dependency" && entry.dependency) {
        return log(
            entry,
            svc,
            t.dependencyDownFor,
            t,
            "appInsights",
            [
                ...customMetric("estate_dependency_up", svc),
                `where tostring(customDimensions["dependency"]) == ${kql(entry.dependency)}`,
                "summarize up = max(value)",
            ],
            "up",
            "Maximum",
            "LessThan",
            1,
        );
    }
    throw new Error(`no Azure rendering for alert \`${entry.id}\``);
}

function backupAlert(
    entry: CatalogueEntry,
    target: BackupAlertTarget,
    t: AlertThresholds,
    unqualifiedBefore: boolean,
): AzureLogAlert {
    const stale = entry.id === "backup-stale";
    const maxAge = stale ? `${num(t.backupMaxAgeHours)}h` : `${num(t.restoreDrillMaxAgeDays)}d`;
    const seconds = stale ? Math.round(t.backupMaxAgeHours * 3600) : Math.round(t.restoreDrillMaxAgeDays * 86400);
    // The jobs log one structured line per run: `backup status=ok store=postgres database=estate ...`
    // and `restore_drill status=ok ...` (components/backup/scripts, log_event).
    const line = stale ? "backup" : "restore_drill";
    const alert = log(
        entry,
        target.service ?? "backup",
        "1h",
        t,
        "logAnalytics",
        [
            "ContainerAppConsoleLogs_CL",
            `where TimeGenerated > ago(${maxAge})`,
            `where Log_s startswith ${kql(`${line} `)}`,
            `extend status = extract(@"\\bstatus=(\\S+)", 1, Log_s), store = extract(@"\\bstore=(\\S+)", 1, Log_s), database = extract(@"\\bdatabase=(\\S+)", 1, Log_s)`,
            `where status == "ok" and store == ${kql(target.store)} and database == ${kql(target.database)}`,
            "summarize successes = count()",
        ],
        "successes",
        "Total",
        "LessThan",
        1,
    );
    return {
        ...alert,
        evaluationFrequency: "PT1H",
        overrideQueryTimeRange: isoFromSeconds(seconds),
        subject: `${target.store}-${target.database}`.replace(/_/g, "-"),
        ...(unqualifiedBefore ? { unqualifiedBefore } : {}),
    };
}

/** Azure alert definitions for one service, same ids and thresholds as the Prometheus rules. */
export function azureServiceAlerts(target: ServiceAlertTarget, thresholds: AlertThresholds): AzureAlert[] {
    return serviceEntries(target, thresholds).map((entry) => serviceAlert(entry, target, thresholds));
}

export function azureBackupAlerts(targets: readonly BackupAlertTarget[], thresholds: AlertThresholds): AzureLogAlert[] {
    // Only a single PostgreSQL database could be declared before rules carried their subject.
    const postgres = targets.filter((t) => t.store === "postgres");
    return targets.flatMap((target) =>
        backupEntries(thresholds).map((entry) =>
            backupAlert(entry, target, thresholds, postgres.length === 1 && target === postgres[0]),
        ),
    );
}
