// Plan inputs typed by the providers' own input types. The mock records inputs plain (no outputs,
// no promises), which is exactly what `Unwrap` turns the `...Args` types into; custom resources have
// no provider type, so they get the little the tests read.
import type * as k8s from "@pulumi/kubernetes";
import type { Unwrap } from "@pulumi/pulumi";

export type DeploymentInputs = Unwrap<k8s.apps.v1.DeploymentArgs>;
export type JobInputs = Unwrap<k8s.batch.v1.JobArgs>;
export type HorizontalPodAutoscalerInputs = Unwrap<k8s.autoscaling.v2.HorizontalPodAutoscalerArgs>;
export type NetworkPolicyInputs = Unwrap<k8s.networking.v1.NetworkPolicyArgs>;
export type HelmReleaseInputs = Unwrap<k8s.helm.v3.ReleaseArgs>;
export type ContainerInputs = Unwrap<k8s.types.input.core.v1.Container>;

/** A pod template whose labels and spec are always there, as every workload the program declares has them. */
export interface PodTemplateInputs {
    metadata: { labels: Record<string, string> };
    spec: Unwrap<k8s.types.input.core.v1.PodSpec>;
}

/** A custom resource (CloudNativePG Cluster, PodMonitor, KEDA ScaledObject): metadata typed, spec free-form. */
export interface CustomResourceInputs {
    metadata: Unwrap<k8s.types.input.meta.v1.ObjectMeta>;
    spec: Record<string, unknown>;
}

/** A KEDA ScaledObject, as far as autoscaling checks read it. */
export interface ScaledObjectInputs extends CustomResourceInputs {
    spec: { scaleTargetRef: { name: string; kind?: string } };
}
