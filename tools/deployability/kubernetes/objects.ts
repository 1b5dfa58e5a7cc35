/**
 * The plan's Kubernetes objects as the API server would see them: pods each workload starts, label
 * selectors, and which traffic the NetworkPolicies selecting a pod admit (the semantics of
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/: a pod selected by any
 * policy of a direction is isolated in it and admits the union of those policies' rules).
 */
import type { CapturedResource } from "../../lib/mock-run";
import type { PlanView } from "../rule";

export type Labels = Readonly<Record<string, string>>;
type Obj = Record<string, unknown>;

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** A pod template some workload in the plan starts. */
export interface PlannedPod {
    /** The resource that starts the pods (Deployment, Job, CronJob, CloudNativePG Cluster, ...). */
    readonly owner: CapturedResource;
    readonly namespace: string;
    readonly labels: Labels;
    /** Whether the pods run as a service account mapped to a GCP service account (GKE Workload Identity). */
    readonly workloadIdentity: boolean;
}

export const KUBERNETES_PREFIX = "kubernetes:";
export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const CNPG_CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";
const WORKLOAD_IDENTITY_ANNOTATION = "iam.gke.io/gcp-service-account";

export const asObj = (value: unknown): Obj => (value && typeof value === "object" ? (value as Obj) : {});
export const metadataOf = (inputs: Obj) => asObj(inputs["metadata"]);
export const nameOf = (inputs: Obj) => String(metadataOf(inputs)["name"] ?? "");
export const namespaceOf = (inputs: Obj) => String(metadataOf(inputs)["namespace"] ?? "default");
export const annotationsOf = (inputs: Obj) => asObj(metadataOf(inputs)["annotations"]) as Record<string, string>;

/** `matchLabels` and `matchExpressions` as the API server evaluates them; an empty selector matches everything. */
export function selects(selector: LabelSelector | undefined, labels: Labels): boolean {
    if (!selector) return true;
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
    for (const e of selector.matchExpressions ?? []) {
        const has = e.key in labels;
        const inValues = has && (e.values ?? []).includes(labels[e.key]!);
        const ok =
            e.operator === "In"
                ? inValues
                : e.operator === "NotIn"
                  ? !inValues
                  : e.operator === "Exists"
                    ? has
                    : e.operator === "DoesNotExist"
                      ? !has
                      : false;
        if (!ok) return false;
    }
    return true;
}

function serviceAccountIsMapped(plan: PlanView, namespace: string, name: unknown): boolean {
    return plan
        .ofType("kubernetes:core/v1:ServiceAccount")
        .map((sa) => plan.inputs(sa))
        .some(
            (sa) =>
                nameOf(sa) === String(name ?? "default") &&
                namespaceOf(sa) === namespace &&
                WORKLOAD_IDENTITY_ANNOTATION in annotationsOf(sa),
        );
}

/** Pod templates of every workload the plan declares directly; pods a Helm chart renders are not visible here. */
export function plannedPods(plan: PlanView): PlannedPod[] {
    const pods: PlannedPod[] = [];
    const fromTemplate = (owner: CapturedResource, inputs: Obj, template: unknown) => {
        const t = asObj(template);
        const namespace = namespaceOf(inputs);
        pods.push({
            owner,
            namespace,
            labels: asObj(asObj(t["metadata"])["labels"]) as Labels,
            workloadIdentity: serviceAccountIsMapped(plan, namespace, asObj(t["spec"])["serviceAccountName"]),
        });
    };
    for (const r of plan.ofType(
        "kubernetes:apps/v1:Deployment",
        "kubernetes:apps/v1:StatefulSet",
        "kubernetes:apps/v1:DaemonSet",
        "kubernetes:batch/v1:Job",
    )) {
        const inputs = plan.inputs(r);
        fromTemplate(r, inputs, asObj(inputs["spec"])["template"]);
    }
    for (const r of plan.ofType("kubernetes:batch/v1:CronJob")) {
        const inputs = plan.inputs(r);
        fromTemplate(r, inputs, asObj(asObj(asObj(inputs["spec"])["jobTemplate"])["spec"])["template"]);
    }
    for (const r of plan.ofType(CNPG_CLUSTER)) pods.push(cnpgInstancePod(plan, r));
    return pods;
}

/**
 * CloudNativePG instance pods: the operator labels them `cnpg.io/cluster` and `cnpg.io/podRole: instance`
 * and adds `inheritedMetadata` (cloudnative-pg `pkg/specs/pods.go`), and runs them as a service account
 * named after the cluster carrying `serviceAccountTemplate`'s annotations.
 */
export function cnpgInstancePod(plan: PlanView, cluster: CapturedResource): PlannedPod {
    const inputs = plan.inputs(cluster);
    const spec = asObj(inputs["spec"]);
    const inherited = asObj(asObj(spec["inheritedMetadata"])["labels"]) as Labels;
    const saAnnotations = asObj(asObj(asObj(spec["serviceAccountTemplate"])["metadata"])["annotations"]);
    return {
        owner: cluster,
        namespace: namespaceOf(inputs),
        labels: { ...inherited, "cnpg.io/cluster": nameOf(inputs), "cnpg.io/podRole": "instance" },
        workloadIdentity: WORKLOAD_IDENTITY_ANNOTATION in saAnnotations,
    };
}

interface PolicyPort {
    protocol?: string;
    port?: number | string;
    endPort?: number;
}
interface Peer {
    podSelector?: LabelSelector;
    namespaceSelector?: LabelSelector;
    ipBlock?: { cidr: string; except?: string[] };
}
interface PolicyRule {
    ports?: PolicyPort[];
    to?: Peer[];
    from?: Peer[];
}

/** A destination or source: a pod (by namespace and labels) or an address range. */
export type Endpoint =
    { kind: "pod"; namespace: string; namespaceLabels: Labels; labels: Labels } | { kind: "cidr"; cidr: string };

export type Direction = "Ingress" | "Egress";

/** The NetworkPolicies in the plan that select the pod for a direction. */
export function policiesIsolating(plan: PlanView, pod: { namespace: string; labels: Labels }, direction: Direction) {
    return plan
        .ofType(NETWORK_POLICY)
        .map((r) => ({ resource: r, inputs: plan.inputs(r) }))
        .filter(({ inputs }) => namespaceOf(inputs) === pod.namespace)
        .filter(({ inputs }) => {
            const spec = asObj(inputs["spec"]);
            const types = (spec["policyTypes"] as string[] | undefined) ?? [
                "Ingress",
                ...(spec["egress"] ? ["Egress"] : []),
            ];
            return types.includes(direction) && selects(spec["podSelector"] as LabelSelector, pod.labels);
        });
}

/** Whether the pod is isolated for the direction, i.e. only what some rule admits gets through. */
export function isIsolated(plan: PlanView, pod: { namespace: string; labels: Labels }, direction: Direction): boolean {
    return policiesIsolating(plan, pod, direction).length > 0;
}

/** Whether traffic of the pod to (Egress) or from (Ingress) the endpoint on the port is admitted. */
export function admits(
    plan: PlanView,
    pod: { namespace: string; labels: Labels },
    direction: Direction,
    endpoint: Endpoint,
    port: { protocol: "TCP" | "UDP"; port: number } | "any",
): boolean {
    const policies = policiesIsolating(plan, pod, direction);
    if (policies.length === 0) return true;
    const key = direction === "Egress" ? "egress" : "ingress";
    return policies.some(({ inputs }) =>
        ((asObj(inputs["spec"])[key] as PolicyRule[] | undefined) ?? []).some(
            (rule) =>
                portMatches(rule.ports, port) &&
                peersMatch(direction === "Egress" ? rule.to : rule.from, endpoint, namespaceOf(inputs)),
        ),
    );
}

function portMatches(ports: PolicyPort[] | undefined, wanted: { protocol: string; port: number } | "any"): boolean {
    if (!ports || ports.length === 0 || wanted === "any") return true;
    return ports.some((p) => {
        if ((p.protocol ?? "TCP") !== wanted.protocol) return false;
        if (p.port === undefined) return true;
        // A named port resolves against the destination's container ports, which addresses do not have.
        if (typeof p.port === "string") return false;
        return wanted.port >= p.port && wanted.port <= (p.endPort ?? p.port);
    });
}

function peersMatch(peers: Peer[] | undefined, endpoint: Endpoint, policyNamespace: string): boolean {
    if (!peers || peers.length === 0) return true;
    return peers.some((peer) => {
        if (peer.ipBlock) {
            if (endpoint.kind !== "cidr") return false;
            return (
                cidrContains(peer.ipBlock.cidr, endpoint.cidr) &&
                !(peer.ipBlock.except ?? []).some((e) => cidrOverlaps(e, endpoint.cidr))
            );
        }
        if (endpoint.kind !== "pod") return false;
        const namespaceOk = peer.namespaceSelector
            ? selects(peer.namespaceSelector, endpoint.namespaceLabels)
            : endpoint.namespace === policyNamespace;
        return namespaceOk && selects(peer.podSelector, endpoint.labels);
    });
}

/** Labels a namespace carries: the one Kubernetes sets, plus those of a Namespace the plan declares. */
export function namespaceLabels(plan: PlanView, namespace: string): Labels {
    const declared = plan
        .ofType("kubernetes:core/v1:Namespace")
        .map((r) => plan.inputs(r))
        .find((ns) => nameOf(ns) === namespace);
    return {
        ...(asObj(metadataOf(declared ?? {})["labels"]) as Labels),
        "kubernetes.io/metadata.name": namespace,
    };
}

export function podEndpoint(plan: PlanView, namespace: string, labels: Labels): Endpoint {
    return { kind: "pod", namespace, namespaceLabels: namespaceLabels(plan, namespace), labels };
}

function parseCidr(cidr: string): { base: number; bits: number } {
    const [address, bits] = cidr.includes("/") ? cidr.split("/") : [cidr, "32"];
    const octets = address!.split(".").map(Number);
    const value = octets.reduce((acc, o) => acc * 256 + o, 0);
    const prefix = Number(bits);
    const size = 2 ** (32 - prefix);
    return { base: value - (value % size), bits: prefix };
}

/** Whether `outer` contains every address of `inner`. */
export function cidrContains(outer: string, inner: string): boolean {
    const o = parseCidr(outer);
    const i = parseCidr(inner);
    return i.bits >= o.bits && Math.floor(i.base / 2 ** (32 - o.bits)) === Math.floor(o.base / 2 ** (32 - o.bits));
}

function cidrOverlaps(a: string, b: string): boolean {
    return cidrContains(a, b) || cidrContains(b, a);
}

/** A short label for a pod in findings: its owner's name. */
export function podName(pod: PlannedPod): string {
    return pod.owner.name;
}
