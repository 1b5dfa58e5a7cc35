/** Azure Monitor renderings of the catalogue's service alerts: Application Insights queries and Container App metrics. */
import { type CatalogueEntry, type ServiceAlertTarget, serviceEntries } from "../catalogue";
import { type AlertThresholds } from "../thresholds";
import { type AzureAlert, kql, logAlert, metricAlert } from "./azure-monitor";

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
            return logAlert(
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
            return logAlert(
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
            return metricAlert(entry, svc, "10m", t, "RestartCount", "Total", t.restartsIn10m);
        case "cpu-saturation-high":
            return metricAlert(entry, svc, t.sustainedFor, t, "CpuPercentage", "Average", t.cpuPercent);
        case "memory-saturation-high":
            return metricAlert(entry, svc, t.sustainedFor, t, "MemoryPercentage", "Average", t.memoryPercent);
        case "public-endpoint-down":
            // The availability test is named after the service; every run failing in the window pages.
            return logAlert(
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
            return logAlert(
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
            return logAlert(
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
            return logAlert(
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
        return logAlert(
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
