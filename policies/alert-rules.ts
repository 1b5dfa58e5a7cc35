// Alerts that are declared but cannot do their job: switched off, waiting hours before they
// fire, thresholds looser than the runbooks', or an expression that reads no signal at all.
import type { PolicyConfigSchema, ReportViolation } from "@pulumi/policy";
import { ALERT_TAG, METRIC_ALERT, PROMETHEUS_RULE, SCHEDULED_QUERY_RULE, SERVICE_TAG } from "./alert-resources";
import { CatalogEntry, configWithDefaults, field, list, type Props, text } from "./lib";
import {
    isoDurationSeconds,
    longestRunbookWaitSeconds,
    promDurationSeconds,
    RUNBOOK_ALERT_DEFAULTS,
    type RunbookThresholdKey,
} from "./runbook-thresholds";

export const WEB_TEST = "azure-native:applicationinsights:WebTest";
export const LOG_WORKSPACE = "azure-native:operationalinsights:Workspace";

/**
 * The runbook threshold each catalogue alert fires above, and the unit it is written in per
 * platform (Application Insights measures request duration in milliseconds). Alerts whose
 * rendered condition is not the runbook number itself (a count of successes) are left out.
 */
const LIMITS: Readonly<Record<string, { key: RunbookThresholdKey; kubernetes?: number; azure?: number }>> = {
    HttpLatencyP95High: { key: "latencyP95Seconds", kubernetes: 1, azure: 1000 },
    HttpErrorRateHigh: { key: "errorRatePercent", kubernetes: 1, azure: 1 },
    ContainerRestartsHigh: { key: "restartsIn10m", kubernetes: 1, azure: 1 },
    CpuSaturationHigh: { key: "cpuPercent", kubernetes: 1, azure: 1 },
    MemorySaturationHigh: { key: "memoryPercent", kubernetes: 1, azure: 1 },
    QueueBacklogHigh: { key: "queueBacklog", kubernetes: 1, azure: 1 },
    AiProviderErrorsHigh: { key: "aiProviderErrorRatePercent", kubernetes: 1, azure: 1 },
    SyncJobFailures: { key: "syncJobFailures", kubernetes: 1, azure: 1 },
    BackupStale: { key: "backupMaxAgeHours", kubernetes: 3600 },
    RestoreDrillOverdue: { key: "restoreDrillMaxAgeDays", kubernetes: 86400, azure: 1 },
};

const numericDefaults = Object.fromEntries(
    Object.entries(RUNBOOK_ALERT_DEFAULTS).filter(([, v]) => typeof v === "number"),
) as Record<RunbookThresholdKey, number>;

const schema: PolicyConfigSchema = {
    properties: {
        thresholds: {
            type: "object",
            default: numericDefaults,
            description:
                "The loosest threshold each alert may fire at, by runbook key; a stack that needs a looser one records it here as its exception.",
        },
        minLogRetentionDays: {
            type: "integer",
            minimum: 1,
            default: RUNBOOK_ALERT_DEFAULTS.restoreDrillMaxAgeDays,
            description:
                "Fewest days the Log Analytics workspace keeps logs: the restore-drill alert looks back over the runbook's drill age.",
        },
        maxWaitMinutes: {
            type: "integer",
            minimum: 1,
            default: Math.round(longestRunbookWaitSeconds() / 60),
            description:
                "Longest an alert may wait (Prometheus `for`, Azure metric alert window) before firing: the runbooks' longest sustain time.",
        },
    },
};
interface Config {
    thresholds: Record<string, number>;
    minLogRetentionDays: number;
    maxWaitMinutes: number;
}

const COMPARISON = /^(>=|<=|==|!=|>|<)\s*(?:bool\s+)?(-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)/i;

/**
 * Walks a PromQL expression and calls `visit` at each character outside strings and outside any
 * parentheses, braces or brackets; `visit` returns the index to resume at when it consumed more
 * than that character.
 */
export function scanTopLevel(expr: string, visit: (i: number) => number | undefined): void {
    let depth = 0;
    let quote: string | undefined;
    for (let i = 0; i < expr.length; i++) {
        const ch = expr[i];
        if (quote) {
            if (ch === "\\") i++;
            else if (ch === quote) quote = undefined;
            continue;
        }
        if (ch === '"' || ch === "'" || ch === "`") quote = ch;
        else if ("({[".includes(ch)) depth++;
        else if (")}]".includes(ch)) depth--;
        else if (depth === 0) {
            const resume = visit(i);
            if (resume !== undefined) i = resume - 1;
        }
    }
}

/** The `> N` comparisons of a PromQL expression outside any parentheses, braces or brackets. */
export function topLevelComparisons(expr: string): Array<{ op: string; value: number }> {
    const out: Array<{ op: string; value: number }> = [];
    scanTopLevel(expr, (i) => {
        if (!"<>=!".includes(expr[i])) return undefined;
        const m = COMPARISON.exec(expr.slice(i));
        if (!m) return undefined;
        out.push({ op: m[1], value: Number(m[2]) });
        return i + m[0].length;
    });
    return out;
}

// Binary-operator and modifier keywords, and the aggregation operators, which may precede `by (…)` instead of `(`
// (prometheus/prometheus promql/parser/lex.go `key`).
const KEYWORDS = new Set([
    ...["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless"],
    ...["sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "count_values"],
    ...["quantile", "limitk", "limit_ratio"],
]);
const KEYWORDS_AFTER = ["bool", "offset", "inf", "nan", "start", "end"];

/** True when a PromQL expression selects at least one series: otherwise it is a constant, and never fires on a signal. */
export function readsSeries(expr: string): boolean {
    const bare = expr.replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`/g, '""');
    if (bare.includes("{")) return true;
    const names = bare
        .replace(/\[[^\]]*\]/g, "")
        .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "$1")
        .matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g);
    return [...names].some(([, n]) => !KEYWORDS.has(n) && !KEYWORDS_AFTER.includes(n.toLowerCase()));
}

/** The expression split at `or`, then each branch at `and` / `unless`, outside parentheses and strings. */
function setOperands(expr: string): Array<Array<{ op: string; term: string }>> {
    const branches: Array<Array<{ op: string; term: string }>> = [[]];
    let start = 0;
    let op = "";
    const push = (end: number) => branches.at(-1)!.push({ op, term: expr.slice(start, end).trim() });
    scanTopLevel(expr, (i) => {
        if (!/\s/.test(expr[i])) return undefined;
        const m = /^\s(and|or|unless)(?=[\s(])/i.exec(expr.slice(i));
        if (!m) return undefined;
        push(i);
        const keyword = m[1].toLowerCase();
        if (keyword === "or") branches.push([]);
        op = keyword === "or" ? "" : keyword;
        start = i + m[0].length;
        return start;
    });
    push(expr.length);
    return branches;
}

const CONSTANT_VECTOR =
    /^\(*\s*vector\(\s*(-?[\d.]+(?:e[+-]?\d+)?)\s*\)\s*(?:(>=|<=|==|!=|>|<)\s*(bool\s+)?(-?[\d.]+(?:e[+-]?\d+)?))?\s*\)*$/i;

/** Whether a constant `vector(n)` (optionally compared with a number) always has its one sample, never has it, or is no such constant. */
function constantVector(term: string): "always" | "never" | undefined {
    const m = CONSTANT_VECTOR.exec(term);
    if (!m) return undefined;
    if (m[2] === undefined || m[3] !== undefined) return "always";
    const [a, b] = [Number(m[1]), Number(m[4])];
    const holds = { ">=": a >= b, "<=": a <= b, "==": a === b, "!=": a !== b, ">": a > b, "<": a < b }[m[2]];
    return holds ? "always" : "never";
}

/**
 * Why a PromQL expression can never return a sample, or undefined: each `or` branch is a constant
 * that never holds, is `and` a constant that never holds, or is `unless on()` a constant that
 * always does (prometheus/prometheus promql/engine.go VectorAnd, VectorUnless: `on()` matches every
 * sample against the constant's empty label set).
 */
export function neverFires(expr: string): string | undefined {
    const reasons = setOperands(expr).map((branch) => {
        for (const { op, term } of branch) {
            const matching = /^(on|ignoring)\s*\(([^)]*)\)\s*(.*)$/is.exec(term);
            const operand = op === "" ? term : (matching?.[3] ?? term);
            const constant = constantVector(operand);
            if (op !== "unless" && constant === "never") return `\`${operand}\` never holds`;
            if (op === "unless" && constant === "always" && matching?.[1] === "on" && matching[2].trim() === "")
                return `\`unless on() ${operand}\` removes every sample`;
        }
        return undefined;
    });
    return reasons.every((r) => r !== undefined) ? reasons.join("; ") : undefined;
}

function checkThreshold(
    alert: string,
    platform: "kubernetes" | "azure",
    found: number,
    cfg: Config,
    who: string,
    report: ReportViolation,
): void {
    const limit = LIMITS[alert];
    const scale = limit?.[platform];
    if (!limit || scale === undefined) return;
    const loosest = (cfg.thresholds[limit.key] ?? numericDefaults[limit.key]) * scale;
    if (found > loosest * (1 + 1e-9))
        report(
            `${who} fires above ${found}, looser than the runbook's ${loosest} (${limit.key}): lower it, or record the exception in this stack's policy config.`,
        );
}

function checkPrometheusRule(props: Props, cfg: Config, report: ReportViolation): void {
    for (const group of list(props, "spec", "groups")) {
        for (const rule of list(group, "rules")) {
            const alert = text(rule, "alert");
            if (alert === undefined) continue;
            const who = `Rule ${alert} in group ${text(group, "name") ?? "(unnamed)"}`;
            const expr = String(field(rule, "expr") ?? "");
            const never = neverFires(expr);
            if (!readsSeries(expr))
                report(`${who} reads no metric (its expr is a constant): alert on the signal the runbook names.`);
            else if (never !== undefined) report(`${who} can never fire (${never}): remove that clause from its expr.`);
            const wait = text(rule, "for");
            const seconds = wait === undefined ? 0 : promDurationSeconds(wait);
            if (seconds === undefined || seconds > cfg.maxWaitMinutes * 60)
                report(`${who} waits for: ${wait} before firing: keep it at ${cfg.maxWaitMinutes}m or less.`);
            for (const c of topLevelComparisons(expr).filter((x) => x.op === ">" || x.op === ">="))
                checkThreshold(alert, "kubernetes", c.value, cfg, who, report);
        }
    }
}

// Metric alert windows Azure Monitor accepts (Microsoft.Insights metricAlerts `windowSize`).
const METRIC_WINDOWS_MINUTES = [1, 5, 15, 30, 60, 360, 720, 1440];

function checkAzureRule(type: string, props: Props, cfg: Config, report: ReportViolation): void {
    const alert = text(props, "tags", ALERT_TAG) ?? "";
    const who = `Alert rule ${alert || "(untagged)"} of "${text(props, "tags", SERVICE_TAG) ?? "?"}"`;
    if (field(props, "enabled") === false) report(`${who} is disabled: set enabled: true.`);
    if (type === METRIC_ALERT) {
        const window = isoDurationSeconds(text(props, "windowSize") ?? "PT5M");
        const widest = METRIC_WINDOWS_MINUTES.find((m) => m >= cfg.maxWaitMinutes) ?? cfg.maxWaitMinutes;
        if (window === undefined || window > widest * 60)
            report(`${who} averages over ${text(props, "windowSize")}: set windowSize to PT${widest}M or less.`);
    }
    for (const c of list(props, "criteria", "allOf")) {
        const op = text(c, "operator") ?? "";
        const threshold = field(c, "threshold");
        if (typeof threshold === "number" && op.startsWith("GreaterThan"))
            checkThreshold(alert, "azure", threshold, cfg, who, report);
    }
}

export const alertsArmed: CatalogEntry = {
    policy: {
        name: "alerts-armed",
        description:
            "Every declared alert can fire on time: enabled, reading a signal, waiting no longer than the runbooks' longest sustain time, at thresholds no looser than the runbooks' (Prometheus rules, Azure metric and log alerts, availability tests), over a log workspace that keeps what the log alerts look back on.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: schema,
        validateResource: (args, report) => {
            const cfg = configWithDefaults<Config>(schema, args);
            if (args.type === PROMETHEUS_RULE) checkPrometheusRule(args.props, cfg, report);
            else if (args.type === METRIC_ALERT || args.type === SCHEDULED_QUERY_RULE)
                checkAzureRule(args.type, args.props, cfg, report);
            else if (args.type === LOG_WORKSPACE) {
                // Unset, a PerGB2018 workspace keeps 30 days (Microsoft.OperationalInsights workspaces `retentionInDays`).
                const days = Number(field(args.props, "retentionInDays") ?? 30);
                if (!(days >= cfg.minLogRetentionDays))
                    report(
                        `Set retentionInDays to at least ${cfg.minLogRetentionDays} (it is ${days}): the log alerts look back that far for the last backup and restore drill.`,
                    );
            } else if (args.type === WEB_TEST && field(args.props, "enabled") === false)
                report(
                    `Availability test "${text(args.props, "webTestName") ?? args.name}" is disabled: set enabled: true (its alert sees no failures).`,
                );
        },
    },
    meta: {
        requirements: [
            "UA-SLO-ALERT-RULES",
            "CA-5XX-THRESHOLD",
            "CA-SATURATION-THRESHOLD",
            "GA-MONITORING",
            "RAG-HTTPS-CHECK",
        ],
        checks: [],
    },
};

export const alertRulePolicies: readonly CatalogEntry[] = [alertsArmed];
