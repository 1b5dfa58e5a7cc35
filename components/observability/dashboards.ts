import type { AzureAlert } from "./azure-monitor";
import type { PrometheusRuleGroup } from "./kubernetes/prometheus";
import { signalQuery } from "./monitoring";

/** The number a rule compares against (its last numeric literal before any `or` fallback). */
function ruleThreshold(expr: string): number | undefined {
    const match = /(?:>=|<=|>|<)\s(-?[0-9.]+)(?: or .*)?$/.exec(expr);
    return match ? Number(match[1]) : undefined;
}

/**
 * A Grafana dashboard (schema 39) with one time-series panel per alert of a service: the
 * alert's signal, with the alert threshold drawn as a red step.
 */
export function grafanaDashboard(service: string, groups: readonly PrometheusRuleGroup[]): Record<string, unknown> {
    const rules = groups.flatMap((g) => g.rules);
    return {
        uid: `estate-${service}`,
        title: `estate / ${service}`,
        tags: ["estate", "alerts"],
        schemaVersion: 39,
        time: { from: "now-6h", to: "now" },
        refresh: "1m",
        panels: rules.map((rule, index) => {
            const threshold = ruleThreshold(rule.expr);
            return {
                id: index + 1,
                type: "timeseries",
                title: `${rule.alert} (${rule.labels.severity})`,
                description: rule.annotations.summary,
                datasource: { type: "prometheus", uid: "prometheus" },
                gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
                targets: [{ refId: "A", expr: signalQuery(rule.expr), legendFormat: "__auto" }],
                fieldConfig: {
                    defaults: {
                        thresholds: {
                            mode: "absolute",
                            steps: [
                                { color: "green", value: null },
                                ...(threshold !== undefined ? [{ color: "red", value: threshold }] : []),
                            ],
                        },
                        custom: { thresholdsStyle: { mode: "line" } },
                    },
                    overrides: [],
                },
                links: [{ title: "Runbook", url: rule.annotations.runbook_url }],
            };
        }),
    };
}

/** An Azure Monitor workbook (Notebook/1.0) with one item per alert: its KQL or its metric, and the threshold. */
export function workbookDocument(
    alerts: readonly AzureAlert[],
    componentIds: Readonly<Record<string, string>>,
): Record<string, unknown> {
    const items = alerts.map((alert) => {
        const title = `${alert.service}: ${alert.alertName}`;
        if (alert.kind === "metric") {
            return {
                type: 10,
                name: `${alert.service}-${alert.id}`,
                content: {
                    version: "MetricsItem/2.0",
                    size: 0,
                    chartType: 2,
                    resourceType: "microsoft.app/containerapps",
                    metricScope: 0,
                    timeContext: { durationMs: 21600000 },
                    metrics: [
                        {
                            namespace: alert.criterion.metricNamespace,
                            metric: `${alert.criterion.metricNamespace}--${alert.criterion.metricName}`,
                            aggregation: 4,
                        },
                    ],
                    title: `${title} (threshold ${alert.criterion.threshold})`,
                },
            };
        }
        const scope = alert.source === "appInsights" ? componentIds[alert.service] : undefined;
        return {
            type: 3,
            name: `${alert.service}-${alert.id}`,
            content: {
                version: "KqlItem/1.0",
                query: alert.condition.query,
                size: 0,
                title: `${title} (${alert.condition.metricMeasureColumn} ${alert.condition.operator} ${alert.condition.threshold})`,
                queryType: 0,
                timeContext: { durationMs: 21600000 },
                ...(scope !== undefined
                    ? { resourceType: "microsoft.insights/components", crossComponentResources: [scope] }
                    : { resourceType: "microsoft.operationalinsights/workspaces" }),
            },
        };
    });
    return { version: "Notebook/1.0", items, isLocked: false, fallbackResourceIds: ["Azure Monitor"] };
}
