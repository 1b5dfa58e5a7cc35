import type { PrometheusRuleGroup } from "./prometheus";
import { signalQuery } from "../monitoring";

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
