/** Replica counts: who owns `spec.replicas` once an autoscaler targets a workload. */
import type { CapturedResource } from "../../lib/mock-run";
import type { DeployabilityFinding, DeployabilityRule, PlanView } from "../rule";
import { asObj, nameOf, namespaceOf } from "./objects";

const HPA_TYPES = [
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
];
const SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject";
const SCALABLE: Record<string, string> = {
    Deployment: "kubernetes:apps/v1:Deployment",
    StatefulSet: "kubernetes:apps/v1:StatefulSet",
};

interface ScaleTarget {
    autoscaler: CapturedResource;
    namespace: string;
    kind: string;
    name: string;
}

function scaleTargets(plan: PlanView): ScaleTarget[] {
    return plan.ofType(...HPA_TYPES, SCALED_OBJECT).map((autoscaler) => {
        const inputs = plan.inputs(autoscaler);
        const ref = asObj(asObj(inputs["spec"])["scaleTargetRef"]);
        // KEDA defaults the target kind to Deployment (keda apis/keda/v1alpha1 ScaleTarget).
        return {
            autoscaler,
            namespace: namespaceOf(inputs),
            kind: String(ref["kind"] ?? "Deployment"),
            name: String(ref["name"] ?? ""),
        };
    });
}

function targetOf(plan: PlanView, target: ScaleTarget): CapturedResource | undefined {
    const type = SCALABLE[target.kind];
    if (!type) return undefined;
    return plan
        .ofType(type)
        .find((r) => nameOf(plan.inputs(r)) === target.name && namespaceOf(plan.inputs(r)) === target.namespace);
}

export const autoscaledReplicasRule: DeployabilityRule = {
    id: "kubernetes-autoscaled-replicas",
    source:
        "pulumi-kubernetes issues #2491, #2569, #3312 (server-side apply conflict with kube-controller-manager, subresource scale, .spec.replicas); " +
        "Kubernetes docs https://kubernetes.io/docs/reference/using-api/server-side-apply/#transferring-ownership (leave replicas to the HPA)",
    description:
        "a workload an HPA or KEDA ScaledObject scales that still sends spec.replicas conflicts with the autoscaler on every update made while scaled",
    check(plan) {
        const findings: DeployabilityFinding[] = [];
        for (const target of scaleTargets(plan)) {
            const workload = targetOf(plan, target);
            if (!workload) continue;
            const replicas = asObj(plan.inputs(workload)["spec"])["replicas"];
            if (replicas === undefined) continue;
            findings.push({
                rule: this.id,
                urn: workload.urn,
                property: "spec.replicas",
                value: replicas,
                fix: `Leave spec.replicas out: ${target.autoscaler.type.split(":").pop()} ${nameOf(plan.inputs(target.autoscaler))} owns the count (set its minimum there).`,
            });
        }
        return findings;
    },
};

export const singleAutoscalerRule: DeployabilityRule = {
    id: "kubernetes-single-autoscaler",
    source:
        "KEDA docs https://keda.sh/docs/latest/concepts/scaling-deployments/ (KEDA creates and owns the HPA of a ScaledObject's target) and " +
        "Kubernetes docs https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/ (two HPAs on one target fight over its replicas); " +
        "an autoscaler whose target does not exist never scales anything",
    description: "each scaled workload has exactly one autoscaler, and every autoscaler's target exists in the plan",
    check(plan) {
        const findings: DeployabilityFinding[] = [];
        const byTarget = new Map<string, ScaleTarget[]>();
        for (const target of scaleTargets(plan)) {
            const workload = targetOf(plan, target);
            if (!workload) {
                findings.push({
                    rule: this.id,
                    urn: target.autoscaler.urn,
                    property: "spec.scaleTargetRef",
                    value: { kind: target.kind, name: target.name },
                    fix: `Point scaleTargetRef at a ${Object.keys(SCALABLE).join(" or ")} the plan declares in namespace ${target.namespace}.`,
                });
                continue;
            }
            byTarget.set(workload.urn, [...(byTarget.get(workload.urn) ?? []), target]);
        }
        for (const [urn, targets] of byTarget) {
            if (targets.length < 2) continue;
            findings.push({
                rule: this.id,
                urn,
                property: "autoscalers",
                value: targets.map((t) => t.autoscaler.name),
                fix: "Keep one autoscaler per workload: drop the HPA where a KEDA ScaledObject scales it.",
            });
        }
        return findings;
    },
};
