import * as pulumi from "@pulumi/pulumi";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import { DEFAULT_MONITORING_NAMESPACE } from "./cluster-services";
import { ACME_SOLVER_LABEL, ACME_SOLVER_PORT, DEFAULT_INGRESS_NAMESPACE, namespacePeer } from "./network";

export interface KubernetesFoundationArgs {
    readonly namespace: string;
    /** Keep the namespace through accidental deletes: deleting it deletes everything in it. @default false */
    readonly protect?: boolean;
    /**
     * Admit the ingress controller to cert-manager's HTTP-01 solver pods, which cert-manager starts in this
     * namespace for each Ingress certificate; under default-deny nothing else lets the ACME challenge through.
     * @default true
     */
    readonly acmeHttp01Solvers?: boolean;
    /** Namespace of the ingress controller that forwards the ACME challenge. @default "ingress-nginx" */
    readonly ingressNamespace?: string;
    /** Namespace of the cluster's monitoring stack, which scrapes and receives pushes from the estate. @default "monitoring" */
    readonly monitoringNamespace?: string;
}

/** The namespace with Pod Security Standards "restricted" enforced and a default-deny network. */
export class KubernetesFoundation extends pulumi.ComponentResource {
    readonly namespace: pulumi.Output<string>;
    /** Namespace of the ingress controller: every NetworkPolicy admitting public traffic names it. */
    readonly ingressNamespace: string;
    /** Namespace of the monitoring stack: every NetworkPolicy admitting scrapes or allowing pushes names it. */
    readonly monitoringNamespace: string;

    constructor(name: string, args: KubernetesFoundationArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:platform:KubernetesFoundation", name, {}, opts);
        this.ingressNamespace = args.ingressNamespace ?? DEFAULT_INGRESS_NAMESPACE;
        this.monitoringNamespace = args.monitoringNamespace ?? DEFAULT_MONITORING_NAMESPACE;
        const namespace = new corev1.Namespace(
            `${name}-namespace`,
            {
                metadata: {
                    name: args.namespace,
                    labels: {
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/audit": "restricted",
                        "pod-security.kubernetes.io/warn": "restricted",
                        "app.kubernetes.io/part-of": "estate",
                    },
                },
            },
            { parent: this, protect: args.protect ?? false },
        );
        new networkingv1.NetworkPolicy(
            `${name}-default-deny`,
            {
                metadata: { name: "default-deny", namespace: namespace.metadata.name },
                spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
            },
            { parent: this },
        );
        if (args.acmeHttp01Solvers ?? true) {
            new networkingv1.NetworkPolicy(
                `${name}-acme-http01-solver`,
                {
                    metadata: { name: "acme-http01-solver", namespace: namespace.metadata.name },
                    spec: {
                        podSelector: { matchLabels: { [ACME_SOLVER_LABEL]: "true" } },
                        policyTypes: ["Ingress"],
                        ingress: [
                            {
                                from: [namespacePeer(this.ingressNamespace)],
                                ports: [{ protocol: "TCP", port: ACME_SOLVER_PORT }],
                            },
                        ],
                    },
                },
                { parent: this },
            );
        }
        this.namespace = namespace.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}
