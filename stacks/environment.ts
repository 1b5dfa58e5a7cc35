import type * as pulumi from "@pulumi/pulumi";
import { postgresPoolEnv } from "../components/data/postgres";
import { cacheTtlEnv } from "../components/data/redis";
import type { EstateConfig, ServiceConfig } from "./config";

/** Runbook 002 tuning profiles. `laptop` is the runbook's M1 profile verbatim; `server` raises concurrency. */
export const tuningProfiles = {
    laptop: {
        EMBEDDING_DIM: "256",
        RETRIEVAL_CANDIDATE_MULTIPLIER: "4",
        LLM_EXTRACT_BATCH_SIZE: "20",
        REDMINE_HTTP_TIMEOUT_S: "30",
        OLLAMA_TIMEOUT_S: "45",
        OLLAMA_MAX_CONCURRENCY: "2",
    },
    server: {
        EMBEDDING_DIM: "768",
        RETRIEVAL_CANDIDATE_MULTIPLIER: "6",
        LLM_EXTRACT_BATCH_SIZE: "50",
        REDMINE_HTTP_TIMEOUT_S: "30",
        OLLAMA_TIMEOUT_S: "120",
        OLLAMA_MAX_CONCURRENCY: "8",
    },
} as const satisfies Record<EstateConfig["tuning"]["profile"], Record<string, string>>;

export interface EnvironmentContext {
    /** Where the estate's Ollama answers, unless the stack overrides OLLAMA_BASE_URL. */
    readonly ollamaUrl: pulumi.Input<string>;
}

/**
 * The plain (non-secret) environment of a service: every knob the runbooks name, from config.
 * Credentials never appear here; they are wired by reference from the secret store.
 */
export function serviceEnvironment(
    config: EstateConfig,
    service: ServiceConfig,
    context: EnvironmentContext,
): Record<string, pulumi.Input<string>> {
    const env: Record<string, pulumi.Input<string>> = {
        ENVIRONMENT: config.environment,
        LOG_LEVEL: config.logLevel.toUpperCase(),
        PORT: String(service.port),
        SERVICE_NAME: service.name,
        IMAGE_TAG: service.tag,
        RATE_LIMIT_PER_MINUTE: String(config.rateLimits.perMinute),
        RATE_LIMIT_MAX: String(config.rateLimits.max),
        RATE_LIMIT_WINDOW_MS: String(config.rateLimits.windowMs),
        AI_RATE_LIMIT_MAX_REQUESTS: String(config.rateLimits.aiMaxRequests),
        BACKGROUND_RATE_LIMIT_MAX_REQUESTS: String(config.rateLimits.backgroundMaxRequests),
        ALLOWED_ORIGINS: config.cors.allowedOrigins.join(","),
        OIDC_ISSUER: config.oidc.issuer,
        OIDC_CLIENT_ID: config.oidc.clientId,
        OTEL_SERVICE_NAME: `${config.project}-${service.name}`,
        OTEL_RESOURCE_ATTRIBUTES: `deployment.environment=${config.environment},service.version=${service.tag}`,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: config.otel.tracesEndpoint,
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: config.otel.metricsEndpoint,
        OUTBOUND_ALLOWED_HOSTS: config.outbound.allowedHosts.join(","),
        AI_ENABLED: String(config.aiEnabled),
    };
    if (service.needs.includes("postgres")) Object.assign(env, postgresPoolEnv(config.data.postgres.pool));
    if (service.needs.includes("redis")) Object.assign(env, cacheTtlEnv(config.data.cacheTtl));
    if (service.needs.includes("ollama")) {
        Object.assign(env, tuningProfiles[config.tuning.profile], {
            OLLAMA_BASE_URL: config.ollama.baseUrl ?? context.ollamaUrl,
            OLLAMA_MODEL: config.ollama.chatModel,
            OLLAMA_EMBEDDING_MODEL: config.ollama.embeddingModel,
        });
    }
    if (config.outbound.redmineBaseUrl !== undefined) {
        env["REDMINE_BASE_URL"] = config.outbound.redmineBaseUrl;
        env["REDMINE_ALLOWED_HOSTS"] = config.outbound.allowedHosts.join(",");
    }
    return env;
}
