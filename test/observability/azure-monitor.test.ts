import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { catalogueEntry, type AlertId } from "../../components/observability/catalogue";
import { type AlertThresholds, parseAlertThresholds } from "../../components/observability/thresholds";
import {
    type AzureAlert,
    LOG_ALERT_WINDOWS,
    METRIC_ALERT_WINDOWS,
} from "../../components/observability/azure/azure-monitor";
import { azureBackupAlerts, RESTORE_DRILL_AGE_EVENT } from "../../components/observability/azure/backup-alerts";
import { azureServiceAlerts } from "../../components/observability/azure/service-alerts";
import { prometheusRuleSpec } from "../../components/observability/kubernetes/prometheus";
import { BACKUPS, FULL_SERVICE } from "./fixtures";

function render(t: AlertThresholds) {
    const azure: AzureAlert[] = [...azureServiceAlerts(FULL_SERVICE, t), ...azureBackupAlerts(BACKUPS, t)];
    const prom = prometheusRuleSpec([FULL_SERVICE], BACKUPS, t).groups.flatMap((g) => g.rules);
    return { azure, prom };
}

/** The number each rendering compares against, in that rendering's own units. */
function azureThreshold(a: AzureAlert): number | string {
    if (a.kind === "metric") return a.criterion.threshold;
    if (a.id === "backup-stale") return /ago\((\w+)\)/.exec(a.condition.query)![1]!;
    return a.condition.threshold;
}
function promThreshold(expr: string): string {
    return /(?:>|>=|<) ([0-9.]+)(?: or .*)?$/.exec(expr)![1]!;
}

describe("Azure Monitor rendering", () => {
    it("covers the same alert ids as the Prometheus rules", () => {
        const { azure, prom } = render(parseAlertThresholds({}));
        const promIds = prom.map((r) => `${r.alert}/${r.labels.service}`).sort();
        const azureIds = azure.map((a) => `${catalogueEntry(a.id as AlertId).alertName}/${a.service}`).sort();
        assert.deepEqual(azureIds, promIds);
    });

    it("uses the same thresholds as the Prometheus rules, before and after an override", () => {
        for (const t of [
            parseAlertThresholds({}),
            parseAlertThresholds({
                errorRatePercent: 3,
                latencyP95Seconds: 1.5,
                cpuPercent: 90,
                queueBacklog: 250,
                backupMaxAgeHours: 30,
                restoreDrillMaxAgeDays: 40,
                restartsIn10m: 5,
            }),
        ]) {
            const { azure, prom } = render(t);
            for (const a of azure) {
                const entry = catalogueEntry(a.id as AlertId);
                const rule = prom.find((r) => r.alert === entry.alertName)!;
                const value = t[entry.thresholdKey];
                const p = promThreshold(rule.expr);
                const z = azureThreshold(a);
                switch (entry.thresholdKey) {
                    case "latencyP95Seconds":
                        assert.equal(Number(p), value);
                        assert.equal(z, (value as number) * 1000, "requests.duration is in ms");
                        break;
                    case "backupMaxAgeHours":
                        assert.equal(Number(p), (value as number) * 3600);
                        assert.equal(z, `${value}h`);
                        break;
                    case "restoreDrillMaxAgeDays":
                        assert.equal(Number(p), (value as number) * 86400);
                        assert.equal(z, value, "the heartbeat's age in days");
                        break;
                    case "dependencyDownFor":
                    case "probeFailingFor":
                        // Prometheus waits `for` exactly; Azure rounds up to the next accepted window.
                        assert.equal(rule.for, value);
                        assert.equal(a.windowSize, "PT5M");
                        break;
                    default:
                        assert.equal(Number(p), value, `${a.id} Prometheus`);
                        assert.equal(z, value, `${a.id} Azure`);
                }
            }
        }
    });

    it("renders the runbook signals as metric criteria or KQL", () => {
        const t = parseAlertThresholds({});
        const byId = new Map(azureServiceAlerts(FULL_SERVICE, t).map((a) => [a.id, a]));
        assert.deepEqual(byId.get("container-restarts-high"), {
            id: "container-restarts-high",
            alertName: "ContainerRestartsHigh",
            severity: 1,
            description:
                "Containers restarted more often in 10 minutes than the runbook allows; look for a crash loop.",
            runbookUrl: "https://runbooks.invalid/estate/001_31f446762c5e9891.txt#monitoring-and-alerting",
            service: "api",
            // 10 minutes is not a metric alert window: the next accepted one, never a shorter look.
            windowSize: "PT15M",
            evaluationFrequency: "PT5M",
            kind: "metric",
            criterion: {
                criterionType: "StaticThresholdCriterion",
                name: "ContainerRestartsHigh",
                metricNamespace: "Microsoft.App/containerApps",
                metricName: "RestartCount",
                timeAggregation: "Total",
                operator: "GreaterThan",
                threshold: 2,
            },
        });
        const errors = byId.get("http-error-rate-high");
        assert.equal(errors?.kind, "log");
        assert.equal(
            errors.condition.query,
            'requests\n| where cloud_RoleName == "api"\n| summarize total = count(), failed = countif(toint(resultCode) >= 500)\n| extend errorRatePercent = iff(total == 0, 0.0, 100.0 * failed / total)',
        );
        assert.equal(errors.windowSize, "PT5M");
        const backup = azureBackupAlerts(BACKUPS, t)[0]!;
        assert.equal(backup.source, "logAnalytics");
        assert.equal(backup.overrideQueryTimeRange, "PT26H");
        assert.match(
            backup.condition.query,
            /^ContainerAppConsoleLogs_CL\n\| where TimeGenerated > ago\(26h\)\n\| where Log_s startswith "backup "/,
        );
        assert.match(backup.condition.query, /where status == "ok" and store == "postgres" and database == "estate"/);
        // The drill runs monthly and a log alert sees 2 days: it reads the daily age heartbeat, and
        // a missing heartbeat reads as overdue.
        const drill = azureBackupAlerts(BACKUPS, t).find((a) => a.id === "restore-drill-overdue")!;
        assert.equal(drill.overrideQueryTimeRange, "P2D");
        assert.equal(drill.windowSize, "P1D");
        assert.match(drill.condition.query, new RegExp(`where Log_s startswith "${RESTORE_DRILL_AGE_EVENT} "`));
        assert.match(drill.condition.query, /extend ageDays = iff\(isnull\(latest\), 1\.0e9, latest \/ 86400\.0\)$/);
        assert.deepEqual(
            [drill.condition.metricMeasureColumn, drill.condition.operator, drill.condition.threshold],
            ["ageDays", "GreaterThan", 35],
        );
    });

    it("rounds every window up to one Azure accepts and keeps lookbacks within 2 days", () => {
        const t = parseAlertThresholds({ sustainedFor: "7m", dependencyDownFor: "50m", latencyWindow: "3h" });
        const minutes = (iso: string) => {
            const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso)!;
            return Number(m[1] ?? 0) * 1440 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
        };
        for (const a of [...azureServiceAlerts(FULL_SERVICE, t), ...azureBackupAlerts(BACKUPS, t)]) {
            const accepted: readonly number[] = a.kind === "metric" ? METRIC_ALERT_WINDOWS : LOG_ALERT_WINDOWS;
            assert.ok(accepted.includes(minutes(a.windowSize)), `${a.id} window ${a.windowSize}`);
            assert.ok(minutes(a.evaluationFrequency) <= minutes(a.windowSize), `${a.id} frequency`);
            if (a.kind === "log" && a.overrideQueryTimeRange)
                assert.ok(minutes(a.overrideQueryTimeRange) <= 2880, `${a.id} lookback`);
        }
        const cpu = azureServiceAlerts(FULL_SERVICE, t).find((a) => a.id === "cpu-saturation-high")!;
        assert.equal(cpu.windowSize, "PT15M");
    });

    it("rejects a window or backup age Azure cannot take, naming the key", () => {
        assert.throws(() => azureServiceAlerts(FULL_SERVICE, parseAlertThresholds({ sustainedFor: "2d" })), {
            message: "`alerts.cpuPercent` window 2d is longer than Azure accepts (24 h at most)",
        });
        assert.throws(() => azureBackupAlerts(BACKUPS, parseAlertThresholds({ backupMaxAgeHours: 50 })), {
            message: "`alerts.backupMaxAgeHours` 50h is longer than Azure accepts (48 h at most)",
        });
    });
});
