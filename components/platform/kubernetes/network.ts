/**
 * NetworkPolicy building blocks every workload behind the namespace's default-deny policy uses:
 * one definition each, so a cluster-specific address (NodeLocal DNSCache, the metadata server, a
 * private control plane) is fixed in one place for every pod.
 */
import type * as k8stypes from "@pulumi/kubernetes/types/input";

type EgressRule = k8stypes.networking.v1.NetworkPolicyEgressRule;

/** Link-local address the NodeLocal DNSCache DaemonSet listens on (Kubernetes `nodelocaldns` addon default). */
export const NODE_LOCAL_DNS_IP = "169.254.20.10";
/** The GKE metadata server: Workload Identity tokens, and the resolver behind Cloud DNS for GKE. */
export const METADATA_SERVER_IP = "169.254.169.254";
/** Namespace of the ingress controller, the only source of public traffic. */
export const DEFAULT_INGRESS_NAMESPACE = "ingress-nginx";

/** Private ranges (RFC 1918) that "public" egress leaves out, so pods cannot wander into the VPC. */
export const PRIVATE_RANGES: readonly string[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/** Label (`pkg/apis/acme/v1/types.go` SolverIdentificationLabelKey) and port (`pkg/issuer/acme/http/http.go` acmeSolverListenPort) of cert-manager's HTTP-01 solver pods. */
export const ACME_SOLVER_LABEL = "acme.cert-manager.io/http01-solver";
export const ACME_SOLVER_PORT = 8089;

const dnsPorts = [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
];

/**
 * DNS lookups, whichever resolver the cluster runs: kube-dns pods, NodeLocal DNSCache (on by default on
 * Autopilot; the hostNetwork cache answers on 169.254.20.10) and Cloud DNS for GKE (the node's metadata
 * server answers on 169.254.169.254). Admitting only `k8s-app: kube-dns` breaks every lookup on the latter two.
 */
export const dnsEgress: EgressRule = {
    to: [
        { namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } },
        { namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "node-local-dns" } } },
        { ipBlock: { cidr: `${NODE_LOCAL_DNS_IP}/32` } },
        { ipBlock: { cidr: `${METADATA_SERVER_IP}/32` } },
    ],
    ports: dnsPorts,
};

/** The GKE metadata server, which hands Workload Identity tokens to pods (HTTP on 80, the GKE metadata proxy on 988). */
export const metadataServerEgress: EgressRule = {
    to: [{ ipBlock: { cidr: `${METADATA_SERVER_IP}/32` } }],
    ports: [
        { protocol: "TCP", port: 80 },
        { protocol: "TCP", port: 988 },
    ],
};

/** HTTPS to addresses outside the cluster's private ranges (object storage, model registry, a public API server). */
export function publicHttpsEgress(ports: readonly number[] = [443]): EgressRule {
    return {
        to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...PRIVATE_RANGES] } }],
        ports: ports.map((port) => ({ protocol: "TCP", port })),
    };
}

/**
 * The Kubernetes API server for pods that talk to it (operator-managed instances). A private cluster's
 * control plane sits on a private range `publicHttpsEgress` leaves out, so its CIDR must be admitted
 * explicitly; without one the API server is assumed public.
 */
export function controlPlaneEgress(controlPlaneCidr: string | undefined): EgressRule {
    const ports = [443, 6443];
    if (controlPlaneCidr === undefined) return publicHttpsEgress(ports);
    return {
        to: [{ ipBlock: { cidr: controlPlaneCidr } }],
        ports: ports.map((port) => ({ protocol: "TCP", port })),
    };
}

/** Peer admitting the pods of one namespace, by the label Kubernetes sets on every namespace. */
export function namespacePeer(namespace: string): k8stypes.networking.v1.NetworkPolicyPeer {
    return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } };
}
