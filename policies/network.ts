// Network isolation of data stores and workloads: no public endpoint for a data store, and every
// Kubernetes workload behind a NetworkPolicy in a default-deny namespace.
import { validateResourceOfType } from "@pulumi/policy";
import { ContainerApp, PostgresServer, Service } from "./resource-types";
import { isAcaDataStore } from "./azure";
import { COMPONENT_LABEL, isEmptySelector, LONG_RUNNING_TYPES, selects, TIER_LABEL } from "./k8s";
import { CatalogEntry, DATA_COMPONENTS } from "./lib";
import { coversIngress, k8sWorkloads, netpols } from "./network-views";
import { REDIS_ENTERPRISE, REDIS_TYPES } from "./stores";

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

export const networkPolicies: readonly CatalogEntry[] = [dataStoreNotPublic, workloadNetworkIsolated];
