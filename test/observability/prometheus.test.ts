import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parser } from "@prometheus-io/lezer-promql";
import { stringify } from "yaml";
import { ALERT_CATALOGUE } from "../../components/observability/catalogue";
import { parseAlertThresholds } from "../../components/observability/thresholds";
import {
    type PrometheusAlertRule,
    prometheusRuleSpec,
    serviceRuleGroups,
} from "../../components/observability/kubernetes/prometheus";
import { BACKUPS, FULL_SERVICE, run, tempDir, writeFiles } from "./fixtures";

const defaults = parseAlertThresholds({});
const spec = prometheusRuleSpec([FULL_SERVICE], BACKUPS, defaults);
const rules = spec.groups.flatMap((g) => g.rules);
const exprOf = (alert: string, r: readonly PrometheusAlertRule[] = rules) => {
    const found = r.filter((x) => x.alert === alert);
    assert.ok(found.length > 0, `no rule ${alert}`);
    return found[0]!.expr;
};

const EXPECTED: Record<string, string> = {
    HttpLatencyP95High:
        'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{service="api"}[5m]))) > 2',
    HttpErrorRateHigh:
        '100 * sum by (service) (rate(http_requests_total{service="api",code=~"5.."}[5m])) / sum by (service) (rate(http_requests_total{service="api"}[5m])) > 1',
    ContainerRestartsHigh:
        'round(sum by (namespace, container) (increase(kube_pod_container_status_restarts_total{namespace="estate",container="api"}[10m]))) > 2',
    CpuSaturationHigh:
        '100 * max by (namespace, container) (sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{namespace="estate",container="api"}[5m])) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{namespace="estate",container="api",resource="cpu"})) > 80',
    MemorySaturationHigh:
        '100 * max by (namespace, container) (sum by (namespace, pod, container) (container_memory_working_set_bytes{namespace="estate",container="api"}) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{namespace="estate",container="api",resource="memory"})) > 80',
    PublicEndpointDown:
        'max by (instance) (probe_success{job="blackbox",instance="https://api.example.com/healthz"}) < 1',
    PostgresDown: 'max by (service, dependency) (estate_dependency_up{service="api",dependency="postgres"}) < 1',
    OllamaDown: 'max by (service, dependency) (estate_dependency_up{service="api",dependency="ollama"}) < 1',
    QueueBacklogHigh: 'max by (service, queue) (estate_queue_depth{service="api"}) > 1000',
    AiProviderErrorsHigh:
        '100 * sum by (service, provider) (rate(estate_ai_provider_requests_total{service="api",outcome="error"}[5m])) / sum by (service, provider) (rate(estate_ai_provider_requests_total{service="api"}[5m])) > 5',
    SyncJobFailures: 'sum by (service) (increase(estate_sync_jobs_total{service="api",status="failed"}[1h])) >= 1',
    BackupStale:
        'time() - max by (store, database) (estate_backup_last_success_timestamp_seconds{store="postgres",database="estate"}) > 93600 or absent_over_time(estate_backup_last_success_timestamp_seconds{store="postgres",database="estate"}[26h])',
    RestoreDrillOverdue:
        'time() - max by (store, database) (estate_restore_drill_last_success_timestamp_seconds{store="postgres",database="estate"}) > 3024000 or absent_over_time(estate_restore_drill_last_success_timestamp_seconds{store="postgres",database="estate"}[35d])',
};

describe("Prometheus rendering", () => {
    it("renders the exact PromQL for the runbook thresholds", () => {
        for (const [alert, expr] of Object.entries(EXPECTED)) assert.equal(exprOf(alert), expr, alert);
    });

    it("renders every catalogue alert once per target, with severity, service, team and runbook link", () => {
        assert.deepEqual(
            [...new Set(rules.map((r) => r.alert))].sort(),
            ALERT_CATALOGUE.map((e) => e.alertName).sort(),
        );
        const latency = rules.find((r) => r.alert === "HttpLatencyP95High")!;
        assert.deepEqual(latency.labels, { severity: "page", service: "api", team: "core" });
        assert.equal(
            latency.annotations.runbook_url,
            "https://runbooks.invalid/estate/001_31f446762c5e9891.txt#monitoring-and-alerting",
        );
        assert.equal(rules.find((r) => r.alert === "CpuSaturationHigh")!.for, "10m");
        assert.equal(rules.filter((r) => r.alert === "BackupStale").length, BACKUPS.length);
    });

    it("produces expressions the PromQL grammar accepts without error nodes", () => {
        for (const rule of rules) {
            const errors: number[] = [];
            parser.parse(rule.expr).iterate({ enter: (node) => void (node.type.isError && errors.push(node.from)) });
            assert.deepEqual(errors, [], `${rule.alert}: ${rule.expr}`);
        }
    });

    it("changes the expressions when thresholds are overridden through the schema", () => {
        const t = parseAlertThresholds({
            errorRatePercent: 2.5,
            errorRateWindow: "10m",
            latencyP95Seconds: 1.5,
            backupMaxAgeHours: 48,
        });
        const r = prometheusRuleSpec([FULL_SERVICE], BACKUPS, t).groups.flatMap((g) => g.rules);
        assert.equal(
            exprOf("HttpErrorRateHigh", r),
            '100 * sum by (service) (rate(http_requests_total{service="api",code=~"5.."}[10m])) / sum by (service) (rate(http_requests_total{service="api"}[10m])) > 2.5',
        );
        assert.match(exprOf("HttpLatencyP95High", r), / > 1\.5$/);
        assert.match(exprOf("BackupStale", r), / > 172800 or absent_over_time\(.*\[2d\]\)$/);
    });

    it("leaves out disabled alerts and alerts for signals a service does not emit", () => {
        const t = parseAlertThresholds({ disabled: ["cpu-saturation-high"] });
        const names = serviceRuleGroups({ service: "ui", namespace: "estate" }, t).flatMap((g) =>
            g.rules.map((r) => r.alert),
        );
        assert.deepEqual(names, [
            "HttpLatencyP95High",
            "HttpErrorRateHigh",
            "ContainerRestartsHigh",
            "MemorySaturationHigh",
        ]);
    });

    it("names the missing field when a target cannot be rendered", () => {
        assert.throws(() => serviceRuleGroups({ service: "ui" }, defaults), {
            message: "`namespace` is required for service `ui` to render `container-restarts-high` for Prometheus",
        });
        assert.throws(
            () => serviceRuleGroups({ service: "ui", namespace: "x", signals: ["public-endpoint"] }, defaults),
            /`publicUrl` is required/,
        );
    });

    it("passes promtool check rules", () => {
        const dir = tempDir("estate-rules");
        writeFiles(dir, { "rules.yml": stringify(spec) });
        const result = run("promtool", ["check", "rules", join(dir, "rules.yml")]);
        assert.equal(result.status, 0, result.output);
        assert.match(result.output, new RegExp(`SUCCESS: ${rules.length} rules found`));
    });
});

// ---- promtool test rules: every runbook threshold just over (fires) and just under (silent) ----

type Labels = Record<string, string>;
interface Scenario {
    readonly name: string;
    readonly series: Record<string, string>;
    readonly evalTime: string;
    readonly alertname: string;
    /** Extra labels of each alert that must fire; empty means the alert must not fire. */
    readonly fires: readonly Labels[];
}

const ruleLabels = { service: "api", team: "core" };
const byName = new Map(rules.map((r) => [r.alert, r]));
const expand = (text: string, labels: Labels) =>
    text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, k: string) => labels[k] ?? "");
function expected(alertname: string, extra: Labels) {
    const rule = byName.get(alertname)!;
    const labels: Labels = { ...rule.labels, ...ruleLabels, ...extra };
    return {
        exp_labels: labels,
        exp_annotations: {
            summary: expand(rule.annotations.summary, labels),
            description: expand(rule.annotations.description, labels),
            runbook_url: rule.annotations.runbook_url,
        },
    };
}
function testGroup(interval: string, s: Scenario) {
    return {
        name: s.name,
        interval,
        input_series: Object.entries(s.series).map(([series, values]) => ({ series, values })),
        alert_rule_test: [
            { eval_time: s.evalTime, alertname: s.alertname, exp_alerts: s.fires.map((l) => expected(s.alertname, l)) },
        ],
    };
}

const http = (c500: number, c200: number) => ({
    'http_requests_total{service="api",code="500"}': `0+${c500}x15`,
    'http_requests_total{service="api",code="200"}': `0+${c200}x15`,
});
const buckets = (b1: number, b2: number, b25: number, inf: number) => ({
    'http_request_duration_seconds_bucket{service="api",le="1"}': `0+${b1}x15`,
    'http_request_duration_seconds_bucket{service="api",le="2"}': `0+${b2}x15`,
    'http_request_duration_seconds_bucket{service="api",le="2.5"}': `0+${b25}x15`,
    'http_request_duration_seconds_bucket{service="api",le="+Inf"}': `0+${inf}x15`,
});
const container = { namespace: "estate", container: "api" };
const cpu = (perMinute: number) => ({
    'container_cpu_usage_seconds_total{namespace="estate",container="api",pod="api-1"}': `0+${perMinute}x30`,
    'container_cpu_usage_seconds_total{namespace="estate",container="api",pod="api-2"}': "0+6x30",
    'kube_pod_container_resource_limits{namespace="estate",container="api",pod="api-1",resource="cpu",unit="core"}':
        "1x30",
    'kube_pod_container_resource_limits{namespace="estate",container="api",pod="api-2",resource="cpu",unit="core"}':
        "1x30",
});
const memory = (bytes: number) => ({
    'container_memory_working_set_bytes{namespace="estate",container="api",pod="api-1"}': `${bytes}x30`,
    'kube_pod_container_resource_limits{namespace="estate",container="api",pod="api-1",resource="memory",unit="byte"}':
        "1000000000x30",
});
const deps = (a: number, b: number) => ({
    'estate_dependency_up{service="api",dependency="postgres",pod="api-1"}': `${a}x10`,
    'estate_dependency_up{service="api",dependency="postgres",pod="api-2"}': `${b}x10`,
    'estate_dependency_up{service="api",dependency="redis",pod="api-1"}': "1x10",
});
const ai = (errors: number) => ({
    'estate_ai_provider_requests_total{service="api",provider="ollama",outcome="error"}': `0+${errors}x15`,
    'estate_ai_provider_requests_total{service="api",provider="ollama",outcome="success"}': `0+${100 - errors}x15`,
});

const minuteScenarios: Scenario[] = [
    { name: "5xx at 1.2% fires", series: http(12, 988), evalTime: "10m", alertname: "HttpErrorRateHigh", fires: [{}] },
    { name: "5xx at 0.8% is silent", series: http(8, 992), evalTime: "10m", alertname: "HttpErrorRateHigh", fires: [] },
    {
        name: "p95 at 2.1s fires",
        series: buckets(800, 1500, 1600, 1600),
        evalTime: "10m",
        alertname: "HttpLatencyP95High",
        fires: [{}],
    },
    {
        name: "p95 at 1.9s is silent",
        series: buckets(500, 1000, 1000, 1000),
        evalTime: "10m",
        alertname: "HttpLatencyP95High",
        fires: [],
    },
    {
        name: "3 restarts in 10m fire",
        series: {
            'kube_pod_container_status_restarts_total{namespace="estate",container="api",pod="api-1"}':
                "5 5 5 5 6 7 8 8 8 8 8 8 8",
        },
        evalTime: "12m",
        alertname: "ContainerRestartsHigh",
        fires: [container],
    },
    {
        // increase() reads 2.2 here; the rule must still count it as 2.
        name: "2 restarts in 10m are silent",
        series: {
            'kube_pod_container_status_restarts_total{namespace="estate",container="api",pod="api-1"}':
                "5 5 5 5 6 7 7 7 7 7 7 7 7",
        },
        evalTime: "12m",
        alertname: "ContainerRestartsHigh",
        fires: [],
    },
    {
        name: "CPU at 85% of the limit for 10m fires",
        series: cpu(51),
        evalTime: "20m",
        alertname: "CpuSaturationHigh",
        fires: [container],
    },
    { name: "CPU at 75% is silent", series: cpu(45), evalTime: "20m", alertname: "CpuSaturationHigh", fires: [] },
    {
        name: "CPU at 85% for only 5m is still pending",
        series: cpu(51),
        evalTime: "6m",
        alertname: "CpuSaturationHigh",
        fires: [],
    },
    {
        name: "memory at 85% fires",
        series: memory(850_000_000),
        evalTime: "20m",
        alertname: "MemorySaturationHigh",
        fires: [container],
    },
    {
        name: "memory at 75% is silent",
        series: memory(750_000_000),
        evalTime: "20m",
        alertname: "MemorySaturationHigh",
        fires: [],
    },
    {
        name: "postgres down from every replica fires",
        series: deps(0, 0),
        evalTime: "5m",
        alertname: "PostgresDown",
        fires: [{ dependency: "postgres" }],
    },
    {
        name: "postgres reachable from one replica is silent",
        series: deps(0, 1),
        evalTime: "5m",
        alertname: "PostgresDown",
        fires: [],
    },
    { name: "redis up is silent", series: deps(0, 0), evalTime: "5m", alertname: "RedisDown", fires: [] },
    {
        name: "public endpoint failing fires",
        series: { 'probe_success{job="blackbox",instance="https://api.example.com/healthz"}': "0x10" },
        evalTime: "6m",
        alertname: "PublicEndpointDown",
        fires: [{ instance: "https://api.example.com/healthz" }],
    },
    {
        name: "public endpoint up is silent",
        series: { 'probe_success{job="blackbox",instance="https://api.example.com/healthz"}': "1x10" },
        evalTime: "6m",
        alertname: "PublicEndpointDown",
        fires: [],
    },
    {
        name: "queue at 1500 for 10m fires",
        series: { 'estate_queue_depth{service="api",queue="ingest"}': "1500x20" },
        evalTime: "15m",
        alertname: "QueueBacklogHigh",
        fires: [{ queue: "ingest" }],
    },
    {
        name: "queue at 900 is silent",
        series: { 'estate_queue_depth{service="api",queue="ingest"}': "900x20" },
        evalTime: "15m",
        alertname: "QueueBacklogHigh",
        fires: [],
    },
    {
        name: "AI provider errors at 6% fire",
        series: ai(6),
        evalTime: "10m",
        alertname: "AiProviderErrorsHigh",
        fires: [{ provider: "ollama" }],
    },
    {
        name: "AI provider errors at 4% are silent",
        series: ai(4),
        evalTime: "10m",
        alertname: "AiProviderErrorsHigh",
        fires: [],
    },
    {
        name: "one failed sync job fires",
        series: { 'estate_sync_jobs_total{service="api",status="failed"}': "0 0 0 1 1 1 1 1 1 1 1" },
        evalTime: "10m",
        alertname: "SyncJobFailures",
        fires: [{}],
    },
    {
        name: "finished sync jobs are silent",
        series: {
            'estate_sync_jobs_total{service="api",status="failed"}': "0x10",
            'estate_sync_jobs_total{service="api",status="finished"}': "0+3x10",
        },
        evalTime: "10m",
        alertname: "SyncJobFailures",
        fires: [],
    },
];

// Evaluated at 30h (time() = 108000) and 40d (time() = 3456000); values are last-success timestamps.
const backupTs = (store: string, database: string, ts: number) => ({
    [`estate_backup_last_success_timestamp_seconds{store="${store}",database="${database}"}`]: `${ts}x40`,
});
const drillTs = (ts: number) => ({
    'estate_restore_drill_last_success_timestamp_seconds{store="postgres",database="estate"}': `${ts}x45`,
    'estate_restore_drill_last_success_timestamp_seconds{store="neo4j",database="graph"}': `${ts}x45`,
});
const hourScenarios: Scenario[] = [
    {
        name: "backup 26.5h old fires",
        series: { ...backupTs("postgres", "estate", 108000 - 95400), ...backupTs("neo4j", "graph", 108000 - 3600) },
        evalTime: "30h",
        alertname: "BackupStale",
        fires: [{ store: "postgres", database: "estate" }],
    },
    {
        name: "backup 20h old is silent",
        series: { ...backupTs("postgres", "estate", 108000 - 72000), ...backupTs("neo4j", "graph", 108000 - 3600) },
        evalTime: "30h",
        alertname: "BackupStale",
        fires: [],
    },
    {
        name: "a database that never reported a backup fires",
        series: backupTs("postgres", "estate", 108000 - 3600),
        evalTime: "30h",
        alertname: "BackupStale",
        fires: [{ store: "neo4j", database: "graph" }],
    },
];
const dayScenarios: Scenario[] = [
    {
        name: "restore drill 36d old fires",
        series: drillTs(3456000 - 36 * 86400),
        evalTime: "40d",
        alertname: "RestoreDrillOverdue",
        fires: [
            { store: "neo4j", database: "graph" },
            { store: "postgres", database: "estate" },
        ],
    },
    {
        name: "restore drill 20d old is silent",
        series: drillTs(3456000 - 20 * 86400),
        evalTime: "40d",
        alertname: "RestoreDrillOverdue",
        fires: [],
    },
];

describe("promtool test rules", () => {
    it("fires every runbook alert just over its threshold and stays silent just under it", () => {
        const dir = tempDir("estate-rule-tests");
        const testFile = (evaluation: string, groups: object[]) =>
            stringify({ rule_files: ["rules.yml"], evaluation_interval: evaluation, tests: groups });
        writeFiles(dir, {
            "rules.yml": stringify(spec),
            "minutes.test.yml": testFile(
                "1m",
                minuteScenarios.map((s) => testGroup("1m", s)),
            ),
            // Day-long series on a coarse clock keep promtool fast; these rules have no `for`.
            "days.test.yml": testFile("1h", [
                ...hourScenarios.map((s) => testGroup("1h", s)),
                ...dayScenarios.map((s) => testGroup("1d", s)),
            ]),
        });
        const result = run("promtool", ["test", "rules", "minutes.test.yml", "days.test.yml"], dir);
        assert.equal(result.status, 0, result.output);
        assert.match(result.output, /SUCCESS/);
    });

    it("promtool reports a failure when a threshold is moved, so the scenarios really bite", () => {
        const dir = tempDir("estate-rule-tests-neg");
        const moved = prometheusRuleSpec([FULL_SERVICE], BACKUPS, parseAlertThresholds({ errorRatePercent: 1.5 }));
        const scenario = minuteScenarios.find((s) => s.name === "5xx at 1.2% fires")!;
        writeFiles(dir, {
            "rules.yml": stringify(moved),
            "t.test.yml": stringify({
                rule_files: ["rules.yml"],
                evaluation_interval: "1m",
                tests: [testGroup("1m", scenario)],
            }),
        });
        const result = run("promtool", ["test", "rules", "t.test.yml"], dir);
        assert.notEqual(result.status, 0);
        assert.match(result.output, /HttpErrorRateHigh/);
    });
});
