/** Azure Monitor alert rules: accepted windows, frequencies and lookbacks, and scopes that are real targets. */
import {
    LOG_ALERT_FREQUENCIES,
    LOG_ALERT_MAX_LOOKBACK,
    LOG_ALERT_WINDOWS,
    METRIC_ALERT_FREQUENCIES,
    METRIC_ALERT_WINDOWS,
} from "../../../components/observability/azure/azure-monitor";
import type { CapturedResource } from "../../lib/mock-run";
import type { DeployabilityFinding, DeployabilityRule, PlanView } from "../rule";
import { builtFrom, finding, isoMinutes } from "./plan";

const METRIC = "azure-native:monitor:MetricAlert";
const LOG = "azure-native:monitor:ScheduledQueryRule";

const list = (minutes: readonly number[]) => minutes.map((m) => (m % 60 === 0 ? `${m / 60}h` : `${m}m`)).join(", ");

function windowFindings(
    id: string,
    r: CapturedResource,
    inputs: Record<string, unknown>,
    windows: readonly number[],
    frequencies: readonly number[],
): DeployabilityFinding[] {
    const window = isoMinutes(inputs["windowSize"]);
    const frequency = isoMinutes(inputs["evaluationFrequency"]);
    const found: DeployabilityFinding[] = [];
    if (window === undefined || !windows.includes(window))
        found.push(
            finding(id, r, "windowSize", inputs["windowSize"], `use one of ${list(windows)} (ISO 8601, e.g. PT15M)`),
        );
    if (frequency === undefined || !frequencies.includes(frequency))
        found.push(
            finding(id, r, "evaluationFrequency", inputs["evaluationFrequency"], `use one of ${list(frequencies)}`),
        );
    else if (window !== undefined && frequency > window)
        found.push(
            finding(
                id,
                r,
                "evaluationFrequency",
                inputs["evaluationFrequency"],
                `evaluate at least once per window (${String(inputs["windowSize"])})`,
            ),
        );
    return found;
}

export const azureMetricAlertWindow: DeployabilityRule = {
    id: "azure-metric-alert-window",
    source: "learn.microsoft.com/azure/templates/microsoft.insights/metricalerts (windowSize, evaluationFrequency); azure-monitor/alerts/alerts-metric-create-templates",
    description: "Metric alerts accept only fixed windows (1m..24h) and frequencies (1m..1h), frequency <= window",
    check(plan) {
        return plan
            .ofType(METRIC)
            .flatMap((r) => windowFindings(this.id, r, plan.inputs(r), METRIC_ALERT_WINDOWS, METRIC_ALERT_FREQUENCIES));
    },
};

export const azureLogAlertWindow: DeployabilityRule = {
    id: "azure-log-alert-window",
    source: "learn.microsoft.com/azure/azure-monitor/alerts/alerts-create-log-alert-rule (aggregation granularity, frequency of evaluation, query time range up to 2 days); Microsoft.Insights/scheduledQueryRules 2021-08-01+",
    description: "Log search alerts accept fixed granularities and frequencies and query at most 2 days back",
    check(plan) {
        return plan.ofType(LOG).flatMap((r) => {
            const inputs = plan.inputs(r);
            const found = windowFindings(this.id, r, inputs, LOG_ALERT_WINDOWS, LOG_ALERT_FREQUENCIES);
            const window = isoMinutes(inputs["windowSize"]);
            if (window === 1 && isoMinutes(inputs["evaluationFrequency"]) !== 1)
                found.push(
                    finding(
                        this.id,
                        r,
                        "windowSize",
                        inputs["windowSize"],
                        "a 1-minute window needs a 1-minute frequency",
                    ),
                );
            const override = inputs["overrideQueryTimeRange"];
            if (override !== undefined) {
                const lookback = isoMinutes(override);
                if (lookback === undefined || lookback > LOG_ALERT_MAX_LOOKBACK)
                    found.push(
                        finding(
                            this.id,
                            r,
                            "overrideQueryTimeRange",
                            override,
                            "a log alert looks back at most 2 days (P2D): alert on a daily heartbeat instead of a longer lookback",
                        ),
                    );
                else if (window !== undefined && lookback < window)
                    found.push(
                        finding(this.id, r, "overrideQueryTimeRange", override, "the lookback must cover the window"),
                    );
            }
            return found;
        });
    },
};

/** `Microsoft.App/containerApps` of a metric alert's criteria, lower-cased. */
function metricNamespace(inputs: Record<string, unknown>): string | undefined {
    const criteria = inputs["criteria"] as { allOf?: Array<{ metricNamespace?: string }> } | undefined;
    return criteria?.allOf?.[0]?.metricNamespace?.toLowerCase();
}

/** `azure-native:app:ContainerApp` → `microsoft.app/containerapps`: the ARM type its id names. */
function armTypeOf(pulumiType: string): string {
    const [, module, kind] = pulumiType.split(":");
    return `microsoft.${module}/${kind}s`.toLowerCase();
}

/** The alert service validates its scopes on create: each must be a resource this plan creates first, or exists already. */
export const azureAlertScopeOrdering: DeployabilityRule = {
    id: "azure-alert-scope-ordering",
    source: 'learn.microsoft.com/azure/azure-monitor/alerts/alerts-troubleshoot-metric ("the target resource was not found" on create); Pulumi orders only on outputs: pulumi.com/docs/iac/concepts/inputs-outputs',
    description: "An alert whose scope is a hand-built id string may be created before its target and is refused",
    check(plan: PlanView) {
        return plan.ofType(METRIC, LOG).flatMap((r) => {
            const scopes = plan.inputs(r)["scopes"];
            if (!Array.isArray(scopes) || scopes.length === 0)
                return [finding(this.id, r, "scopes", scopes, "scope the alert to its target resource's id")];
            // Built from some output is not enough (a resource group's name is one): the target itself.
            const namespace = metricNamespace(plan.inputs(r));
            const targets = builtFrom(r, "scopes")
                .map((urn) => plan.get(urn))
                .filter((t) => t?.custom && t.type !== "azure-native:resources:ResourceGroup")
                .filter((t) => namespace === undefined || armTypeOf(t!.type) === namespace);
            if (targets.length > 0) return [];
            return [
                finding(
                    this.id,
                    r,
                    "scopes",
                    scopes,
                    "build the scope from the target resource's `id` output (not a string), so the alert waits for it",
                ),
            ];
        });
    },
};
