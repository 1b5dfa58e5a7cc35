import type { PolicyConfigSchema } from "@pulumi/policy";
import { CatalogEntry, configWithDefaults, field, list, text } from "./lib";

// Storage that holds data or backups, on both clouds: who can reach it, whether it can be
// deleted early, and whether deleted data comes back.

/** The retention floor of backups wherever they are kept: storage, versions, and the backup jobs' own pruning. */
export const MIN_RETENTION_DAYS = 14;

const retentionSchema: PolicyConfigSchema = {
    properties: {
        minRetentionDays: {
            type: "integer",
            minimum: 1,
            default: MIN_RETENTION_DAYS,
            description: "Days backups, versions and soft-deleted blobs must be kept at least.",
        },
    },
};
type Retention = { minRetentionDays: number };

export const azureStorageAccountHardened: CatalogEntry = {
    policy: {
        name: "azure-storage-account-hardened",
        description:
            "Azure storage accounts allow no public blobs, no shared keys, no http, no TLS below 1.2, no cross-tenant replication and no open network.",
        enforcementLevel: "mandatory",
        severity: "critical",
        validateResource: (args, report) => {
            if (args.type !== "azure-native:storage:StorageAccount") return;
            const p = args.props;
            if (p.allowBlobPublicAccess !== false) report("Set allowBlobPublicAccess: false.");
            if (p.allowSharedKeyAccess === true) report("Set allowSharedKeyAccess: false; clients use Entra ID.");
            if (p.enableHttpsTrafficOnly === false) report("Set enableHttpsTrafficOnly: true.");
            if (
                p.minimumTlsVersion !== undefined &&
                p.minimumTlsVersion !== "TLS1_2" &&
                p.minimumTlsVersion !== "TLS1_3"
            )
                report(`Set minimumTlsVersion: TLS1_2 (it is ${String(p.minimumTlsVersion)}).`);
            if (p.allowCrossTenantReplication === true) report("Set allowCrossTenantReplication: false.");
            if (p.publicNetworkAccess === "Enabled")
                report("Set publicNetworkAccess: Disabled or leave it to the network rules.");
            if (text(p, "networkRuleSet", "defaultAction") === "Allow")
                report("Set networkRuleSet.defaultAction: Deny and allow the subnets that need the account.");
        },
    },
    meta: {
        requirements: ["GA-SECURE-STORAGE", "GA-TLS"],
        checks: [
            "Checkov CKV_AZURE_190",
            "Checkov CKV2_AZURE_40",
            "Checkov CKV_AZURE_3",
            "Checkov CKV_AZURE_44",
            "Checkov CKV_AZURE_59",
            "Checkov CKV_AZURE_35",
            "CIS Azure 3.1",
            "CIS Azure 3.7",
            "CIS Azure 3.15",
        ],
    },
};

export const azureBackupBlobsRecoverable: CatalogEntry = {
    policy: {
        name: "azure-backup-blobs-recoverable",
        description:
            "Azure blob services keep versions and soft-deleted blobs and containers, containers are private, lifecycle rules and immutability keep backups for the retention floor.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: retentionSchema,
        validateResource: (args, report) => {
            const { minRetentionDays: min } = configWithDefaults<Retention>(retentionSchema, args);
            const p = args.props;
            switch (args.type) {
                case "azure-native:storage:BlobServiceProperties":
                    for (const key of ["deleteRetentionPolicy", "containerDeleteRetentionPolicy"] as const) {
                        if (field(p, key, "enabled") !== true) report(`Set ${key}.enabled: true with days ≥ ${min}.`);
                        else if (Number(field(p, key, "days") ?? 7) < min)
                            report(`Set ${key}.days to at least ${min} (it is ${String(field(p, key, "days"))}).`);
                    }
                    if (p.isVersioningEnabled !== true) report("Set isVersioningEnabled: true.");
                    return;
                case "azure-native:storage:BlobContainer":
                    if (p.publicAccess !== undefined && p.publicAccess !== "None")
                        report(`Set publicAccess: None (it is ${String(p.publicAccess)}).`);
                    return;
                case "azure-native:storage:ManagementPolicy":
                    for (const rule of list(p, "policy", "rules")) {
                        const actions = field(rule, "definition", "actions");
                        for (const [path, days] of [
                            [
                                "baseBlob.delete.daysAfterModificationGreaterThan",
                                field(actions, "baseBlob", "delete", "daysAfterModificationGreaterThan"),
                            ],
                            [
                                "baseBlob.delete.daysAfterCreationGreaterThan",
                                field(actions, "baseBlob", "delete", "daysAfterCreationGreaterThan"),
                            ],
                            [
                                "version.delete.daysAfterCreationGreaterThan",
                                field(actions, "version", "delete", "daysAfterCreationGreaterThan"),
                            ],
                            [
                                "snapshot.delete.daysAfterCreationGreaterThan",
                                field(actions, "snapshot", "delete", "daysAfterCreationGreaterThan"),
                            ],
                        ] as const) {
                            if (typeof days === "number" && days < min)
                                report(
                                    `Rule "${String(text(rule, "name"))}" deletes after ${days} days (${path}): keep at least ${min}.`,
                                );
                        }
                    }
                    return;
                case "azure-native:storage:BlobContainerImmutabilityPolicy": {
                    const days = Number(p.immutabilityPeriodSinceCreationInDays ?? 0);
                    if (days < min)
                        report(`Set immutabilityPeriodSinceCreationInDays to at least ${min} (it is ${days}).`);
                    return;
                }
            }
        },
    },
    meta: {
        requirements: ["GA-BACKUPS", "GA-SECURE-STORAGE"],
        checks: [
            "Checkov CKV_AZURE_111",
            "Checkov CKV_AZURE_34",
            "CIS Azure 3.11",
            "CIS Azure 3.12",
            "ASB BR-2",
            "ASB BR-4",
        ],
    },
};

export const gcpBucketHardened: CatalogEntry = {
    policy: {
        name: "gcp-bucket-hardened",
        description:
            "GCS buckets use uniform access with public access prevented, cannot be force-destroyed, and keep objects (retention, lifecycle, soft delete) for the retention floor.",
        enforcementLevel: "mandatory",
        severity: "critical",
        configSchema: retentionSchema,
        validateResource: (args, report) => {
            if (args.type !== "gcp:storage/bucket:Bucket") return;
            const { minRetentionDays: min } = configWithDefaults<Retention>(retentionSchema, args);
            const p = args.props;
            if (p.uniformBucketLevelAccess !== true) report("Set uniformBucketLevelAccess: true.");
            if (p.publicAccessPrevention !== "enforced") report("Set publicAccessPrevention: enforced.");
            if (p.forceDestroy === true)
                report("Set forceDestroy: false so a destroy cannot delete the backups with it.");
            const period = field(p, "retentionPolicy", "retentionPeriod");
            // Without a retention policy, versioning is what brings an overwritten or deleted object back.
            const versioned = field(p, "versioning", "enabled") === true;
            if (period === undefined && !versioned)
                report(
                    `Add retentionPolicy.retentionPeriod of at least ${min * 86400} s (${min} days), or enable versioning.`,
                );
            else if (period !== undefined && Number(period) < min * 86400)
                report(`Set retentionPolicy.retentionPeriod to at least ${min * 86400} s (it is ${String(period)}).`);
            for (const rule of list(p, "lifecycleRules")) {
                if (text(rule, "action", "type") !== "Delete") continue;
                const age = field(rule, "condition", "age");
                const noncurrent = field(rule, "condition", "daysSinceNoncurrentTime");
                if (typeof age === "number" && age < min)
                    report(`A lifecycle rule deletes objects after ${age} days: keep at least ${min}.`);
                if (typeof noncurrent === "number" && noncurrent < min)
                    report(
                        `A lifecycle rule deletes noncurrent versions after ${noncurrent} days: keep at least ${min}.`,
                    );
            }
            const soft = field(p, "softDeletePolicy", "retentionDurationSeconds");
            if (soft !== undefined && Number(soft) < 7 * 86400)
                report("Keep softDeletePolicy.retentionDurationSeconds at 7 days or more (the default).");
        },
    },
    meta: {
        requirements: ["GA-BACKUPS", "GA-SECURE-STORAGE"],
        checks: ["Checkov CKV_GCP_29", "Checkov CKV_GCP_114", "CIS GCP 5.1", "CIS GCP 5.2"],
    },
};

export const storagePolicies: readonly CatalogEntry[] = [
    azureStorageAccountHardened,
    azureBackupBlobsRecoverable,
    gcpBucketHardened,
];
