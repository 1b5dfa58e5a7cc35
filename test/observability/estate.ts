// What the stack files and stacks/services.ts say the estate's services are, as the alert
// renderers see them: the exact inputs the program-level monitoring tests expect.
import { type ServiceAlertTarget } from "../../components/observability/catalogue";
import { parseAlertThresholds, type AlertThresholds } from "../../components/observability/thresholds";

export const THRESHOLDS: AlertThresholds = parseAlertThresholds({
    runbookBaseUrl: "https://runbooks.estate.example.com",
});
export const domain = (stack: string) => (stack === "prod" ? "estate.example.com" : "staging.estate.example.com");

/** Exactly what stacks/services.ts and stacks/monitoring.ts say each service is. */
export function targets(stack: string): ServiceAlertTarget[] {
    const health = (prefix: string) => `https://${prefix}.${domain(stack)}/healthz`;
    return [
        {
            service: "api",
            namespace: "estate",
            dependencies: ["postgres", "redis", "neo4j", "ollama"],
            signals: ["ai-provider", "public-endpoint"],
            publicUrl: health("api"),
        },
        {
            service: "gateway",
            namespace: "estate",
            dependencies: ["redis"],
            signals: ["public-endpoint"],
            publicUrl: health("gateway"),
        },
        {
            service: "ui",
            namespace: "estate",
            dependencies: [],
            signals: ["public-endpoint"],
            publicUrl: health("app"),
        },
        {
            service: "worker",
            namespace: "estate",
            dependencies: ["postgres", "redis", "ollama"],
            signals: ["queue", "ai-provider", "sync-jobs"],
        },
    ];
}

export const ALERT_NAMES = {
    api: [
        "HttpLatencyP95High",
        "HttpErrorRateHigh",
        "ContainerRestartsHigh",
        "CpuSaturationHigh",
        "MemorySaturationHigh",
        "PublicEndpointDown",
        "PostgresDown",
        "RedisDown",
        "Neo4jDown",
        "OllamaDown",
        "AiProviderErrorsHigh",
    ],
    gateway: [
        "HttpLatencyP95High",
        "HttpErrorRateHigh",
        "ContainerRestartsHigh",
        "CpuSaturationHigh",
        "MemorySaturationHigh",
        "PublicEndpointDown",
        "RedisDown",
    ],
    ui: [
        "HttpLatencyP95High",
        "HttpErrorRateHigh",
        "ContainerRestartsHigh",
        "CpuSaturationHigh",
        "MemorySaturationHigh",
        "PublicEndpointDown",
    ],
    worker: [
        "HttpLatencyP95High",
        "HttpErrorRateHigh",
        "ContainerRestartsHigh",
        "CpuSaturationHigh",
        "MemorySaturationHigh",
        "PostgresDown",
        "RedisDown",
        "OllamaDown",
        "QueueBacklogHigh",
        "AiProviderErrorsHigh",
        "SyncJobFailures",
    ],
    backup: ["BackupStale", "RestoreDrillOverdue"],
};
