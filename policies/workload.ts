import { PolicyConfigSchema, validateResourceOfType } from "@pulumi/policy";
import { ServiceAccount } from "./resource-types";
import { k8sContainers } from "./k8s";
import { CatalogEntry, configWithDefaults, ContainerView, envValue, quoteList, stackEnvironmentProperty } from "./lib";
import { ContainerLabel, containerLabel, onWorkloads, WorkloadView } from "./views";

/** Application containers: data stores and model runtimes do not read the app's variables. */
function appContainers(w: WorkloadView): readonly ContainerView[] {
    return w.dataStore ? [] : w.containers;
}

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

const pssSchema: PolicyConfigSchema = {
    properties: {
        readOnlyRootFilesystem: {
            type: "boolean",
            default: true,
            description: "Also require readOnlyRootFilesystem (beyond Pod Security Standards restricted).",
        },
    },
};

export const podSecurityRestricted: CatalogEntry = {
    policy: {
        name: "pod-security-restricted",
        description:
            "Kubernetes pods meet the Pod Security Standards restricted profile and run with a read-only root filesystem.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: pssSchema,
        validateResource: onWorkloads((w, args, report) => {
            if (w.platform !== "kubernetes") {
                args.notApplicable("Container Apps do not expose a security context");
            }
            const cfg = configWithDefaults<{ readOnlyRootFilesystem: boolean }>(pssSchema, args);
            const pod = w.podSpec ?? { containers: [] };
            const podSc = pod.securityContext ?? {};
            for (const hostField of ["hostNetwork", "hostPID", "hostIPC"] as const) {
                if (pod[hostField] === true) {
                    report(`Remove spec.${hostField}: true from the pod template.`);
                }
            }
            for (const { c, view } of k8sContainers(pod)) {
                const sc = c.securityContext ?? {};
                const who = containerLabel(view);
                if (sc.privileged === true) {
                    report(`Set securityContext.privileged: false on ${who}.`);
                }
                if (sc.allowPrivilegeEscalation !== false) {
                    report(`Set securityContext.allowPrivilegeEscalation: false on ${who}.`);
                }
                const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
                if (nonRoot !== true) {
                    report(`Set securityContext.runAsNonRoot: true on ${who} or on the pod.`);
                }
                if ((sc.runAsUser ?? podSc.runAsUser) === 0) {
                    report(`Run ${who} as a non-zero runAsUser.`);
                }
                const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
                if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
                    report(`Set securityContext.seccompProfile.type: RuntimeDefault on ${who} or on the pod.`);
                }
                if (!(sc.capabilities?.drop ?? []).includes("ALL")) {
                    report(`Set securityContext.capabilities.drop: ["ALL"] on ${who}.`);
                }
                const added = (sc.capabilities?.add ?? []).filter((cap) => cap !== "NET_BIND_SERVICE");
                if (added.length > 0) {
                    report(
                        `Remove capabilities.add ${quoteList(added)} from ${who}; only NET_BIND_SERVICE may be added.`,
                    );
                }
                if (cfg.readOnlyRootFilesystem && sc.readOnlyRootFilesystem !== true) {
                    report(
                        `Set securityContext.readOnlyRootFilesystem: true on ${who} (mount an emptyDir where it writes).`,
                    );
                }
            }
        }),
    },
    meta: {
        requirements: ["GA-LEAST-PRIVILEGE"],
        checks: [
            "PSS restricted: Privilege Escalation, Running as Non-root, Seccomp, Capabilities",
            "PSS baseline: Host Namespaces, Privileged Containers",
            "Checkov CKV_K8S_20",
            "Checkov CKV_K8S_22",
            "Checkov CKV_K8S_23",
            "Checkov CKV_K8S_31",
            "Checkov CKV_K8S_37",
            "Kyverno disallow-privilege-escalation",
            "Kyverno require-run-as-nonroot",
            "Kyverno restrict-seccomp-strict",
            "Kyverno require-drop-all",
            "Kyverno require-ro-rootfs",
        ],
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

const tokenSchema: PolicyConfigSchema = {
    properties: {
        exemptServiceAccounts: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Service accounts whose pods call the Kubernetes API and so need a token.",
        },
    },
};

export const serviceAccountToken: CatalogEntry = {
    policy: {
        name: "service-account-token-not-automounted",
        description: "Pods and service accounts do not automount a Kubernetes API token they never use.",
        enforcementLevel: "mandatory",
        severity: "medium",
        configSchema: tokenSchema,
        validateResource: [
            ...onWorkloads((w, args, report) => {
                if (w.platform !== "kubernetes") {
                    args.notApplicable("Container Apps mount no Kubernetes token");
                }
                const cfg = configWithDefaults<{ exemptServiceAccounts: string[] }>(tokenSchema, args);
                const sa = w.podSpec?.serviceAccountName ?? "default";
                if (!cfg.exemptServiceAccounts.includes(sa) && w.podSpec?.automountServiceAccountToken !== false) {
                    report("Set automountServiceAccountToken: false on the pod template spec.");
                }
            }),
            validateResourceOfType(ServiceAccount, (sa, args, report) => {
                const cfg = configWithDefaults<{ exemptServiceAccounts: string[] }>(tokenSchema, args);
                const name = sa.metadata?.name ?? args.name;
                if (!cfg.exemptServiceAccounts.includes(name) && sa.automountServiceAccountToken !== false) {
                    report("Set automountServiceAccountToken: false on the ServiceAccount.");
                }
            }),
        ],
    },
    meta: {
        requirements: ["GA-LEAST-PRIVILEGE"],
        checks: ["Checkov CKV_K8S_38", "Kyverno restrict-automount-sa-token"],
    },
};

const rateSchema: PolicyConfigSchema = {
    properties: {
        workloads: {
            type: "array",
            items: { type: "string" },
            default: ["api", "gateway"],
            description: "Workloads that take user traffic, matched against the app name or component label.",
        },
        variables: {
            type: "array",
            items: { type: "string" },
            default: ["RATE_LIMIT_PER_MINUTE", "RATE_LIMIT_MAX"],
            description: "Env variables that set a request limit.",
        },
    },
};

export const rateLimits: CatalogEntry = {
    policy: {
        name: "rate-limits-set",
        description: "API and gateway workloads set a per-client rate limit.",
        enforcementLevel: "mandatory",
        severity: "medium",
        configSchema: rateSchema,
        validateResource: onWorkloads((w, args, report) => {
            const cfg = configWithDefaults<{ workloads: string[]; variables: string[] }>(rateSchema, args);
            const match = [w.appName, w.component].find((x) => x !== undefined && cfg.workloads.includes(x));
            if (match === undefined) {
                args.notApplicable("not an API or gateway workload");
            }
            const set = w.containers
                .filter((c) => !c.init)
                .flatMap((c) => c.env.filter((e) => cfg.variables.includes(e.name)));
            if (set.length === 0) {
                report(`Set ${cfg.variables.join(" or ")} to a positive integer on the ${match} workload.`);
            }
            for (const e of set) {
                if (!e.byReference && !/^[1-9][0-9]*$/.test(e.value ?? "")) {
                    report(`Set ${e.name} to a positive integer (it is "${e.value ?? ""}").`);
                }
            }
        }),
    },
    meta: {
        requirements: ["UA-RATE-LIMIT", "GA-RATE-LIMITS"],
        checks: [],
    },
};

const corsSchema: PolicyConfigSchema = {
    properties: {
        variables: {
            type: "array",
            items: { type: "string" },
            default: ["ALLOWED_ORIGINS", "CORS_ALLOWED_ORIGINS"],
            description: "Env variables holding comma-separated allowed origins.",
        },
    },
};

export const corsRestricted: CatalogEntry = {
    policy: {
        name: "cors-restricted",
        description: "CORS allows named origins only, never a wildcard.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: corsSchema,
        validateResource: onWorkloads((w, args, report) => {
            const cfg = configWithDefaults<{ variables: string[] }>(corsSchema, args);
            for (const c of appContainers(w)) {
                for (const e of c.env.filter((x) => cfg.variables.includes(x.name) && !x.byReference)) {
                    const origins = (e.value ?? "").split(",").map((o) => o.trim());
                    if (origins.some((o) => o.includes("*")) || origins.every((o) => o === "")) {
                        report(`Set ${e.name} on ${containerLabel(c)} to the exact origins allowed, without "*".`);
                    }
                }
            }
            if (w.platform === "azure") {
                const origins: string[] = args.props.configuration?.ingress?.corsPolicy?.allowedOrigins ?? [];
                if (origins.some((o) => o.includes("*"))) {
                    report(
                        'Replace "*" in configuration.ingress.corsPolicy.allowedOrigins with the exact origins allowed.',
                    );
                }
            }
        }),
    },
    meta: {
        requirements: ["GA-CORS", "CA-SMOKE-AFTER-DEPLOY"],
        checks: [],
    },
};

export const workloadPolicies: readonly CatalogEntry[] = [
    environmentProd,
    healthProbes,
    podSecurityRestricted,
    resourceRequestsLimits,
    serviceAccountToken,
    rateLimits,
    corsRestricted,
];
