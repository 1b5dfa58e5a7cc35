import * as pulumi from "@pulumi/pulumi";
import * as apiextensions from "@pulumi/kubernetes/apiextensions";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as helm from "@pulumi/kubernetes/helm/v3";
import { alertmanagerConfigCrdSpec, ticketReceiver, type CrdReceiver } from "./alertmanager";
import { grafanaDashboard } from "./grafana";
import {
    alertNamesByService,
    alertTarget,
    signalQuery,
    type MonitoringArgs,
    type MonitoringOutputs,
    type OnCallReceiverKind,
} from "../monitoring";
import { backupRuleGroups, serviceAlertExpression, serviceRuleGroups, type PrometheusRuleGroup } from "./prometheus";
import { catalogueEntry } from "../catalogue";
import { DEFAULT_PROMETHEUS_RELEASE } from "../../platform/kubernetes/cluster-services";

/** Pinned charts: an upgrade is a reviewed change, never a side effect of a redeploy. */
export const PROMETHEUS_STACK_CHART = {
    chart: "kube-prometheus-stack",
    version: "75.15.0",
    repo: "https://prometheus-community.github.io/helm-charts",
} as const;
export const BLACKBOX_EXPORTER_CHART = {
    chart: "prometheus-blackbox-exporter",
    version: "11.7.0",
    repo: "https://prometheus-community.github.io/helm-charts",
} as const;

export interface KubernetesMonitoringArgs extends MonitoringArgs {
    /** Namespace of the workloads; rules, monitors and routing live beside them. */
    readonly namespace: pulumi.Input<string>;
    /** The same namespace as plain text, for PromQL label matchers. */
    readonly namespaceName: string;
    /** Install kube-prometheus-stack and the blackbox exporter; otherwise they are assumed present. @default false */
    readonly installPrometheusStack?: boolean;
    /** Scale public services on p95 latency and CPU with KEDA (their HPA is then left out). @default false */
    readonly latencyAutoscaling?: boolean;
    /** SMTP relay and sender Alertmanager sends the ticket e-mail (`onCall.emails`) through; required with e-mail receivers. */
    readonly smtp?: { readonly smarthost: string; readonly from: string };
    /** Namespace of Prometheus, Alertmanager, Grafana and the blackbox exporter (from the foundation). */
    readonly monitoringNamespace: string;
    /** Helm release name of the stack; its rule/monitor selectors match the `release` label. @default "kube-prometheus-stack" */
    readonly prometheusRelease?: string;
}

/**
 * Adds labels to every rule: the operator's AlertmanagerConfig only receives alerts carrying its
 * own `namespace`, and several expressions aggregate that label away.
 */
export function withRuleLabels(
    groups: readonly PrometheusRuleGroup[],
    labels: Readonly<Record<string, string>>,
): PrometheusRuleGroup[] {
    return groups.map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r, labels: { ...r.labels, ...labels } })) }));
}

/** Prometheus Operator rules, monitors, probes and routing, Grafana dashboards and KEDA scalers for the estate. */
export class KubernetesMonitoring extends pulumi.ComponentResource implements MonitoringOutputs {
    readonly receiverKind: pulumi.Output<OnCallReceiverKind>;
    readonly routingIds: pulumi.Output<string[]>;
    readonly alertNames: pulumi.Output<Record<string, string[]>>;

    constructor(name: string, args: KubernetesMonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:observability:KubernetesMonitoring", name, {}, opts);
        const monitoringNamespace = args.monitoringNamespace;
        const release = args.prometheusRelease ?? DEFAULT_PROMETHEUS_RELEASE;
        const t = args.thresholds;
        const namespace = args.namespace;
        const labels = { "app.kubernetes.io/part-of": "estate", "app.kubernetes.io/managed-by": "pulumi", release };
        const stack = args.installPrometheusStack ? this.installStack(name, release, monitoringNamespace) : [];
        // The CRDs come with the stack: custom resources wait for it when it is installed here.
        const crOpts = { parent: this, dependsOn: stack };
        const cr = (
            childName: string,
            apiVersion: string,
            kind: string,
            metaName: pulumi.Input<string>,
            spec: pulumi.Input<Record<string, unknown>>,
            extraLabels: Record<string, string> = {},
        ) =>
            new apiextensions.CustomResource(
                childName,
                {
                    apiVersion,
                    kind,
                    metadata: { name: metaName, namespace, labels: { ...labels, ...extraLabels } },
                    spec,
                },
                crOpts,
            );
        const ruleLabels = { namespace: args.namespaceName };

        for (const service of args.services) {
            const svc = service.name;
            const groups = pulumi
                .output(service.healthUrl)
                .apply((url) =>
                    withRuleLabels(serviceRuleGroups(alertTarget(service, url, args.namespaceName), t), ruleLabels),
                );
            cr(
                `${name}-${svc}-rules`,
                "monitoring.coreos.com/v1",
                "PrometheusRule",
                `${svc}-alerts`,
                groups.apply((g) => ({ groups: g })),
            );
            // The operator labels every scraped series with `service` = the Service's name: the label the rules select on.
            cr(`${name}-${svc}-servicemonitor`, "monitoring.coreos.com/v1", "ServiceMonitor", svc, {
                selector: { matchLabels: { "app.kubernetes.io/name": svc, "estate.io/tier": "app" } },
                endpoints: [{ port: "http", path: "/metrics", interval: "30s", scheme: "http" }],
            });
            new corev1.ConfigMap(
                `${name}-${svc}-dashboard`,
                {
                    metadata: { name: `${svc}-dashboard`, namespace, labels: { ...labels, grafana_dashboard: "1" } },
                    data: groups.apply((g) => ({
                        [`estate-${svc}.json`]: JSON.stringify(grafanaDashboard(svc, g), null, 2),
                    })),
                },
                { parent: this },
            );
            if (service.healthUrl !== undefined) {
                cr(`${name}-${svc}-probe`, "monitoring.coreos.com/v1", "Probe", `${svc}-public-endpoint`, {
                    // jobName and the target URL become the `job` and `instance` labels PublicEndpointDown selects.
                    jobName: "blackbox",
                    interval: "30s",
                    module: "http_2xx",
                    prober: { url: `${BLACKBOX_EXPORTER_CHART.chart}.${monitoringNamespace}.svc:9115`, path: "/probe" },
                    targets: { staticConfig: { static: [service.healthUrl], labels: { service: svc } } },
                });
                if (args.latencyAutoscaling) {
                    const p95 = signalQuery(
                        serviceAlertExpression(
                            catalogueEntry("http-latency-p95-high"),
                            alertTarget(service, undefined),
                            t,
                        ),
                    );
                    cr(`${name}-${svc}-scaler`, "keda.sh/v1alpha1", "ScaledObject", svc, {
                        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: svc },
                        minReplicaCount: service.scaling.minReplicas,
                        maxReplicaCount: service.scaling.maxReplicas,
                        triggers: [
                            {
                                type: "cpu",
                                metricType: "Utilization",
                                metadata: { value: String(service.scaling.targetCpuPercent) },
                            },
                            // Value, not AverageValue: a p95 does not shrink when divided across replicas.
                            {
                                type: "prometheus",
                                metricType: "Value",
                                metadata: {
                                    serverAddress: `http://prometheus-operated.${monitoringNamespace}.svc:9090`,
                                    query: p95,
                                    threshold: String(t.latencyP95Seconds),
                                },
                            },
                        ],
                    });
                }
            }
        }
        if ((args.backups ?? []).length > 0) {
            cr(`${name}-backup-rules`, "monitoring.coreos.com/v1", "PrometheusRule", "backup-alerts", {
                groups: withRuleLabels(backupRuleGroups(args.backups ?? [], t), ruleLabels),
            });
        }

        const routing = cr(
            `${name}-alertmanager-config`,
            "monitoring.coreos.com/v1alpha1",
            "AlertmanagerConfig",
            "on-call",
            this.routingSpec(args),
            { alertmanagerConfig: "estate" },
        );
        this.receiverKind = pulumi.output(args.onCall.kind);
        this.routingIds = pulumi
            .all([routing.metadata.namespace, routing.metadata.name])
            .apply(([ns, n]) => [`${ns}/${n}`]);
        this.alertNames = pulumi.output(alertNamesByService(args));
        this.registerOutputs({
            receiverKind: this.receiverKind,
            routingIds: this.routingIds,
            alertNames: this.alertNames,
        });
    }

    /** Pages go to the on-call integration, its key read from the secret store's Kubernetes Secret; tickets to e-mail. */
    private routingSpec(args: KubernetesMonitoringArgs): pulumi.Input<Record<string, unknown>> {
        let tickets: CrdReceiver;
        try {
            tickets = ticketReceiver(args.onCall.emails ?? [], args.smtp);
        } catch (e) {
            throw new pulumi.ResourceError(`\`onCall\`: ${(e as Error).message}`, this);
        }
        const ref = args.onCall.keyRef;
        if (ref === undefined) {
            // No key: the routes stay, the pager delivers nowhere, and the policy pack refuses the stack.
            return alertmanagerConfigCrdSpec({ onCall: { kind: "none" }, tickets });
        }
        if (ref.kind !== "kubernetes-secret") {
            throw new pulumi.ResourceError(
                `\`onCall.keyRef\` is a ${ref.kind} reference; Alertmanager reads Kubernetes Secrets`,
                this,
            );
        }
        return pulumi.output(ref.secretName).apply((secretName) => {
            const key = { name: secretName, key: ref.key };
            const receiver: CrdReceiver =
                args.onCall.kind === "pagerduty"
                    ? { kind: "pagerduty", routingKey: key }
                    : { kind: "webhook", url: key };
            return alertmanagerConfigCrdSpec({ onCall: receiver, tickets });
        });
    }

    private installStack(name: string, release: string, monitoringNamespace: string): pulumi.Resource[] {
        const repositoryOpts = { repo: PROMETHEUS_STACK_CHART.repo };
        const prometheus = new helm.Release(
            `${name}-prometheus-stack`,
            {
                name: release,
                chart: PROMETHEUS_STACK_CHART.chart,
                version: PROMETHEUS_STACK_CHART.version,
                repositoryOpts,
                namespace: monitoringNamespace,
                createNamespace: true,
                values: {
                    // Pick up rules, monitors, probes and routing from every namespace, not only the release's.
                    prometheus: {
                        prometheusSpec: {
                            ruleSelectorNilUsesHelmValues: false,
                            serviceMonitorSelectorNilUsesHelmValues: false,
                            probeSelectorNilUsesHelmValues: false,
                            podMonitorSelectorNilUsesHelmValues: false,
                        },
                    },
                    alertmanager: {
                        alertmanagerSpec: {
                            alertmanagerConfigSelector: { matchLabels: { alertmanagerConfig: "estate" } },
                            alertmanagerConfigNamespaceSelector: {},
                        },
                    },
                    grafana: {
                        sidecar: {
                            dashboards: {
                                enabled: true,
                                label: "grafana_dashboard",
                                labelValue: "1",
                                searchNamespace: "ALL",
                            },
                        },
                    },
                },
            },
            { parent: this },
        );
        const blackbox = new helm.Release(
            `${name}-blackbox-exporter`,
            {
                name: BLACKBOX_EXPORTER_CHART.chart,
                chart: BLACKBOX_EXPORTER_CHART.chart,
                version: BLACKBOX_EXPORTER_CHART.version,
                repositoryOpts: { repo: BLACKBOX_EXPORTER_CHART.repo },
                namespace: monitoringNamespace,
                createNamespace: true,
            },
            { parent: this, dependsOn: [prometheus] },
        );
        return [prometheus, blackbox];
    }
}
