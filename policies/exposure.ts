// Network exposure of data stores whatever declares them: raw Services selecting their pods,
// the services an operator (CloudNativePG) or a chart (Neo4j) creates, Ingress paths to them,
// and NetworkPolicies admitting address ranges to operator- and chart-managed stores (those
// declared as Deployments or StatefulSets are data-store-ingress-restricted's).
import { PolicyResource, ReportViolation } from "@pulumi/policy";
import {
    COMPONENT_LABEL,
    isK8sDataStore,
    LONG_RUNNING_TYPES,
    namespaceOf,
    NETWORK_POLICY,
    podTemplateOf,
    selects,
    TIER_LABEL,
} from "./k8s";
import { CatalogEntry, DATA_COMPONENTS, field, isRecord, list, text } from "./lib";
import { chartName, CNPG_CLUSTER, cnpgName, isHelmType, STORE_CHART } from "./stores";

const SERVICE = "kubernetes:core/v1:Service";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const EXPOSED_TYPES = ["LoadBalancer", "NodePort"];
// CloudNativePG labels every instance pod with the cluster's name and creates <cluster>-rw, -ro
// and -r Services (cloudnative-pg pkg/utils/labels_annotations.go ClusterLabelName, pkg/specs/services.go).
const CNPG_CLUSTER_LABEL = "cnpg.io/cluster";
const CNPG_SERVICE_SUFFIXES = ["-rw", "-ro", "-r"];
// Per-instance labels CloudNativePG sets with values that change on failover (same file).
const CNPG_INSTANCE_LABELS = ["cnpg.io/instanceRole", "role", "cnpg.io/instanceName", "cnpg.io/podRole"];

/** A data store's pods as a Service or NetworkPolicy selects them, and the Service names it owns. */
interface Store {
    readonly what: string;
    readonly namespace: string;
    readonly labels: Record<string, string>;
    readonly services: readonly string[];
    /** Label keys the store's pods carry with varying values (a selector on any value matches some pod). */
    readonly anyValue: readonly string[];
    /** Declared by an operator's custom resource or a chart (not a Deployment or StatefulSet). */
    readonly managed: boolean;
}

function stringMap(value: unknown): Record<string, string> {
    return isRecord(value)
        ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"))
        : {};
}

function isStoreChart(r: PolicyResource): boolean {
    return isHelmType(r.type) && new RegExp(STORE_CHART).test(chartName(r.props));
}

function storesOf(resources: PolicyResource[]): Store[] {
    const out: Store[] = [];
    for (const r of resources) {
        if (LONG_RUNNING_TYPES.includes(r.type) && isK8sDataStore(podTemplateOf(r.type, r.props))) {
            out.push({
                what: `${r.type.split(":").pop()} "${r.name}"`,
                namespace: namespaceOf(r.props),
                labels: stringMap(podTemplateOf(r.type, r.props)?.metadata?.labels),
                services: [],
                anyValue: [],
                managed: false,
            });
        } else if (r.type === CNPG_CLUSTER) {
            const name = cnpgName(r.props);
            const additional = list(r.props, "spec", "managed", "services", "additional")
                .map((s) => text(s, "serviceTemplate", "metadata", "name"))
                .filter((n): n is string => n !== undefined);
            out.push({
                what: `Cluster "${name}"`,
                namespace: namespaceOf(r.props),
                labels: {
                    ...stringMap(field(r.props, "spec", "inheritedMetadata", "labels")),
                    [CNPG_CLUSTER_LABEL]: name,
                },
                services: [...CNPG_SERVICE_SUFFIXES.map((s) => name + s), ...additional],
                anyValue: CNPG_INSTANCE_LABELS,
                managed: true,
            });
        } else if (isStoreChart(r)) {
            const release = text(r.props, "name") ?? r.name;
            const values = field(r.props, "values");
            out.push({
                what: `Helm release "${release}"`,
                namespace: text(r.props, "namespace") ?? "default",
                // The Neo4j chart puts values.neo4j.labels on its pods (neo4j/helm-charts neo4j/templates/neo4j-statefulset.yaml).
                labels: stringMap(field(values, "neo4j", "labels")),
                services: [release],
                anyValue: [],
                managed: true,
            });
        }
    }
    return out;
}

function selectsStore(selector: Record<string, string>, store: Store, namespace: string): boolean {
    return (
        namespace === store.namespace &&
        Object.keys(selector).length > 0 &&
        Object.entries(selector).every(([k, v]) => store.labels[k] === v || store.anyValue.includes(k))
    );
}

/** data-store-not-public already holds Services labelled as a store to ClusterIP; one finding per fix. */
function labelledAsStore(labels: Record<string, string>): boolean {
    return DATA_COMPONENTS.includes(labels[COMPONENT_LABEL] ?? "") || labels[TIER_LABEL] === "data";
}

function checkServices(resources: PolicyResource[], stores: Store[], report: ReportViolation): void {
    for (const svc of resources.filter((r) => r.type === SERVICE)) {
        const selector = stringMap(field(svc.props, "spec", "selector"));
        if (labelledAsStore(selector) || labelledAsStore(stringMap(field(svc.props, "metadata", "labels")))) continue;
        const type = text(svc.props, "spec", "type") ?? "ClusterIP";
        const exposed = EXPOSED_TYPES.includes(type) || list(svc.props, "spec", "externalIPs").length > 0;
        const store = stores.find((s) => selectsStore(selector, s, namespaceOf(svc.props)));
        if (exposed && store !== undefined) {
            report(
                `Service "${text(svc.props, "metadata", "name") ?? svc.name}" exposes ${store.what} (type ${type}${list(svc.props, "spec", "externalIPs").length > 0 ? ", externalIPs" : ""}): make it ClusterIP without externalIPs, or remove it.`,
                svc.urn,
            );
        }
    }
}

function checkCnpgServices(r: PolicyResource, report: ReportViolation): void {
    list(r.props, "spec", "managed", "services", "additional").forEach((s, i) => {
        const type = text(s, "serviceTemplate", "spec", "type");
        if (type !== undefined && EXPOSED_TYPES.includes(type)) {
            report(
                `Set spec.managed.services.additional[${i}].serviceTemplate.spec.type to ClusterIP on Cluster "${cnpgName(r.props)}" (it is ${type}).`,
                r.urn,
            );
        }
    });
}

/** Service types a store chart's values ask for: any `type` under a key naming a service. */
function chartServiceTypes(value: unknown, path: string, out: Array<{ path: string; type: string }>): void {
    if (!isRecord(value)) return;
    for (const [k, v] of Object.entries(value)) {
        const here = `${path}.${k}`;
        if (k === "type" && typeof v === "string" && /service/i.test(path)) out.push({ path: here, type: v });
        else chartServiceTypes(v, here, out);
    }
}

function checkChartServices(r: PolicyResource, report: ReportViolation): void {
    const release = text(r.props, "name") ?? r.name;
    const values = field(r.props, "values");
    const found: Array<{ path: string; type: string }> = [];
    chartServiceTypes(values, "values", found);
    for (const f of found.filter((x) => EXPOSED_TYPES.includes(x.type))) {
        report(`Set ${f.path} to ClusterIP on Helm release "${release}" (it is ${f.type}).`, r.urn);
    }
    // The Neo4j chart's services.neo4j is a LoadBalancer unless its spec says otherwise
    // (neo4j/helm-charts neo4j/values.yaml, services.neo4j.spec.type: LoadBalancer).
    if (/^neo4j(-|$)/.test(chartName(r.props)) && field(values, "services", "neo4j", "enabled") === true) {
        const type = text(values, "services", "neo4j", "spec", "type") ?? "LoadBalancer";
        if (EXPOSED_TYPES.includes(type) && !found.some((f) => f.path === "values.services.neo4j.spec.type")) {
            report(
                `Set values.services.neo4j.enabled to false on Helm release "${release}": the chart's neo4j Service is a ${type}.`,
                r.urn,
            );
        }
    }
}

function ingressBackends(props: object): string[] {
    const names = [text(props, "spec", "defaultBackend", "service", "name")];
    for (const rule of list(props, "spec", "rules")) {
        for (const p of list(rule, "http", "paths")) names.push(text(p, "backend", "service", "name"));
    }
    return names.filter((n): n is string => n !== undefined);
}

function checkIngresses(resources: PolicyResource[], stores: Store[], report: ReportViolation): void {
    const services = resources.filter((r) => r.type === SERVICE);
    for (const ing of resources.filter((r) => r.type === INGRESS)) {
        const ns = namespaceOf(ing.props);
        for (const backend of new Set(ingressBackends(ing.props))) {
            const svc = services.find(
                (s) => namespaceOf(s.props) === ns && (text(s.props, "metadata", "name") ?? s.name) === backend,
            );
            const selector = stringMap(field(svc?.props, "spec", "selector"));
            const store =
                stores.find((s) => s.namespace === ns && s.services.includes(backend)) ??
                stores.find((s) => svc !== undefined && selectsStore(selector, s, ns));
            const labelled = svc !== undefined && labelledAsStore(stringMap(field(svc.props, "metadata", "labels")));
            if (store !== undefined || labelled) {
                report(
                    `Remove the Ingress path to Service "${backend}" from Ingress "${text(ing.props, "metadata", "name") ?? ing.name}": it reaches ${store?.what ?? "a data store"}, which only its clients may call inside the cluster.`,
                    ing.urn,
                );
            }
        }
    }
}

function checkManagedStorePolicies(resources: PolicyResource[], stores: Store[], report: ReportViolation): void {
    for (const np of resources.filter((r) => r.type === NETWORK_POLICY)) {
        const ns = namespaceOf(np.props);
        const spec = field(np.props, "spec");
        const selector = field(spec, "podSelector") as Parameters<typeof selects>[0];
        const types = list(spec, "policyTypes");
        if (types.length > 0 && !types.includes("Ingress")) continue;
        const store = stores.find((s) => s.managed && s.namespace === ns && selects(selector, s.labels));
        if (store === undefined) continue;
        const name = text(np.props, "metadata", "name") ?? np.name;
        list(spec, "ingress").forEach((rule, i) => {
            const peers = list(rule, "from");
            if (peers.length === 0) {
                report(
                    `Ingress rule ${i + 1} of NetworkPolicy "${name}" admits every source to ${store.what}: list podSelector peers for its clients only.`,
                    np.urn,
                );
            }
            for (const cidr of peers.map((p) => text(p, "ipBlock", "cidr")).filter((c) => c !== undefined)) {
                report(
                    `Ingress rule ${i + 1} of NetworkPolicy "${name}" admits ipBlock ${cidr} to ${store.what}: use a podSelector for its clients.`,
                    np.urn,
                );
            }
        });
    }
}

export const dataStoreUnexposed: CatalogEntry = {
    policy: {
        name: "data-store-unexposed",
        description:
            "No Service, operator-managed service, chart service or Ingress path exposes a data store's pods outside the cluster, and no NetworkPolicy admits address ranges to operator- or chart-managed stores.",
        enforcementLevel: "mandatory",
        severity: "critical",
        validateStack: (args, report) => {
            const stores = storesOf(args.resources);
            checkServices(args.resources, stores, report);
            checkIngresses(args.resources, stores, report);
            checkManagedStorePolicies(args.resources, stores, report);
            for (const r of args.resources) {
                if (r.type === CNPG_CLUSTER) checkCnpgServices(r, report);
                if (isStoreChart(r)) checkChartServices(r, report);
            }
        },
    },
    meta: {
        requirements: ["UA-PRIVATE-DATA-NETWORK"],
        checks: ["KICS 26763a1c-5dda-4772-b507-5fca7fb5f165", "Checkov CKV_K8S_153"],
    },
};
