import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import * as storage from "@pulumi/azure-native/storage";
import { azureTags } from "../../platform/azure/tags";

export interface AzureFilesVolumeArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    /** Container Apps environment the share is registered with. */
    readonly environmentName: pulumi.Input<string>;
    /** Subnet of the Container Apps environment: the only network the account admits. */
    readonly appsSubnetId: pulumi.Input<string>;
    /** Share size in GiB. */
    readonly quotaGb: number;
    /** Tags of the account (`estate-component` of the store it holds). */
    readonly tags: Readonly<Record<string, string>>;
    /** Protect the account and share against deletion, and keep them on delete (prod). @default false */
    readonly protect?: boolean;
}

/** Storage account names: 3–24 lowercase letters and digits. */
export function storageAccountPrefix(name: string): string {
    const cleaned = name.toLowerCase().replace(/[^a-z0-9]/g, "");
    if (cleaned.length === 0)
        throw new Error(`\`name\` "${name}" has no letters or digits to name a storage account with`);
    // Azure autonaming appends 8 random characters; keep room for them.
    return cleaned.slice(0, 16);
}

/**
 * An Azure Files share in a storage account of its own, registered as Container Apps environment
 * storage. SMB mounts need the account key, so the key is handed to the environment as a secret
 * and never to a container.
 */
export class AzureFilesVolume extends pulumi.ComponentResource {
    /** Environment storage name that a Container App volume's `storageName` refers to. */
    readonly storageName: pulumi.Output<string>;
    readonly accountName: pulumi.Output<string>;
    readonly shareName: pulumi.Output<string>;

    constructor(name: string, args: AzureFilesVolumeArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:data:AzureFilesVolume", name, {}, opts);
        const protect = args.protect ?? false;
        const stateful = { parent: this, protect, retainOnDelete: protect };
        const account = new storage.StorageAccount(
            storageAccountPrefix(name),
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                kind: "StorageV2",
                sku: { name: protect ? "Standard_ZRS" : "Standard_LRS" },
                enableHttpsTrafficOnly: true,
                minimumTlsVersion: "TLS1_2",
                allowBlobPublicAccess: false,
                allowCrossTenantReplication: false,
                // Only the Container Apps subnet (service endpoint) reaches the files.
                networkRuleSet: {
                    defaultAction: "Deny",
                    bypass: "AzureServices",
                    virtualNetworkRules: [{ virtualNetworkResourceId: args.appsSubnetId, action: "Allow" }],
                },
                tags: azureTags({ ...args.tags }),
            },
            stateful,
        );
        const share = new storage.FileShare(
            `${name}-share`,
            {
                resourceGroupName: args.resourceGroupName,
                accountName: account.name,
                shareName: name,
                shareQuota: args.quotaGb,
                enabledProtocols: "SMB",
            },
            stateful,
        );
        const key = storage
            .listStorageAccountKeysOutput(
                { resourceGroupName: args.resourceGroupName, accountName: account.name },
                { parent: this },
            )
            .apply((result) => result.keys[0]?.value ?? "");
        const environmentStorage = new app.ManagedEnvironmentsStorage(
            `${name}-env-storage`,
            {
                resourceGroupName: args.resourceGroupName,
                environmentName: args.environmentName,
                storageName: name,
                properties: {
                    azureFile: {
                        accountName: account.name,
                        accountKey: pulumi.secret(key),
                        shareName: share.name,
                        accessMode: "ReadWrite",
                    },
                },
            },
            { parent: this },
        );
        this.storageName = environmentStorage.name;
        this.accountName = account.name;
        this.shareName = share.name;
        this.registerOutputs({
            storageName: this.storageName,
            accountName: this.accountName,
            shareName: this.shareName,
        });
    }
}
