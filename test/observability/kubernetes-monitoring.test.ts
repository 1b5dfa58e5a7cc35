import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { parseAlertThresholds } from "../../components/observability/thresholds";
import { alertmanagerConfigCrdSpec } from "../../components/observability/kubernetes/alertmanager";
import {
    BLACKBOX_EXPORTER_CHART,
    KubernetesMonitoring,
    PROMETHEUS_STACK_CHART,
    withRuleLabels,
    type KubernetesMonitoringArgs,
} from "../../components/observability/kubernetes/monitoring";
import { alertNamesByService, alertTarget } from "../../components/observability/monitoring";
import { backupRuleGroups, serviceRuleGroups } from "../../components/observability/kubernetes/prometheus";
import { runComponents } from "../../tools/lib/mock-run";
import type { CustomResourceInputs, HelmReleaseInputs } from "../support/inputs";
import { inputsOf, resource, resourcesOfType } from "../support/program";

const THRESHOLDS = parseAlertThresholds({ runbookBaseUrl: "https://runbooks.example.com" });
const SCALING = { minReplicas: 2, maxReplicas: 6, targetCpuPercent: 70 };
const HEALTH = "https://api.example.com/healthz";

/** Two services (one public), one backup, a PagerDuty key by reference and ticket e-mail; each test changes one thing. */
function args(overrides: Partial<KubernetesMonitoringArgs> = {}): KubernetesMonitoringArgs {
    return {
        services: [
            { name: "api", dependencies: ["postgres"], healthUrl: HEALTH, scaling: SCALING },
            { name: "worker", signals: ["queue"], scaling: SCALING },
        ],
        backups: [{ store: "postgres", database: "estate", service: "api" }],
        thresholds: THRESHOLDS,
        onCall: {
            kind: "pagerduty",
            keyRef: { kind: "kubernetes-secret", secretName: "app-secrets-synced", key: "pagerduty-key" },
            emails: ["oncall@example.com"],
        },
        smtp: { smarthost: "smtp.example.com:587", from: "alerts@example.com" },
        namespace: "estate",
        namespaceName: "estate",
        monitoringNamespace: "monitoring",
        ...overrides,
    };
}

const value = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

async function declare(overrides: Partial<KubernetesMonitoringArgs> = {}) {
    let monitoring!: KubernetesMonitoring;
    const capture = await runComponents(() => {
        monitoring = new KubernetesMonitoring("monitoring", args(overrides));
    });
    return {
        capture,
        outputs: {
            receiverKind: await value(monitoring.receiverKind),
            routingIds: await value(monitoring.routingIds),
            alertNames: await value(monitoring.alertNames),
        },
        names: capture.resources.filter((r) => r.custom).map((r) => `${r.type} ${r.name}`),
    };
}

function refusal(overrides: Partial<KubernetesMonitoringArgs>): Promise<string> {
    let message = "";
    return runComponents(() => {
        try {
            new KubernetesMonitoring("monitoring", args(overrides));
        } catch (error) {
            assert.ok(error instanceof pulumi.ResourceError, String(error));
            message = error.message;
        }
    }).then(() => message);
}

const CR = (type: string) => `kubernetes:${type}`;
const RULE = CR("monitoring.coreos.com/v1:PrometheusRule");
const PROBE = CR("monitoring.coreos.com/v1:Probe");
const MONITOR = CR("monitoring.coreos.com/v1:ServiceMonitor");
const ROUTING = CR("monitoring.coreos.com/v1alpha1:AlertmanagerConfig");
const spec = (r: Awaited<ReturnType<typeof declare>>, type: string, name: string) =>
    (inputsOf(resource(r.capture, type, name)) as CustomResourceInputs).spec;

describe("KubernetesMonitoring (component)", () => {
    it("declares rules, a ServiceMonitor and a dashboard per service, a Probe per public one, backup rules and routing", async () => {
        assert.deepEqual((await declare()).names.sort(), [
            "kubernetes:core/v1:ConfigMap monitoring-api-dashboard",
            "kubernetes:core/v1:ConfigMap monitoring-worker-dashboard",
            `${PROBE} monitoring-api-probe`,
            `${RULE} monitoring-api-rules`,
            `${RULE} monitoring-backup-rules`,
            `${RULE} monitoring-worker-rules`,
            `${MONITOR} monitoring-api-servicemonitor`,
            `${MONITOR} monitoring-worker-servicemonitor`,
            `${ROUTING} monitoring-alertmanager-config`,
        ]);
        // No backups, no backup rules; the stack and its CRDs are assumed present unless asked for.
        const bare = await declare({ backups: [] });
        assert.ok(!bare.names.some((n) => n.endsWith("backup-rules") || n.includes("helm.sh")));
    });

    it("renders each service's rules and the backup rules from the catalogue, labelled with the namespace", async () => {
        const declared = await declare();
        const labels = { namespace: "estate" };
        assert.deepEqual(spec(declared, RULE, "monitoring-api-rules"), {
            groups: withRuleLabels(
                serviceRuleGroups(alertTarget(args().services[0]!, HEALTH, "estate"), THRESHOLDS),
                labels,
            ),
        });
        assert.deepEqual(spec(declared, RULE, "monitoring-backup-rules"), {
            groups: withRuleLabels(backupRuleGroups(args().backups!, THRESHOLDS), labels),
        });
        const rules = resource(declared.capture, RULE, "monitoring-api-rules");
        assert.equal(inputsOf(rules).metadata.labels.release, "kube-prometheus-stack");
        assert.deepEqual(declared.outputs.alertNames, alertNamesByService(args()));
    });

    it("probes the public URL through the blackbox exporter in the monitoring namespace", async () => {
        assert.deepEqual(spec(await declare(), PROBE, "monitoring-api-probe"), {
            jobName: "blackbox",
            interval: "30s",
            module: "http_2xx",
            prober: { url: "prometheus-blackbox-exporter.monitoring.svc:9115", path: "/probe" },
            targets: { staticConfig: { static: [HEALTH], labels: { service: "api" } } },
        });
    });

    it("pages PagerDuty with the key from the Secret, tickets by e-mail, and names the route it declares", async () => {
        const declared = await declare();
        const routing = spec(declared, ROUTING, "monitoring-alertmanager-config");
        assert.deepEqual(
            routing,
            alertmanagerConfigCrdSpec({
                onCall: { kind: "pagerduty", routingKey: { name: "app-secrets-synced", key: "pagerduty-key" } },
                tickets: {
                    kind: "email",
                    to: ["oncall@example.com"],
                    smarthost: "smtp.example.com:587",
                    from: "alerts@example.com",
                },
            }),
        );
        assert.equal(declared.outputs.receiverKind, "pagerduty");
        assert.deepEqual(declared.outputs.routingIds, ["estate/on-call"]);
        const noKey = await declare({ onCall: { kind: "pagerduty" } });
        assert.deepEqual(
            spec(noKey, ROUTING, "monitoring-alertmanager-config"),
            alertmanagerConfigCrdSpec({ onCall: { kind: "none" }, tickets: { kind: "none" } }),
        );
    });

    it("scales public services on CPU and p95 latency with KEDA only when asked", async () => {
        assert.ok(!(await declare()).names.some((n) => n.includes("ScaledObject")));
        const declared = await declare({ latencyAutoscaling: true });
        const scalers = resourcesOfType(declared.capture, CR("keda.sh/v1alpha1:ScaledObject"));
        assert.deepEqual(
            scalers.map((r) => r.name),
            ["monitoring-api-scaler"],
        );
        const scaler = (inputsOf(scalers[0]!) as CustomResourceInputs).spec as {
            minReplicaCount: number;
            maxReplicaCount: number;
            triggers: Array<{ type: string; metricType: string; metadata: Record<string, string> }>;
        };
        assert.deepEqual([scaler.minReplicaCount, scaler.maxReplicaCount], [2, 6]);
        assert.deepEqual(scaler.triggers[0], { type: "cpu", metricType: "Utilization", metadata: { value: "70" } });
        assert.equal(scaler.triggers[1]!.metricType, "Value");
        assert.equal(scaler.triggers[1]!.metadata.serverAddress, "http://prometheus-operated.monitoring.svc:9090");
        assert.equal(scaler.triggers[1]!.metadata.threshold, String(THRESHOLDS.latencyP95Seconds));
    });

    it("installs the pinned stack and blackbox exporter when asked, and its custom resources wait for them", async () => {
        const declared = await declare({ installPrometheusStack: true, prometheusRelease: "prom" });
        const releases = resourcesOfType(declared.capture, "kubernetes:helm.sh/v3:Release");
        assert.deepEqual(
            releases.map((r) => {
                const i = inputsOf(r) as HelmReleaseInputs;
                return [r.name, i.name, i.chart, i.version, i.namespace];
            }),
            [
                [
                    "monitoring-prometheus-stack",
                    "prom",
                    PROMETHEUS_STACK_CHART.chart,
                    PROMETHEUS_STACK_CHART.version,
                    "monitoring",
                ],
                [
                    "monitoring-blackbox-exporter",
                    BLACKBOX_EXPORTER_CHART.chart,
                    BLACKBOX_EXPORTER_CHART.chart,
                    BLACKBOX_EXPORTER_CHART.version,
                    "monitoring",
                ],
            ],
        );
        const values = inputsOf(releases[0]!).values;
        assert.equal(values.prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues, false);
        assert.deepEqual(values.alertmanager.alertmanagerSpec.alertmanagerConfigSelector, {
            matchLabels: { alertmanagerConfig: "estate" },
        });
        const rules = resource(declared.capture, RULE, "monitoring-api-rules");
        assert.equal(inputsOf(rules).metadata.labels.release, "prom");
        for (const r of releases) assert.ok(rules.dependencies.includes(r.urn), `the rules must wait for ${r.name}`);
    });

    it("refuses ticket e-mail without an SMTP relay", async () => {
        assert.equal(
            await refusal({ smtp: undefined }),
            "`onCall`: ticket e-mail needs an SMTP relay: set `smtp.smarthost` and `smtp.from` with the addresses",
        );
    });

    it("refuses an on-call key Alertmanager cannot read", async () => {
        const keyRef = {
            kind: "key-vault",
            secretUri: "https://kv.vault.azure.net/secrets/pagerduty-key",
            identityId: "/subscriptions/s/identity",
            name: "pagerduty-key",
        } as const;
        assert.equal(
            await refusal({ onCall: { kind: "pagerduty", keyRef } }),
            "`onCall.keyRef` is a key-vault reference; Alertmanager reads Kubernetes Secrets",
        );
    });
});
