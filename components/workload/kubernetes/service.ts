import * as pulumi from "@pulumi/pulumi";
import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as autoscalingv2 from "@pulumi/kubernetes/autoscaling/v2";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as policyv1 from "@pulumi/kubernetes/policy/v1";
import type * as k8stypes from "@pulumi/kubernetes/types/input";
import { dnsEgress, namespacePeer, publicHttpsEgress } from "../../platform/kubernetes/network";
import {
    containerEnv,
    memoryTmp,
    restrictedContainerSecurityContext,
    restrictedPodSecurityContext,
    workloadLabels,
} from "../../platform/kubernetes/pod";
import { resourceSizing, SERVICE_DEFAULTS, type ServiceArgs, type ServiceOutputs } from "../service";

export interface KubernetesServiceArgs extends ServiceArgs {
    /** Namespace to deploy into (created by the platform foundation). */
    readonly namespace: pulumi.Input<string>;
    /** IngressClass of the public edge (the platform's settings). */
    readonly ingressClassName: string;
    /** cert-manager ClusterIssuer that issues the edge certificate (the platform's settings). */
    readonly clusterIssuer: string;
    /** Namespace of the ingress controller, the only source of public traffic (from the foundation). */
    readonly ingressNamespace: string;
    /** Namespace of the monitoring stack, admitted to scrape the service (from the foundation). */
    readonly monitoringNamespace: string;
    /** Scale on CPU with an HPA; off when another autoscaler (a KEDA ScaledObject) owns the replicas. @default true */
    readonly horizontalPodAutoscaler?: boolean;
}

/** Long-running HTTP service on Kubernetes: restricted pods, probes, TLS ingress, HPA, PDB, least-privilege network. */
export class KubernetesService extends pulumi.ComponentResource implements ServiceOutputs {
    readonly url: pulumi.Output<string | undefined>;
    readonly internalUrl: pulumi.Output<string>;
    readonly image: pulumi.Output<string>;
    readonly previousImage: pulumi.Output<string>;
    readonly deployment: appsv1.Deployment;
    readonly service: corev1.Service;

    constructor(name: string, args: KubernetesServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:workload:KubernetesService", name, {}, opts);
        const tls = args.tls ?? SERVICE_DEFAULTS.tls;
        const { ingressClassName, clusterIssuer, ingressNamespace } = args;
        const labels = workloadLabels(name, "app");
        const selector = { "app.kubernetes.io/name": name };
        const namespace = args.namespace;
        const childOpts = { parent: this };
        const tmp = memoryTmp();

        const serviceAccount = new corev1.ServiceAccount(
            `${name}-sa`,
            { metadata: { name, namespace, labels }, automountServiceAccountToken: false },
            childOpts,
        );

        const probe = (path: string, extra: Partial<k8stypes.core.v1.Probe> = {}): k8stypes.core.v1.Probe => ({
            httpGet: { path, port: "http" },
            periodSeconds: args.probes.periodSeconds,
            timeoutSeconds: args.probes.timeoutSeconds,
            failureThreshold: args.probes.failureThreshold,
            ...extra,
        });

        this.deployment = new appsv1.Deployment(
            `${name}-deployment`,
            {
                metadata: {
                    name,
                    namespace,
                    labels,
                    // Recorded on the object so an operator can see the rollback target in kubectl.
                    annotations: { "estate.io/previous-image": args.previousImage },
                },
                spec: {
                    // No `replicas`: an autoscaler (the HPA here, or a KEDA ScaledObject) owns the count through the
                    // scale subresource, and under server-side apply sending it conflicts with that field manager on
                    // every update made while scaled (pulumi-kubernetes #2491, #2569, #3312). A new Deployment starts
                    // at one pod and the autoscaler raises it to `minReplicas`.
                    selector: { matchLabels: selector },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                    revisionHistoryLimit: 5,
                    template: {
                        metadata: { labels },
                        spec: {
                            serviceAccountName: serviceAccount.metadata.name,
                            automountServiceAccountToken: false,
                            securityContext: restrictedPodSecurityContext,
                            containers: [
                                {
                                    name,
                                    image: args.image,
                                    imagePullPolicy: "IfNotPresent",
                                    ports: [{ name: "http", containerPort: args.port }],
                                    env: containerEnv(args.env, args.secretEnv, this),
                                    resources: resourceSizing(args.cpu, args.memory),
                                    securityContext: restrictedContainerSecurityContext,
                                    startupProbe: probe(args.probes.livenessPath, {
                                        failureThreshold: args.probes.startupFailureThreshold,
                                    }),
                                    livenessProbe: probe(args.probes.livenessPath),
                                    readinessProbe: probe(args.probes.readinessPath),
                                    volumeMounts: [tmp.mount],
                                },
                            ],
                            volumes: [tmp.volume],
                        },
                    },
                },
            },
            // Pods start only once the stores they need exist (and Ollama has its models).
            { ...childOpts, dependsOn: [...(args.dependsOn ?? [])] },
        );

        this.service = new corev1.Service(
            `${name}-service`,
            {
                metadata: { name, namespace, labels },
                spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: 80, targetPort: "http" }] },
            },
            childOpts,
        );

        if (args.host !== undefined) {
            new networkingv1.Ingress(
                `${name}-ingress`,
                {
                    metadata: {
                        name,
                        namespace,
                        labels,
                        annotations: tls
                            ? {
                                  "cert-manager.io/cluster-issuer": clusterIssuer,
                                  "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
                              }
                            : {},
                    },
                    spec: {
                        ingressClassName,
                        ...(tls ? { tls: [{ hosts: [args.host], secretName: `${name}-tls` }] } : {}),
                        rules: [
                            {
                                host: args.host,
                                http: {
                                    paths: [
                                        {
                                            path: "/",
                                            pathType: "Prefix",
                                            backend: {
                                                service: { name: this.service.metadata.name, port: { name: "http" } },
                                            },
                                        },
                                    ],
                                },
                            },
                        ],
                    },
                },
                childOpts,
            );
        }

        if (args.horizontalPodAutoscaler ?? true) {
            new autoscalingv2.HorizontalPodAutoscaler(
                `${name}-hpa`,
                {
                    metadata: { name, namespace, labels },
                    spec: {
                        scaleTargetRef: {
                            apiVersion: "apps/v1",
                            kind: "Deployment",
                            name: this.deployment.metadata.name,
                        },
                        minReplicas: args.minReplicas,
                        maxReplicas: args.maxReplicas,
                        metrics: [
                            {
                                type: "Resource",
                                resource: {
                                    name: "cpu",
                                    target: {
                                        type: "Utilization",
                                        averageUtilization: args.targetCpuPercent ?? SERVICE_DEFAULTS.targetCpuPercent,
                                    },
                                },
                            },
                        ],
                    },
                },
                childOpts,
            );
        }

        new policyv1.PodDisruptionBudget(
            `${name}-pdb`,
            { metadata: { name, namespace, labels }, spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
            childOpts,
        );

        // The namespace denies everything by default; this opens exactly what the service needs.
        const callerPeers = (args.allowedCallers ?? []).map((caller) => ({
            podSelector: { matchLabels: { "app.kubernetes.io/name": caller } },
        }));
        const edgePeers = args.host !== undefined ? [namespacePeer(ingressNamespace)] : [];
        const monitoringPeers = [namespacePeer(args.monitoringNamespace)];
        new networkingv1.NetworkPolicy(
            `${name}-netpol`,
            {
                metadata: { name, namespace, labels },
                spec: {
                    podSelector: { matchLabels: selector },
                    policyTypes: ["Ingress", "Egress"],
                    ingress: [
                        {
                            from: [...edgePeers, ...callerPeers, ...monitoringPeers],
                            ports: [{ protocol: "TCP", port: "http" }],
                        },
                    ],
                    egress: [
                        dnsEgress,
                        ...(args.dependencies ?? []).map((dependency) => ({
                            to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": dependency } } }],
                        })),
                        // External upstreams (OIDC, OTEL collector, allow-listed APIs) only over TLS.
                        publicHttpsEgress(),
                    ],
                },
            },
            childOpts,
        );

        this.url = pulumi.output(args.host !== undefined ? `${tls ? "https" : "http"}://${args.host}` : undefined);
        this.internalUrl = pulumi.interpolate`http://${this.service.metadata.name}.${this.service.metadata.namespace}.svc.cluster.local`;
        this.image = pulumi.output(args.image);
        this.previousImage = pulumi.output(args.previousImage);
        this.registerOutputs({
            url: this.url,
            internalUrl: this.internalUrl,
            image: this.image,
            previousImage: this.previousImage,
        });
    }
}
