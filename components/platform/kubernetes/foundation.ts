import * as pulumi from "@pulumi/pulumi";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";

export interface KubernetesFoundationArgs {
    readonly namespace: string;
    /** Keep the namespace through accidental deletes: deleting it deletes everything in it. @default false */
    readonly protect?: boolean;
}

/** The namespace with Pod Security Standards "restricted" enforced and a default-deny network. */
export class KubernetesFoundation extends pulumi.ComponentResource {
    readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: KubernetesFoundationArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:platform:KubernetesFoundation", name, {}, opts);
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
        this.namespace = namespace.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}
