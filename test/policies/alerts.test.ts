import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Case, drop, estate, get, itReportsEachCase } from "./cases";
import { urnOf } from "./fixtures";
import { violations } from "./harness";

const RULES = "monitoring.coreos.com/v1:PrometheusRule";
const ROUTING = "monitoring.coreos.com/v1alpha1:AlertmanagerConfig";
type Rs = Parameters<typeof get>[0];
/** A Prometheus alerting rule, as far as these cases edit it (prometheus-operator's `Rule`). */
interface AlertRule {
    alert: string;
    expr: string;
    labels: Record<string, string>;
}
const apiRules = (rs: Rs): AlertRule[] =>
    get(rs, RULES, "api-rules").spec.groups.flatMap((g: { rules: AlertRule[] }) => g.rules);
const rule = (rs: Rs, alert: string) => apiRules(rs).find((r) => r.alert === alert)!;
function dropRule(rs: Rs, alert: string): void {
    for (const group of get(rs, RULES, "api-rules").spec.groups)
        group.rules = group.rules.filter((r: { alert: string }) => r.alert !== alert);
}
const routingUrn = urnOf("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig", "on-call");

const cases: Case[] = [
    { name: "compliant estate", mutate: () => undefined, expect: [] },
    {
        name: "SLO alert switched off on kubernetes",
        mutate: (rs) => dropRule(rs, "HttpLatencyP95High"),
        expect: [
            [
                "service-alerts-complete",
                'Service "api" lacks the `HttpLatencyP95High` alert: declare it as PrometheusRule rules with labels.service "api", and keep its id out of estate:alertsDisabled.',
            ],
        ],
    },
    {
        name: "dependency alert missing for a dependency the service reads (OLLAMA_BASE_URL)",
        mutate: (rs) => {
            dropRule(rs, "OllamaDown");
            dropRule(rs, "CpuSaturationHigh");
        },
        expect: [
            [
                "service-alerts-complete",
                'Service "api" lacks the `CpuSaturationHigh`, `OllamaDown` alerts: declare them as PrometheusRule rules with labels.service "api", and keep their ids out of estate:alertsDisabled.',
            ],
        ],
    },
    {
        name: "AI provider alert missing for a service that calls Ollama",
        mutate: (rs) => dropRule(rs, "AiProviderErrorsHigh"),
        expect: [
            [
                "service-alerts-complete",
                'Service "api" lacks the `AiProviderErrorsHigh` alert: declare it as PrometheusRule rules with labels.service "api", and keep its id out of estate:alertsDisabled.',
            ],
        ],
    },
    {
        name: "queue backlog and backup age watched nowhere in the estate",
        mutate: (rs) => {
            for (const alert of ["QueueBacklogHigh", "BackupStale"]) {
                dropRule(rs, alert);
                // and the Azure rules of the same alerts
                for (let i = rs.length - 1; i >= 0; i--)
                    if ((rs[i]!.inputs as { tags?: Record<string, string> }).tags?.["estate-alert"] === alert)
                        rs.splice(i, 1);
            }
        },
        expect: [
            [
                "service-alerts-complete",
                "The estate declares no `QueueBacklogHigh`, `BackupStale` alerts: keep their ids out of estate:alertsDisabled so the catalogue renders them.",
            ],
        ],
    },
    {
        name: "a rule labelled for another service does not count",
        mutate: (rs) => (rule(rs, "HttpErrorRateHigh").labels.service = "gateway"),
        expect: [
            [
                "service-alerts-complete",
                'Service "api" lacks the `HttpErrorRateHigh` alert: declare it as PrometheusRule rules with labels.service "api", and keep its id out of estate:alertsDisabled.',
            ],
        ],
    },
    {
        name: "public endpoint check missing on azure",
        mutate: (rs) => drop(rs, "monitor:ScheduledQueryRule", "api-public-endpoint-down"),
        expect: [
            [
                "service-alerts-complete",
                'Service "api" lacks the `PublicEndpointDown` alert: declare it as scheduled query rules or metric alerts tagged estate-service="api" and estate-alert=<alert>, and keep its id out of estate:alertsDisabled.',
            ],
        ],
    },
    {
        name: "on-call receiver without its key (estate:alertOnCallKey unset)",
        mutate: (rs) => {
            for (const receiver of get(rs, ROUTING, "on-call").spec.receivers) delete receiver.pagerdutyConfigs;
        },
        expect: [
            [
                "alerts-routed",
                'AlertmanagerConfig receiver "tickets" delivers nowhere: give it a pagerdutyConfigs[].routingKey or webhookConfigs[].urlSecret Secret reference (set estate:alertOnCallKey), or emailConfigs[] with to and smarthost (set estate:alertOnCallEmails).',
            ],
            [
                "alerts-routed",
                'AlertmanagerConfig receiver "on-call" delivers nowhere: give it a pagerdutyConfigs[].routingKey or webhookConfigs[].urlSecret Secret reference (set estate:alertOnCallKey), or emailConfigs[] with to and smarthost (set estate:alertOnCallEmails).',
            ],
            [
                "prod-alerts-page",
                'AlertmanagerConfig "on-call" sends severity="page" to no paging receiver: add a route matching severity="page" to the on-call receiver.',
            ],
        ],
    },
    {
        name: "ticket e-mail without an SMTP relay",
        mutate: (rs) => {
            const tickets = get(rs, ROUTING, "on-call").spec.receivers[1];
            delete tickets.pagerdutyConfigs;
            tickets.emailConfigs = [{ to: "oncall@example.com", from: "alerts@example.com" }];
        },
        expect: [
            [
                "alerts-routed",
                'AlertmanagerConfig receiver "tickets" delivers nowhere: give it a pagerdutyConfigs[].routingKey or webhookConfigs[].urlSecret Secret reference (set estate:alertOnCallKey), or emailConfigs[] with to and smarthost (set estate:alertOnCallEmails).',
            ],
        ],
    },
    {
        name: "receiver key reference with an empty Secret name",
        mutate: (rs) => (get(rs, ROUTING, "on-call").spec.receivers[0].pagerdutyConfigs[0].routingKey.name = ""),
        expect: [
            [
                "alerts-routed",
                'AlertmanagerConfig receiver "on-call" delivers nowhere: give it a pagerdutyConfigs[].routingKey or webhookConfigs[].urlSecret Secret reference (set estate:alertOnCallKey), or emailConfigs[] with to and smarthost (set estate:alertOnCallEmails).',
            ],
            [
                "prod-alerts-page",
                'AlertmanagerConfig "on-call" sends severity="page" to no paging receiver: add a route matching severity="page" to the on-call receiver.',
            ],
        ],
    },
    {
        name: "no Alertmanager routing at all",
        mutate: (rs) => drop(rs, ROUTING, "on-call"),
        expect: [
            [
                "alerts-routed",
                "PrometheusRule alerts are declared but no AlertmanagerConfig routes them: declare one whose receivers read the on-call key (estate:alertOnCallKey) from a Secret.",
            ],
        ],
    },
    {
        name: "action group without a webhook receiver on azure",
        mutate: (rs) => (get(rs, "monitor:ActionGroup", "on-call").webhookReceivers = []),
        expect: [
            [
                "alerts-routed",
                "No enabled action group has a webhook receiver: set estate:alertOnCallKey so the on-call action group gets its PagerDuty or webhook receiver.",
            ],
        ],
    },
    {
        name: "azure rules not wired to an action group",
        mutate: (rs) => {
            get(rs, "monitor:ScheduledQueryRule", "api-http-error-rate-high").actions = { actionGroups: [] };
            get(rs, "monitor:MetricAlert", "api-cpu-saturation-high").actions = [];
        },
        expect: [
            [
                "alerts-routed",
                'Alert rule "api-http-error-rate-high" has no action group: wire it to the on-call action group.',
            ],
            [
                "alerts-routed",
                'Alert rule "api-cpu-saturation-high" has no action group: wire it to the on-call action group.',
            ],
        ],
    },
    {
        name: "PromQL threshold left empty",
        mutate: (rs) =>
            (rule(rs, "HttpErrorRateHigh").expr = rule(rs, "HttpErrorRateHigh").expr.replace(/ > 1$/, " > ")),
        expect: [
            [
                "alert-thresholds-numeric",
                'Rule HttpErrorRateHigh in group estate-api-slo has no numeric threshold: end its expr with a comparison such as "> 2".',
            ],
        ],
    },
    {
        name: "azure thresholds empty or not a number",
        mutate: (rs) => {
            get(rs, "monitor:ScheduledQueryRule", "api-http-latency-p95-high").criteria.allOf[0].threshold = "2s";
            delete get(rs, "monitor:MetricAlert", "api-memory-saturation-high").criteria.allOf[0].threshold;
        },
        expect: [
            ["alert-thresholds-numeric", 'Set criteria.allOf[].threshold to a number (it is "2s").'],
            ["alert-thresholds-numeric", "Set criteria.allOf[].threshold to a number (it is null)."],
        ],
    },
    {
        name: "prod SLO alert downgraded to a ticket",
        mutate: (rs) => {
            rule(rs, "HttpErrorRateHigh").labels.severity = "ticket";
            get(rs, "monitor:ScheduledQueryRule", "api-http-error-rate-high").severity = 3;
        },
        expect: [
            [
                "prod-alerts-page",
                'Rule HttpErrorRateHigh of "api" has severity "ticket": set labels.severity "page" so it reaches on-call.',
            ],
            [
                "prod-alerts-page",
                'Alert rule "api-http-error-rate-high" (HttpErrorRateHigh) has severity 3: set severity 0 or 1 so it pages.',
            ],
        ],
    },
    {
        name: "prod page route removed",
        mutate: (rs) => get(rs, ROUTING, "on-call").spec.route.routes.shift(),
        expect: [
            [
                "prod-alerts-page",
                'AlertmanagerConfig "on-call" sends severity="page" to no paging receiver: add a route matching severity="page" to the on-call receiver.',
            ],
        ],
    },
];

describe("alert policies", () => {
    itReportsEachCase(cases);

    it("stack findings point at the routing that fails, as critical", async () => {
        const rs = estate();
        get(rs, ROUTING, "on-call").spec.receivers[0].pagerdutyConfigs = [];
        const [v] = await violations(rs);
        assert.deepEqual(
            [v!.policy, v!.urn, v!.enforcementLevel, v!.severity],
            ["alerts-routed", routingUrn, "mandatory", "critical"],
        );
    });
});
