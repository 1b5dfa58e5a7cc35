// Data stores admit only their declared clients: the NetworkPolicies selecting a Kubernetes store,
// and the ingress of a data-store Container App.
import { PolicyConfigSchema, PolicyResource, ReportViolation } from "@pulumi/policy";
import { AcaIngress, CONTAINER_APP, isAcaDataStore, isInternetRange } from "./azure";
import {
    ALLOWED_CLIENTS_ANNOTATION,
    isEmptySelector,
    isK8sDataStore,
    LabelSelector,
    LONG_RUNNING_TYPES,
    NAME_LABEL,
    podTemplateOf,
    selects,
    WORKLOAD_TYPES,
} from "./k8s";
import { CatalogEntry, configWithDefaults, quoteList } from "./lib";
import { coversIngress, k8sWorkloads, netpols } from "./network-views";

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
