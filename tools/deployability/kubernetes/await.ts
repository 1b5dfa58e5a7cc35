/** What pulumi-kubernetes waits for, and how long, before it calls a resource created. */
import type { CapturedResource } from "../../lib/mock-run";
import type { DeployabilityFinding, DeployabilityRule, PlanView } from "../rule";
import {
    admits,
    annotationsOf,
    asObj,
    CNPG_CLUSTER,
    cnpgInstancePod,
    nameOf,
    plannedPods,
    podEndpoint,
    type PlannedPod,
} from "./objects";

const JOB = "kubernetes:batch/v1:Job";

/**
 * Operator-managed kinds that start workloads after the API server accepted them, with the condition
 * that says they serve. Without `pulumi.com/waitFor` the provider calls any custom resource ready at once
 * (pulumi-kubernetes provider/pkg/metadata/overrides.go ReadyCondition: "Otherwise we no-op").
 */
export const READY_CONDITIONS: Readonly<Record<string, string>> = {
    [CNPG_CLUSTER]: "Ready", // cloudnative-pg api/v1/cluster_types.go ConditionClusterReady
    "kubernetes:external-secrets.io/v1:ExternalSecret": "Ready", // external-secrets apis/externalsecrets/v1/externalsecret_types.go ExternalSecretReady
    "kubernetes:cert-manager.io/v1:Certificate": "Ready", // cert-manager pkg/apis/certmanager/v1 CertificateConditionReady
    "kubernetes:keda.sh/v1alpha1:ScaledObject": "Ready", // keda apis/keda/v1alpha1/condition_types.go ConditionReady
};

/** The `pulumi.com/waitFor` expressions: a JSON array of strings, or one string (overrides.go ReadyCondition). */
export function waitForExpressions(annotations: Record<string, string>): string[] {
    const value = annotations["pulumi.com/waitFor"];
    if (value === undefined || value === "") return [];
    try {
        const parsed: unknown = JSON.parse(value);
        if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
        // Not JSON: a single expression.
    }
    return [value];
}

/** Whether the expressions wait for the condition to be True (`condition=Ready` or `condition=Ready=True`). */
function awaitsCondition(expressions: readonly string[], condition: string): boolean {
    return expressions.some((e) => e === `condition=${condition}` || e === `condition=${condition}=True`);
}

/** Everything the resource waits for, directly or through what it waits for. */
export function waitsForTransitively(plan: PlanView, resource: CapturedResource): Set<string> {
    const seen = new Set<string>();
    const queue = [...plan.waitsFor(resource)];
    while (queue.length > 0) {
        const urn = queue.pop()!;
        if (seen.has(urn)) continue;
        seen.add(urn);
        const next = plan.get(urn);
        if (next) queue.push(...plan.waitsFor(next));
    }
    return seen;
}

export const jobAwaitsOperatorResourcesRule: DeployabilityRule = {
    id: "kubernetes-job-awaits-custom-resources",
    source:
        "pulumi-kubernetes provider/pkg/metadata/overrides.go ReadyCondition (custom resources are ready at once unless annotated pulumi.com/waitFor, 4.18+), " +
        "provider/pkg/await/job.go (a Job that fails its backoffLimit fails the update)",
    description:
        "a Job ordered after, or talking to, an operator-managed resource that is not awaited runs while the operator is still starting it and fails",
    check(plan) {
        const findings: DeployabilityFinding[] = [];
        const operated = plan.ofType(...Object.keys(READY_CONDITIONS));
        for (const job of plan.ofType(JOB)) {
            const waits = waitsForTransitively(plan, job);
            const pod = plannedPods(plan).find((p) => p.owner.urn === job.urn);
            for (const target of operated) {
                const condition = READY_CONDITIONS[target.type]!;
                const talksTo = target.type === CNPG_CLUSTER && pod !== undefined && connectsTo(plan, pod, target);
                if (!waits.has(target.urn) && !talksTo) continue;
                if (!waits.has(target.urn)) {
                    findings.push({
                        rule: this.id,
                        urn: job.urn,
                        property: "dependsOn",
                        value: nameOf(plan.inputs(target)),
                        fix: `The Job connects to ${target.type.split(":").pop()} ${nameOf(plan.inputs(target))}: add it (or its component) to the Job's dependsOn.`,
                    });
                    continue;
                }
                const expressions = waitForExpressions(annotationsOf(plan.inputs(target)));
                if (!awaitsCondition(expressions, condition)) {
                    findings.push({
                        rule: this.id,
                        urn: target.urn,
                        property: 'metadata.annotations["pulumi.com/waitFor"]',
                        value: expressions,
                        fix: `Job ${job.name} waits for it: annotate pulumi.com/waitFor: "condition=${condition}" so the provider waits until it serves.`,
                    });
                }
            }
        }
        return findings;
    },
};

/**
 * Whether the Job's egress admits the cluster's instance pods because it names them, not because it
 * admits everything (a Job allowed anywhere talks to nobody in particular).
 */
function connectsTo(plan: PlanView, pod: PlannedPod, cluster: CapturedResource): boolean {
    const instances = cnpgInstancePod(plan, cluster);
    const unrelated = podEndpoint(plan, instances.namespace, { "estate.io/unrelated": "true" });
    return (
        admits(plan, pod, "Egress", podEndpoint(plan, instances.namespace, instances.labels), "any") &&
        !admits(plan, pod, "Egress", unrelated, "any")
    );
}

/** pulumi-kubernetes provider/pkg/await/job.go DefaultJobTimeoutMins. */
export const DEFAULT_JOB_TIMEOUT_SECONDS = 10 * 60;

export const jobTimeoutCoversDeadlineRule: DeployabilityRule = {
    id: "kubernetes-job-timeout-covers-deadline",
    source:
        "pulumi-kubernetes provider/pkg/await/job.go (DefaultJobTimeoutMins = 10) with awaiters.go getTimeout and " +
        "provider/pkg/metadata/overrides.go TimeoutDuration (customTimeouts, else the pulumi.com/timeoutSeconds annotation)",
    description:
        "a Job allowed to run longer than the provider waits for it fails `pulumi up` while it is still working",
    check(plan) {
        const findings: DeployabilityFinding[] = [];
        for (const job of plan.ofType(JOB)) {
            const inputs = plan.inputs(job);
            const annotations = annotationsOf(inputs);
            if (annotations["pulumi.com/skipAwait"] === "true") continue;
            const deadline = asObj(inputs["spec"])["activeDeadlineSeconds"];
            if (typeof deadline !== "number") continue;
            const annotated = Number(annotations["pulumi.com/timeoutSeconds"]);
            for (const operation of ["create", "update"] as const) {
                // customTimeouts arrive in seconds, parsed by the engine (tools/lib/pulumi-engine-options.ts).
                const custom = job.options.customTimeouts?.[operation];
                const seconds = custom ?? (annotated > 0 ? annotated : DEFAULT_JOB_TIMEOUT_SECONDS);
                if (seconds < deadline) {
                    findings.push({
                        rule: this.id,
                        urn: job.urn,
                        property: `customTimeouts.${operation}`,
                        value: custom !== undefined ? `${custom}s` : `${seconds}s (default)`,
                        fix: `Set customTimeouts.${operation} to at least spec.activeDeadlineSeconds (${deadline}s), e.g. "${deadline + 120}s".`,
                    });
                }
            }
        }
        return findings;
    },
};
