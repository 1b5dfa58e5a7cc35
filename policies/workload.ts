// How each workload runs: the production environment flag, health probes on the runbooks' paths,
// and CPU and memory requests and limits.
import { PolicyConfigSchema } from "@pulumi/policy";
import { k8sContainers } from "./k8s";
import { CatalogEntry, configWithDefaults, ContainerView, envValue, quoteList, stackEnvironmentProperty } from "./lib";
import { appContainers, ContainerLabel, containerLabel, onWorkloads } from "./views";

const environmentSchema: PolicyConfigSchema = {
    properties: {
        stackEnvironment: stackEnvironmentProperty,
    },
};

export const environmentProd: CatalogEntry = {
    policy: {
        name: "environment-prod",
        description: "Every application container of a production stack sets ENVIRONMENT=prod.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: environmentSchema,
        validateResource: onWorkloads((w, args, report) => {
            const cfg = configWithDefaults<{ stackEnvironment: string }>(environmentSchema, args);
            if (cfg.stackEnvironment !== "prod") {
                args.notApplicable(`stack environment is ${cfg.stackEnvironment}`);
            }
            for (const c of appContainers(w)) {
                const value = envValue(c, "ENVIRONMENT");
                if (value !== "prod") {
                    const found = value === undefined ? "it is not set" : `it is "${value}"`;
                    report(`Set env ENVIRONMENT to "prod" on ${containerLabel(c)} (${found}).`);
                }
            }
        }),
    },
    meta: {
        requirements: ["UA-ENVIRONMENT"],
        checks: [],
    },
};

const probesSchema: PolicyConfigSchema = {
    properties: {
        livenessPaths: {
            type: "array",
            items: { type: "string" },
            default: ["/healthz"],
            description: "Accepted HTTP paths of application liveness probes.",
        },
        readinessPaths: {
            type: "array",
            items: { type: "string" },
            default: ["/readyz"],
            description: "Accepted HTTP paths of application readiness probes.",
        },
    },
};

export const healthProbes: CatalogEntry = {
    policy: {
        name: "health-probes",
        description:
            "Every long-running container has a liveness, a readiness and a startup probe; application containers probe /healthz and /readyz.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: probesSchema,
        validateResource: onWorkloads((w, args, report) => {
            if (!w.longRunning) {
                args.notApplicable("jobs run to completion");
            }
            const cfg = configWithDefaults<{ livenessPaths: string[]; readinessPaths: string[] }>(probesSchema, args);
            const field =
                w.platform === "kubernetes"
                    ? (kind: string) => `${kind}Probe`
                    : (kind: string) => `a probes[] entry of type ${kind[0].toUpperCase()}${kind.slice(1)}`;
            for (const c of w.containers.filter((x) => !x.init)) {
                const checks: Array<[string, ContainerView["liveness"], string[] | undefined]> = [
                    ["liveness", c.liveness, w.dataStore ? undefined : cfg.livenessPaths],
                    ["readiness", c.readiness, w.dataStore ? undefined : cfg.readinessPaths],
                    ["startup", c.startup, undefined],
                ];
                for (const [kind, probe, paths] of checks) {
                    if (probe === undefined) {
                        const hint = paths ? ` with httpGet.path ${quoteList(paths)}` : "";
                        report(`${ContainerLabel(c)} has no ${kind} probe: add ${field(kind)}${hint}.`);
                    } else if (paths && (probe.httpPath === undefined || !paths.includes(probe.httpPath))) {
                        const found = probe.httpPath === undefined ? "not an HTTP GET" : `"${probe.httpPath}"`;
                        report(
                            `${ContainerLabel(c)} ${kind} probe must be an HTTP GET of ${quoteList(paths)} (it is ${found}).`,
                        );
                    }
                }
            }
        }),
    },
    meta: {
        requirements: ["UA-HEALTH-PROBES", "CA-READINESS-GATE"],
        checks: ["Checkov CKV_K8S_8", "Checkov CKV_K8S_9", "Kyverno require-pod-probes"],
    },
};

const resourcesSchema: PolicyConfigSchema = {
    properties: {
        requireCpuLimit: {
            type: "boolean",
            default: true,
            description: "Also require a CPU limit on Kubernetes containers.",
        },
    },
};

export const resourceRequestsLimits: CatalogEntry = {
    policy: {
        name: "resource-requests-limits",
        description: "Every container declares CPU and memory requests and limits.",
        enforcementLevel: "mandatory",
        severity: "medium",
        configSchema: resourcesSchema,
        validateResource: onWorkloads((w, args, report) => {
            const cfg = configWithDefaults<{ requireCpuLimit: boolean }>(resourcesSchema, args);
            if (w.platform === "azure") {
                const containers = (args.props.template?.containers ?? []) as Array<{
                    name?: string;
                    resources?: { cpu?: number; memory?: string };
                }>;
                for (const c of containers) {
                    if (c.resources?.cpu === undefined || c.resources?.memory === undefined) {
                        report(`Set resources.cpu and resources.memory on container "${c.name ?? "(unnamed)"}".`);
                    }
                }
                return;
            }
            for (const { c, view } of k8sContainers(w.podSpec)) {
                const missing: string[] = [];
                const req = c.resources?.requests ?? {};
                const lim = c.resources?.limits ?? {};
                if (req.cpu === undefined) missing.push("requests.cpu");
                if (req.memory === undefined) missing.push("requests.memory");
                if (cfg.requireCpuLimit && lim.cpu === undefined) missing.push("limits.cpu");
                if (lim.memory === undefined) missing.push("limits.memory");
                if (missing.length > 0) {
                    report(`Set resources ${missing.join(", ")} on ${containerLabel(view)}.`);
                }
            }
        }),
    },
    meta: {
        requirements: ["CA-SATURATION-THRESHOLD"],
        checks: [
            "Checkov CKV_K8S_10",
            "Checkov CKV_K8S_11",
            "Checkov CKV_K8S_12",
            "Checkov CKV_K8S_13",
            "Kyverno require-requests-limits",
        ],
    },
};
