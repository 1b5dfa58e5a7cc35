// The real program, per stack and platform: rules equal the renderer output, pass promtool,
// routing passes amtool, and Azure declares the same alerts with the same thresholds.
import assert from "node:assert/strict";
import { backupSubjects } from "../../components/backup/backups";
import { before, describe, it } from "node:test";
import { stringify } from "yaml";
import { withRuleLabels } from "../../components/observability/kubernetes/monitoring";
import {
    backupRuleGroups,
    serviceRuleGroups,
    type PrometheusRuleGroup,
} from "../../components/observability/kubernetes/prometheus";
import type { ProgramCapture } from "../../tools/lib/mock-run";
import { kubernetesManifest } from "../../tools/lib/plan-artefacts";
import { validateKubernetesObject } from "../support/kubernetes-schema";
import { inputsOf, outputsOf, plan, resource, resourcesOfType, syncedSecret } from "../support/program";
import { ALERT_NAMES, THRESHOLDS, targets } from "./estate";
import { run, tempDir, writeFiles } from "./fixtures";

/** What the estate backs up (one PostgreSQL database, Redis, Neo4j): a BackupStale and a RestoreDrillOverdue each. */
const ESTATE_BACKUPS = backupSubjects(["estate"]);

const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
/** The parts of an AlertmanagerConfig spec (monitoring.coreos.com/v1alpha1) that alertmanager.yml carries. */
interface Matcher {
    readonly name: string;
    readonly value: string;
    readonly matchType: string;
}
interface AlertRoute {
    readonly receiver?: string;
    readonly groupBy?: readonly string[];
    readonly groupWait?: string;
    readonly groupInterval?: string;
    readonly repeatInterval?: string;
    readonly matchers?: readonly Matcher[];
    readonly routes?: readonly AlertRoute[];
}
interface SecretRef {
    readonly name: string;
    readonly key: string;
}
interface AlertmanagerConfigSpec {
    readonly route: AlertRoute;
    readonly inhibitRules: ReadonlyArray<{
        readonly sourceMatch: readonly Matcher[];
        readonly targetMatch: readonly Matcher[];
        readonly equal?: readonly string[];
    }>;
    readonly receivers: ReadonlyArray<{
        readonly name: string;
        readonly pagerdutyConfigs?: ReadonlyArray<{ readonly routingKey: SecretRef; readonly sendResolved?: boolean }>;
        readonly webhookConfigs?: ReadonlyArray<{ readonly urlSecret: SecretRef; readonly sendResolved?: boolean }>;
        readonly emailConfigs?: ReadonlyArray<{
            readonly to?: string;
            readonly from?: string;
            readonly smarthost?: string;
            readonly requireTLS?: boolean;
            readonly sendResolved?: boolean;
        }>;
    }>;
}

/** The AlertmanagerConfig as an alertmanager.yml, Secret references replaced by a mounted-file path amtool accepts. */
function alertmanagerYaml(spec: AlertmanagerConfigSpec): string {
    const matcher = (m: Matcher) => `${m.name}${m.matchType}${JSON.stringify(m.value)}`;
    const route = (r: AlertRoute): Record<string, unknown> => ({
        receiver: r.receiver,
        ...(r.groupBy ? { group_by: r.groupBy } : {}),
        ...(r.groupWait ? { group_wait: r.groupWait } : {}),
        ...(r.groupInterval ? { group_interval: r.groupInterval } : {}),
        ...(r.repeatInterval ? { repeat_interval: r.repeatInterval } : {}),
        ...(r.matchers ? { matchers: r.matchers.map(matcher) } : {}),
        ...(r.routes ? { routes: r.routes.map(route) } : {}),
    });
    const secretFile = (ref: { name: string; key: string }) => `/etc/alertmanager/secrets/${ref.name}/${ref.key}`;
    return stringify({
        route: route(spec.route),
        inhibit_rules: spec.inhibitRules.map((i) => ({
            source_matchers: i.sourceMatch.map(matcher),
            target_matchers: i.targetMatch.map(matcher),
            equal: i.equal,
        })),
        receivers: spec.receivers.map((r) => ({
            name: r.name,
            ...(r.pagerdutyConfigs
                ? {
                      pagerduty_configs: r.pagerdutyConfigs.map((c) => ({
                          routing_key_file: secretFile(c.routingKey),
                          send_resolved: c.sendResolved,
                      })),
                  }
                : {}),
            ...(r.emailConfigs
                ? {
                      email_configs: r.emailConfigs.map((c) => ({
                          to: c.to,
                          from: c.from,
                          smarthost: c.smarthost,
                          require_tls: c.requireTLS,
                          send_resolved: c.sendResolved,
                      })),
                  }
                : {}),
            // amtool 0.25 has no webhook url_file; the URL itself is the secret, so a placeholder stands in.
            ...(r.webhookConfigs
                ? {
                      webhook_configs: r.webhookConfigs.map((c) => ({
                          url: `https://placeholder.invalid/${c.urlSecret.name}/${c.urlSecret.key}`,
                          send_resolved: c.sendResolved,
                      })),
                  }
                : {}),
        })),
    });
}

function ruleGroups(capture: ProgramCapture): PrometheusRuleGroup[] {
    return resourcesOfType(capture, RULE).flatMap((r) => inputsOf(r).spec.groups as PrometheusRuleGroup[]);
}

for (const stack of ["staging", "prod"] as const) {
    describe(`monitoring on kubernetes (${stack})`, () => {
        let capture: ProgramCapture;
        before(async () => {
            capture = await plan(stack, { platform: "kubernetes" });
        });

        it("declares one PrometheusRule per service equal to the renderer output, plus the backup rules", () => {
            for (const target of targets(stack)) {
                const r = inputsOf(resource(capture, RULE, `monitoring-${target.service}-rules`));
                assert.deepEqual(r.metadata, {
                    name: `${target.service}-alerts`,
                    namespace: "estate",
                    labels: {
                        "app.kubernetes.io/part-of": "estate",
                        "app.kubernetes.io/managed-by": "pulumi",
                        release: "kube-prometheus-stack",
                    },
                });
                assert.deepEqual(
                    r.spec,
                    { groups: withRuleLabels(serviceRuleGroups(target, THRESHOLDS), { namespace: "estate" }) },
                    target.service,
                );
            }
            const backups = inputsOf(resource(capture, RULE, "monitoring-backup-rules"));
            assert.deepEqual(backups.spec, {
                groups: withRuleLabels(backupRuleGroups(ESTATE_BACKUPS, THRESHOLDS), {
                    namespace: "estate",
                }),
            });
            assert.equal(resourcesOfType(capture, RULE).length, 5);
        });

        it("passes promtool check rules with every alert of the catalogue for every service", () => {
            const dir = tempDir("estate-rules");
            writeFiles(dir, { "rules.yml": stringify({ groups: ruleGroups(capture) }) });
            const result = run("promtool", ["check", "rules", `${dir}/rules.yml`]);
            assert.equal(result.status, 0, result.output);
            assert.match(result.output, /SUCCESS: 41 rules found/);
            const byService: Record<string, string[]> = {};
            for (const rule of ruleGroups(capture).flatMap((g) => g.rules))
                byService[rule.labels.service] = [...(byService[rule.labels.service] ?? []), rule.alert];
            // One backup rule per store and database; the outputs list each alert name once per service.
            for (const [service, names] of Object.entries(ALERT_NAMES))
                assert.deepEqual([...new Set(byService[service])].sort(), [...names].sort(), service);
        });

        it("routes pages to on-call with the key read from the synced Secret, tickets never to the pager, and passes amtool", () => {
            const routing = inputsOf(
                resource(
                    capture,
                    "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig",
                    "monitoring-alertmanager-config",
                ),
            );
            const key = { name: syncedSecret(capture), key: "alert-on-call-key" };
            const receiver =
                stack === "prod"
                    ? { pagerdutyConfigs: [{ routingKey: key, sendResolved: true }] }
                    : { webhookConfigs: [{ urlSecret: key, sendResolved: true }] };
            // Tickets go to the on-call e-mail addresses, never to the pager.
            const tickets = {
                emailConfigs: [
                    {
                        to: "oncall@estate.example.com",
                        from: stack === "prod" ? "alerts@estate.example.com" : "alerts@staging.estate.example.com",
                        smarthost: "smtp-relay.gmail.com:587",
                        requireTLS: true,
                        sendResolved: true,
                    },
                ],
            };
            assert.deepEqual(routing.spec.receivers, [
                { name: "on-call", ...receiver },
                { name: "tickets", ...tickets },
            ]);
            assert.deepEqual(routing.spec.route.routes[0], {
                receiver: "on-call",
                matchers: [{ name: "severity", value: "page", matchType: "=" }],
                repeatInterval: "4h",
            });
            assert.doesNotMatch(JSON.stringify(routing), /offline-placeholder/);
            const dir = tempDir("estate-alertmanager");
            writeFiles(dir, { "alertmanager.yml": alertmanagerYaml(routing.spec) });
            const check = run("amtool", ["check-config", `${dir}/alertmanager.yml`]);
            assert.equal(check.status, 0, check.output);
            const test = run("amtool", [
                "config",
                "routes",
                "test",
                `--config.file=${dir}/alertmanager.yml`,
                "--verify.receivers=on-call",
                "severity=page",
                "alertname=HttpErrorRateHigh",
            ]);
            assert.equal(test.status, 0, test.output);
            const ticket = run("amtool", [
                "config",
                "routes",
                "test",
                `--config.file=${dir}/alertmanager.yml`,
                "--verify.receivers=tickets",
                "severity=ticket",
                "alertname=BackupStale",
            ]);
            assert.equal(ticket.status, 0, ticket.output);
        });

        it("scrapes each Service by its labels and named port, and probes each public /healthz", () => {
            for (const { service, publicUrl } of targets(stack)) {
                const svc = inputsOf(resource(capture, "kubernetes:core/v1:Service", `${service}-service`));
                const monitor = inputsOf(
                    resource(
                        capture,
                        "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
                        `monitoring-${service}-servicemonitor`,
                    ),
                );
                for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels))
                    assert.equal(svc.metadata.labels[k], v, `${service} Service label ${k}`);
                assert.deepEqual(monitor.spec.endpoints, [
                    { port: "http", path: "/metrics", interval: "30s", scheme: "http" },
                ]);
                assert.ok(
                    svc.spec.ports.some((p: { name?: string }) => p.name === "http"),
                    `${service} Service names its port http`,
                );
                const probes = resourcesOfType(capture, "kubernetes:monitoring.coreos.com/v1:Probe").filter(
                    (r) => r.name === `monitoring-${service}-probe`,
                );
                assert.equal(probes.length, publicUrl ? 1 : 0);
                if (publicUrl) {
                    const spec = inputsOf(probes[0]!).spec;
                    assert.deepEqual(spec.targets, { staticConfig: { static: [publicUrl], labels: { service } } });
                    assert.equal(spec.jobName, "blackbox");
                }
            }
        });

        it("provisions a Grafana dashboard per service with one panel per alert, as a valid ConfigMap", () => {
            for (const target of targets(stack)) {
                const cm = resource(capture, "kubernetes:core/v1:ConfigMap", `monitoring-${target.service}-dashboard`);
                assert.equal(validateKubernetesObject(kubernetesManifest(cm)!), "valid");
                const inputs = inputsOf(cm);
                assert.equal(inputs.metadata.labels.grafana_dashboard, "1");
                const dashboard = JSON.parse(inputs.data[`estate-${target.service}.json`]);
                assert.deepEqual(
                    dashboard.panels.map((p: { title: string }) => p.title.split(" ")[0]).sort(),
                    [...ALERT_NAMES[target.service as keyof typeof ALERT_NAMES]].sort(),
                );
            }
            const latency = JSON.parse(
                inputsOf(resource(capture, "kubernetes:core/v1:ConfigMap", "monitoring-api-dashboard")).data[
                    "estate-api.json"
                ],
            ).panels[0];
            assert.deepEqual(latency.targets, [
                {
                    refId: "A",
                    expr: 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{service="api"}[5m])))',
                    legendFormat: "__auto",
                },
            ]);
            assert.deepEqual(latency.fieldConfig.defaults.thresholds.steps, [
                { color: "green", value: null },
                { color: "red", value: 2 },
            ]);
        });

        it("scales public services on CPU and p95 latency with KEDA and keeps the CPU HPA for the worker", () => {
            const scaler = inputsOf(
                resource(capture, "kubernetes:keda.sh/v1alpha1:ScaledObject", "monitoring-gateway-scaler"),
            );
            assert.deepEqual(scaler.spec, {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "gateway" },
                minReplicaCount: stack === "prod" ? 3 : 2,
                maxReplicaCount: stack === "prod" ? 12 : 6,
                triggers: [
                    { type: "cpu", metricType: "Utilization", metadata: { value: "70" } },
                    {
                        type: "prometheus",
                        metricType: "Value",
                        metadata: {
                            serverAddress: "http://prometheus-operated.monitoring.svc:9090",
                            query: 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{service="gateway"}[5m])))',
                            threshold: "2",
                        },
                    },
                ],
            });
            assert.deepEqual(
                resourcesOfType(capture, "kubernetes:keda.sh/v1alpha1:ScaledObject")
                    .map((r) => r.name)
                    .sort(),
                ["monitoring-api-scaler", "monitoring-gateway-scaler", "monitoring-ui-scaler"],
            );
            assert.deepEqual(
                resourcesOfType(capture, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((r) => r.name),
                ["worker-hpa"],
            );
            // The data stores bring their own charts (CloudNativePG, Neo4j); monitoring installs none here.
            assert.equal(
                resourcesOfType(capture, "kubernetes:helm.sh/v3:Release").filter((r) => r.urn.includes("Monitoring$"))
                    .length,
                0,
                "the stack files assume kube-prometheus-stack is present",
            );
        });

        it("publishes the alerting contract: receiver kind, routing id and alert names per service", () => {
            const outputs = outputsOf(capture);
            assert.deepEqual(outputs.alerting, {
                receiverKind: stack === "prod" ? "pagerduty" : "webhook",
                routingIds: ["estate/on-call"],
                alertNames: ALERT_NAMES,
            });
        });
    });
}

describe("monitoring switches (kubernetes, prod)", () => {
    it("installs pinned kube-prometheus-stack and blackbox exporter only when asked, and keeps HPAs without latency autoscaling", async () => {
        const capture = await plan("prod", {
            platform: "kubernetes",
            prometheusStackInstall: "true",
            latencyAutoscaling: "false",
        });
        const releases = resourcesOfType(capture, "kubernetes:helm.sh/v3:Release")
            .filter((r) => r.urn.includes("Monitoring$"))
            .map((r) => inputsOf(r));
        assert.deepEqual(
            releases.map((r) => [r.chart, r.version, r.namespace]),
            [
                ["kube-prometheus-stack", "75.15.0", "monitoring"],
                ["prometheus-blackbox-exporter", "11.7.0", "monitoring"],
            ],
        );
        assert.deepEqual(releases[0]!.values.grafana.sidecar.dashboards, {
            enabled: true,
            label: "grafana_dashboard",
            labelValue: "1",
            searchNamespace: "ALL",
        });
        const rules = resourcesOfType(capture, RULE);
        assert.ok(
            rules.every((r) => r.dependencies.some((d) => d.endsWith("::monitoring-prometheus-stack"))),
            "custom resources wait for the CRDs",
        );
        assert.equal(resourcesOfType(capture, "kubernetes:keda.sh/v1alpha1:ScaledObject").length, 0);
        assert.deepEqual(
            resourcesOfType(capture, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
                .map((r) => r.name)
                .sort(),
            ["api-hpa", "gateway-hpa", "ui-hpa", "worker-hpa"],
        );
    });
});
