// Plain http anywhere the estate configures a URL, not only the *_BASE_URL upstreams that
// outbound-https reads: env values of every workload (OIDC issuer, CORS origins, OTLP endpoints,
// webhooks), Container Apps CORS origins, availability tests, autoscaler triggers and alert
// webhooks. A URL may stay http only when its host never leaves the private network (see
// isInternalHost): in-cluster names like http://ollama.estate.svc.cluster.local:11434 or
// http://prometheus-operated.monitoring.svc:9090, and http://localhost for a developer's browser.
import { PolicyConfigSchema, ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { CONTAINER_APP } from "./azure";
import { CatalogEntry, configWithDefaults, field, isRecord, list, revealed, text } from "./lib";
import { INTERNAL_HOST_SUFFIXES, plaintextExternalUrls, UPSTREAM_URL_SUFFIXES } from "./urls";
import { containerLabel, onWorkloads } from "./views";

export const ACTION_GROUP = "azure-native:monitor:ActionGroup";
export const ALERTMANAGER_CONFIG = "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig";
export const WEB_TEST = "azure-native:applicationinsights:WebTest";
export const SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject";
export const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
// ingress-nginx annotations that hold origins (kubernetes/ingress-nginx docs, user-guide/nginx-configuration/annotations.md#enable-cors).
const CORS_ANNOTATION = "nginx.ingress.kubernetes.io/cors-allow-origin";

const schema: PolicyConfigSchema = {
    properties: {
        internalHostSuffixes: {
            type: "array",
            items: { type: "string" },
            default: [...INTERNAL_HOST_SUFFIXES],
            description: "Host name endings that stay on the private network, where http is allowed.",
        },
        upstreamSuffixes: {
            type: "array",
            items: { type: "string" },
            default: [...UPSTREAM_URL_SUFFIXES],
            description: "Env name endings left to outbound-https (one finding per URL).",
        },
    },
};

interface Config {
    internalHostSuffixes: string[];
    upstreamSuffixes: string[];
}

/** Each configured URL of a non-workload resource: where it sits, and its value. */
function configuredUrls(type: string, props: object): Array<{ where: string; value: string }> {
    const out: Array<{ where: string; value: string }> = [];
    const add = (where: string, value: unknown) => {
        const v = revealed(value);
        if (typeof v === "string") out.push({ where, value: v });
    };
    if (type === CONTAINER_APP) {
        list(props, "configuration", "ingress", "corsPolicy", "allowedOrigins").forEach((o, i) =>
            add(`configuration.ingress.corsPolicy.allowedOrigins[${i}]`, o),
        );
    } else if (type === WEB_TEST) {
        add("request.requestUrl", field(props, "request", "requestUrl"));
    } else if (type === SCALED_OBJECT) {
        list(props, "spec", "triggers").forEach((t, i) => {
            const metadata = field(t, "metadata");
            if (!isRecord(metadata)) return;
            for (const [k, v] of Object.entries(metadata)) add(`spec.triggers[${i}].metadata.${k}`, v);
        });
    } else if (type === ALERTMANAGER_CONFIG) {
        list(props, "spec", "receivers").forEach((r, i) =>
            list(r, "webhookConfigs").forEach((w, j) =>
                add(`spec.receivers[${i}].webhookConfigs[${j}].url`, field(w, "url")),
            ),
        );
    } else if (type === ACTION_GROUP) {
        list(props, "webhookReceivers").forEach((w, i) =>
            add(`webhookReceivers[${i}].serviceUri`, field(w, "serviceUri")),
        );
    } else if (type === INGRESS) {
        add(`metadata.annotations["${CORS_ANNOTATION}"]`, text(props, "metadata", "annotations", CORS_ANNOTATION));
    }
    return out;
}

function checkResource(args: ResourceValidationArgs, report: ReportViolation): void {
    const cfg = configWithDefaults<Config>(schema, args);
    for (const { where, value } of configuredUrls(args.type, args.props)) {
        for (const url of plaintextExternalUrls(value, cfg.internalHostSuffixes)) {
            // Name the host only: webhook URLs carry credentials.
            report(`Use https:// in ${where} (host ${url.hostname} is reached over plain http).`);
        }
    }
}

export const urlsHttps: CatalogEntry = {
    policy: {
        name: "urls-https",
        description:
            "Every URL the estate configures (env values, CORS origins, availability tests, autoscaler triggers, alert webhooks) uses https unless its host stays on the private network (loopback, a single-label service name, *.svc, *.cluster.local, *.internal).",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: schema,
        validateResource: [
            ...onWorkloads((w, args, report) => {
                const cfg = configWithDefaults<Config>(schema, args);
                for (const c of w.containers) {
                    for (const e of c.env) {
                        if (e.byReference || e.value === undefined) continue;
                        if (cfg.upstreamSuffixes.some((s) => e.name.endsWith(s))) continue;
                        for (const url of plaintextExternalUrls(e.value, cfg.internalHostSuffixes)) {
                            report(
                                `Use an https:// URL in ${e.name} on ${containerLabel(c)} (host ${url.hostname} is reached over plain http).`,
                            );
                        }
                    }
                }
            }),
            checkResource,
        ],
    },
    meta: {
        requirements: ["GA-TLS", "GA-CORS"],
        checks: ["ASB DP-3"],
    },
};

export const httpsPolicies: readonly CatalogEntry[] = [urlsHttps];
