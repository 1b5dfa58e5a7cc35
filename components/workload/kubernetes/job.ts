import * as pulumi from "@pulumi/pulumi";
import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import { dnsEgress } from "../../platform/kubernetes/network";
import {
    containerEnv,
    JOB_PURPOSE_LABEL,
    memoryTmp,
    restrictedContainerSecurityContext,
    restrictedPodSecurityContext,
    workloadLabels,
} from "../../platform/kubernetes/pod";
import { JOB_DEFAULTS, type JobArgs, type JobOutputs } from "../job";
import { resourceSizing } from "../service";

export interface KubernetesJobArgs extends JobArgs {
    /** Namespace to run in (created by the platform foundation). */
    readonly namespace: pulumi.Input<string>;
}

/**
 * A run-to-completion `batch/v1` Job in restricted pods. Pulumi waits for it to complete, so a
 * resource that `dependsOn` it (the service's Deployment) only rolls after it succeeded.
 */
export class KubernetesJob extends pulumi.ComponentResource implements JobOutputs {
    readonly jobName: pulumi.Output<string>;
    readonly resource: batchv1.Job;
    /** The Job: Pulumi waits for it to complete before anything ordered after it. */
    readonly completed: batchv1.Job;

    constructor(name: string, args: KubernetesJobArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:workload:KubernetesJob", name, {}, opts);
        const timeoutSeconds = args.timeoutSeconds ?? JOB_DEFAULTS.timeoutSeconds;
        // The name label is stable across tags so data-store policies can admit the job's pods.
        const labels = { ...workloadLabels(name, "job", "job"), [JOB_PURPOSE_LABEL]: args.purpose };
        const namespace = args.namespace;
        const tmp = memoryTmp();

        this.resource = new batchv1.Job(
            `${name}-job`,
            {
                metadata: {
                    name: args.jobName,
                    namespace,
                    labels,
                    // A failed run is replaced by the next `pulumi up` instead of being waited on forever.
                    annotations: { "pulumi.com/replaceUnready": "true" },
                },
                spec: {
                    backoffLimit: args.retries ?? JOB_DEFAULTS.retries,
                    activeDeadlineSeconds: timeoutSeconds,
                    template: {
                        metadata: { labels },
                        spec: {
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            securityContext: restrictedPodSecurityContext,
                            containers: [
                                {
                                    name: args.purpose,
                                    image: args.image,
                                    imagePullPolicy: "IfNotPresent",
                                    command: [...args.command],
                                    env: containerEnv(args.env, args.secretEnv, this),
                                    resources: resourceSizing(args.cpu, args.memory),
                                    securityContext: restrictedContainerSecurityContext,
                                    volumeMounts: [tmp.mount],
                                },
                            ],
                            volumes: [tmp.volume],
                        },
                    },
                },
            },
            {
                parent: this,
                dependsOn: [...(args.dependsOn ?? [])],
                customTimeouts: { create: `${timeoutSeconds + 120}s`, update: `${timeoutSeconds + 120}s` },
                ...(args.runOnce ? { ignoreChanges: ["spec", "metadata.name"] } : {}),
            },
        );

        // The namespace denies everything; the job reaches DNS and the stores it needs, nothing else.
        new networkingv1.NetworkPolicy(
            `${name}-netpol`,
            {
                metadata: { name, namespace, labels },
                spec: {
                    podSelector: { matchLabels: { "app.kubernetes.io/name": name } },
                    policyTypes: ["Ingress", "Egress"],
                    ingress: [],
                    egress: [
                        dnsEgress,
                        ...(args.dependencies ?? []).map((d) => ({
                            to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": d } } }],
                        })),
                    ],
                },
            },
            { parent: this },
        );

        this.completed = this.resource;
        this.jobName = this.resource.metadata.name;
        this.registerOutputs({ jobName: this.jobName });
    }
}
