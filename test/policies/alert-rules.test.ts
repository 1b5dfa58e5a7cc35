import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { alertsArmed, neverFires, readsSeries, scanTopLevel, topLevelComparisons } from "../../policies/alert-rules";
import { Case, estate, get, itReportsEachCase } from "./cases";
import { res } from "./fixtures";
import { findings } from "./harness";

type Rs = Parameters<typeof get>[0];
const rule = (rs: Rs, alert: string) =>
    get(rs, "v1:PrometheusRule", "api-rules")
        .spec.groups.flatMap((g: { rules: Array<{ alert?: string }> }) => g.rules)
        .find((r: { alert?: string }) => r.alert === alert);
const azure = (rs: Rs, type: string, id: string) => get(rs, type, `api-${id}`);

const cases: Case[] = [
    {
        name: "a Prometheus alert that waits six hours",
        mutate: (rs) => (rule(rs, "HttpLatencyP95High").for = "6h"),
        expect: [
            [
                "alerts-armed",
                "Rule HttpLatencyP95High in group estate-api-slo waits for: 6h before firing: keep it at 10m or less.",
            ],
        ],
    },
    {
        name: "a Prometheus alert whose expression is a constant",
        mutate: (rs) => (rule(rs, "BackupStale").expr = "vector(0) > 1"),
        expect: [
            [
                "alerts-armed",
                "Rule BackupStale in group estate-backups reads no metric (its expr is a constant): alert on the signal the runbook names.",
            ],
        ],
    },
    {
        name: "a Prometheus alert silenced by `unless on() vector(0)`",
        mutate: (rs) => (rule(rs, "PostgresDown").expr += " unless on() vector(0)"),
        expect: [
            [
                "alerts-armed",
                "Rule PostgresDown in group estate-api-dependencies can never fire (`unless on() vector(0)` removes every sample): remove that clause from its expr.",
            ],
        ],
    },
    {
        name: "a Prometheus error-rate alert ten times looser than the runbook",
        mutate: (rs) =>
            (rule(rs, "HttpErrorRateHigh").expr = rule(rs, "HttpErrorRateHigh").expr.replace(/> 1$/, "> 10")),
        expect: [
            [
                "alerts-armed",
                "Rule HttpErrorRateHigh in group estate-api-slo fires above 10, looser than the runbook's 1 (errorRatePercent): lower it, or record the exception in this stack's policy config.",
            ],
        ],
    },
    {
        name: "an Azure metric alert switched off",
        mutate: (rs) => (azure(rs, "monitor:MetricAlert", "cpu-saturation-high").enabled = false),
        expect: [["alerts-armed", 'Alert rule CpuSaturationHigh of "api" is disabled: set enabled: true.']],
    },
    {
        name: "an Azure CPU alert at 99 %",
        mutate: (rs) => (azure(rs, "monitor:MetricAlert", "cpu-saturation-high").criteria.allOf[0].threshold = 99),
        expect: [
            [
                "alerts-armed",
                "Alert rule CpuSaturationHigh of \"api\" fires above 99, looser than the runbook's 80 (cpuPercent): lower it, or record the exception in this stack's policy config.",
            ],
        ],
    },
    {
        name: "an Azure memory alert averaged over six hours",
        mutate: (rs) => (azure(rs, "monitor:MetricAlert", "memory-saturation-high").windowSize = "PT6H"),
        expect: [
            [
                "alerts-armed",
                'Alert rule MemorySaturationHigh of "api" averages over PT6H: set windowSize to PT15M or less.',
            ],
        ],
    },
    {
        name: "an Azure latency alert at ten seconds (Application Insights counts milliseconds)",
        mutate: (rs) =>
            (azure(rs, "monitor:ScheduledQueryRule", "http-latency-p95-high").criteria.allOf[0].threshold = 10000),
        expect: [
            [
                "alerts-armed",
                "Alert rule HttpLatencyP95High of \"api\" fires above 10000, looser than the runbook's 2000 (latencyP95Seconds): lower it, or record the exception in this stack's policy config.",
            ],
        ],
    },
    {
        name: "an Azure log alert switched off",
        mutate: (rs) => (azure(rs, "monitor:ScheduledQueryRule", "http-error-rate-high").enabled = false),
        expect: [["alerts-armed", 'Alert rule HttpErrorRateHigh of "api" is disabled: set enabled: true.']],
    },
    {
        name: "a disabled availability test",
        mutate: (rs) =>
            rs.push(
                res("azure-native:applicationinsights:WebTest", "api-availability", {
                    resourceGroupName: "estate",
                    webTestName: "api-public-endpoint",
                    enabled: false,
                    request: { requestUrl: "https://api.example.com/healthz" },
                }),
            ),
        expect: [
            [
                "alerts-armed",
                'Availability test "api-public-endpoint" is disabled: set enabled: true (its alert sees no failures).',
            ],
        ],
    },
    {
        name: "a log workspace keeping a week",
        mutate: (rs) =>
            rs.push(
                res("azure-native:operationalinsights:Workspace", "logs", {
                    resourceGroupName: "estate",
                    retentionInDays: 7,
                }),
            ),
        expect: [
            [
                "alerts-armed",
                "Set retentionInDays to at least 35 (it is 7): the log alerts look back that far for the last backup and restore drill.",
            ],
        ],
    },
];

/** alerts-armed on one resource with the given policy config, as `Configure` would set it. */
function check(r: { type: string; inputs: Record<string, unknown> }, config: object): string[] {
    const messages: string[] = [];
    const validate = (alertsArmed.policy as ResourceValidationPolicy).validateResource as (
        args: ResourceValidationArgs,
        report: (m: string) => void,
    ) => void;
    validate(
        { type: r.type, props: r.inputs, name: "x", getConfig: <T extends object>() => config as T } as never,
        (m) => messages.push(m),
    );
    return messages;
}

describe("alert rules armed", () => {
    it("pass the compliant estate", async () => {
        assert.deepEqual(await findings(estate()), []);
    });
    itReportsEachCase(cases);
    it("accept a looser threshold or a longer wait only as an exception in the stack's policy config", () => {
        const rs = estate();
        const cpu = rs.find((r) => r.name === "api-cpu-saturation-high")!;
        (cpu.inputs as { criteria: { allOf: Array<{ threshold: number }> } }).criteria.allOf[0].threshold = 90;
        assert.equal(check(cpu, {}).length, 1);
        assert.deepEqual(check(cpu, { thresholds: { cpuPercent: 90 } }), []);
        const rules = rs.find((r) => r.name === "api-rules")!;
        rule(rs, "CpuSaturationHigh").for = "30m";
        assert.equal(check(rules, {}).length, 1);
        assert.deepEqual(check(rules, { maxWaitMinutes: 30 }), []);
    });
    it("tell a constant PromQL expression from one that reads a series", () => {
        assert.deepEqual(
            [
                "vector(0) > 1",
                "sum by (le) (vector(1)) > 0",
                "scalar(time()) > 5 and on() vector(0)",
                "up == 0",
                'max by (service) (estate_dependency_up{service="api"}) < 1',
                '{__name__="up"} < 1',
                "rate(http_requests_total[5m]) offset 5m > 1",
            ].map(readsSeries),
            [false, false, false, true, true, true, true],
        );
    });
    it("finds the clauses that keep an expression from ever returning a sample", () => {
        assert.deepEqual(
            [
                "up == 0 unless on() vector(0)",
                "up == 0 and on() vector(0) > 1",
                "up == 0 unless on() vector(0) == 0",
                "up == 0 unless vector(0)",
                "up == 0 and on() vector(0)",
                "up == 0 unless on(job) vector(0)",
                "up == 0 or vector(1) unless on() vector(1)",
                'rate(x{a="and b"}[5m]) > 1 and on() vector(2) > 1',
            ].map((e) => neverFires(e) !== undefined),
            [true, true, true, false, false, false, false, false],
        );
    });
    it("scan only the characters outside strings and brackets, resuming where the visitor says", () => {
        const visited = (expr: string, resume?: (i: number) => number | undefined) => {
            let seen = "";
            scanTopLevel(expr, (i) => {
                seen += expr[i];
                return resume?.(i);
            });
            return seen;
        };
        assert.equal(visited("a{b=\"}(\"} + f(x) [5m] 'q)\\'' - `r(`"), "a + f   - ");
        assert.equal(
            visited("ab cd ef", (i) => (i === 1 ? 4 : undefined)),
            "abd ef",
        );
    });
    it("reads only the comparisons outside parentheses", () => {
        assert.deepEqual(
            topLevelComparisons('time() - max (x{a=">5"}) > 93600 or absent_over_time(x[26h]) > bool 1e3'),
            [
                { op: ">", value: 93600 },
                { op: ">", value: 1000 },
            ],
        );
        assert.deepEqual(topLevelComparisons("sum(rate(x[5m]) > 3) >= 2"), [{ op: ">=", value: 2 }]);
    });
});
