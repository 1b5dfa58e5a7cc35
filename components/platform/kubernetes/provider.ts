import * as pulumi from "@pulumi/pulumi";
import * as kubernetes from "@pulumi/kubernetes";

export interface KubernetesProviderArgs {
    /** kubeconfig context to deploy to. @default the kubeconfig's current context */
    readonly context?: string;
    /** kubeconfig contents (a secret). @default the ambient kubeconfig: $KUBECONFIG, else ~/.kube/config */
    readonly kubeconfig?: pulumi.Input<string>;
}

/**
 * The one Kubernetes provider of the estate. Given to the estate's root component, it reaches
 * every Kubernetes child through parent inheritance, so no object can land on whatever cluster
 * the ambient kubeconfig happens to point at while another uses the configured one.
 */
export function kubernetesProvider(
    name: string,
    args: KubernetesProviderArgs,
    opts: pulumi.CustomResourceOptions = {},
): kubernetes.Provider {
    return new kubernetes.Provider(
        name,
        {
            ...(args.context !== undefined ? { context: args.context } : {}),
            ...(args.kubeconfig !== undefined ? { kubeconfig: pulumi.secret(args.kubeconfig) } : {}),
        },
        opts,
    );
}
