// Kubernetes workloads and NetworkPolicies of a stack, reduced to what the network policies read.
import { PolicyResource } from "@pulumi/policy";
import { namespaceOf, NETWORK_POLICY, NetworkPolicySpec, podTemplateOf } from "./k8s";

export interface K8sWorkload {
    readonly r: PolicyResource;
    readonly namespace: string;
    readonly labels: Record<string, string>;
    readonly kind: string;
}

export interface K8sNetpol {
    readonly r: PolicyResource;
    readonly namespace: string;
    readonly name: string;
    readonly spec: NetworkPolicySpec;
    readonly annotations: Record<string, string>;
}

export function k8sWorkloads(resources: PolicyResource[], types: readonly string[]): K8sWorkload[] {
    return resources
        .filter((r) => types.includes(r.type))
        .map((r) => ({
            r,
            namespace: namespaceOf(r.props),
            labels: podTemplateOf(r.type, r.props)?.metadata?.labels ?? {},
            kind: r.type.split(":").pop() ?? r.type,
        }));
}

export function netpols(resources: PolicyResource[]): K8sNetpol[] {
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

export function coversIngress(np: K8sNetpol): boolean {
    const types = np.spec.policyTypes;
    return types === undefined || types.length === 0 || types.includes("Ingress");
}
