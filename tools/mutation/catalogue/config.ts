/**
 * Config-level intents: a changed `-c` value on the prod stack. Each costs a program run per
 * platform, so only a few per kind of intent: loosened runbook thresholds, shortened retention,
 * HA dropped in prod, plain-http URLs. stacks/config-floors.ts refuses them at parse time.
 */
import type { ConfigMutation } from "../mutation";

const both = ["kubernetes", "azure"] as const;

export const configMutations: ConfigMutation[] = [
    {
        id: "config-error-rate-loosened",
        category: "backups-alerts",
        source: { catalogue: "runbook", id: "CA-5XX-THRESHOLD" },
        platforms: both,
        description: "5xx alert threshold loosened from the runbook's 1 % to 10 %",
        config: { "estate:alertErrorRatePercent": "10" },
    },
    {
        id: "config-backup-retention-short",
        category: "backups-alerts",
        source: { catalogue: "runbook", id: "GA-BACKUPS" },
        platforms: both,
        description: "backup retention shortened to 3 days",
        config: { "estate:backupRetentionDays": "3" },
    },
    {
        id: "config-min-replicas-1",
        category: "availability",
        source: { catalogue: "runbook", id: "UA-ENVIRONMENT" },
        platforms: both,
        description: "prod api down to one replica",
        config: { "estate:apiMinReplicas": "1" },
    },
    {
        id: "config-latency-loosened",
        category: "backups-alerts",
        source: { catalogue: "runbook", id: "UA-SLO-ALERT-RULES" },
        platforms: both,
        description: "p95 latency alert loosened from the runbook's 2 s to 10 s",
        config: { "estate:alertLatencyP95Seconds": "10" },
    },
    {
        id: "config-dependency-down-hour",
        category: "backups-alerts",
        source: { catalogue: "runbook", id: "UA-SLO-ALERT-RULES" },
        platforms: both,
        description: "a store may be down an hour before anyone is paged",
        config: { "estate:alertDependencyDownFor": "1h" },
    },
    {
        id: "config-pitr-short",
        category: "backups-alerts",
        source: { catalogue: "runbook", id: "UA-DAILY-PG-DUMP" },
        platforms: both,
        description: "point-in-time restore window cut to 7 days in prod",
        config: { "estate:postgresBackupRetentionDays": "7" },
    },
    {
        id: "config-postgres-ha-off",
        category: "availability",
        source: { catalogue: "runbook", id: "GA-HA-CACHE" },
        platforms: both,
        description: "PostgreSQL high availability off in prod",
        config: { "estate:postgresHighAvailability": "false" },
    },
    {
        id: "config-cors-http",
        category: "https",
        source: { catalogue: "runbook", id: "GA-CORS" },
        platforms: both,
        description: "a CORS origin over plain http",
        config: { "estate:corsAllowedOrigins": '["https://app.estate.example.com","http://admin.estate.example.com"]' },
    },
    {
        id: "config-redmine-http",
        category: "https",
        source: { catalogue: "runbook", id: "RAG-UPSTREAM-HTTPS" },
        platforms: both,
        description: "the Redmine upstream over plain http",
        config: { "estate:redmineBaseUrl": "http://redmine.example.com" },
    },
    {
        id: "config-oidc-http",
        category: "https",
        source: { catalogue: "runbook", id: "GA-TLS" },
        platforms: both,
        description: "OIDC issuer over plain http",
        config: { "estate:oidcIssuer": "http://login.example.com/realms/estate" },
    },
];
