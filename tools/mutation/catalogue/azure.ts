/**
 * The Azure platform: storage accounts and the backup container's protections, Key Vault, role
 * assignments, the stores' network exposure, prod availability, backups and alerts, plain http.
 * Checkov ids from https://www.checkov.io/5.Policy%20Index/arm.html, CIS Microsoft Azure
 * Foundations Benchmark sections, Azure Security Benchmark v3 controls.
 */
import { mutationBuilder, sourceIn, type ResourceMutation } from "../mutation";

const a = (kind: string) => `azure-native:${kind}`;
const T = {
    account: a("storage:StorageAccount"),
    blobService: a("storage:BlobServiceProperties"),
    container: a("storage:BlobContainer"),
    lifecycle: a("storage:ManagementPolicy"),
    immutability: a("storage:BlobContainerImmutabilityPolicy"),
    vault: a("keyvault:Vault"),
    role: a("authorization:RoleAssignment"),
    app: a("app:ContainerApp"),
    env: a("app:ManagedEnvironment"),
    job: a("app:Job"),
    redis: a("redis:Redis"),
    server: a("dbforpostgresql:Server"),
    pgConfig: a("dbforpostgresql:Configuration"),
    endpoint: a("network:PrivateEndpoint"),
    workspace: a("operationalinsights:Workspace"),
    metricAlert: a("monitor:MetricAlert"),
    queryRule: a("monitor:ScheduledQueryRule"),
    actionGroup: a("monitor:ActionGroup"),
    webTest: a("applicationinsights:WebTest"),
    nic: a("network:NetworkInterface"),
    nsg: a("network:NetworkSecurityGroup"),
    vm: a("compute:VirtualMachine"),
    disk: a("compute:Disk"),
};

const checkov = sourceIn("Checkov");
const cis = sourceIn("CIS Azure");
const asb = sourceIn("ASB");
const runbook = sourceIn("runbook");

const m = mutationBuilder("azure");

const ACCOUNTS = ["backups-account", "redisrdb", "ollamamodels"];
const storage: ResourceMutation[] = [
    ...ACCOUNTS.flatMap((n) => [
        m(`${n}-blob-public`, "storage", checkov("CKV_AZURE_190"), [T.account, n], "blob public access allowed", {
            set: "allowBlobPublicAccess",
            value: true,
        }),
        m(`${n}-shared-key`, "storage", checkov("CKV2_AZURE_40"), [T.account, n], "shared key access allowed", {
            set: "allowSharedKeyAccess",
            value: true,
        }),
        m(`${n}-tls-1-0`, "storage", checkov("CKV_AZURE_44"), [T.account, n], "TLS 1.0 accepted", {
            set: "minimumTlsVersion",
            value: "TLS1_0",
        }),
        m(`${n}-http`, "https", checkov("CKV_AZURE_3"), [T.account, n], "http traffic allowed", {
            set: "enableHttpsTrafficOnly",
            value: false,
        }),
        m(
            `${n}-public-network`,
            "network-exposure",
            checkov("CKV_AZURE_59"),
            [T.account, n],
            "public network access enabled",
            { set: "publicNetworkAccess", value: "Enabled" },
            { set: "networkRuleSet", value: { defaultAction: "Allow" } },
        ),
        m(`${n}-cross-tenant`, "storage", asb("DP-2"), [T.account, n], "cross-tenant replication allowed", {
            set: "allowCrossTenantReplication",
            value: true,
        }),
    ]),
    m("backups-account-lrs", "storage", asb("BR-2"), [T.account, "backups-account"], "backups kept in one datacentre", {
        set: "sku.name",
        value: "Standard_LRS",
    }),
    m(
        "blob-soft-delete-off",
        "storage",
        checkov("CKV_AZURE_111"),
        [T.blobService, "backups-blob-service"],
        "blob soft delete off",
        { set: "deleteRetentionPolicy.enabled", value: false },
    ),
    m(
        "blob-soft-delete-1d",
        "storage",
        cis("3.11"),
        [T.blobService, "backups-blob-service"],
        "blob soft delete kept one day",
        { set: "deleteRetentionPolicy.days", value: 1 },
    ),
    m(
        "container-soft-delete-off",
        "storage",
        cis("3.11"),
        [T.blobService, "backups-blob-service"],
        "container soft delete off",
        { set: "containerDeleteRetentionPolicy.enabled", value: false },
    ),
    m("blob-versioning-off", "storage", asb("BR-4"), [T.blobService, "backups-blob-service"], "blob versioning off", {
        set: "isVersioningEnabled",
        value: false,
    }),
    m(
        "blob-service-removed",
        "storage",
        cis("3.11"),
        [T.blobService, "backups-blob-service"],
        "blob service protections removed",
        { remove: true },
    ),
    m(
        "container-public-blob",
        "storage",
        checkov("CKV_AZURE_34"),
        [T.container, "backups-container"],
        "backup container publicly readable",
        { set: "publicAccess", value: "Blob" },
    ),
    m(
        "container-public-container",
        "storage",
        checkov("CKV_AZURE_34"),
        [T.container, "backups-container"],
        "backup container listable by anyone",
        { set: "publicAccess", value: "Container" },
    ),
    m(
        "lifecycle-early-delete",
        "storage",
        runbook("GA-BACKUPS"),
        [T.lifecycle, "backups-lifecycle"],
        "lifecycle deletes after a day",
        { set: "policy.rules.0.definition.actions.baseBlob.delete.daysAfterModificationGreaterThan", value: 1 },
    ),
    m(
        "lifecycle-versions-early",
        "storage",
        runbook("GA-BACKUPS"),
        [T.lifecycle, "backups-lifecycle"],
        "lifecycle deletes versions after a day",
        { set: "policy.rules.0.definition.actions.version.delete.daysAfterCreationGreaterThan", value: 1 },
    ),
    m("immutability-1d", "storage", asb("BR-2"), [T.immutability, "backups-immutability"], "immutability of one day", {
        set: "immutabilityPeriodSinceCreationInDays",
        value: 1,
    }),
    m(
        "immutability-removed",
        "storage",
        asb("BR-2"),
        [T.immutability, "backups-immutability"],
        "immutability policy removed",
        { remove: true },
    ),
];

const VAULTS = ["app-secrets-vault", "neo4j-auth-vault"];
const keyVault: ResourceMutation[] = VAULTS.flatMap((n) => [
    m(`${n}-purge-protection`, "key-vault", checkov("CKV_AZURE_110"), [T.vault, n], "purge protection off", {
        set: "properties.enablePurgeProtection",
        value: false,
    }),
    m(`${n}-soft-delete`, "key-vault", checkov("CKV_AZURE_42"), [T.vault, n], "soft delete off", {
        set: "properties.enableSoftDelete",
        value: false,
    }),
    m(`${n}-soft-delete-7d`, "key-vault", cis("8.5"), [T.vault, n], "soft delete kept 7 days", {
        set: "properties.softDeleteRetentionInDays",
        value: 7,
    }),
    m(`${n}-access-policies`, "key-vault", cis("8.6"), [T.vault, n], "access policies instead of RBAC", {
        set: "properties.enableRbacAuthorization",
        value: false,
    }),
    m(`${n}-public-network`, "key-vault", checkov("CKV_AZURE_189"), [T.vault, n], "public network access enabled", {
        set: "properties.publicNetworkAccess",
        value: "Enabled",
    }),
    m(`${n}-acl-allow`, "key-vault", checkov("CKV_AZURE_109"), [T.vault, n], "network ACL default Allow", {
        set: "properties.networkAcls.defaultAction",
        value: "Allow",
    }),
    m(`${n}-template-deployment`, "key-vault", asb("IM-8"), [T.vault, n], "ARM templates may read secrets", {
        set: "properties.enabledForTemplateDeployment",
        value: true,
    }),
]);

const OWNER =
    "/subscriptions/00000000-0000-0000-0000-000000000002/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a83c-c1de0d7c2f75";
const CONTRIBUTOR =
    "/subscriptions/00000000-0000-0000-0000-000000000002/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382a6cd7";
const KV_ADMIN =
    "/subscriptions/00000000-0000-0000-0000-000000000002/providers/Microsoft.Authorization/roleDefinitions/00482a5a-887f-4fb3-b363-3b7fe8e74483";
const SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000002";
const access: ResourceMutation[] = [
    m("role-owner", "access", cis("1.23"), [T.role, "pg-backup-estate-blob-writer"], "backup writer made Owner", {
        set: "roleDefinitionId",
        value: OWNER,
    }),
    m(
        "role-contributor",
        "access",
        asb("PA-7"),
        [T.role, "redis-snapshot-writer"],
        "snapshot writer made Contributor",
        { set: "roleDefinitionId", value: CONTRIBUTOR },
    ),
    m(
        "role-kv-admin",
        "access",
        asb("PA-7"),
        [T.role, "app-secrets-api-jwt-secret"],
        "secret reader made Key Vault Administrator",
        { set: "roleDefinitionId", value: KV_ADMIN },
    ),
    m(
        "role-subscription-scope",
        "access",
        asb("PA-7"),
        [T.role, "pg-backup-estate-blob-writer"],
        "backup writer scoped to the subscription",
        { set: "scope", value: SUBSCRIPTION },
    ),
    m(
        "role-rg-scope",
        "access",
        asb("PA-7"),
        [T.role, "neo4j-auth-reader-neo4j-password"],
        "secret reader scoped to the resource group",
        { set: "scope", value: `${SUBSCRIPTION}/resourceGroups/foundation-rg-offline` },
    ),
    m(
        "role-added-owner",
        "access",
        cis("1.23"),
        [T.role, "app-secrets-api-jwt-secret"],
        "an Owner assignment on the subscription",
        {
            add: {
                type: T.role,
                name: "identity-owner",
                inputs: {
                    principalId: "api-identity-principal-id",
                    principalType: "ServicePrincipal",
                    roleDefinitionId: OWNER,
                    scope: SUBSCRIPTION,
                },
            },
        },
    ),
];

const dataStores: ResourceMutation[] = [
    m("redis-non-ssl", "data-stores", checkov("CKV_AZURE_91"), [T.redis, "redis-cache"], "Redis non-TLS port open", {
        set: "enableNonSslPort",
        value: true,
    }),
    m("redis-tls-1-0", "data-stores", cis("4.5"), [T.redis, "redis-cache"], "Redis accepts TLS 1.0", {
        set: "minimumTlsVersion",
        value: "1.0",
    }),
    m(
        "redis-auth-off",
        "data-stores",
        runbook("GA-CACHE-CREDENTIALS"),
        [T.redis, "redis-cache"],
        "Redis without authentication",
        { set: "redisConfiguration.authnotrequired", value: "true" },
    ),
    m("redis-rdb-off", "backups-alerts", runbook("GA-BACKUPS"), [T.redis, "redis-cache"], "Redis RDB snapshots off", {
        set: "redisConfiguration.rdbBackupEnabled",
        value: "false",
    }),
    m(
        "pg-insecure-transport",
        "data-stores",
        checkov("CKV_AZURE_29"),
        [T.pgConfig, "postgres-require-secure-transport"],
        "postgres accepts plaintext",
        { set: "value", value: "off" },
    ),
    m(
        "pg-tls-1-0",
        "data-stores",
        checkov("CKV_AZURE_147"),
        [T.pgConfig, "postgres-ssl-min-protocol-version"],
        "postgres accepts TLS 1.0",
        { set: "value", value: "TLSv1" },
    ),
    m(
        "pg-secure-transport-removed",
        "data-stores",
        checkov("CKV_AZURE_29"),
        [T.pgConfig, "postgres-require-secure-transport"],
        "secure transport setting removed",
        { remove: true },
    ),
    m(
        "pg-short-backups",
        "backups-alerts",
        runbook("GA-BACKUPS"),
        [T.server, "postgres-server"],
        "postgres backups kept 7 days",
        { set: "backup.backupRetentionDays", value: 7 },
    ),
    m(
        "pg-no-geo-backup",
        "backups-alerts",
        checkov("CKV_AZURE_136"),
        [T.server, "postgres-server"],
        "postgres backups not geo-redundant",
        { set: "backup.geoRedundantBackup", value: "Disabled" },
    ),
    m("workspace-retention-7", "backups-alerts", cis("5.1.2"), [T.workspace, "foundation-logs"], "logs kept 7 days", {
        set: "retentionInDays",
        value: 7,
    }),
];

const exposure: ResourceMutation[] = [
    m(
        "redis-public",
        "network-exposure",
        checkov("CKV_AZURE_89"),
        [T.redis, "redis-cache"],
        "Redis public network access",
        { set: "publicNetworkAccess", value: "Enabled" },
    ),
    m(
        "pg-public",
        "network-exposure",
        checkov("CKV_AZURE_68"),
        [T.server, "postgres-server"],
        "postgres public network access",
        { set: "network.publicNetworkAccess", value: "Enabled" },
    ),
    m(
        "pg-replica-public",
        "network-exposure",
        checkov("CKV_AZURE_68"),
        [T.server, "postgres-replica-1"],
        "replica public network access",
        { set: "network.publicNetworkAccess", value: "Enabled" },
    ),
    m(
        "pg-outside-vnet",
        "network-exposure",
        runbook("UA-PRIVATE-DATA-NETWORK"),
        [T.server, "postgres-server"],
        "postgres outside the VNet",
        { delete: "network.delegatedSubnetResourceId" },
    ),
    m(
        "neo4j-public-ip",
        "network-exposure",
        runbook("UA-PRIVATE-DATA-NETWORK"),
        [T.nic, "neo4j-nic"],
        "public address on neo4j's VM",
        { set: "ipConfigurations.0.publicIPAddress", value: { id: "public-ip" } },
    ),
    m(
        "graph-nsg-internet",
        "network-exposure",
        asb("NS-1"),
        [T.nsg, "foundation-network-graph-nsg"],
        "graph subnet admits the internet",
        { set: "securityRules.0.sourceAddressPrefix", value: "Internet" },
    ),
    m("neo4j-password-login", "access", asb("PA-7"), [T.vm, "neo4j-vm"], "password login on neo4j's VM", {
        set: "osProfile.linuxConfiguration.disablePasswordAuthentication",
        value: false,
    }),
    m("neo4j-disk-export", "storage", asb("DP-8"), [T.disk, "neo4j-data"], "neo4j's data disk exportable by SAS", {
        set: "networkAccessPolicy",
        value: "AllowAll",
    }),
    m(
        "ollama-external",
        "network-exposure",
        runbook("UA-PRIVATE-DATA-NETWORK"),
        [T.app, "ollama-app"],
        "ollama ingress external",
        { set: "configuration.ingress.external", value: true },
    ),
    m(
        "worker-external",
        "network-exposure",
        runbook("UA-PRIVATE-DATA-NETWORK"),
        [T.app, "worker-app"],
        "worker ingress external",
        { set: "configuration.ingress.external", value: true },
    ),
    m(
        "vault-endpoint-removed",
        "network-exposure",
        asb("NS-2"),
        [T.endpoint, "app-secrets-endpoint"],
        "Key Vault private endpoint removed",
        { remove: true },
    ),
    m(
        "redis-endpoint-removed",
        "network-exposure",
        asb("NS-2"),
        [T.endpoint, "redis-endpoint"],
        "Redis private endpoint removed",
        { remove: true },
    ),
    m(
        "env-outside-vnet",
        "network-exposure",
        asb("NS-1"),
        [T.env, "foundation-env"],
        "Container Apps environment outside a VNet",
        { delete: "vnetConfiguration" },
    ),
];

const availability: ResourceMutation[] = [
    ...["api-app", "gateway-app", "ui-app", "worker-app"].map((n) =>
        m(`${n}-min-1`, "availability", runbook("UA-ENVIRONMENT"), [T.app, n], `${n} minimum of one replica`, {
            set: "template.scale.minReplicas",
            value: 1,
        }),
    ),
    m("api-app-scale-to-zero", "availability", runbook("UA-ENVIRONMENT"), [T.app, "api-app"], "api scales to zero", {
        set: "template.scale.minReplicas",
        value: 0,
    }),
    m("pg-ha-off", "availability", asb("BR-1"), [T.server, "postgres-server"], "postgres without HA", {
        set: "highAvailability.mode",
        value: "Disabled",
    }),
    m(
        "pg-replica-removed",
        "availability",
        runbook("UA-DB-SETTINGS"),
        [T.server, "postgres-replica-1"],
        "read replica removed",
        { remove: true },
    ),
    m("redis-no-replica", "availability", runbook("GA-HA-CACHE"), [T.redis, "redis-cache"], "Redis without a replica", {
        set: "replicasPerPrimary",
        value: 0,
    }),
    m(
        "redis-basic",
        "availability",
        runbook("GA-HA-CACHE"),
        [T.redis, "redis-cache"],
        "Redis Basic tier (no SLA, no replica)",
        { set: "sku", value: { capacity: 1, family: "C", name: "Basic" } },
    ),
];

const JOBS = ["redis-backup-job", "neo4j-backup-job", "pg-backup-estate-job", "pg-restore-drill-job"];
const backups: ResourceMutation[] = [
    ...JOBS.map((n) =>
        m(
            `${n}-manual`,
            "backups-alerts",
            runbook("GA-BACKUPS"),
            [T.job, n],
            `${n} only runs by hand`,
            { set: "configuration.triggerType", value: "Manual" },
            { delete: "configuration.scheduleTriggerConfig" },
        ),
    ),
    m(
        "redis-backup-weekly",
        "backups-alerts",
        runbook("UA-DAILY-PG-DUMP"),
        [T.job, "redis-backup-job"],
        "redis backup weekly",
        { set: "configuration.scheduleTriggerConfig.cronExpression", value: "15 2 * * 0" },
    ),
    m(
        "pg-backup-weekly",
        "backups-alerts",
        runbook("UA-DAILY-PG-DUMP"),
        [T.job, "pg-backup-estate-job"],
        "pg dump weekly",
        { set: "configuration.scheduleTriggerConfig.cronExpression", value: "0 2 * * 0" },
    ),
    m(
        "pg-backup-unencrypted",
        "backups-alerts",
        runbook("UA-ENCRYPTED-BACKUPS"),
        [T.job, "pg-backup-estate-job"],
        "backup without an age recipient",
        { delete: "template.containers.0.env.[name=BACKUP_AGE_RECIPIENT]" },
    ),
    m(
        "metric-alert-disabled",
        "backups-alerts",
        runbook("CA-SATURATION-THRESHOLD"),
        [T.metricAlert, "monitoring-api-cpu-saturation-high"],
        "CPU alert disabled",
        { set: "enabled", value: false },
    ),
    m(
        "metric-alert-loose",
        "backups-alerts",
        runbook("CA-SATURATION-THRESHOLD"),
        [T.metricAlert, "monitoring-api-cpu-saturation-high"],
        "CPU alert at 99 %",
        { set: "criteria.allOf.0.threshold", value: 99 },
    ),
    m(
        "metric-alert-6h",
        "backups-alerts",
        runbook("CA-SATURATION-THRESHOLD"),
        [T.metricAlert, "monitoring-api-memory-saturation-high"],
        "memory alert over six hours",
        { set: "windowSize", value: "PT6H" },
    ),
    m(
        "metric-alert-no-action",
        "backups-alerts",
        runbook("CA-ACTION-GROUPS"),
        [T.metricAlert, "monitoring-api-container-restarts-high"],
        "restart alert notifies nobody",
        { set: "actions", value: [] },
    ),
    m(
        "query-rule-disabled",
        "backups-alerts",
        runbook("GA-MONITORING"),
        [T.queryRule, "monitoring-api-http-error-rate-high"],
        "5xx alert disabled",
        { set: "enabled", value: false },
    ),
    m(
        "query-rule-no-action",
        "backups-alerts",
        runbook("CA-ACTION-GROUPS"),
        [T.queryRule, "monitoring-api-postgres-down"],
        "postgres-down alert notifies nobody",
        { set: "actions.actionGroups", value: [] },
    ),
    m(
        "action-group-disabled",
        "backups-alerts",
        runbook("UA-ALERTS-TO-ONCALL"),
        [T.actionGroup, "monitoring-on-call"],
        "on-call action group disabled",
        { set: "enabled", value: false },
    ),
    m(
        "web-test-disabled",
        "backups-alerts",
        runbook("RAG-HTTPS-CHECK"),
        [T.webTest, "monitoring-api-availability"],
        "availability test disabled",
        { set: "enabled", value: false },
    ),
];

const https: ResourceMutation[] = [
    m("api-allow-insecure", "https", asb("DP-3"), [T.app, "api-app"], "api accepts http", {
        set: "configuration.ingress.allowInsecure",
        value: true,
    }),
    m("ui-allow-insecure", "https", runbook("UA-EDGE-TLS"), [T.app, "ui-app"], "ui accepts http", {
        set: "configuration.ingress.allowInsecure",
        value: true,
    }),
    m("api-cors-http", "https", runbook("GA-CORS"), [T.app, "api-app"], "CORS allows an http origin", {
        set: "configuration.ingress.corsPolicy.allowedOrigins",
        value: ["http://app.estate.example.com"],
    }),
    m("api-cors-any", "https", runbook("GA-CORS"), [T.app, "api-app"], "CORS allows any origin", {
        set: "configuration.ingress.corsPolicy.allowedOrigins",
        value: ["*"],
    }),
    ...(
        [
            ["ALLOWED_ORIGINS", "http://app.estate.example.com", "GA-CORS"],
            ["OIDC_ISSUER", "http://login.example.com/realms/estate", "GA-TLS"],
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://otel.estate.example.com/v1/traces", "GA-TLS"],
            ["REDMINE_BASE_URL", "http://redmine.example.com", "RAG-UPSTREAM-HTTPS"],
        ] as const
    ).map(([env, value, req]) =>
        m(`api-${env.toLowerCase()}-http`, "https", runbook(req), [T.app, "api-app"], `${env} over http`, {
            set: `template.containers.0.env.[name=${env}].value`,
            value,
        }),
    ),
    m(
        "web-test-http",
        "https",
        runbook("RAG-HTTPS-CHECK"),
        [T.webTest, "monitoring-api-availability"],
        "availability test over http",
        { set: "request.requestUrl", value: "http://api.offline-env.westeurope.azurecontainerapps.io/healthz" },
    ),
];

export const azureMutations: ResourceMutation[] = [
    ...storage,
    ...keyVault,
    ...access,
    ...dataStores,
    ...exposure,
    ...availability,
    ...backups,
    ...https,
];
