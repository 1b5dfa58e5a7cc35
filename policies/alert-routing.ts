// Where alerts go: every alert reaches a receiver holding a credential, and production's paging
// alerts are severity page and routed to the paging receiver.
import { PolicyConfigSchema, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import {
    ACTION_GROUP,
    ALERTMANAGER_CONFIG,
    credentialedReceivers,
    declaredAlerts,
    METRIC_ALERT,
    SCHEDULED_QUERY_RULE,
} from "./alert-resources";
import { CatalogEntry, configWithDefaults, field, list, text } from "./lib";

function routeReceivers(route: unknown): string[] {
    return [text(route, "receiver"), ...list(route, "routes").flatMap((r) => routeReceivers(r))].filter(
        (r): r is string => r !== undefined,
    );
}

function checkRouted(args: StackValidationArgs, report: ReportViolation): void {
    const alerts = declaredAlerts(args.resources);
    if (alerts.length === 0) args.notApplicable("no alerts declared");
    if (alerts.some((a) => a.platform === "kubernetes")) {
        const configs = args.resources.filter((r) => r.type === ALERTMANAGER_CONFIG);
        if (configs.length === 0)
            report(
                "PrometheusRule alerts are declared but no AlertmanagerConfig routes them: declare one whose receivers read the on-call key (estate:alertOnCallKey) from a Secret.",
            );
        for (const c of configs) {
            const ok = credentialedReceivers(c.props.spec);
            const used = [...new Set(routeReceivers(c.props.spec?.route))];
            if (used.length === 0)
                report(`AlertmanagerConfig "${c.name}" has no route: set spec.route.receiver.`, c.urn);
            for (const receiver of used.filter((r) => !ok.has(r))) {
                report(
                    `AlertmanagerConfig receiver "${receiver}" delivers nowhere: give it a pagerdutyConfigs[].routingKey or webhookConfigs[].urlSecret Secret reference (set estate:alertOnCallKey), or emailConfigs[] with to and smarthost (set estate:alertOnCallEmails).`,
                    c.urn,
                );
            }
        }
    }
    const azureRules = args.resources.filter((r) => r.type === SCHEDULED_QUERY_RULE || r.type === METRIC_ALERT);
    if (azureRules.length > 0) {
        const paging = args.resources.filter(
            (r) =>
                r.type === ACTION_GROUP &&
                r.props.enabled !== false &&
                list(r.props, "webhookReceivers").some((w) => (text(w, "serviceUri") ?? "") !== ""),
        );
        if (paging.length === 0)
            report(
                "No enabled action group has a webhook receiver: set estate:alertOnCallKey so the on-call action group gets its PagerDuty or webhook receiver.",
            );
        for (const r of azureRules) {
            const groups: readonly unknown[] =
                r.type === METRIC_ALERT
                    ? list(r.props, "actions").map((a) => field(a, "actionGroupId"))
                    : list(r.props, "actions", "actionGroups");
            if (!groups.some((g) => typeof g === "string" && g !== ""))
                report(`Alert rule "${r.name}" has no action group: wire it to the on-call action group.`, r.urn);
        }
    }
}

export const alertsRouted: CatalogEntry = {
    policy: {
        name: "alerts-routed",
        description:
            "Every alert reaches a receiver: Alertmanager routes end at receivers holding a credential reference, Azure rules at an action group with a webhook receiver.",
        enforcementLevel: "mandatory",
        severity: "critical",
        validateStack: checkRouted,
    },
    meta: {
        requirements: ["UA-ALERTS-TO-ONCALL", "CA-ACTION-GROUPS"],
        checks: [],
    },
};

const pageSchema: PolicyConfigSchema = {
    properties: {
        stackEnvironment: {
            type: "string",
            enum: ["prod", "staging", "dev"],
            default: "prod",
            description: "Which environment the stack deploys; the check applies only to prod.",
        },
        pagingAlerts: {
            type: "array",
            items: { type: "string" },
            default: [
                "HttpLatencyP95High",
                "HttpErrorRateHigh",
                "ContainerRestartsHigh",
                "PublicEndpointDown",
                "PostgresDown",
                "RedisDown",
                "Neo4jDown",
                "OllamaDown",
                "QueueBacklogHigh",
                "AiProviderErrorsHigh",
            ],
            description: "Alerts that must page on-call in production.",
        },
    },
};

function checkPages(args: StackValidationArgs, report: ReportViolation): void {
    const cfg = configWithDefaults<{ stackEnvironment: string; pagingAlerts: string[] }>(pageSchema, args);
    if (cfg.stackEnvironment !== "prod") args.notApplicable(`stack environment is ${cfg.stackEnvironment}`);
    const paging = new Set(cfg.pagingAlerts);
    const alerts = declaredAlerts(args.resources).filter((a) => paging.has(a.alert));
    for (const a of alerts) {
        if (a.platform === "kubernetes" && a.severity !== "page") {
            report(
                `Rule ${a.alert} of "${a.service}" has severity ${JSON.stringify(a.severity ?? null)}: set labels.severity "page" so it reaches on-call.`,
                a.r.urn,
            );
        } else if (a.platform === "azure" && !(typeof a.severity === "number" && a.severity <= 1)) {
            report(
                `Alert rule "${a.r.name}" (${a.alert}) has severity ${JSON.stringify(a.severity ?? null)}: set severity 0 or 1 so it pages.`,
                a.r.urn,
            );
        }
    }
    if (alerts.some((a) => a.platform === "kubernetes")) {
        for (const c of args.resources.filter((r) => r.type === ALERTMANAGER_CONFIG)) {
            const ok = credentialedReceivers(c.props.spec);
            const pageRoutes = list(c.props, "spec", "route", "routes").filter((r) =>
                list(r, "matchers").some(
                    (m) =>
                        text(m, "name") === "severity" &&
                        text(m, "value") === "page" &&
                        (field(m, "matchType") ?? "=") === "=",
                ),
            );
            if (!pageRoutes.some((r) => ok.has(text(r, "receiver") ?? ""))) {
                report(
                    `AlertmanagerConfig "${c.name}" sends severity="page" to no paging receiver: add a route matching severity="page" to the on-call receiver.`,
                    c.urn,
                );
            }
        }
    }
}

export const prodAlertsPage: CatalogEntry = {
    policy: {
        name: "prod-alerts-page",
        description:
            "In production, SLO, endpoint and dependency alerts are severity page and routed to the paging receiver.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: pageSchema,
        validateStack: checkPages,
    },
    meta: {
        requirements: ["GA-PAGING", "UA-ALERTS-TO-ONCALL"],
        checks: [],
    },
};
