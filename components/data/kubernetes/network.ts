import * as pulumi from "@pulumi/pulumi";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import type * as k8stypes from "@pulumi/kubernetes/types/input";

/** Annotation the policy pack reads to know which workloads a store admits. */
export const ALLOWED_CLIENTS_ANNOTATION = "estate.io/allowed-clients";
const NAME_LABEL = "app.kubernetes.io/name";

export interface StoreNetworkPolicyArgs {
    readonly namespace: pulumi.Input<string>;
    /** Labels of the policy object itself. */
    readonly labels: Record<string, string>;
    /** Pods of the store. */
    readonly podSelector: Record<string, string>;
    /** Services (by `app.kubernetes.io/name`) that connect. */
    readonly clients: readonly string[];
    /** Job workloads (by `app.kubernetes.io/name`, tier `job`) that connect. */
    readonly jobClients: readonly string[];
    /** Ports the clients use. */
    readonly ports: readonly k8stypes.networking.v1.NetworkPolicyPort[];
    /** Further ingress the store itself needs (replication, operator, scraping). @default none */
    readonly extraIngress?: readonly k8stypes.networking.v1.NetworkPolicyIngressRule[];
    /** Egress the store needs; everything else is denied. @default none */
    readonly egress?: readonly k8stypes.networking.v1.NetworkPolicyEgressRule[];
}

/** Peers admitting exactly the named services and job pods; an empty list admits nobody. */
export function clientPeers(
    clients: readonly string[],
    jobClients: readonly string[],
): k8stypes.networking.v1.NetworkPolicyPeer[] {
    return [
        ...clients.map((client) => ({ podSelector: { matchLabels: { [NAME_LABEL]: client } } })),
        ...jobClients.map((job) => ({ podSelector: { matchLabels: { [NAME_LABEL]: job, "estate.io/tier": "job" } } })),
    ];
}

/** The store's NetworkPolicy: its clients on its ports, plus what the store itself needs, nothing else. */
export function storeNetworkPolicy(
    name: string,
    args: StoreNetworkPolicyArgs,
    opts: pulumi.CustomResourceOptions,
): networkingv1.NetworkPolicy {
    const peers = clientPeers(args.clients, args.jobClients);
    return new networkingv1.NetworkPolicy(
        name,
        {
            metadata: {
                name,
                namespace: args.namespace,
                labels: args.labels,
                annotations: { [ALLOWED_CLIENTS_ANNOTATION]: [...args.clients, ...args.jobClients].join(",") },
            },
            spec: {
                podSelector: { matchLabels: args.podSelector },
                policyTypes: ["Ingress", "Egress"],
                // A rule without peers would admit every source, so no clients means no client rule.
                ingress: [
                    ...(peers.length > 0 ? [{ from: peers, ports: [...args.ports] }] : []),
                    ...(args.extraIngress ?? []),
                ],
                egress: [...(args.egress ?? [])],
            },
        },
        opts,
    );
}

/**
 * The break-glass public endpoint of a store: a LoadBalancer Service carrying the store's
 * labels, so the policy pack sees it and refuses it.
 */
export function publicStoreService(
    name: string,
    args: {
        namespace: pulumi.Input<string>;
        labels: Record<string, string>;
        selector: Record<string, string>;
        port: number;
    },
    opts: pulumi.CustomResourceOptions,
): corev1.Service {
    return new corev1.Service(
        name,
        {
            metadata: { name, namespace: args.namespace, labels: args.labels },
            spec: {
                type: "LoadBalancer",
                selector: args.selector,
                ports: [{ name: "store", port: args.port, targetPort: args.port }],
            },
        },
        opts,
    );
}
