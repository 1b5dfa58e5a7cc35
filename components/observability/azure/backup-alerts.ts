/** Azure Monitor renderings of the catalogue's backup alerts: log search alerts over the jobs' console logs. */
import { type BackupAlertTarget, type CatalogueEntry, backupEntries } from "../catalogue";
import { type AlertThresholds } from "../thresholds";
import {
    type AzureLogAlert,
    LOG_ALERT_MAX_LOOKBACK,
    acceptedWindow,
    isoFromSeconds,
    kql,
    logAlert,
    num,
} from "./azure-monitor";

/**
 * The line the backup jobs log once a day with the age of the last successful restore drill of
 * their store (`restore_drill_age store=postgres database=estate age_seconds=86400`): a log search
 * alert sees at most 2 days back, while the drill runs monthly, so the drill's own line cannot
 * be seen when it is overdue. A missing heartbeat counts as overdue.
 */
export const RESTORE_DRILL_AGE_EVENT = "restore_drill_age";

/** Structured fields of a `log_event` line (components/backup/scripts/lib.sh). */
const fields = (...names: string[]) =>
    `extend ${names.map((n) => `${n} = extract(@"\\b${n}=(\\S+)", 1, Log_s)`).join(", ")}`;

function backupAlert(
    entry: CatalogueEntry,
    target: BackupAlertTarget,
    t: AlertThresholds,
    unqualifiedBefore: boolean,
): AzureLogAlert {
    const subject = {
        subject: `${target.store}-${target.database}`.replace(/_/g, "-"),
        ...(unqualifiedBefore ? { unqualifiedBefore } : {}),
    };
    if (entry.id === "backup-stale") {
        const seconds = Math.round(t.backupMaxAgeHours * 3600);
        const lookback = acceptedWindow(
            seconds,
            [LOG_ALERT_MAX_LOOKBACK],
            `\`alerts.backupMaxAgeHours\` ${num(t.backupMaxAgeHours)}h`,
        );
        // The backup job logs `backup ok store=… database=…` once per successful run.
        const alert = logAlert(
            entry,
            target.service ?? "backup",
            "1h",
            t,
            "logAnalytics",
            [
                "ContainerAppConsoleLogs_CL",
                `where TimeGenerated > ago(${num(t.backupMaxAgeHours)}h)`,
                `where Log_s startswith "backup "`,
                fields("status", "store", "database"),
                `where status == "ok" and store == ${kql(target.store)} and database == ${kql(target.database)}`,
                "summarize successes = count()",
            ],
            "successes",
            "Total",
            "LessThan",
            1,
        );
        // Look back exactly the allowed age; never more than the 2 days a log alert may query.
        return {
            ...alert,
            evaluationFrequency: "PT1H",
            overrideQueryTimeRange: isoFromSeconds(Math.min(seconds, lookback * 60)),
            ...subject,
        };
    }
    const alert = logAlert(
        entry,
        target.service ?? "backup",
        "1d",
        t,
        "logAnalytics",
        [
            "ContainerAppConsoleLogs_CL",
            `where Log_s startswith ${kql(`${RESTORE_DRILL_AGE_EVENT} `)}`,
            fields("store", "database", "age_seconds"),
            `where store == ${kql(target.store)} and database == ${kql(target.database)}`,
            // The freshest report in the last 2 days; none at all means the heartbeat stopped.
            "summarize latest = min(toreal(age_seconds))",
            "extend ageDays = iff(isnull(latest), 1.0e9, latest / 86400.0)",
        ],
        "ageDays",
        "Maximum",
        "GreaterThan",
        t.restoreDrillMaxAgeDays,
    );
    return {
        ...alert,
        evaluationFrequency: "PT1H",
        overrideQueryTimeRange: isoFromSeconds(LOG_ALERT_MAX_LOOKBACK * 60),
        ...subject,
    };
}

export function azureBackupAlerts(targets: readonly BackupAlertTarget[], thresholds: AlertThresholds): AzureLogAlert[] {
    // Only a single PostgreSQL database could be declared before rules carried their subject.
    const postgres = targets.filter((t) => t.store === "postgres");
    return targets.flatMap((target) =>
        backupEntries(thresholds).map((entry) =>
            backupAlert(entry, target, thresholds, postgres.length === 1 && target === postgres[0]),
        ),
    );
}
