/**
 * Config-level intents: a changed `-c` value on the prod stack. Each costs a program run per
 * platform, so only one per kind of intent: a loosened runbook threshold, shortened retention,
 * HA dropped in prod, a plain-http URL.
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
        id: "config-oidc-http",
        category: "https",
        source: { catalogue: "runbook", id: "GA-TLS" },
        platforms: both,
        description: "OIDC issuer over plain http",
        config: { "estate:oidcIssuer": "http://login.example.com/realms/estate" },
    },
];
