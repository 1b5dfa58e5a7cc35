import type { Unwrap } from "@pulumi/pulumi";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import {
    ContainerView,
    DATA_COMPONENTS,
    EnvEntry,
    field,
    isRecord,
    isStoreImage,
    ProbeView,
    type Props,
    text,
} from "./lib";

export type PodTemplate = Unwrap<k8sInput.core.v1.PodTemplateSpec>;
export type PodSpec = Unwrap<k8sInput.core.v1.PodSpec>;
export type K8sContainer = Unwrap<k8sInput.core.v1.Container>;
export type LabelSelector = Unwrap<k8sInput.meta.v1.LabelSelector>;
export type NetworkPolicySpec = Unwrap<k8sInput.networking.v1.NetworkPolicySpec>;

export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
export const JOB = "kubernetes:batch/v1:Job";
export const CRON_JOB = "kubernetes:batch/v1:CronJob";
export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const WORKLOAD_TYPES: readonly string[] = [DEPLOYMENT, STATEFUL_SET, JOB, CRON_JOB];
export const LONG_RUNNING_TYPES: readonly string[] = [DEPLOYMENT, STATEFUL_SET];

export const COMPONENT_LABEL = "app.kubernetes.io/component";
export const NAME_LABEL = "app.kubernetes.io/name";
export const TIER_LABEL = "estate.io/tier";
export const ALLOWED_CLIENTS_ANNOTATION = "estate.io/allowed-clients";

/** The pod template of a workload, wherever its kind nests it. */
export function podTemplateOf(type: string, props: Props): PodTemplate | undefined {
    // The engine sends the Kubernetes object's own shape; a template that is not an object is none.
    const template =
        type === CRON_JOB ? field(props, "spec", "jobTemplate", "spec", "template") : field(props, "spec", "template");
    return (type === CRON_JOB || WORKLOAD_TYPES.includes(type)) && isRecord(template)
        ? (template as PodTemplate)
        : undefined;
}

export function k8sContainers(spec: PodSpec | undefined): Array<{ c: K8sContainer; view: ContainerView }> {
    const toView = (c: K8sContainer, init: boolean) => ({
        c,
        view: {
            name: c.name,
            image: c.image,
            init,
            env: (c.env ?? []).map((e): EnvEntry => ({
                name: e.name,
                value: e.value,
                byReference: e.valueFrom?.secretKeyRef !== undefined,
            })),
            argv: [...(c.command ?? []), ...(c.args ?? [])],
            liveness: probeView(c.livenessProbe),
            readiness: probeView(c.readinessProbe),
            startup: probeView(c.startupProbe),
        },
    });
    return [
        ...(spec?.initContainers ?? []).map((c) => toView(c, true)),
        ...(spec?.containers ?? []).map((c) => toView(c, false)),
    ];
}

function probeView(p: Unwrap<k8sInput.core.v1.Probe> | undefined): ProbeView | undefined {
    return p ? { httpPath: p.httpGet?.path } : undefined;
}

export function namespaceOf(props: Props): string {
    return text(props, "metadata", "namespace") ?? "default";
}

/** Kubernetes label-selector semantics: matchLabels AND every matchExpression; `{}` selects all. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
    if (selector === undefined || selector === null) {
        return false;
    }
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
        if (labels[k] !== v) {
            return false;
        }
    }
    for (const e of selector.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, e.key);
        const values = e.values ?? [];
        switch (e.operator) {
            case "In":
                if (!has || !values.includes(labels[e.key])) return false;
                break;
            case "NotIn":
                if (has && values.includes(labels[e.key])) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                return false;
        }
    }
    return true;
}

export function isEmptySelector(selector: LabelSelector | undefined): boolean {
    return (
        selector !== undefined &&
        selector !== null &&
        Object.keys(selector.matchLabels ?? {}).length === 0 &&
        (selector.matchExpressions ?? []).length === 0
    );
}

/** A data store or model runtime, by its labels or, failing that, by its images. */
export function isK8sDataStore(template: PodTemplate | undefined): boolean {
    const labels = template?.metadata?.labels ?? {};
    if (DATA_COMPONENTS.includes(labels[COMPONENT_LABEL] ?? "") || labels[TIER_LABEL] === "data") {
        return true;
    }
    return (template?.spec?.containers ?? []).some((c) => isStoreImage(c.image));
}
