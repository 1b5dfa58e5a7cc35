import {
    type AlertThresholds,
    type BackupAlertTarget,
    type CatalogueEntry,
    type ServiceAlertTarget,
    backupEntries,
    durationSeconds,
    runbookUrl,
    serviceEntries,
} from "../catalogue";

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

/**
 * Windows Azure Monitor accepts, in minutes. Metric alerts (Microsoft.Insights/metricAlerts,
 * `windowSize` and `evaluationFrequency`: learn.microsoft.com/azure/templates/microsoft.insights/metricalerts
 * and azure-monitor/alerts/alerts-metric-create-templates): window PT1M, PT5M, PT15M, PT30M, PT1H,
 * PT6H, PT12H, PT24H; frequency PT1M, PT5M, PT15M, PT30M, PT1H, never longer than the window.
 * Log search alerts (Microsoft.Insights/scheduledQueryRules 2021-08-01+, "Aggregation granularity"
 * and "Frequency of evaluation" in azure-monitor/alerts/alerts-create-log-alert-rule): window 5, 10,
 * 15, 30, 45 min, 1–6 h, 1 d, 2 d (1 min only with a 1-min frequency); frequency 1, 5, 10, 15, 30,
 * 45 min, 1–6 h, 12 h, 1 d, never longer than the window; query time range at most 2 days.
 */
export const METRIC_ALERT_WINDOWS = [1, 5, 15, 30, 60, 360, 720, 1440] as const;
export const METRIC_ALERT_FREQUENCIES = [1, 5, 15, 30, 60] as const;
export const LOG_ALERT_WINDOWS = [1, 5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440, 2880] as const;
export const LOG_ALERT_FREQUENCIES = [1, 5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 720, 1440] as const;
/** Longest query time range (`overrideQueryTimeRange`) a log search alert accepts, minutes. */
export const LOG_ALERT_MAX_LOOKBACK = 2880;

/** The smallest accepted window covering `seconds`: the alert looks at least as far back as asked. */
export function acceptedWindow(seconds: number, accepted: readonly number[], what: string): number {
    const minutes = Math.ceil(seconds / 60);
    const chosen = accepted.find((m) => m >= minutes);
    if (chosen === undefined)
        throw new Error(`${what} is longer than Azure accepts (${accepted.at(-1)! / 60} h at most)`);
    return chosen;
}

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

/** Fields shared by both kinds, with the window rounded up to one the kind accepts. */
function base(entry: CatalogueEntry, service: string, window: string, t: AlertThresholds, kind: AzureAlert["kind"]) {
    const accepted = kind === "metric" ? METRIC_ALERT_WINDOWS : LOG_ALERT_WINDOWS;
    const minutes = acceptedWindow(
        durationSeconds(window),
        accepted,
        `\`alerts.${entry.thresholdKey}\` window ${window}`,
    );
    // A 1-minute log window needs a 1-minute frequency; otherwise every 1 min up to 5-min windows, then 5 min.
    const frequency = minutes <= 5 ? 1 : 5;
    return {
        id: entry.id,
        alertName: entry.alertName,
        severity: entry.severity === "page" ? (1 as const) : (3 as const),
        description: entry.description,
        runbookUrl: runbookUrl(entry, t),
        service,
        windowSize: isoFromSeconds(minutes * 60),
        evaluationFrequency: isoFromSeconds(frequency * 60),
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
    return {
        ...base(entry, service, window, t, "metric"),
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
        ...base(entry, service, window, t, "log"),
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
const customMetric = (name: string, roleName: string) => [
    `customMetrics`,
    `where name == ${kql(name)} and cloud_RoleName == ${kql(roleName)}`,
];

function serviceAlert(
    entry: CatalogueEntry,
    target: ServiceAlertTarget,
    t: AlertThresholds,
    roleName: string,
): AzureAlert {
    const svc = target.service;
    const role = `where cloud_RoleName == ${kql(roleName)}`;
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
                    ...customMetric("estate_queue_depth", roleName),
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
                    ...customMetric("estate_ai_provider_requests_total", roleName),
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
                    ...customMetric("estate_sync_jobs_total", roleName),
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
                ...customMetric("estate_dependency_up", roleName),
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

/**
 * The line the backup jobs log once a day with the age of the last successful restore drill of
 * their store (`restore_drill_age store=postgres database=estate age_seconds=86400`): a log search
 * alert sees at most 2 days back, while the drill runs monthly, so the drill's own line cannot
 * be seen when it is overdue. A missing heartbeat counts as overdue.
 */
export const RESTORE_DRILL_AGE_EVENT = "restore_drill_age";

/** Structured fields of a `log_event` line (components/backup/scripts/lib.sh). */
const fields = (...names: string[]) =>
    `extend ${names.map((n) => `${n} = extract(@"\\b${n}=(\\S+)", 1, Log_s)`).join(", ")}`;

function backupAlert(
    entry: CatalogueEntry,
    target: BackupAlertTarget,
    t: AlertThresholds,
    unqualifiedBefore: boolean,
): AzureLogAlert {
    const subject = {
        subject: `${target.store}-${target.database}`.replace(/_/g, "-"),
        ...(unqualifiedBefore ? { unqualifiedBefore } : {}),
    };
    if (entry.id === "backup-stale") {
        const seconds = Math.round(t.backupMaxAgeHours * 3600);
        const lookback = acceptedWindow(
            seconds,
            [LOG_ALERT_MAX_LOOKBACK],
            `\`alerts.backupMaxAgeHours\` ${num(t.backupMaxAgeHours)}h`,
        );
        // The backup job logs `backup ok store=… database=…` once per successful run.
        const alert = log(
            entry,
            target.service ?? "backup",
            "1h",
            t,
            "logAnalytics",
            [
                "ContainerAppConsoleLogs_CL",
                `where TimeGenerated > ago(${num(t.backupMaxAgeHours)}h)`,
                `where Log_s startswith "backup "`,
                fields("status", "store", "database"),
                `where status == "ok" and store == ${kql(target.store)} and database == ${kql(target.database)}`,
                "summarize successes = count()",
            ],
            "successes",
            "Total",
            "LessThan",
            1,
        );
        // Look back exactly the allowed age; never more than the 2 days a log alert may query.
        return {
            ...alert,
            evaluationFrequency: "PT1H",
            overrideQueryTimeRange: isoFromSeconds(Math.min(seconds, lookback * 60)),
            ...subject,
        };
    }
    const alert = log(
        entry,
        target.service ?? "backup",
        "1d",
        t,
        "logAnalytics",
        [
            "ContainerAppConsoleLogs_CL",
            `where Log_s startswith ${kql(`${RESTORE_DRILL_AGE_EVENT} `)}`,
            fields("store", "database", "age_seconds"),
            `where store == ${kql(target.store)} and database == ${kql(target.database)}`,
            // The freshest report in the last 2 days; none at all means the heartbeat stopped.
            "summarize latest = min(toreal(age_seconds))",
            "extend ageDays = iff(isnull(latest), 1.0e9, latest / 86400.0)",
        ],
        "ageDays",
        "Maximum",
        "GreaterThan",
        t.restoreDrillMaxAgeDays,
    );
    return {
        ...alert,
        evaluationFrequency: "PT1H",
        overrideQueryTimeRange: isoFromSeconds(LOG_ALERT_MAX_LOOKBACK * 60),
        ...subject,
    };
}

/** Azure alert definitions for one service, same ids and thresholds as the Prometheus rules. */
export function azureServiceAlerts(
    target: ServiceAlertTarget,
    thresholds: AlertThresholds,
    /**
     * `cloud_RoleName` the service's telemetry carries: Application Insights sets it from the
     * OpenTelemetry `service.name` (OTEL_SERVICE_NAME), e.g. `estate-api`. @default the service name
     */
    roleName: string = target.service,
): AzureAlert[] {
    return serviceEntries(target, thresholds).map((entry) => serviceAlert(entry, target, thresholds, roleName));
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
