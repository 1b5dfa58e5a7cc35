/**
 * What a stack needs from its cluster before `pulumi up` can succeed, read from the plan: the API
 * kinds it declares that no chart of the same plan installs (else the API server answers "no
 * matches for kind"), and the cluster objects it names (IngressClass, ClusterIssuer, the blackbox
 * exporter's Service). `npm run preflight` asks the cluster for each with kubectl.
 */
import { unwrapSecrets, type CapturedResource } from "../lib/mock-run";

export type Prerequisite =
    | { readonly kind: "api"; readonly group: string; readonly version: string; readonly resourceKind: string }
    | { readonly kind: "object"; readonly resource: string; readonly name: string; readonly namespace?: string };

export interface Requirement {
    readonly prerequisite: Prerequisite;
    /** What provides it, for the message. */
    readonly providedBy: string;
}

/** API groups whose CRDs a chart installs: declared together, they need nothing from the cluster. */
const CRDS_OF_CHART: Readonly<Record<string, readonly string[]>> = {
    "cloudnative-pg": ["postgresql.cnpg.io"],
    "plugin-barman-cloud": ["barmancloud.cnpg.io"],
    "kube-prometheus-stack": ["monitoring.coreos.com"],
};

/** Who ships each group the program does not install; the README lists the same. */
const PROVIDER_OF_GROUP: Readonly<Record<string, string>> = {
    "external-secrets.io": "External Secrets Operator",
    "keda.sh": "KEDA",
    "monitoring.coreos.com": "the Prometheus operator (kube-prometheus-stack), or estate:prometheusStackInstall",
    "cert-manager.io": "cert-manager",
    "postgresql.cnpg.io": "CloudNativePG, or estate:postgresOperatorInstall",
    "barmancloud.cnpg.io": "the Barman Cloud plugin, or estate:postgresOperatorInstall",
};

/** Kinds charts of the plan create that need APIs the chart does not ship (the plugin's certificates). */
const APIS_OF_CHART: Readonly<Record<string, readonly Omit<Extract<Prerequisite, { kind: "api" }>, "kind">[]>> = {
    "plugin-barman-cloud": [
        { group: "cert-manager.io", version: "v1", resourceKind: "Certificate" },
        { group: "cert-manager.io", version: "v1", resourceKind: "Issuer" },
    ],
};

const TYPE = /^kubernetes:([^/:]+)\/([^:]+):(.+)$/;
/** Built-in groups: the core group is "core", the others end in k8s.io or have no dot. */
const builtIn = (group: string) => group === "core" || !group.includes(".") || group.endsWith(".k8s.io");

export function prerequisitesOf(resources: readonly CapturedResource[]): Requirement[] {
    const charts = resources
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((r) => String((unwrapSecrets(r.inputs) as { chart?: unknown }).chart));
    const installed = new Set(charts.flatMap((c) => CRDS_OF_CHART[c] ?? []));
    const found = new Map<string, Requirement>();
    const add = (prerequisite: Prerequisite, providedBy: string) => {
        const key = JSON.stringify(prerequisite);
        if (!found.has(key)) found.set(key, { prerequisite, providedBy });
    };
    for (const chart of charts)
        for (const api of APIS_OF_CHART[chart] ?? [])
            add({ kind: "api", ...api }, `${PROVIDER_OF_GROUP[api.group]} (the ${chart} chart needs it)`);
    for (const r of resources) {
        const match = TYPE.exec(r.type);
        if (!r.custom || !match || r.type.startsWith("kubernetes:helm.sh/")) continue;
        const [, group = "", version = "", resourceKind = ""] = match;
        if (!builtIn(group) && !installed.has(group))
            add(
                { kind: "api", group, version, resourceKind },
                PROVIDER_OF_GROUP[group] ?? `the operator serving ${group}`,
            );
        const inputs = unwrapSecrets(r.inputs) as {
            spec?: { ingressClassName?: unknown; prober?: { url?: unknown } };
            metadata?: { annotations?: Record<string, unknown> };
        };
        if (r.type === "kubernetes:networking.k8s.io/v1:Ingress") {
            const className = inputs.spec?.ingressClassName;
            if (typeof className === "string")
                add(
                    { kind: "object", resource: "ingressclass", name: className },
                    "the ingress controller (ingress-nginx)",
                );
            const issuer = inputs.metadata?.annotations?.["cert-manager.io/cluster-issuer"];
            if (typeof issuer === "string") {
                add(
                    { kind: "api", group: "cert-manager.io", version: "v1", resourceKind: "ClusterIssuer" },
                    "cert-manager",
                );
                add(
                    { kind: "object", resource: "clusterissuer", name: issuer },
                    "a cert-manager ClusterIssuer (ACME HTTP-01)",
                );
            }
        }
        if (r.type === "kubernetes:monitoring.coreos.com/v1:Probe") {
            const url = inputs.spec?.prober?.url;
            const service = typeof url === "string" ? /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?::\d+)?$/.exec(url) : null;
            const installsBlackbox = charts.includes("prometheus-blackbox-exporter");
            if (service && !installsBlackbox)
                add(
                    { kind: "object", resource: "service", name: service[1]!, namespace: service[2]! },
                    "the Prometheus blackbox exporter, or estate:prometheusStackInstall",
                );
        }
    }
    return [...found.values()].sort((a, b) =>
        describePrerequisite(a.prerequisite).localeCompare(describePrerequisite(b.prerequisite)),
    );
}

/** The kubectl arguments that show a prerequisite is there (exit 0), and how to read the answer. */
export function kubectlCheck(p: Prerequisite): { args: string[]; present: (stdout: string) => boolean } {
    if (p.kind === "api") {
        // Served kinds of the group version, as discovery lists them; a missing group is a 404.
        return {
            args: ["get", "--raw", `/apis/${p.group}/${p.version}`],
            present: (stdout) => {
                try {
                    const list = JSON.parse(stdout) as { resources?: { kind?: string }[] };
                    return (list.resources ?? []).some((r) => r.kind === p.resourceKind);
                } catch {
                    return false;
                }
            },
        };
    }
    return {
        args: ["get", p.resource, p.name, ...(p.namespace ? ["--namespace", p.namespace] : []), "-o", "name"],
        present: (stdout) => stdout.trim() !== "",
    };
}

export function describePrerequisite(p: Prerequisite): string {
    return p.kind === "api"
        ? `API ${p.group}/${p.version} kind ${p.resourceKind}`
        : `${p.resource} ${p.namespace ? `${p.namespace}/` : ""}${p.name}`;
}
