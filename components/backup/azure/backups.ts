import * as pulumi from "@pulumi/pulumi";
import type * as app from "@pulumi/azure-native/app";
import * as authorization from "@pulumi/azure-native/authorization";
import * as command from "@pulumi/command/local";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as storage from "@pulumi/azure-native/storage";
import { diagnosticsToWorkspace } from "../../platform/azure/diagnostics";
import { estateTags } from "../../platform/azure/tags";
import type { RegistryPull } from "../../platform/azure/registry";
import type { ReaderIdentity, SecretBinder } from "../../secrets/azure/key-vault";
import { backupJobSpecs, type BackupsArgs, type BackupsOutputs, schedulesByStore } from "../backups";
import { backupJob } from "./jobs";

export interface AzureBackupsArgs extends BackupsArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    readonly subscriptionId: pulumi.Input<string>;
    /** Storage account name: 3–24 lower-case letters and digits, globally unique. */
    readonly accountName: string;
    readonly environmentId: pulumi.Input<string>;
    /**
     * Subnet the jobs run in (the Container Apps environment's, with the `Microsoft.Storage`
     * service endpoint): the only network the account accepts data-plane traffic from.
     */
    readonly allowedSubnetId: pulumi.Input<string>;
    /**
     * Lock the container's time-based retention policy (WORM): irreversible; afterwards the
     * retention can only grow and the container cannot be deleted while any blob is retained.
     * @default the value of `protect`
     */
    readonly lockImmutability?: boolean;
    /** Log Analytics workspace the blob service's read, write and delete logs go to. */
    readonly workspaceId: pulumi.Input<string>;
    /**
     * Grants a job's own identity the secrets its env reads and rebinds the refs to it. Each job
     * runs as an identity of its own, so only the drills can read the age identity.
     */
    readonly bindSecrets: SecretBinder;
    /** The `registries` entry and pull grant of a job's identity when the image is private. @default none (public image) */
    readonly pullFor?: (workload: string, identity: ReaderIdentity) => RegistryPull;
}

/** Built-in role "Storage Blob Data Contributor": write and read blobs, no account keys. */
const BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
const CONTAINER = "backups";

/**
 * Locks the container's time-based retention policy with the Azure CLI
 * (`az storage container immutability-policy lock`, which needs the policy's current ETag;
 * learn.microsoft.com/azure/storage/blobs/immutable-policy-configure-container-scope, "Lock a
 * time-based retention policy"). Idempotent: an already locked policy is left as it is.
 */
export const IMMUTABILITY_LOCK_SCRIPT = `set -euo pipefail
policy=(--account-name "$ACCOUNT" --container-name "$CONTAINER" --resource-group "$RESOURCE_GROUP")
state=$(az storage container immutability-policy show "\${policy[@]}" --query state --output tsv)
if [ "$state" = "Locked" ]; then echo "immutability policy of $CONTAINER already locked"; exit 0; fi
etag=$(az storage container immutability-policy show "\${policy[@]}" --query etag --output tsv)
az storage container immutability-policy lock "\${policy[@]}" --if-match "$etag" --output none
echo "immutability policy of $CONTAINER locked"
`;

/**
 * Daily encrypted backups and the monthly restore drill on Azure (runbooks 000, 003): a
 * storage account reachable only with Entra ID over TLS 1.2, a private container under a
 * time-based immutability policy, and scheduled Container Apps jobs. The image carries the
 * repository's scripts at BACKUP_SCRIPTS_PATH (docs/backups.md): Container Apps cannot mount
 * a ConfigMap, and an Azure Files share would need the account's shared key.
 */
export class AzureBackups extends pulumi.ComponentResource implements BackupsOutputs {
    readonly storageName: pulumi.Output<string>;
    readonly storageUrl: pulumi.Output<string>;
    readonly schedules: pulumi.Output<Record<string, string>>;
    readonly storeSchedules: pulumi.Output<Record<string, Record<string, string>>>;
    readonly drillSchedule: pulumi.Output<string | undefined>;
    readonly jobs: Record<string, app.Job> = {};

    constructor(name: string, args: AzureBackupsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:backup:AzureBackups", name, {}, opts);
        const protect = args.protect ?? false;
        const stateful = { parent: this, protect, retainOnDelete: protect };
        const rg = args.resourceGroupName;

        const account = new storage.StorageAccount(
            `${name}-account`,
            {
                accountName: args.accountName,
                resourceGroupName: rg,
                location: args.location,
                kind: "StorageV2",
                sku: { name: "Standard_ZRS" },
                allowBlobPublicAccess: false,
                enableHttpsTrafficOnly: true,
                minimumTlsVersion: "TLS1_2",
                // Entra ID only: the jobs use their managed identity, so no key is ever needed.
                allowSharedKeyAccess: false,
                defaultToOAuthAuthentication: true,
                allowCrossTenantReplication: false,
                // Data plane from the environment's subnet only (service endpoint; publicNetworkAccess left
                // to these rules); the control plane (Pulumi, ARM) is not subject to them.
                networkRuleSet: {
                    defaultAction: "Deny",
                    bypass: "None",
                    virtualNetworkRules: [{ virtualNetworkResourceId: args.allowedSubnetId, action: "Allow" }],
                },
                tags: { "estate-component": "backup" },
            },
            stateful,
        );
        const accountName = account.name;
        new storage.BlobServiceProperties(
            `${name}-blob-service`,
            {
                accountName,
                resourceGroupName: rg,
                blobServicesName: "default",
                isVersioningEnabled: true,
                deleteRetentionPolicy: { enabled: true, days: Math.min(args.retentionDays, 365) },
                containerDeleteRetentionPolicy: { enabled: true, days: Math.min(args.retentionDays, 365) },
            },
            { parent: this },
        );
        // Diagnostic settings of blobs live on the blob service: `<account id>/blobServices/default`.
        diagnosticsToWorkspace(
            `${name}-blob-logs`,
            "blobService",
            pulumi.interpolate`${account.id}/blobServices/default`,
            args.workspaceId,
            this,
        );
        const container = new storage.BlobContainer(
            `${name}-container`,
            { accountName, resourceGroupName: rg, containerName: CONTAINER, publicAccess: "None" },
            stateful,
        );
        const lock = args.lockImmutability ?? protect;
        const immutability = new storage.BlobContainerImmutabilityPolicy(
            `${name}-immutability`,
            {
                accountName,
                resourceGroupName: rg,
                containerName: container.name,
                immutabilityPolicyName: "default",
                immutabilityPeriodSinceCreationInDays: args.retentionDays,
                allowProtectedAppendWrites: false,
            },
            // A locked policy cannot be deleted or shortened: Pulumi must never try.
            lock ? { parent: this, protect: true, retainOnDelete: true } : { parent: this },
        );
        if (lock) {
            // azure-native has no resource for the lock (a POST action on the policy): the deploy takes it once.
            new command.Command(
                `${name}-immutability-lock`,
                {
                    interpreter: ["/bin/bash", "-c"],
                    create: IMMUTABILITY_LOCK_SCRIPT,
                    environment: { ACCOUNT: accountName, CONTAINER: container.name, RESOURCE_GROUP: rg },
                    triggers: [immutability.id],
                },
                { parent: this, dependsOn: [immutability] },
            );
        }
        new storage.ManagementPolicy(
            `${name}-lifecycle`,
            {
                accountName,
                resourceGroupName: rg,
                managementPolicyName: "default",
                policy: {
                    rules: [
                        {
                            name: "expire-backups",
                            enabled: true,
                            type: "Lifecycle",
                            definition: {
                                filters: { blobTypes: ["blockBlob"], prefixMatch: [`${CONTAINER}/`] },
                                actions: {
                                    baseBlob: { delete: { daysAfterModificationGreaterThan: args.retentionDays } },
                                    version: { delete: { daysAfterCreationGreaterThan: args.retentionDays } },
                                },
                            },
                        },
                    ],
                },
            },
            { parent: this },
        );
        const url = pulumi.interpolate`https://${accountName}.blob.core.windows.net/${CONTAINER}`;
        const shared = {
            BACKUP_DEST: url,
            BACKUP_WORK_DIR: "/tmp",
            AZURE_CONFIG_DIR: "/tmp/.azure",
        };
        // Every store: Redis over TLS (rediss:// through the cache's private endpoint), Neo4j over
        // Bolt to the graph's Container App, both from Key Vault references like PostgreSQL.
        const specs = backupJobSpecs(args, shared, this);
        const roleDefinitionId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BLOB_DATA_CONTRIBUTOR}`;
        for (const spec of specs) {
            const identity = new managedidentity.UserAssignedIdentity(
                `${spec.name}-identity`,
                { resourceGroupName: rg, location: args.location, tags: estateTags("identity", spec.name) },
                { parent: this },
            );
            // Only the backup and drill jobs write (and the drills read) the container, each as itself.
            const writer = new authorization.RoleAssignment(
                `${spec.name}-blob-writer`,
                {
                    principalId: identity.principalId,
                    principalType: "ServicePrincipal",
                    roleDefinitionId,
                    scope: container.id,
                },
                { parent: this },
            );
            this.jobs[spec.name] = backupJob(
                spec,
                args,
                { id: identity.id, principalId: identity.principalId, clientId: identity.clientId, writer },
                spec.purpose === "restore-drill" ? args.restoreDrill.ageIdentity : undefined,
                this,
            );
        }

        this.storageName = pulumi.interpolate`${accountName}/${CONTAINER}`;
        this.storageUrl = url;
        this.schedules = pulumi.output(Object.fromEntries(specs.map((j) => [j.name, j.schedule])));
        this.storeSchedules = pulumi.output(schedulesByStore(specs));
        this.drillSchedule = pulumi.output(args.restoreDrill.enabled ? args.restoreDrill.schedule : undefined);
        this.registerOutputs({
            storageName: this.storageName,
            storageUrl: this.storageUrl,
            schedules: this.schedules,
            storeSchedules: this.storeSchedules,
            drillSchedule: this.drillSchedule,
        });
    }
}
