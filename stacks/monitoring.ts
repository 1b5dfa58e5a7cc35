import * as pulumi from "@pulumi/pulumi";
import { backupSubjects } from "../components/backup/backups";
import type { OptionalSignal } from "../components/observability/catalogue";
import type { MonitoredService, MonitoringArgs } from "../components/observability/monitoring";
import type { SecretStore } from "../components/secrets/secret-store";
import type { EstateConfig } from "./config";
import type { ServiceEndpoint } from "./outputs";
import type { SecretId } from "./secrets";
import type { ServiceName } from "./services";

/** Secret id of the on-call receiver's routing key or webhook URL in the estate's store. */
export const ON_CALL_KEY_SECRET = "alert-on-call-key" satisfies SecretId;

/** Signals each service emits beyond HTTP and container metrics (runbooks 002, 003): architecture, not tuning. */
export const signalsByService: Readonly<Record<ServiceName, readonly Exclude<OptionalSignal, "public-endpoint">[]>> = {
    api: ["ai-provider"],
    gateway: [],
    ui: [],
    worker: ["queue", "ai-provider", "sync-jobs"],
};

/** A service's workload as the platform declared it, and the name its telemetry reports. */
export interface WatchedWorkload {
    readonly resource: pulumi.Resource;
    readonly telemetryName?: string;
}

/** What the estate asks the platform to watch: every enabled service, its dependencies, public health URL and backups. */
export function monitoringArgs(
    config: EstateConfig,
    endpoints: Readonly<Record<string, ServiceEndpoint>>,
    workloads: Readonly<Record<string, WatchedWorkload>>,
    store: SecretStore,
    onCallKey: pulumi.Output<string> | undefined,
): MonitoringArgs {
    const services: MonitoredService[] = config.services.map((service) => ({
        name: service.name,
        dependencies: service.needs,
        signals: signalsByService[service.name],
        ...(workloads[service.name] !== undefined ? { workload: workloads[service.name]!.resource } : {}),
        ...(workloads[service.name]?.telemetryName !== undefined
            ? { telemetryName: workloads[service.name]!.telemetryName }
            : {}),
        ...(service.host !== undefined
            ? { healthUrl: pulumi.output(endpoints[service.name]?.healthUrl).apply((url) => url ?? "") }
            : {}),
        scaling: {
            minReplicas: service.minReplicas,
            maxReplicas: service.maxReplicas,
            targetCpuPercent: config.autoscaling.targetCpuPercent,
        },
    }));
    const keyRef = store.refs[ON_CALL_KEY_SECRET];
    return {
        services,
        backups: backupSubjects(config.backups.postgresDatabases),
        thresholds: config.alerts,
        onCall: {
            kind: config.onCall.receiver,
            ...(keyRef !== undefined ? { keyRef } : {}),
            ...(onCallKey !== undefined ? { key: onCallKey } : {}),
            emails: config.onCall.emails,
        },
        protect: config.isProd,
    };
}
