import {
    type BackupAlertTarget,
    type CatalogueEntry,
    type ServiceAlertTarget,
    backupEntries,
    runbookUrl,
    serviceEntries,
} from "../catalogue";
import { type AlertThresholds } from "../thresholds";

/** One alerting rule of a PrometheusRule group. */
export interface PrometheusAlertRule {
    readonly alert: string;
    readonly expr: string;
    readonly for?: string;
    readonly labels: { readonly severity: string; readonly service: string; readonly team?: string };
    readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}
export interface PrometheusRuleGroup {
    readonly name: string;
    readonly rules: readonly PrometheusAlertRule[];
}
/** The `spec` of a monitoring.coreos.com/v1 PrometheusRule (also a plain rule file). */
export interface PrometheusRuleSpec {
    readonly groups: readonly PrometheusRuleGroup[];
}

/** Rate window for CPU usage; the `for` clause carries the "sustained" part. */
const CPU_RATE_WINDOW = "5m";

/** Renders a label matcher list, escaping values the way PromQL string literals need. */
function selector(metric: string, labels: Readonly<Record<string, string>>, extra = ""): string {
    const matchers = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    if (extra) matchers.push(extra);
    return `${metric}{${matchers.join(",")}}`;
}

/** PromQL numbers without float noise (0.1 + 0.2 style) and without exponent notation. */
function num(value: number): string {
    return String(Number(value.toPrecision(12)));
}

interface Expression {
    readonly expr: string;
    readonly for?: string;
}

function serviceExpression(entry: CatalogueEntry, target: ServiceAlertTarget, t: AlertThresholds): Expression {
    const svc = { service: target.service };
    const needNamespace = (): Readonly<Record<string, string>> => {
        if (!target.namespace) {
            throw new Error(
                `\`namespace\` is required for service \`${target.service}\` to render \`${entry.id}\` for Prometheus`,
            );
        }
        return { namespace: target.namespace, container: target.container ?? target.service };
    };
    switch (entry.id) {
        case "http-latency-p95-high":
            return {
                expr: `histogram_quantile(0.95, sum by (le) (rate(${selector("http_request_duration_seconds_bucket", svc)}[${t.latencyWindow}]))) > ${num(t.latencyP95Seconds)}`,
            };
        case "http-error-rate-high": {
            const w = t.errorRateWindow;
            return {
                expr: `100 * sum by (service) (rate(${selector("http_requests_total", svc, 'code=~"5.."')}[${w}])) / sum by (service) (rate(${selector("http_requests_total", svc)}[${w}])) > ${num(t.errorRatePercent)}`,
            };
        }
        case "container-restarts-high":
            // increase() extrapolates to the window edges (2 restarts can read 2.2); round to whole restarts.
            return {
                expr: `round(sum by (namespace, container) (increase(${selector("kube_pod_container_status_restarts_total", needNamespace())}[10m]))) > ${num(t.restartsIn10m)}`,
            };
        case "cpu-saturation-high": {
            const sel = needNamespace();
            // Per pod, so one hot replica is not averaged away by idle ones.
            return {
                expr: `100 * max by (namespace, container) (sum by (namespace, pod, container) (rate(${selector("container_cpu_usage_seconds_total", sel)}[${CPU_RATE_WINDOW}])) / sum by (namespace, pod, container) (${selector("kube_pod_container_resource_limits", { ...sel, resource: "cpu" })})) > ${num(t.cpuPercent)}`,
                for: t.sustainedFor,
            };
        }
        case "memory-saturation-high": {
            const sel = needNamespace();
            return {
                expr: `100 * max by (namespace, container) (sum by (namespace, pod, container) (${selector("container_memory_working_set_bytes", sel)}) / sum by (namespace, pod, container) (${selector("kube_pod_container_resource_limits", { ...sel, resource: "memory" })})) > ${num(t.memoryPercent)}`,
                for: t.sustainedFor,
            };
        }
        case "public-endpoint-down":
            return {
                expr: `max by (instance) (${selector("probe_success", { job: "blackbox", instance: target.publicUrl ?? "" })}) < 1`,
                for: t.probeFailingFor,
            };
        case "queue-backlog-high":
            return {
                expr: `max by (service, queue) (${selector("estate_queue_depth", svc)}) > ${num(t.queueBacklog)}`,
                for: t.sustainedFor,
            };
        case "ai-provider-errors-high": {
            const w = t.errorRateWindow;
            return {
                expr: `100 * sum by (service, provider) (rate(${selector("estate_ai_provider_requests_total", svc, 'outcome="error"')}[${w}])) / sum by (service, provider) (rate(${selector("estate_ai_provider_requests_total", svc)}[${w}])) > ${num(t.aiProviderErrorRatePercent)}`,
            };
        }
        case "sync-job-failures":
            return {
                expr: `sum by (service) (increase(${selector("estate_sync_jobs_total", { ...svc, status: "failed" })}[${t.syncJobWindow}])) >= ${num(t.syncJobFailures)}`,
            };
    }
    if (entry.scope === "dependency" && entry.dependency) {
        // max across replicas: down only when no replica can reach it.
        return {
            expr: `max by (service, dependency) (${selector("estate_dependency_up", { ...svc, dependency: entry.dependency })}) < 1`,
            for: t.dependencyDownFor,
        };
    }
    throw new Error(`no Prometheus expression for alert \`${entry.id}\``);
}

/** Largest whole unit for a number of seconds, so 93600 reads as `26h`. */
function promDuration(seconds: number): string {
    for (const [unit, size] of [
        ["d", 86400],
        ["h", 3600],
        ["m", 60],
    ] as const) {
        if (seconds % size === 0) return `${seconds / size}${unit}`;
    }
    return `${seconds}s`;
}

function backupExpression(entry: CatalogueEntry, target: BackupAlertTarget, t: AlertThresholds): Expression {
    const [metric, maxAgeSeconds] =
        entry.id === "backup-stale"
            ? ["estate_backup_last_success_timestamp_seconds", Math.round(t.backupMaxAgeHours * 3600)]
            : ["estate_restore_drill_last_success_timestamp_seconds", Math.round(t.restoreDrillMaxAgeDays * 86400)];
    const sel = selector(metric, { store: target.store, database: target.database });
    // absent_over_time: a database that never reported a success within the allowed age is as stale as an old one.
    return {
        expr: `time() - max by (store, database) (${sel}) > ${maxAgeSeconds} or absent_over_time(${sel}[${promDuration(maxAgeSeconds)}])`,
    };
}

const withService = (text: string, service: string) => text.replaceAll("{{ $labels.service }}", service);

function rule(
    entry: CatalogueEntry,
    e: Expression,
    service: string,
    team: string | undefined,
    t: AlertThresholds,
    extra: Readonly<Record<string, string>> = {},
): PrometheusAlertRule {
    return {
        alert: entry.alertName,
        expr: e.expr,
        ...(e.for ? { for: e.for } : {}),
        labels: { severity: entry.severity, service, ...(team ? { team } : {}), ...extra },
        // The service is known here, and some expressions aggregate its label away.
        annotations: {
            summary: withService(entry.summary, service),
            description: withService(entry.description, service),
            runbook_url: runbookUrl(entry, t),
        },
    };
}

/** PromQL for one catalogue alert of one service (exported for tests and dashboards). */
export function serviceAlertExpression(
    entry: CatalogueEntry,
    target: ServiceAlertTarget,
    thresholds: AlertThresholds,
): string {
    return serviceExpression(entry, target, thresholds).expr;
}

/** Rule groups for one service: its own SLO/saturation alerts and its dependencies. */
export function serviceRuleGroups(target: ServiceAlertTarget, thresholds: AlertThresholds): PrometheusRuleGroup[] {
    const entries = serviceEntries(target, thresholds);
    const build = (scope: CatalogueEntry["scope"]) =>
        entries
            .filter((e) => e.scope === scope)
            .map((e) => rule(e, serviceExpression(e, target, thresholds), target.service, target.team, thresholds));
    return [
        { name: `estate-${target.service}-slo`, rules: build("service") },
        { name: `estate-${target.service}-dependencies`, rules: build("dependency") },
    ].filter((g) => g.rules.length > 0);
}

/** One rule group with the backup-age and restore-drill alerts of every backed-up database. */
export function backupRuleGroups(
    targets: readonly BackupAlertTarget[],
    thresholds: AlertThresholds,
): PrometheusRuleGroup[] {
    const rules = targets.flatMap((target) =>
        // store/database labels keep one database's rule distinct from the next (promtool flags duplicates).
        backupEntries(thresholds).map((e) =>
            rule(e, backupExpression(e, target, thresholds), target.service ?? "backup", target.team, thresholds, {
                store: target.store,
                database: target.database,
            }),
        ),
    );
    return rules.length > 0 ? [{ name: "estate-backups", rules }] : [];
}

/** The whole PrometheusRule spec for a set of services and backups. */
export function prometheusRuleSpec(
    services: readonly ServiceAlertTarget[],
    backups: readonly BackupAlertTarget[],
    thresholds: AlertThresholds,
): PrometheusRuleSpec {
    return {
        groups: [
            ...services.flatMap((s) => serviceRuleGroups(s, thresholds)),
            ...backupRuleGroups(backups, thresholds),
        ],
    };
}
