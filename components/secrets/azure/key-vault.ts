import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import type { SecretEntry, SecretStore } from "../secret-store";
import type { SecretRef } from "../../workload/service";

/** Built-in role "Key Vault Secrets User": read secret values, nothing else. */
const KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";

export interface KeyVaultStoreArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: pulumi.Input<string>;
    readonly tenantId: pulumi.Input<string>;
    readonly subscriptionId: pulumi.Input<string>;
    readonly entries: readonly SecretEntry[];
    /** Identity the Container Apps use to resolve Key Vault references. */
    readonly readerIdentityId: pulumi.Input<string>;
    readonly readerPrincipalId: pulumi.Input<string>;
    /** Keep the vault and its secrets through accidental deletes (prod). @default false */
    readonly protect?: boolean;
}

/** Secrets in Azure Key Vault (RBAC, purge protection); Container Apps read them as Key Vault references. */
export class KeyVaultStore extends pulumi.ComponentResource implements SecretStore {
    readonly refs: Readonly<Record<string, SecretRef>>;
    readonly secretNames: pulumi.Output<Record<string, string>>;
    readonly vault: keyvault.Vault;

    constructor(name: string, args: KeyVaultStoreArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:secrets:KeyVaultStore", name, {}, opts);
        const protect = args.protect ?? false;
        this.vault = new keyvault.Vault(
            `${name}-vault`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                properties: {
                    tenantId: args.tenantId,
                    sku: { family: "A", name: "standard" },
                    enableRbacAuthorization: true,
                    enableSoftDelete: true,
                    softDeleteRetentionInDays: 90,
                    enablePurgeProtection: true,
                    // Trusted Azure services (Container Apps references) only; no public data-plane access.
                    networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
                },
            },
            { parent: this, protect, retainOnDelete: protect },
        );
        new authorization.RoleAssignment(
            `${name}-reader`,
            {
                scope: this.vault.id,
                principalId: args.readerPrincipalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER}`,
            },
            { parent: this },
        );
        const secrets = args.entries.map((entry) => ({
            entry,
            secret: new keyvault.Secret(
                `${name}-${entry.id}`,
                {
                    resourceGroupName: args.resourceGroupName,
                    vaultName: this.vault.name,
                    secretName: entry.id,
                    properties: { value: entry.value },
                },
                { parent: this, protect, retainOnDelete: protect },
            ),
        }));
        this.refs = Object.fromEntries(
            secrets.map(({ entry, secret }) => [
                entry.id,
                {
                    kind: "key-vault" as const,
                    name: entry.id,
                    secretUri: pulumi.unsecret(secret.properties.secretUri),
                    identityId: args.readerIdentityId,
                },
            ]),
        );
        this.secretNames = pulumi
            .all(
                secrets.map(({ entry }) =>
                    this.vault.name.apply((vault) => [entry.id, `${vault}/${entry.id}`] as const),
                ),
            )
            .apply((pairs) => Object.fromEntries(pairs));
        this.registerOutputs({ secretNames: this.secretNames });
    }
}
