/**
 * The alert catalogue: every alert the runbooks ask for, the runbook section it links to, and
 * which alerts apply to a service or a backed-up database. Its thresholds are in thresholds.ts.
 */
import type { AlertThresholds } from "./thresholds";

/** Runbook files under the shared runbooks folder that the alerts trace back to. */
export const RUNBOOKS = {
    userApi: "000_23ca36ff17f3a8b1.txt",
    containerApps: "001_31f446762c5e9891.txt",
    rag: "002_fc15907ba13ea9a3.txt",
    summit: "003_eca27b310857406b.txt",
} as const;

export type Severity = "page" | "ticket";
export type AlertScope = "service" | "dependency" | "backup";
export type Dependency = "postgres" | "redis" | "neo4j" | "ollama";
/** Optional signals a service emits; `http` and `container` are assumed for every service. */
export type OptionalSignal = "queue" | "ai-provider" | "sync-jobs" | "public-endpoint";
/** Keys of the thresholds schema an alert can fire on (spelled out to keep the types acyclic). */
export type ThresholdKey =
    | "latencyP95Seconds"
    | "latencyWindow"
    | "errorRatePercent"
    | "errorRateWindow"
    | "restartsIn10m"
    | "cpuPercent"
    | "memoryPercent"
    | "sustainedFor"
    | "dependencyDownFor"
    | "probeFailingFor"
    | "queueBacklog"
    | "aiProviderErrorRatePercent"
    | "syncJobFailures"
    | "syncJobWindow"
    | "backupMaxAgeHours"
    | "restoreDrillMaxAgeDays";
export type Signal = "http" | "container" | "dependency" | OptionalSignal | "backup" | "restore-drill";

export interface CatalogueEntry {
    /** Stable kebab-case id; config `disabled` and both renderers use it. */
    readonly id: string;
    /** Prometheus `alert` name (also the Azure rule suffix). */
    readonly alertName: string;
    readonly severity: Severity;
    readonly runbook: { readonly file: string; readonly section: string };
    readonly summary: string;
    readonly description: string;
    readonly scope: AlertScope;
    readonly signal: Signal;
    /** Only for scope `dependency`. */
    readonly dependency?: Dependency;
    /** The key of {@link AlertThresholds} this alert fires on. */
    readonly thresholdKey: ThresholdKey;
}

const dependencyDown = <D extends Dependency>(
    dependency: D,
    alertName: string,
    label: string,
    runbook: CatalogueEntry["runbook"],
): CatalogueEntry & { readonly id: `${D}-down` } => ({
    id: `${dependency}-down`,
    alertName,
    severity: "page",
    runbook,
    summary: `${label} unreachable from {{ $labels.service }}`,
    description: `Every replica of {{ $labels.service }} reports ${label} as down in its readiness check.`,
    scope: "dependency",
    signal: "dependency",
    dependency,
    thresholdKey: "dependencyDownFor",
});

const healthProbes = { file: RUNBOOKS.summit, section: "Health probes and dependency meanings" };
const gaChecklist = { file: RUNBOOKS.summit, section: "GA mini-checklist" };
const monitoring = { file: RUNBOOKS.containerApps, section: "Monitoring and Alerting" };
const backups = { file: RUNBOOKS.userApi, section: "Backups" };

/** Every alert the runbooks ask for. */
export const ALERT_CATALOGUE = [
    {
        id: "http-latency-p95-high",
        alertName: "HttpLatencyP95High",
        severity: "page",
        runbook: monitoring,
        summary: "p95 latency of {{ $labels.service }} above the SLO",
        description: "The 95th percentile of request duration is above the runbook threshold.",
        scope: "service",
        signal: "http",
        thresholdKey: "latencyP95Seconds",
    },
    {
        id: "http-error-rate-high",
        alertName: "HttpErrorRateHigh",
        severity: "page",
        runbook: monitoring,
        summary: "HTTP 5xx rate of {{ $labels.service }} above the SLO",
        description: "The share of responses with a 5xx status is above the runbook threshold.",
        scope: "service",
        signal: "http",
        thresholdKey: "errorRatePercent",
    },
    {
        id: "container-restarts-high",
        alertName: "ContainerRestartsHigh",
        severity: "page",
        runbook: monitoring,
        summary: "Containers of {{ $labels.container }} restarting",
        description: "Containers restarted more often in 10 minutes than the runbook allows; look for a crash loop.",
        scope: "service",
        signal: "container",
        thresholdKey: "restartsIn10m",
    },
    {
        id: "cpu-saturation-high",
        alertName: "CpuSaturationHigh",
        severity: "ticket",
        runbook: monitoring,
        summary: "CPU of {{ $labels.container }} near its limit",
        description: "The busiest replica has used more of its CPU limit than the runbook allows, sustained.",
        scope: "service",
        signal: "container",
        thresholdKey: "cpuPercent",
    },
    {
        id: "memory-saturation-high",
        alertName: "MemorySaturationHigh",
        severity: "ticket",
        runbook: monitoring,
        summary: "Memory of {{ $labels.container }} near its limit",
        description: "The fullest replica has used more of its memory limit than the runbook allows, sustained.",
        scope: "service",
        signal: "container",
        thresholdKey: "memoryPercent",
    },
    {
        id: "public-endpoint-down",
        alertName: "PublicEndpointDown",
        severity: "page",
        runbook: { file: RUNBOOKS.userApi, section: "Health Checks" },
        summary: "Public endpoint of {{ $labels.service }} failing",
        description: "The synthetic check of the public health endpoint has failed continuously.",
        scope: "service",
        signal: "public-endpoint",
        thresholdKey: "probeFailingFor",
    },
    dependencyDown("postgres", "PostgresDown", "PostgreSQL", healthProbes),
    dependencyDown("redis", "RedisDown", "Redis", healthProbes),
    dependencyDown("neo4j", "Neo4jDown", "Neo4j", healthProbes),
    dependencyDown("ollama", "OllamaDown", "Ollama", {
        file: RUNBOOKS.userApi,
        section: "Production Rollout Checklist",
    }),
    {
        id: "queue-backlog-high",
        alertName: "QueueBacklogHigh",
        severity: "page",
        runbook: gaChecklist,
        summary: "Queue {{ $labels.queue }} of {{ $labels.service }} backing up",
        description:
            "The queue has stayed deeper than the runbook threshold; scale the workers or find the stuck consumer.",
        scope: "service",
        signal: "queue",
        thresholdKey: "queueBacklog",
    },
    {
        id: "ai-provider-errors-high",
        alertName: "AiProviderErrorsHigh",
        severity: "page",
        runbook: gaChecklist,
        summary: "AI provider {{ $labels.provider }} failing for {{ $labels.service }}",
        description: "The share of failed AI provider requests is above the runbook threshold.",
        scope: "service",
        signal: "ai-provider",
        thresholdKey: "aiProviderErrorRatePercent",
    },
    {
        id: "sync-job-failures",
        alertName: "SyncJobFailures",
        severity: "ticket",
        runbook: { file: RUNBOOKS.rag, section: "Failure Modes and Actions" },
        summary: "Sync jobs of {{ $labels.service }} failing",
        description: "Sync jobs failed; inspect the most recent failed jobs and the upstream connectivity.",
        scope: "service",
        signal: "sync-jobs",
        thresholdKey: "syncJobFailures",
    },
    {
        id: "backup-stale",
        alertName: "BackupStale",
        severity: "ticket",
        runbook: backups,
        summary: "No recent backup of {{ $labels.store }}/{{ $labels.database }}",
        description: "The last successful backup is older than its schedule allows, or none was ever recorded.",
        scope: "backup",
        signal: "backup",
        thresholdKey: "backupMaxAgeHours",
    },
    {
        id: "restore-drill-overdue",
        alertName: "RestoreDrillOverdue",
        severity: "ticket",
        runbook: backups,
        summary: "Restore drill of {{ $labels.store }}/{{ $labels.database }} overdue",
        description: "The monthly restore test has not succeeded within the allowed age, or none was ever recorded.",
        scope: "backup",
        signal: "restore-drill",
        thresholdKey: "restoreDrillMaxAgeDays",
    },
] as const satisfies readonly CatalogueEntry[];

export type AlertId = (typeof ALERT_CATALOGUE)[number]["id"];
export const ALERT_IDS = ALERT_CATALOGUE.map((e) => e.id) as readonly AlertId[];

/** The catalogue entries still enabled under `thresholds.disabled`. */
export function enabledAlerts(thresholds: AlertThresholds): readonly CatalogueEntry[] {
    const off = new Set<string>(thresholds.disabled);
    return ALERT_CATALOGUE.filter((entry) => !off.has(entry.id));
}

export function catalogueEntry(id: AlertId): CatalogueEntry {
    const entry = ALERT_CATALOGUE.find((e) => e.id === id);
    if (!entry) throw new Error(`unknown alert id \`${id}\``);
    return entry;
}

/** `runbook_url` for an entry: `<base>/<file>#<section-slug>`. */
export function runbookUrl(entry: CatalogueEntry, thresholds: AlertThresholds): string {
    const anchor = entry.runbook.section
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, "")
        .trim()
        .replace(/ +/g, "-");
    return `${thresholds.runbookBaseUrl.replace(/\/+$/, "")}/${entry.runbook.file}#${anchor}`;
}

/** One service the alerts are rendered for; the same value feeds every platform's renderer. */
export interface ServiceAlertTarget {
    /** Value of the `service` metric label and the Application Insights role name. */
    readonly service: string;
    /** Kubernetes namespace of the workload; required by the Prometheus rendering. */
    readonly namespace?: string;
    /** Container name in kube/cAdvisor metrics. @default service */
    readonly container?: string;
    /** Added as the `team` label so Alertmanager can route by owner. @default no label */
    readonly team?: string;
    /** Dependencies the service's readiness check reports. @default [] */
    readonly dependencies?: readonly Dependency[];
    /** Optional signals the service emits. @default [] */
    readonly signals?: readonly OptionalSignal[];
    /** Public URL probed by the synthetic check; required with the `public-endpoint` signal. */
    readonly publicUrl?: string;
}

/** One backed-up database. */
export interface BackupAlertTarget {
    readonly store: string;
    readonly database: string;
    /** `service` label used for routing. @default "backup" */
    readonly service?: string;
    readonly team?: string;
}

/** Entries that apply to a service, in catalogue order, with disabled ones removed. */
export function serviceEntries(target: ServiceAlertTarget, thresholds: AlertThresholds): readonly CatalogueEntry[] {
    const signals = new Set<Signal>(["http", "container", ...(target.signals ?? [])]);
    const deps = new Set(target.dependencies ?? []);
    if (signals.has("public-endpoint") && !target.publicUrl) {
        throw new Error(
            `\`publicUrl\` is required for service \`${target.service}\` because it has the \`public-endpoint\` signal`,
        );
    }
    return enabledAlerts(thresholds).filter((entry) =>
        entry.scope === "dependency"
            ? entry.dependency !== undefined && deps.has(entry.dependency)
            : entry.scope === "service" && signals.has(entry.signal),
    );
}

export function backupEntries(thresholds: AlertThresholds): readonly CatalogueEntry[] {
    return enabledAlerts(thresholds).filter((entry) => entry.scope === "backup");
}
