import { PolicyConfigSchema, PolicyResource, ReportViolation, validateResourceOfType } from "@pulumi/policy";
import { ContainerApp, PostgresServer, Service } from "./resource-types";
import { AcaIngress, CONTAINER_APP, isAcaDataStore, isInternetRange } from "./azure";
import {
    ALLOWED_CLIENTS_ANNOTATION,
    COMPONENT_LABEL,
    isEmptySelector,
    isK8sDataStore,
    LabelSelector,
    LONG_RUNNING_TYPES,
    NAME_LABEL,
    namespaceOf,
    NETWORK_POLICY,
    NetworkPolicySpec,
    podTemplateOf,
    selects,
    TIER_LABEL,
    WORKLOAD_TYPES,
} from "./k8s";
import { CatalogEntry, configWithDefaults, DATA_COMPONENTS, quoteList } from "./lib";
import { REDIS_ENTERPRISE, REDIS_TYPES } from "./stores";
import { INTERNAL_HOST_SUFFIXES, UPSTREAM_URL_SUFFIXES } from "./urls";
import { containerLabel, onWorkloads } from "./views";

const outboundSchema: PolicyConfigSchema = {
    properties: {
        urlSuffixes: {
            type: "array",
            items: { type: "string" },
            default: [...UPSTREAM_URL_SUFFIXES],
            description: "Env variable name endings that hold an upstream URL.",
        },
        internalHostSuffixes: {
            type: "array",
            items: { type: "string" },
            default: [...INTERNAL_HOST_SUFFIXES],
            description: "Host name endings that stay on the private network.",
        },
        allowListVariables: {
            type: "array",
            items: { type: "string" },
            default: ["OUTBOUND_ALLOWED_HOSTS", "REDMINE_ALLOWED_HOSTS"],
            description: "Env variables holding the comma-separated outbound host allow-list.",
        },
    },
};

interface OutboundConfig {
    urlSuffixes: string[];
    internalHostSuffixes: string[];
    allowListVariables: string[];
}

interface Upstream {
    readonly variable: string;
    readonly url?: URL;
    readonly internal: boolean;
}

function upstreams(
    env: ReadonlyArray<{ name: string; value?: string; byReference: boolean }>,
    cfg: OutboundConfig,
): Upstream[] {
    return env
        .filter((e) => !e.byReference && e.value !== undefined && cfg.urlSuffixes.some((s) => e.name.endsWith(s)))
        .map((e) => {
            let url: URL | undefined;
            try {
                url = new URL(e.value ?? "");
            } catch {
                url = undefined;
            }
            const host = url?.hostname ?? "";
            const internal =
                url !== undefined &&
                (host === "localhost" ||
                    host === "127.0.0.1" ||
                    host === "[::1]" ||
                    !host.includes(".") ||
                    cfg.internalHostSuffixes.some((s) => host.endsWith(s)));
            return { variable: e.name, url, internal };
        });
}

export const outboundHttps: CatalogEntry = {
    policy: {
        name: "outbound-https",
        description: "Every upstream URL (*_BASE_URL) that leaves the private network uses HTTPS.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: outboundSchema,
        validateResource: onWorkloads((w, args, report) => {
            const cfg = configWithDefaults<OutboundConfig>(outboundSchema, args);
            for (const c of w.containers) {
                for (const u of upstreams(c.env, cfg)) {
                    if (u.url === undefined) {
                        report(`Set ${u.variable} on ${containerLabel(c)} to an absolute https:// URL.`);
                    } else if (!u.internal && u.url.protocol !== "https:") {
                        report(
                            `Use an https:// URL for ${u.variable} on ${containerLabel(c)} (host ${u.url.hostname}).`,
                        );
                    }
                }
            }
        }),
    },
    meta: {
        requirements: ["RAG-UPSTREAM-HTTPS", "RAG-HTTPS-CHECK"],
        checks: [],
    },
};

export const outboundAllowList: CatalogEntry = {
    policy: {
        name: "outbound-allow-list",
        description:
            "Containers that call upstreams declare a non-empty outbound host allow-list that names every external upstream.",
        enforcementLevel: "mandatory",
        severity: "medium",
        configSchema: outboundSchema,
        validateResource: onWorkloads((w, args, report) => {
            const cfg = configWithDefaults<OutboundConfig>(outboundSchema, args);
            for (const c of w.containers) {
                const ups = upstreams(c.env, cfg);
                if (ups.length === 0) continue;
                const listEntry = c.env.find((e) => cfg.allowListVariables.includes(e.name));
                if (listEntry?.byReference) continue;
                const hosts = (listEntry?.value ?? "")
                    .split(",")
                    .map((h) => h.trim().toLowerCase())
                    .filter((h) => h !== "");
                const variable = listEntry?.name ?? cfg.allowListVariables[0];
                if (hosts.length === 0) {
                    report(`Set ${variable} on ${containerLabel(c)} to the comma-separated hosts it may call.`);
                    continue;
                }
                if (hosts.some((h) => h.includes("*"))) {
                    report(`Remove the wildcard from ${variable} on ${containerLabel(c)}; list each host.`);
                }
                for (const u of ups.filter((x) => !x.internal && x.url !== undefined)) {
                    const host = u.url!.hostname.toLowerCase();
                    if (!hosts.some((h) => h === host || (h.startsWith(".") && host.endsWith(h)))) {
                        report(`Add ${host} (from ${u.variable}) to ${variable} on ${containerLabel(c)}.`);
                    }
                }
            }
        }),
    },
    meta: {
        requirements: ["RAG-ALLOWED-HOSTS", "RAG-OUTBOUND-POLICY-CHECK"],
        checks: [],
    },
};

function isDataSelector(labels: Record<string, string> | undefined): boolean {
    return DATA_COMPONENTS.includes(labels?.[COMPONENT_LABEL] ?? "") || labels?.[TIER_LABEL] === "data";
}

export const dataStoreNotPublic: CatalogEntry = {
    policy: {
        name: "data-store-not-public",
        description: "Databases, caches, graph stores and model runtimes have no public network endpoint.",
        enforcementLevel: "mandatory",
        severity: "critical",
        validateResource: [
            validateResourceOfType(Service, (svc, _args, report) => {
                if (!isDataSelector(svc.spec?.selector) && !isDataSelector(svc.metadata?.labels)) return;
                const type = svc.spec?.type ?? "ClusterIP";
                if (type === "LoadBalancer" || type === "NodePort") {
                    report(`Set spec.type to ClusterIP on this data-store Service (it is ${type}).`);
                }
                if ((svc.spec?.externalIPs ?? []).length > 0) {
                    report("Remove spec.externalIPs from this data-store Service.");
                }
            }),
            validateResourceOfType(ContainerApp, (app, args, report) => {
                if (!isAcaDataStore(args.props)) return;
                if (app.configuration?.ingress?.external === true) {
                    report("Set configuration.ingress.external: false on this data-store Container App.");
                }
            }),
            validateResourceOfType(PostgresServer, (server, _args, report) => {
                if (server.network?.publicNetworkAccess !== "Disabled") {
                    report(
                        'Set network.publicNetworkAccess: "Disabled" and reach the server through a private endpoint or VNet.',
                    );
                }
            }),
            (args, report) => {
                if (!REDIS_TYPES.includes(args.type) && args.type !== REDIS_ENTERPRISE) return;
                if (args.props.publicNetworkAccess !== "Disabled") {
                    report('Set publicNetworkAccess: "Disabled" and reach the cache through a private endpoint.');
                }
            },
        ],
    },
    meta: {
        requirements: ["UA-PRIVATE-DATA-NETWORK"],
        checks: ["Checkov CKV_AZURE_68", "Checkov CKV_AZURE_89"],
    },
};

interface K8sWorkload {
    readonly r: PolicyResource;
    readonly namespace: string;
    readonly labels: Record<string, string>;
    readonly kind: string;
}

interface K8sNetpol {
    readonly r: PolicyResource;
    readonly namespace: string;
    readonly name: string;
    readonly spec: NetworkPolicySpec;
    readonly annotations: Record<string, string>;
}

function k8sWorkloads(resources: PolicyResource[], types: readonly string[]): K8sWorkload[] {
    return resources
        .filter((r) => types.includes(r.type))
        .map((r) => ({
            r,
            namespace: namespaceOf(r.props),
            labels: podTemplateOf(r.type, r.props)?.metadata?.labels ?? {},
            kind: r.type.split(":").pop() ?? r.type,
        }));
}

function netpols(resources: PolicyResource[]): K8sNetpol[] {
    return resources
        .filter((r) => r.type === NETWORK_POLICY)
        .map((r) => ({
            r,
            namespace: namespaceOf(r.props),
            name: r.props.metadata?.name ?? r.name,
            spec: r.props.spec ?? { podSelector: {} },
            annotations: r.props.metadata?.annotations ?? {},
        }));
}

function coversIngress(np: K8sNetpol): boolean {
    const types = np.spec.policyTypes;
    return types === undefined || types.length === 0 || types.includes("Ingress");
}

export const workloadNetworkIsolated: CatalogEntry = {
    policy: {
        name: "workload-network-isolated",
        description:
            "Every Deployment and StatefulSet is selected by a NetworkPolicy, in a namespace with a default-deny ingress policy.",
        enforcementLevel: "mandatory",
        severity: "high",
        validateStack: (args, report) => {
            const workloads = k8sWorkloads(args.resources, LONG_RUNNING_TYPES);
            if (workloads.length === 0) {
                args.notApplicable("no Kubernetes workloads");
            }
            const nps = netpols(args.resources);
            const reportedNs = new Set<string>();
            for (const w of workloads) {
                const inNs = nps.filter((np) => np.namespace === w.namespace);
                const hasDefaultDeny = inNs.some(
                    (np) =>
                        isEmptySelector(np.spec.podSelector) &&
                        coversIngress(np) &&
                        (np.spec.ingress ?? []).length === 0,
                );
                if (!hasDefaultDeny && !reportedNs.has(w.namespace)) {
                    reportedNs.add(w.namespace);
                    report(
                        `Namespace "${w.namespace}" has no default-deny NetworkPolicy: add one with podSelector {}, policyTypes ["Ingress"] and no ingress rules.`,
                    );
                }
                const selected = inNs.some(
                    (np) => !isEmptySelector(np.spec.podSelector) && selects(np.spec.podSelector, w.labels),
                );
                if (!selected) {
                    report(
                        `${w.kind} "${w.r.name}" is not selected by any NetworkPolicy of its own: add one whose podSelector matches its pod labels and allows only its callers.`,
                        w.r.urn,
                    );
                }
            }
        },
    },
    meta: {
        requirements: ["UA-PRIVATE-DATA-NETWORK"],
        checks: ["Checkov CKV2_K8S_6"],
    },
};

const ingressSchema: PolicyConfigSchema = {
    properties: {
        requirePorts: {
            type: "boolean",
            default: true,
            description: "Every ingress rule to a data store must name its ports.",
        },
    },
};

/** The `app.kubernetes.io/name` values a pod selector can match, or undefined when it does not pin the name. */
function pinnedNames(selector: LabelSelector): string[] | undefined {
    const exact = selector.matchLabels?.[NAME_LABEL];
    const inExpr = (selector.matchExpressions ?? []).find((e) => e.key === NAME_LABEL && e.operator === "In");
    if (exact !== undefined) return [exact];
    if (inExpr !== undefined) return inExpr.values ?? [];
    return undefined;
}

function checkK8sStores(resources: PolicyResource[], requirePorts: boolean, report: ReportViolation): void {
    const workloads = k8sWorkloads(resources, WORKLOAD_TYPES);
    const clientNames = new Set(workloads.map((w) => w.labels[NAME_LABEL]).filter((n) => n !== undefined));
    const nps = netpols(resources);
    const stores = workloads.filter(
        (w) => LONG_RUNNING_TYPES.includes(w.r.type) && isK8sDataStore(podTemplateOf(w.r.type, w.r.props)),
    );
    for (const store of stores) {
        const who = `${store.kind} "${store.r.name}"`;
        const selecting = nps.filter(
            (np) => np.namespace === store.namespace && selects(np.spec.podSelector, store.labels),
        );
        if (!selecting.some(coversIngress)) {
            report(
                `${who} is a data store that no ingress NetworkPolicy selects: add one admitting only its clients.`,
                store.r.urn,
            );
            continue;
        }
        const allowed = new Set(
            selecting.flatMap((np) =>
                (np.annotations[ALLOWED_CLIENTS_ANNOTATION] ?? "")
                    .split(",")
                    .map((s) => s.trim())
                    .filter((s) => s !== ""),
            ),
        );
        if (allowed.size === 0) {
            report(
                `${who} has no declared clients: annotate its NetworkPolicy with ${ALLOWED_CLIENTS_ANNOTATION}: "<app.kubernetes.io/name>,...".`,
                store.r.urn,
            );
        }
        for (const name of allowed) {
            if (!clientNames.has(name)) {
                report(
                    `${who} allows client "${name}", which is no workload of this stack: remove it from ${ALLOWED_CLIENTS_ANNOTATION}.`,
                    store.r.urn,
                );
            }
        }
        for (const np of selecting.filter(coversIngress)) {
            (np.spec.ingress ?? []).forEach((rule, i) => {
                const where = `ingress rule ${i + 1} of NetworkPolicy "${np.name}"`;
                const peers = rule.from ?? [];
                if (peers.length === 0) {
                    report(
                        `${where} admits every source to ${who}: list podSelector peers for its clients only.`,
                        np.r.urn,
                    );
                }
                if (requirePorts && (rule.ports ?? []).length === 0) {
                    report(`${where} admits every port of ${who}: list the ports its clients use.`, np.r.urn);
                }
                for (const peer of peers) {
                    if (peer.ipBlock !== undefined) {
                        report(
                            `${where} admits ipBlock ${peer.ipBlock.cidr} to ${who}: use a podSelector for its clients.`,
                            np.r.urn,
                        );
                        continue;
                    }
                    if (peer.namespaceSelector !== undefined && isEmptySelector(peer.namespaceSelector)) {
                        report(
                            `${where} admits every namespace to ${who}: select the client namespace by label.`,
                            np.r.urn,
                        );
                    }
                    if (peer.podSelector === undefined) {
                        report(
                            `${where} admits whole namespaces to ${who}: add a podSelector on ${NAME_LABEL}.`,
                            np.r.urn,
                        );
                        continue;
                    }
                    const names = pinnedNames(peer.podSelector);
                    if (names === undefined) {
                        report(
                            `${where} admits pods not pinned by ${NAME_LABEL} to ${who}: select clients by ${NAME_LABEL}.`,
                            np.r.urn,
                        );
                        continue;
                    }
                    const extra = names.filter((n) => !allowed.has(n));
                    if (extra.length > 0) {
                        report(
                            `${where} admits ${quoteList(extra)} to ${who}, not in ${ALLOWED_CLIENTS_ANNOTATION}: remove them or declare them.`,
                            np.r.urn,
                        );
                    }
                }
            });
        }
    }
}

function checkAcaStores(resources: PolicyResource[], report: ReportViolation): void {
    for (const r of resources.filter((x) => x.type === CONTAINER_APP && isAcaDataStore(x.props))) {
        const ingress: AcaIngress | undefined = r.props.configuration?.ingress;
        if (ingress === undefined) continue;
        if (ingress.external === true) {
            report(
                `Container App "${r.name}" is a data store with external ingress: set configuration.ingress.external: false.`,
                r.urn,
            );
        }
        for (const rule of ingress.ipSecurityRestrictions ?? []) {
            if (rule.action === "Allow" && isInternetRange(rule.ipAddressRange)) {
                report(
                    `Container App "${r.name}" allows ${rule.ipAddressRange} in ipSecurityRestrictions "${rule.name}": allow only the client subnets.`,
                    r.urn,
                );
            }
        }
    }
}

export const dataStoreIngressRestricted: CatalogEntry = {
    policy: {
        name: "data-store-ingress-restricted",
        description:
            "Each data store and model runtime admits traffic only from the workloads declared as its clients.",
        enforcementLevel: "mandatory",
        severity: "critical",
        configSchema: ingressSchema,
        validateStack: (args, report) => {
            const cfg = configWithDefaults<{ requirePorts: boolean }>(ingressSchema, args);
            checkK8sStores(args.resources, cfg.requirePorts, report);
            checkAcaStores(args.resources, report);
        },
    },
    meta: {
        requirements: ["UA-PRIVATE-DATA-NETWORK", "UA-OLLAMA-REACHABLE"],
        checks: [],
    },
};

export const networkPolicies: readonly CatalogEntry[] = [
    outboundHttps,
    outboundAllowList,
    dataStoreNotPublic,
    workloadNetworkIsolated,
    dataStoreIngressRestricted,
];
