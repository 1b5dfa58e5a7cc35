/** Rules of the Kubernetes API server, pulumi-kubernetes and the operators the estate drives. */
import type { DeployabilityRule } from "./rule";

export const kubernetesRules: readonly DeployabilityRule[] = [];
