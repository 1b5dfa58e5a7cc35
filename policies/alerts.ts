// Alerts that must exist, and their thresholds: every catalogue alert that applies to each
// application service, the estate-wide ones, and a numeric threshold on every rule.
import { PolicyConfigSchema, PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import {
    ALERT_TAG,
    declaredAlerts,
    METRIC_ALERT,
    PROMETHEUS_RULE,
    SCHEDULED_QUERY_RULE,
    SERVICE_TAG,
} from "./alert-resources";
import { acaContainers, CONTAINER_APP, isAcaDataStore, NAME_TAG } from "./azure";
import { isK8sDataStore, k8sContainers, LONG_RUNNING_TYPES, NAME_LABEL, podTemplateOf } from "./k8s";
import { CatalogEntry, configWithDefaults, list, quoteList, text } from "./lib";

const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";

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
