import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { backupScriptsDir } from "../../components/backup/scripts";
import {
    type AlertThresholds,
    catalogueEntry,
    parseAlertThresholds,
    type AlertId,
} from "../../components/observability/catalogue";
import {
    type AzureAlert,
    azureBackupAlerts,
    azureServiceAlerts,
    isoDuration,
} from "../../components/observability/azure-monitor";
import { prometheusRuleSpec } from "../../components/observability/prometheus";
import { BACKUPS, FULL_SERVICE } from "./fixtures";

function render(t: AlertThresholds) {
    const azure: AzureAlert[] = [...azureServiceAlerts(FULL_SERVICE, t), ...azureBackupAlerts(BACKUPS, t)];
    const prom = prometheusRuleSpec([FULL_SERVICE], BACKUPS, t).groups.flatMap((g) => g.rules);
    return { azure, prom };
}

/** The number each rendering compares against, in that rendering's own units. */
function azureThreshold(a: AzureAlert): number | string {
    if (a.kind === "metric") return a.criterion.threshold;
    if (a.id === "backup-stale" || a.id === "restore-drill-overdue") return /ago\((\w+)\)/.exec(a.condition.query)![1]!;
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
                        assert.equal(z, `${value}d`);
                        break;
                    case "dependencyDownFor":
                    case "probeFailingFor":
                        assert.equal(rule.for, value);
                        assert.equal(a.windowSize, isoDuration(value as string));
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
            windowSize: "PT10M",
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
        // The drill alert matches the event name the drill script really logs.
        const drill = azureBackupAlerts(BACKUPS, t).find((a) => a.id === "restore-drill-overdue")!;
        const drillScript = readFileSync(join(backupScriptsDir, "pg-restore-drill.sh"), "utf8");
        const event = /where Log_s startswith "(\w+) "/.exec(drill.condition.query)![1]!;
        assert.match(drillScript, new RegExp(`log_event ${event} ok store=postgres`));
    });

    it("rejects a window Azure metric alerts cannot take, naming the key", () => {
        assert.throws(() => azureServiceAlerts(FULL_SERVICE, parseAlertThresholds({ sustainedFor: "2d" })), {
            message: "`alerts.cpuPercent` window 2d is outside what Azure metric alerts accept (1m to 24h)",
        });
    });
});
