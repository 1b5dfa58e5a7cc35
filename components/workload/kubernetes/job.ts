import * as pulumi from "@pulumi/pulumi";
import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import { dnsEgress } from "../../platform/kubernetes/network";
import type { JobArgs, JobOutputs } from "../job";
import { resourceSizing, type SecretRef } from "../service";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, workloadLabels } from "./security";

export interface KubernetesJobArgs extends JobArgs {
    /** Namespace to run in (created by the platform foundation). */
    readonly namespace: pulumi.Input<string>;
}

/** Label telling migration, seeding and backup jobs apart (policies key on it). */
export const JOB_PURPOSE_LABEL = "estate.io/job";

/** Maps a secret reference onto a Kubernetes `secretKeyRef`; Key Vault references cannot be read here. */
export function secretKeyRefOf(
    envName: string,
    ref: SecretRef,
    owner: pulumi.Resource,
): { name: pulumi.Input<string>; key: string } {
    if (ref.kind !== "kubernetes-secret") {
        throw new pulumi.ResourceError(
            `\`secretEnv.${envName}\` is a ${ref.kind} reference; Kubernetes workloads read Kubernetes Secrets synced from the store`,
            owner,
        );
    }
    return { name: ref.secretName, key: ref.key };
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
        const timeoutSeconds = args.timeoutSeconds ?? 900;
        // The name label is stable across tags so data-store policies can admit the job's pods.
        const labels = { ...workloadLabels(name, "job", "job"), [JOB_PURPOSE_LABEL]: args.purpose };
        const namespace = args.namespace;

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
                    backoffLimit: args.retries ?? 1,
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
                                    env: [
                                        ...Object.entries(args.env).map(([envName, value]) => ({
                                            name: envName,
                                            value,
                                        })),
                                        ...Object.entries(args.secretEnv).map(([envName, ref]) => ({
                                            name: envName,
                                            valueFrom: { secretKeyRef: secretKeyRefOf(envName, ref, this) },
                                        })),
                                    ],
                                    resources: resourceSizing(args.cpu, args.memory),
                                    securityContext: restrictedContainerSecurityContext,
                                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                                },
                            ],
                            volumes: [{ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } }],
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
