import * as pulumi from "@pulumi/pulumi";
import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import type * as k8stypes from "@pulumi/kubernetes/types/input";
import { publicStoreService, storeNetworkPolicy } from "../../data/kubernetes/network";
import { dnsEgress, publicHttpsEgress } from "../../platform/kubernetes/network";
import { resourceSizing } from "../../workload/service";
import {
    restrictedContainerSecurityContext,
    restrictedPodSecurityContext,
    workloadLabels,
} from "../../platform/kubernetes/pod";
import {
    OLLAMA_IMAGE,
    OLLAMA_MODELS_PATH,
    OLLAMA_PORT,
    ollamaModels,
    ollamaPullScript,
    ollamaServerEnv,
    type OllamaArgs,
    type OllamaOutputs,
} from "../ollama";

/** How long the model pull may run: large models over a slow registry link take most of an hour. */
export const MODEL_PULL_DEADLINE_SECONDS = 3600;

export interface KubernetesOllamaArgs extends OllamaArgs {
    readonly namespace: pulumi.Input<string>;
}

/** GPU request and the toleration GPU node pools carry; nothing when running on CPU. */
export function ollamaGpuSettings(gpu: boolean): {
    limits: Record<string, string>;
    tolerations: k8stypes.core.v1.Toleration[];
} {
    return gpu
        ? {
              limits: { "nvidia.com/gpu": "1" },
              tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
          }
        : { limits: {}, tolerations: [] };
}

/** Ollama as a restricted Deployment with a retained models volume, and a Job that pulls the configured models. */
export class KubernetesOllama extends pulumi.ComponentResource implements OllamaOutputs {
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly url: pulumi.Output<string>;
    readonly modelsReady: batchv1.Job;
    readonly deployment: appsv1.Deployment;

    constructor(name: string, args: KubernetesOllamaArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:ai:KubernetesOllama", name, {}, opts);
        const protect = args.protect ?? false;
        const namespace = args.namespace;
        const labels = workloadLabels(name, "data", "ai-runtime");
        const selector = { "app.kubernetes.io/name": name };
        const pullName = `${name}-model-pull`;
        const gpu = ollamaGpuSettings(args.gpu);
        // Ollama keeps its key pair under $HOME; the root filesystem is read-only.
        const home = { name: "HOME", value: "/tmp" };
        const tmp = {
            volume: { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
            mount: { name: "tmp", mountPath: "/tmp" },
        };

        const models = new corev1.PersistentVolumeClaim(
            `${name}-models`,
            {
                metadata: { name: `${name}-models`, namespace, labels },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    resources: { requests: { storage: `${args.storageGb}Gi` } },
                },
            },
            { parent: this, protect, retainOnDelete: protect },
        );

        const sizing = resourceSizing("1", "4Gi");
        const probe = (extra: Partial<k8stypes.core.v1.Probe> = {}): k8stypes.core.v1.Probe => ({
            httpGet: { path: "/api/version", port: "http" },
            periodSeconds: 15,
            timeoutSeconds: 5,
            failureThreshold: 3,
            ...extra,
        });
        this.deployment = new appsv1.Deployment(
            `${name}-deployment`,
            {
                metadata: { name, namespace, labels },
                spec: {
                    replicas: 1,
                    // One pod owns the ReadWriteOnce models volume at a time.
                    strategy: { type: "Recreate" },
                    selector: { matchLabels: selector },
                    template: {
                        metadata: { labels },
                        spec: {
                            automountServiceAccountToken: false,
                            securityContext: restrictedPodSecurityContext,
                            tolerations: gpu.tolerations,
                            containers: [
                                {
                                    name: "ollama",
                                    image: OLLAMA_IMAGE,
                                    ports: [{ name: "http", containerPort: OLLAMA_PORT }],
                                    env: [
                                        ...Object.entries(ollamaServerEnv()).map(([envName, value]) => ({
                                            name: envName,
                                            value,
                                        })),
                                        home,
                                    ],
                                    resources: {
                                        requests: sizing.requests,
                                        limits: { ...sizing.limits, ...gpu.limits },
                                    },
                                    securityContext: restrictedContainerSecurityContext,
                                    startupProbe: probe({ periodSeconds: 5, failureThreshold: 60 }),
                                    livenessProbe: probe(),
                                    readinessProbe: probe(),
                                    volumeMounts: [{ name: "models", mountPath: OLLAMA_MODELS_PATH }, tmp.mount],
                                },
                            ],
                            volumes: [
                                { name: "models", persistentVolumeClaim: { claimName: models.metadata.name } },
                                tmp.volume,
                            ],
                        },
                    },
                },
            },
            { parent: this },
        );

        const service = new corev1.Service(
            `${name}-service`,
            {
                metadata: { name, namespace, labels },
                spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: OLLAMA_PORT, targetPort: "http" }] },
            },
            { parent: this },
        );

        storeNetworkPolicy(
            `${name}-netpol`,
            {
                namespace,
                labels,
                podSelector: selector,
                clients: args.clients ?? [],
                jobClients: [pullName, ...(args.jobClients ?? [])],
                ports: [{ protocol: "TCP", port: OLLAMA_PORT }],
                // The server itself downloads the models from the registry over HTTPS.
                egress: [dnsEgress, publicHttpsEgress()],
            },
            { parent: this },
        );
        if (args.publicAccess ?? false) {
            publicStoreService(`${name}-public`, { namespace, labels, selector, port: OLLAMA_PORT }, { parent: this });
        }

        this.host = pulumi.interpolate`${service.metadata.name}.${namespace}.svc.cluster.local`;
        this.port = pulumi.output(OLLAMA_PORT);
        this.url = pulumi.interpolate`http://${this.host}:${OLLAMA_PORT}`;

        const jobLabels = workloadLabels(pullName, "job", "job");
        storeNetworkPolicy(
            `${pullName}-netpol`,
            {
                namespace,
                labels: jobLabels,
                podSelector: { "app.kubernetes.io/name": pullName },
                clients: [],
                jobClients: [],
                ports: [],
                egress: [
                    dnsEgress,
                    {
                        to: [{ podSelector: { matchLabels: selector } }],
                        ports: [{ protocol: "TCP", port: OLLAMA_PORT }],
                    },
                ],
            },
            { parent: this },
        );
        const modelList = ollamaModels(args);
        const jobTimeout = `${MODEL_PULL_DEADLINE_SECONDS + 120}s`;
        this.modelsReady = new batchv1.Job(
            `${pullName}-job`,
            {
                metadata: {
                    name: pullName,
                    namespace,
                    labels: jobLabels,
                    annotations: { "estate.io/models": modelList.join(",") },
                },
                spec: {
                    backoffLimit: 6,
                    activeDeadlineSeconds: MODEL_PULL_DEADLINE_SECONDS,
                    template: {
                        metadata: { labels: jobLabels },
                        spec: {
                            restartPolicy: "OnFailure",
                            automountServiceAccountToken: false,
                            securityContext: restrictedPodSecurityContext,
                            containers: [
                                {
                                    name: "pull",
                                    image: OLLAMA_IMAGE,
                                    command: [
                                        "/bin/sh",
                                        "-c",
                                        this.url.apply((url) => ollamaPullScript(url, modelList)),
                                    ],
                                    env: [home],
                                    resources: resourceSizing("100m", "128Mi"),
                                    securityContext: restrictedContainerSecurityContext,
                                    volumeMounts: [tmp.mount],
                                },
                            ],
                            volumes: [tmp.volume],
                        },
                    },
                },
            },
            // A Job's template is immutable: a model change replaces it under the same name.
            {
                parent: this,
                dependsOn: [this.deployment, service],
                deleteBeforeReplace: true,
                // The provider waits 10 minutes for a Job unless told otherwise (pulumi-kubernetes
                // provider/pkg/await/job.go DefaultJobTimeoutMins); a pull may take the whole deadline.
                customTimeouts: { create: jobTimeout, update: jobTimeout },
            },
        );

        this.registerOutputs({ host: this.host, port: this.port, url: this.url });
    }
}
