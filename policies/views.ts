import { ResourceValidation, ResourceValidationArgs, ReportViolation } from "@pulumi/policy";
import { acaContainers, COMPONENT_TAG, CONTAINER_APP, CONTAINER_APP_JOB, isAcaDataStore, NAME_TAG } from "./azure";
import {
    COMPONENT_LABEL,
    isK8sDataStore,
    k8sContainers,
    LONG_RUNNING_TYPES,
    NAME_LABEL,
    podTemplateOf,
    PodSpec,
    WORKLOAD_TYPES,
} from "./k8s";
import { ContainerView, type Props, text } from "./lib";

/** One workload of either platform, reduced to what container-level policies read. */
export interface WorkloadView {
    readonly platform: "kubernetes" | "azure";
    /** Serves traffic until replaced (Deployment, StatefulSet, Container App), unlike a job. */
    readonly longRunning: boolean;
    readonly dataStore: boolean;
    /** `app.kubernetes.io/component` label or `estate-component` tag. */
    readonly component?: string;
    /** `app.kubernetes.io/name` label, or the `estate-name` tag (else the app name) on Azure. */
    readonly appName?: string;
    readonly containers: readonly ContainerView[];
    /** Kubernetes pod spec, when the workload is a Kubernetes one. */
    readonly podSpec?: PodSpec;
}

export type WorkloadCheck = (w: WorkloadView, args: ResourceValidationArgs, report: ReportViolation) => void;

function k8sView(type: string, props: Props, longRunning: boolean): WorkloadView {
    const template = podTemplateOf(type, props);
    return {
        platform: "kubernetes",
        longRunning,
        dataStore: isK8sDataStore(template),
        component: template?.metadata?.labels?.[COMPONENT_LABEL],
        appName: template?.metadata?.labels?.[NAME_LABEL],
        containers: k8sContainers(template?.spec).map((x) => x.view),
        podSpec: template?.spec,
    };
}

function acaView(name: string, props: Props, longRunning: boolean): WorkloadView {
    return {
        platform: "azure",
        longRunning,
        dataStore: isAcaDataStore(props),
        component: text(props, "tags", COMPONENT_TAG),
        appName: text(props, "tags", NAME_TAG) ?? text(props, "containerAppName") ?? text(props, "jobName") ?? name,
        containers: acaContainers(props).map((x) => x.view),
    };
}

/**
 * One validation for every workload kind, feeding the same platform-neutral check. One per kind
 * (`validateResourceOfType` each) would cost six property decodings and six not-applicable
 * errors for every resource of the plan: the analyzer decodes the properties and catches the
 * error once per validation (pulumi/pulumi-policy sdk/nodejs/policy/server.ts `makeAnalyzeRpcFun`).
 */
export function onWorkloads(check: WorkloadCheck): ResourceValidation[] {
    return [
        (args, report) => {
            const workload = workloadViewOf(args);
            if (!workload) return args.notApplicable("Policy only applies to workloads");
            return check(workload, args, report);
        },
    ];
}

/** The same view of a stack resource, for stack policies; undefined when it is no workload. */
export function workloadViewOf(r: { type: string; name: string; props: Props }): WorkloadView | undefined {
    if (WORKLOAD_TYPES.includes(r.type)) return k8sView(r.type, r.props, LONG_RUNNING_TYPES.includes(r.type));
    if (r.type === CONTAINER_APP) return acaView(r.name, r.props, true);
    if (r.type === CONTAINER_APP_JOB) return acaView(r.name, r.props, false);
    return undefined;
}

/** Application containers: data stores and model runtimes do not read the app's variables. */
export function appContainers(w: WorkloadView): readonly ContainerView[] {
    return w.dataStore ? [] : w.containers;
}

/** `container "api"` or `init container "migrate"`, for messages. */
export function containerLabel(c: ContainerView): string {
    return `${c.init ? "init container" : "container"} "${c.name}"`;
}

/** The same, at the start of a sentence. */
export function ContainerLabel(c: ContainerView): string {
    const l = containerLabel(c);
    return l[0].toUpperCase() + l.slice(1);
}
