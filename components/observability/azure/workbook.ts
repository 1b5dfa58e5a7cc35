import type { AzureAlert } from "./azure-monitor";

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
