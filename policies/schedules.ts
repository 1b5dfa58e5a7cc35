// Scheduled backup and restore-drill jobs of every kind that can declare one: a Kubernetes
// CronJob, a Container Apps job, a CloudNativePG ScheduledBackup. A schedule that never fires
// (suspended, manual trigger) is a backup that stopped silently.
import type { PolicyResource } from "@pulumi/policy";
import { CONTAINER_APP_JOB } from "./azure";
import { CRON_JOB, podTemplateOf } from "./k8s";
import { field, text } from "./lib";
import { jobPurposeOf } from "./migrations";
import { CNPG_SCHEDULED_BACKUP } from "./stores";

export const STORE_LABEL = "estate.io/store";
export const STORE_TAG = "estate-store";

const CRON_FIELD = /^(\*|\d+(-\d+)?)(,\d+(-\d+)?)*(\/\d+)?$/;
const isAll = (f: string) => f === "*" || f === "*/1" || f === "?";
// Kubernetes CronJob macros (kubernetes/kubernetes pkg/controller/cronjob, robfig/cron `parseDescriptor`).
const MACROS: Readonly<Record<string, string>> = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
};

/** Five valid cron fields, or undefined; `seconds` drops the leading seconds field robfig/cron reads. */
function cronFields(expr: string | undefined, seconds = false): string[] | undefined {
    const trimmed = (expr ?? "").trim();
    const fields = (MACROS[trimmed] ?? trimmed).split(/\s+/);
    const five = seconds && !MACROS[trimmed] ? (fields.length === 6 ? fields.slice(1) : []) : fields;
    return five.length === 5 && five.every((f) => CRON_FIELD.test(f) || f === "?") ? five : undefined;
}

export interface CronOptions {
    /** The expression leads with a seconds field (robfig/cron, as CloudNativePG reads it). */
    readonly seconds?: boolean;
}

/** Runs every day: day-of-month, month and day-of-week unrestricted (runbook 000: "daily"). */
export function cronAtLeastDaily(expr: string | undefined, opts: CronOptions = {}): boolean {
    const f = cronFields(expr, opts.seconds === true);
    return f !== undefined && isAll(f[2]) && isAll(f[3]) && isAll(f[4]);
}

/** Runs every month: the month field unrestricted (runbook 000: "test restore monthly"). */
export function cronAtLeastMonthly(expr: string | undefined, opts: CronOptions = {}): boolean {
    const f = cronFields(expr, opts.seconds === true);
    return f !== undefined && isAll(f[3]);
}

/** A scheduled backup or drill of either platform. */
export interface ScheduledJob {
    readonly r: PolicyResource;
    readonly azure: boolean;
    readonly purpose?: string;
    readonly store?: string;
    readonly schedule?: string;
    /** The schedule leads with a seconds field (CloudNativePG). */
    readonly seconds: boolean;
    /** The one CloudNativePG Cluster it backs up (`namespace/name`); undefined for a job labelled with its store. */
    readonly cluster?: string;
    /** Why it never runs on its own (suspended, manual trigger) and what to change; undefined when it runs. */
    readonly stopped?: string;
}

/** Every backup or drill job, whether or not it runs; CloudNativePG ScheduledBackups are PostgreSQL backups. */
export function scheduledJobs(resources: readonly PolicyResource[]): ScheduledJob[] {
    return resources.flatMap((r): ScheduledJob[] => {
        if (r.type === CRON_JOB) {
            const labels = podTemplateOf(r.type, r.props)?.metadata?.labels ?? {};
            return [
                {
                    r,
                    azure: false,
                    purpose: jobPurposeOf(r),
                    store: labels[STORE_LABEL],
                    schedule: text(r.props, "spec", "schedule"),
                    seconds: false,
                    stopped: field(r.props, "spec", "suspend") === true ? "remove spec.suspend: true" : undefined,
                },
            ];
        }
        // cloudnative-pg api/v1/scheduledbackup_types.go ScheduledBackupSpec: `suspend`, and a
        // robfig/cron `schedule` with an additional seconds field.
        if (r.type === CNPG_SCHEDULED_BACKUP) {
            return [
                {
                    r,
                    azure: false,
                    purpose: "backup",
                    store: "postgres",
                    schedule: text(r.props, "spec", "schedule"),
                    seconds: true,
                    cluster: `${text(r.props, "metadata", "namespace") ?? "default"}/${text(r.props, "spec", "cluster", "name") ?? ""}`,
                    stopped: field(r.props, "spec", "suspend") === true ? "remove spec.suspend: true" : undefined,
                },
            ];
        }
        if (r.type === CONTAINER_APP_JOB) {
            // A Manual or Event job only runs when someone (or something) starts it.
            const trigger = text(r.props, "configuration", "triggerType");
            return [
                {
                    r,
                    azure: true,
                    purpose: jobPurposeOf(r),
                    store: text(r.props, "tags", STORE_TAG),
                    schedule: text(r.props, "configuration", "scheduleTriggerConfig", "cronExpression"),
                    seconds: false,
                    stopped:
                        trigger === "Schedule"
                            ? undefined
                            : `set configuration.triggerType "Schedule" with a scheduleTriggerConfig.cronExpression (it is ${JSON.stringify(trigger ?? null)})`,
                },
            ];
        }
        return [];
    });
}
