// Where backups are kept: buckets and storage accounts that are private, TLS-only, redundant
// beyond one datacentre, and that keep every backup (soft delete, versioning, immutability) for
// the retention period.
import { PolicyResource, ReportViolation, validateResourceOfType } from "@pulumi/policy";
import { COMPONENT_TAG } from "./azure";
import { CatalogEntry, field, text } from "./lib";
import { BlobContainer, GcpBucket as Bucket, StorageAccount } from "./resource-types";
import { BLOB_CONTAINER, STORAGE_ACCOUNT } from "./stores";

const BACKUP_COMPONENT = "backup";
const BLOB_SERVICE = "azure-native:storage:BlobServiceProperties";
const IMMUTABILITY = "azure-native:storage:BlobContainerImmutabilityPolicy";
// Copies kept in one datacentre only (Microsoft.Storage `sku.name`): a zone or region outage loses them.
const SINGLE_DATACENTRE = ["Standard_LRS", "Premium_LRS"];

/** True when `r` belongs to `account`: by the engine's dependency, or by the account name it declares. */
function ofAccount(r: PolicyResource, account: PolicyResource): boolean {
    if ((r.propertyDependencies?.accountName ?? []).some((d) => d.urn === account.urn)) return true;
    const name = text(account.props, "accountName");
    return name !== undefined && text(r.props, "accountName") === name;
}

function ofContainer(policy: PolicyResource, container: PolicyResource): boolean {
    if ((policy.propertyDependencies?.containerName ?? []).some((d) => d.urn === container.urn)) return true;
    return text(policy.props, "containerName") === text(container.props, "containerName");
}

function checkBackupAccount(account: PolicyResource, all: readonly PolicyResource[], report: ReportViolation): void {
    const name = text(account.props, "accountName") ?? account.name;
    const sku = text(account.props, "sku", "name") ?? "";
    if (SINGLE_DATACENTRE.includes(sku))
        report(
            `Backup storage account "${name}" keeps its copies in one datacentre (${sku}): use Standard_ZRS, Standard_GZRS or Standard_RAGZRS.`,
            account.urn,
        );
    // The blob service's soft delete and versioning bring back what a hand or a script deleted.
    const service = all.find((r) => r.type === BLOB_SERVICE && ofAccount(r, account));
    if (service === undefined || field(service.props, "deleteRetentionPolicy", "enabled") !== true)
        report(
            `Backup storage account "${name}" has no blob soft delete: declare its BlobServiceProperties with deleteRetentionPolicy, containerDeleteRetentionPolicy and isVersioningEnabled.`,
            account.urn,
        );
    // Immutability stops even the account's owner deleting a backup inside the retention period.
    for (const container of all.filter((r) => r.type === BLOB_CONTAINER && ofAccount(r, account))) {
        const locked = all.some(
            (r) =>
                r.type === IMMUTABILITY &&
                ofAccount(r, account) &&
                ofContainer(r, container) &&
                Number(field(r.props, "immutabilityPeriodSinceCreationInDays") ?? 0) > 0,
        );
        if (!locked)
            report(
                `Backup container "${text(container.props, "containerName") ?? container.name}" can be emptied early: add a BlobContainerImmutabilityPolicy with immutabilityPeriodSinceCreationInDays of the retention period.`,
                container.urn,
            );
    }
}

export const backupStoragePrivate: CatalogEntry = {
    policy: {
        name: "backup-storage-private",
        description:
            "Backup buckets and storage accounts are private, TLS-only and keep artefacts for a retention period; an Azure backup account is zone- or geo-redundant, with blob soft delete and an immutability policy on each container.",
        enforcementLevel: "mandatory",
        severity: "high",
        validateResource: [
            validateResourceOfType(Bucket, (b, args, report) => {
                if (b.labels?.[COMPONENT_TAG] !== BACKUP_COMPONENT) args.notApplicable("not a backup bucket");
                if (b.publicAccessPrevention !== "enforced")
                    report('Set publicAccessPrevention: "enforced" on the backup bucket.');
                if (b.uniformBucketLevelAccess !== true)
                    report("Set uniformBucketLevelAccess: true on the backup bucket (no per-object ACLs).");
                const retention = Number(b.retentionPolicy?.retentionPeriod ?? 0);
                if (!(retention > 0) && b.versioning?.enabled !== true)
                    report(
                        "Give the backup bucket a retentionPolicy (or versioning) so artefacts cannot be deleted early.",
                    );
                if (
                    !(b.lifecycleRules ?? []).some(
                        (rule) => rule.action?.type === "Delete" && (rule.condition?.age ?? 0) > 0,
                    )
                ) {
                    report(
                        "Add a lifecycle rule deleting backup artefacts after the retention period (action Delete, condition.age).",
                    );
                }
            }),
            validateResourceOfType(StorageAccount, (a, args, report) => {
                if (a.tags?.[COMPONENT_TAG] !== BACKUP_COMPONENT) args.notApplicable("not a backup storage account");
                if (a.allowBlobPublicAccess !== false)
                    report("Set allowBlobPublicAccess: false on the backup storage account.");
                if (a.enableHttpsTrafficOnly === false)
                    report("Set enableHttpsTrafficOnly: true on the backup storage account.");
                if (a.minimumTlsVersion !== "TLS1_2" && a.minimumTlsVersion !== "TLS1_3")
                    report('Set minimumTlsVersion: "TLS1_2" on the backup storage account.');
            }),
            validateResourceOfType(BlobContainer, (c, _args, report) => {
                if ((c.publicAccess ?? "None") !== "None")
                    report(`Set publicAccess: "None" on blob container "${c.containerName ?? "(unnamed)"}".`);
            }),
        ],
        validateStack: (args, report) => {
            const accounts = args.resources.filter(
                (r) => r.type === STORAGE_ACCOUNT && text(r.props, "tags", COMPONENT_TAG) === BACKUP_COMPONENT,
            );
            for (const account of accounts) checkBackupAccount(account, args.resources, report);
        },
    },
    meta: {
        requirements: ["GA-BACKUPS", "GA-SECURE-STORAGE"],
        checks: [
            "Checkov CKV_GCP_114",
            "Checkov CKV_GCP_29",
            "Checkov CKV_AZURE_59",
            "Checkov CKV_AZURE_44",
            "Checkov CKV_AZURE_3",
            "Checkov CKV_AZURE_206",
            "ASB BR-2",
            "CIS Azure 3.11",
        ],
    },
};
