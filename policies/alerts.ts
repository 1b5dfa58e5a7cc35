import { PolicyConfigSchema, PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { acaContainers, CONTAINER_APP, isAcaDataStore, NAME_TAG } from "./azure";
import { isK8sDataStore, k8sContainers, LONG_RUNNING_TYPES, NAME_LABEL, podTemplateOf } from "./k8s";
import { CatalogEntry, configWithDefaults, field, list, quoteList, text } from "./lib";

export const PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
export const ALERTMANAGER_CONFIG = "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig";
export const SCHEDULED_QUERY_RULE = "azure-native:monitor:ScheduledQueryRule";
export const METRIC_ALERT = "azure-native:monitor:MetricAlert";
export const ACTION_GROUP = "azure-native:monitor:ActionGroup";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
/** Tags the Azure rules carry so a reader can tell which service and catalogue alert each implements. */
export const SERVICE_TAG = "estate-service";
export const ALERT_TAG = "estate-alert";

/** One alert as declared, on either platform. */
interface DeclaredAlert {
    readonly platform: "kubernetes" | "azure";
    readonly service: string;
    readonly alert: string;
    /** `page`/`ticket` label, or the Azure severity number. */
    readonly severity: string | number | undefined;
    readonly r: PolicyResource;
}

function declaredAlerts(resources: PolicyResource[]): DeclaredAlert[] {
    const out: DeclaredAlert[] = [];
    for (const r of resources) {
        if (r.type === PROMETHEUS_RULE) {
            for (const group of r.props.spec?.groups ?? []) {
                for (const rule of group.rules ?? []) {
                    if (rule.alert)
                        out.push({
                            platform: "kubernetes",
                            service: rule.labels?.service ?? "",
                            alert: rule.alert,
                            severity: rule.labels?.severity,
                            r,
                        });
                }
            }
        } else if (r.type === SCHEDULED_QUERY_RULE || r.type === METRIC_ALERT) {
            const tags: Record<string, string> = r.props.tags ?? {};
            out.push({
                platform: "azure",
                service: tags[SERVICE_TAG] ?? "",
                alert: tags[ALERT_TAG] ?? "",
                severity: r.props.severity,
                r,
            });
        }
    }
    return out;
}

/** A long-running application workload (not a data store), with what alerting needs to know of it. */
interface AppService {
    readonly platform: "kubernetes" | "azure";
    readonly name: string;
    readonly public: boolean;
    readonly envNames: ReadonlySet<string>;
}

function appServices(resources: PolicyResource[]): AppService[] {
    const ingressBackends = new Set(
        resources
            .filter((r) => r.type === INGRESS)
            .flatMap((r) =>
                list(r.props, "spec", "rules").flatMap((rule) =>
                    list(rule, "http", "paths").map((p) => text(p, "backend", "service", "name")),
                ),
            ),
    );
    const out: AppService[] = [];
    for (const r of resources) {
        if (LONG_RUNNING_TYPES.includes(r.type)) {
            const template = podTemplateOf(r.type, r.props);
            if (isK8sDataStore(template)) continue;
            const name = template?.metadata?.labels?.[NAME_LABEL] ?? r.props.metadata?.name ?? r.name;
            const envNames = new Set(k8sContainers(template?.spec).flatMap(({ view }) => view.env.map((e) => e.name)));
            out.push({ platform: "kubernetes", name, public: ingressBackends.has(name), envNames });
        } else if (r.type === CONTAINER_APP && !isAcaDataStore(r.props)) {
            const name = r.props.tags?.[NAME_TAG] ?? r.props.containerAppName ?? r.name;
            const envNames = new Set(acaContainers(r.props).flatMap(({ view }) => view.env.map((e) => e.name)));
            out.push({ platform: "azure", name, public: r.props.configuration?.ingress?.external === true, envNames });
        }
    }
    return out;
}

const completeSchema: PolicyConfigSchema = {
    properties: {
        requiredAlerts: {
            type: "array",
            items: { type: "string" },
            default: [
                "HttpLatencyP95High",
                "HttpErrorRateHigh",
                "ContainerRestartsHigh",
                "CpuSaturationHigh",
                "MemorySaturationHigh",
            ],
            description: "Alerts every application service has (runbook 001 thresholds, runbook 000 SLOs).",
        },
        publicAlerts: {
            type: "array",
            items: { type: "string" },
            default: ["PublicEndpointDown"],
            description: "Alerts every public service has: the synthetic check of its endpoint.",
        },
        envAlerts: {
            type: "object",
            default: {
                DATABASE_URL: ["PostgresDown"],
                DB_HOST: ["PostgresDown"],
                REDIS_URL: ["RedisDown"],
                NEO4J_URI: ["Neo4jDown"],
                OLLAMA_BASE_URL: ["OllamaDown", "AiProviderErrorsHigh"],
            },
            description:
                "Env variable naming a dependency → the alerts a service that sets it must have (the dependency down; errors of an AI provider).",
        },
        estateAlerts: {
            type: "array",
            items: { type: "string" },
            default: ["QueueBacklogHigh", "SyncJobFailures", "BackupStale", "RestoreDrillOverdue"],
            description:
                "Alerts the estate declares at least once, whichever service or job they watch: queue backlog, sync jobs (runbook 002), backup age and the restore drill (runbook 000).",
        },
    },
};

interface CompleteConfig {
    requiredAlerts: string[];
    publicAlerts: string[];
    envAlerts: Record<string, string[]>;
    estateAlerts: string[];
}

function checkComplete(args: StackValidationArgs, report: ReportViolation): void {
    const cfg = configWithDefaults<CompleteConfig>(completeSchema, args);
    const services = appServices(args.resources);
    if (services.length === 0) args.notApplicable("no application services");
    const alerts = declaredAlerts(args.resources);
    for (const s of services) {
        const have = new Set(
            alerts.filter((a) => a.platform === s.platform && a.service === s.name).map((a) => a.alert),
        );
        const dependencies = Object.entries(cfg.envAlerts)
            .filter(([env]) => s.envNames.has(env))
            .flatMap(([, names]) => names);
        const need = [...new Set([...cfg.requiredAlerts, ...(s.public ? cfg.publicAlerts : []), ...dependencies])];
        const missing = need.filter((a) => !have.has(a));
        if (missing.length === 0) continue;
        const where =
            s.platform === "kubernetes"
                ? `PrometheusRule rules with labels.service "${s.name}"`
                : `scheduled query rules or metric alerts tagged ${SERVICE_TAG}="${s.name}" and ${ALERT_TAG}=<alert>`;
        report(
            `Service "${s.name}" lacks the ${quoteList(missing)} alert${missing.length === 1 ? "" : "s"}: declare ${missing.length === 1 ? "it" : "them"} as ${where}, and keep ${missing.length === 1 ? "its id" : "their ids"} out of estate:alertsDisabled.`,
        );
    }
    // Signals no resource names (a queue, a sync job, a backup's age) cannot be tied to one service, but the estate must watch each of them somewhere.
    const declared = new Set(alerts.map((a) => a.alert));
    const absent = cfg.estateAlerts.filter((a) => !declared.has(a));
    if (absent.length > 0) {
        report(
            `The estate declares no ${quoteList(absent)} alert${absent.length === 1 ? "" : "s"}: keep ${absent.length === 1 ? "its id" : "their ids"} out of estate:alertsDisabled so the catalogue renders ${absent.length === 1 ? "it" : "them"}.`,
        );
    }
}

export const serviceAlertsComplete: CatalogEntry = {
    policy: {
        name: "service-alerts-complete",
        description:
            "Every application service has every catalogue alert that applies to it: SLO and saturation alerts, its public endpoint, each dependency it reads and its AI provider; and the estate watches its queue, sync jobs, backup age and restore drill.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: completeSchema,
        validateStack: checkComplete,
    },
    meta: {
        requirements: ["UA-SLO-SIGNALS", "UA-SLO-ALERT-RULES", "GA-MONITORING"],
        checks: [],
    },
};

/** Receivers that hold a credential by reference: a Secret name and key for each config. */
function credentialedReceivers(spec: unknown): Set<string> {
    const out = new Set<string>();
    const ref = (s: unknown) => (text(s, "name") ?? "") !== "" && (text(s, "key") ?? "") !== "";
    for (const receiver of list(spec, "receivers")) {
        const configs = [
            ...list(receiver, "pagerdutyConfigs").map((c) => field(c, "routingKey") ?? field(c, "serviceKey")),
            ...list(receiver, "webhookConfigs").map((c) => field(c, "urlSecret")),
        ];
        // E-mail carries no credential: it delivers when it names recipients and a relay.
        const emails = list(receiver, "emailConfigs");
        const mails = emails.every((c) => (text(c, "to") ?? "") !== "" && (text(c, "smarthost") ?? "") !== "");
        const name = text(receiver, "name");
        if (name !== undefined && configs.length + emails.length > 0 && configs.every(ref) && mails) out.add(name);
    }
    return out;
}

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

const COMPARISON = /(?:>=|<=|==|!=|>|<)\s*-?(?:\d+(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?(?![\w.])/i;

export const alertThresholdsNumeric: CatalogEntry = {
    policy: {
        name: "alert-thresholds-numeric",
        description: "Every alert compares its signal against a finite numeric threshold.",
        enforcementLevel: "mandatory",
        severity: "high",
        validateResource: (args, report) => {
            if (args.type === PROMETHEUS_RULE) {
                for (const group of args.props.spec?.groups ?? []) {
                    for (const rule of group.rules ?? []) {
                        if (rule.alert && !COMPARISON.test(String(rule.expr ?? ""))) {
                            report(
                                `Rule ${rule.alert} in group ${group.name} has no numeric threshold: end its expr with a comparison such as "> 2".`,
                            );
                        }
                    }
                }
            } else if (args.type === SCHEDULED_QUERY_RULE || args.type === METRIC_ALERT) {
                for (const condition of args.props.criteria?.allOf ?? []) {
                    if (typeof condition.threshold !== "number" || !Number.isFinite(condition.threshold)) {
                        report(
                            `Set criteria.allOf[].threshold to a number (it is ${JSON.stringify(condition.threshold ?? null)}).`,
                        );
                    }
                }
            }
        },
    },
    meta: {
        requirements: ["CA-5XX-THRESHOLD"],
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

export const alertPolicies: readonly CatalogEntry[] = [
    serviceAlertsComplete,
    alertsRouted,
    alertThresholdsNumeric,
    prodAlertsPage,
];
