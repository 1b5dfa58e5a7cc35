/** Rules of the Kubernetes API server, pulumi-kubernetes and the operators the estate drives. */
import { jobAwaitsOperatorResourcesRule, jobTimeoutCoversDeadlineRule } from "./kubernetes/await";
import { customResourceAfterCrdRule } from "./kubernetes/crds";
import { autoscaledReplicasRule, singleAutoscalerRule } from "./kubernetes/autoscaling";
import {
    acmeSolverIngressRule,
    controlPlaneEgressRule,
    dnsEgressRule,
    metadataServerEgressRule,
} from "./kubernetes/egress";
import { cnpgExplicitPodMonitorRule, monitorsSelectableRule } from "./kubernetes/monitors";
import type { DeployabilityRule } from "./rule";

export const kubernetesRules: readonly DeployabilityRule[] = [
    autoscaledReplicasRule,
    singleAutoscalerRule,
    jobAwaitsOperatorResourcesRule,
    jobTimeoutCoversDeadlineRule,
    dnsEgressRule,
    metadataServerEgressRule,
    controlPlaneEgressRule(),
    acmeSolverIngressRule(),
    monitorsSelectableRule(),
    cnpgExplicitPodMonitorRule,
    customResourceAfterCrdRule,
];
