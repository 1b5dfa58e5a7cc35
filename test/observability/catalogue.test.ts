import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ALERT_CATALOGUE } from "../../components/observability/catalogue";
import {
    alertThresholdsSchema,
    durationSeconds,
    parseAlertThresholds,
} from "../../components/observability/thresholds";

describe("alert catalogue", () => {
    it("lists each runbook alert once under a kebab-case id with a runbook section", () => {
        const ids = ALERT_CATALOGUE.map((e) => e.id);
        assert.equal(new Set(ids).size, ids.length);
        for (const e of ALERT_CATALOGUE) {
            assert.match(e.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.match(e.runbook.file, /^00[0-4]_[0-9a-f]{16}\.txt$/);
            assert.ok(e.runbook.section.length > 0);
        }
        for (const id of [
            "http-latency-p95-high",
            "http-error-rate-high",
            "container-restarts-high",
            "cpu-saturation-high",
            "memory-saturation-high",
            "postgres-down",
            "redis-down",
            "neo4j-down",
            "ollama-down",
            "queue-backlog-high",
            "ai-provider-errors-high",
            "sync-job-failures",
            "backup-stale",
            "restore-drill-overdue",
        ]) {
            assert.ok(ids.includes(id as (typeof ids)[number]), id);
        }
    });
});

describe("alertThresholdsSchema", () => {
    it("defaults to the runbook thresholds", () => {
        assert.deepEqual(alertThresholdsSchema.parse({}), {
            latencyP95Seconds: 2,
            latencyWindow: "5m",
            errorRatePercent: 1,
            errorRateWindow: "5m",
            restartsIn10m: 2,
            cpuPercent: 80,
            memoryPercent: 80,
            sustainedFor: "10m",
            dependencyDownFor: "2m",
            probeFailingFor: "5m",
            queueBacklog: 1000,
            aiProviderErrorRatePercent: 5,
            syncJobFailures: 1,
            syncJobWindow: "1h",
            backupMaxAgeHours: 26,
            restoreDrillMaxAgeDays: 35,
            disabled: [],
            runbookBaseUrl: "https://runbooks.invalid/estate",
        });
    });

    it("rejects invalid thresholds with a message naming the key", () => {
        const cases: [unknown, string][] = [
            [{ errorRatePercent: 0 }, "Invalid alert thresholds: `alerts.errorRatePercent` must be greater than 0"],
            [
                { cpuPercent: 120 },
                "Invalid alert thresholds: `alerts.cpuPercent` is a percentage and must be at most 100",
            ],
            [{ restartsIn10m: 2.5 }, "Invalid alert thresholds: `alerts.restartsIn10m` must be a whole number"],
            [
                { errorRateWindow: "5 minutes" },
                "Invalid alert thresholds: `alerts.errorRateWindow` must be a duration with one unit, like 30s, 5m, 2h or 1d",
            ],
            [{ backupMaxAgeHours: "26" }, "Invalid alert thresholds: `alerts.backupMaxAgeHours` must be a number"],
        ];
        for (const [input, message] of cases) assert.throws(() => parseAlertThresholds(input), { message });
        assert.throws(() => parseAlertThresholds({ disabled: ["backup-stael"] }), /`alerts\.disabled\.0`/);
        assert.throws(
            () => parseAlertThresholds({ latencyP95Second: 3 }),
            /`alerts` Unrecognized key: "latencyP95Second"/,
        );
    });

    it("accepts disabling alerts by catalogue id", () => {
        assert.deepEqual(parseAlertThresholds({ disabled: ["restore-drill-overdue"] }).disabled, [
            "restore-drill-overdue",
        ]);
    });

    it("converts one-unit durations to seconds", () => {
        assert.deepEqual(["30s", "5m", "26h", "35d"].map(durationSeconds), [30, 300, 93600, 3024000]);
        assert.throws(() => durationSeconds("1h30m"), /one-unit duration/);
    });
});
