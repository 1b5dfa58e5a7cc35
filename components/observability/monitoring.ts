import type * as pulumi from "@pulumi/pulumi";
import type { SecretRef } from "../workload/service";
import {
    type BackupAlertTarget,
    type Dependency,
    type OptionalSignal,
    type ServiceAlertTarget,
    backupEntries,
    serviceEntries,
} from "./catalogue";
import { type AlertThresholds } from "./thresholds";

/** One service the estate watches. */
export interface MonitoredService {
    /** Service name: the `service` metric label, the Application Insights role name. */
    readonly name: string;
    /** Dependencies its readiness check reports; each gets a dependency-down alert. @default [] */
    readonly dependencies?: readonly Dependency[];
    /** Optional signals it emits besides HTTP and container metrics. @default [] */
    readonly signals?: readonly Exclude<OptionalSignal, "public-endpoint">[];
    /** Public liveness URL (`https://host/healthz`); probed synthetically when set. @default internal only */
    readonly healthUrl?: pulumi.Input<string>;
    /** The service's workload as the platform declared it; alerts that watch the resource scope it. */
    readonly workload?: pulumi.Resource;
    /** The name its telemetry reports (`OTEL_SERVICE_NAME`, Application Insights' `cloud_RoleName`). @default `name` */
    readonly telemetryName?: string;
    /** Replica bounds and CPU target, for platforms that scale on latency too. */
    readonly scaling: { readonly minReplicas: number; readonly maxReplicas: number; readonly targetCpuPercent: number };
}

export type OnCallReceiverKind = "pagerduty" | "webhook";

/** The receiver that pages. */
export interface OnCallArgs {
    /** `pagerduty`: the key is an Events v2 routing key; `webhook`: the key is the full URL. */
    readonly kind: OnCallReceiverKind;
    /** The key in the estate's secret store, read by reference where the platform can. Absent: nothing pages. */
    readonly keyRef?: SecretRef;
    /** The key as a secret value, for receivers that cannot read a store (Azure action groups). Absent: nothing pages. */
    readonly key?: pulumi.Output<string>;
    /** E-mail receivers: beside the pager on Azure (action group), of ticket-level alerts on Kubernetes. @default [] */
    readonly emails?: readonly string[];
}

/** Platform-neutral description of the estate's alerting, dashboards and synthetic checks. */
export interface MonitoringArgs {
    readonly services: readonly MonitoredService[];
    /** Backed-up databases whose backup age and restore drills are alerted on. @default [] */
    readonly backups?: readonly BackupAlertTarget[];
    readonly thresholds: AlertThresholds;
    readonly onCall: OnCallArgs;
    /** Keep stateful monitoring resources (Application Insights) through accidental deletes. @default false */
    readonly protect?: boolean;
}

/** What the outputs contract publishes about alerting. */
export interface MonitoringOutputs {
    readonly receiverKind: pulumi.Output<OnCallReceiverKind>;
    /** AlertmanagerConfig name(s) or action group id(s) the alerts route through. */
    readonly routingIds: pulumi.Output<string[]>;
    /** Alert names per service (`backup` for the backup alerts). */
    readonly alertNames: pulumi.Output<Record<string, string[]>>;
}

/** Stand-in URL for pure helpers that only need to know a service is public. */
const PUBLIC_PLACEHOLDER = "https://public.invalid/healthz";

/** The catalogue's view of a service; `healthUrl` must be resolved when the rendering uses it. */
export function alertTarget(
    service: MonitoredService,
    healthUrl: string | undefined,
    namespace?: string,
): ServiceAlertTarget {
    return {
        service: service.name,
        ...(namespace !== undefined ? { namespace } : {}),
        dependencies: service.dependencies ?? [],
        signals: [...(service.signals ?? []), ...(healthUrl !== undefined ? (["public-endpoint"] as const) : [])],
        ...(healthUrl !== undefined ? { publicUrl: healthUrl } : {}),
    };
}

/** Alert names per service, in catalogue order; identical on every platform by construction. */
export function alertNamesByService(
    args: Pick<MonitoringArgs, "services" | "backups" | "thresholds">,
): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const service of args.services) {
        const target = alertTarget(service, service.healthUrl !== undefined ? PUBLIC_PLACEHOLDER : undefined);
        out[service.name] = serviceEntries(target, args.thresholds).map((e) => e.alertName);
    }
    for (const backup of args.backups ?? []) {
        const owner = backup.service ?? "backup";
        out[owner] = [...new Set([...(out[owner] ?? []), ...backupEntries(args.thresholds).map((e) => e.alertName)])];
    }
    return out;
}

/** PagerDuty's Azure Monitor integration takes the routing key inside the webhook URL. */
export function onCallWebhookUrl(kind: OnCallReceiverKind, key: string): string {
    return kind === "pagerduty" ? `https://events.pagerduty.com/integration/${encodeURIComponent(key)}/enqueue` : key;
}

/** The PromQL of an alert without its final comparison: what a panel or a scaler plots. */
export function signalQuery(expr: string): string {
    return expr.replace(/\s(?:>=|<=|>|<)\s-?[0-9.]+$/, "");
}
