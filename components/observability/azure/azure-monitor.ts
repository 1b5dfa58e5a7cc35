/**
 * Azure Monitor's alert shapes and the limits it accepts, with the two builders every rendering
 * uses (a metric alert on a Container App, a log search alert); the service and backup alerts
 * are rendered in service-alerts.ts and backup-alerts.ts.
 */
import { type CatalogueEntry, runbookUrl } from "../catalogue";
import { type AlertThresholds, durationSeconds } from "../thresholds";

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

/** Seconds as the shortest ISO 8601 duration: `3600` → `PT1H`. */
export function isoFromSeconds(seconds: number): string {
    if (seconds % 86400 === 0) return `P${seconds / 86400}D`;
    if (seconds % 3600 === 0) return `PT${seconds / 3600}H`;
    if (seconds % 60 === 0) return `PT${seconds / 60}M`;
    return `PT${seconds}S`;
}

/** KQL string literal. */
export const kql = (value: string) => JSON.stringify(value);
/** A number as written in a query or a message, without binary floating-point noise. */
export const num = (value: number) => String(Number(value.toPrecision(12)));

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

/** A metric alert on one Container App metric, above `threshold`. */
export function metricAlert(
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

/** A log search alert: the query's lines joined by `|`, its `column` compared with `threshold`. */
export function logAlert(
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
