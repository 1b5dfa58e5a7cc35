import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as network from "@pulumi/azure-native/network";
import { estateTags, keyVaultName } from "../../platform/azure/tags";
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
    /**
     * Seed of the vault's globally unique name (project, stack, domain): the name is a prefix of
     * the component name and a hash of the seed, within Key Vault's 24 characters.
     */
    readonly nameSeed: string;
    /** Subnet the vault's private endpoint gets its address in. */
    readonly endpointsSubnetId: pulumi.Input<string>;
    /** The `privatelink.vaultcore.azure.net` zone linked to the estate's VNet. */
    readonly privateDnsZoneId: pulumi.Input<string>;
    /** Network resources the private name resolution needs (the zone's VNet link); part of `readiness`. @default none */
    readonly networkReadiness?: readonly pulumi.Resource[];
}

/** Secrets in Azure Key Vault (RBAC, purge protection); Container Apps read them as Key Vault references. */
export class KeyVaultStore extends pulumi.ComponentResource implements SecretStore {
    readonly refs: Readonly<Record<string, SecretRef>>;
    readonly secretNames: pulumi.Output<Record<string, string>>;
    readonly vault: keyvault.Vault;
    /**
     * What a workload reading these secrets must wait for: the role assignment of its identity
     * (RBAC propagates before the first read) and the private endpoint with its DNS record
     * (Container Apps is not a Key Vault trusted service, so it reaches the vault only privately).
     */
    readonly readiness: readonly pulumi.Resource[];
    private readonly resourceGroupName: pulumi.Input<string>;
    private readonly readerIdentityId: pulumi.Input<string>;
    private readonly protect: boolean;
    private readonly baseName: string;

    constructor(name: string, args: KeyVaultStoreArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:secrets:KeyVaultStore", name, {}, opts);
        const protect = args.protect ?? false;
        this.protect = protect;
        this.baseName = name;
        this.resourceGroupName = args.resourceGroupName;
        this.readerIdentityId = args.readerIdentityId;
        const tags = estateTags("secrets", name);
        this.vault = new keyvault.Vault(
            `${name}-vault`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                vaultName: keyVaultName(name, args.nameSeed),
                tags,
                properties: {
                    tenantId: args.tenantId,
                    sku: { family: "A", name: "standard" },
                    enableRbacAuthorization: true,
                    enableSoftDelete: true,
                    softDeleteRetentionInDays: 90,
                    enablePurgeProtection: true,
                    // No public data plane: Container Apps is not a trusted service and reads through the private endpoint.
                    publicNetworkAccess: "Disabled",
                    networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
                },
            },
            { parent: this, protect, retainOnDelete: protect },
        );
        const reader = new authorization.RoleAssignment(
            `${name}-reader`,
            {
                scope: this.vault.id,
                principalId: args.readerPrincipalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER}`,
            },
            { parent: this },
        );
        // Key Vault references are resolved from the environment's subnet; Container Apps is not a
        // trusted service (learn.microsoft.com/azure/container-apps/manage-secrets, "Reference secret from Key Vault").
        const endpoint = new network.PrivateEndpoint(
            `${name}-endpoint`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                subnet: { id: args.endpointsSubnetId },
                privateLinkServiceConnections: [
                    { name: `${name}-vault`, privateLinkServiceId: this.vault.id, groupIds: ["vault"] },
                ],
                tags,
            },
            { parent: this },
        );
        const dns = new network.PrivateDnsZoneGroup(
            `${name}-endpoint-dns`,
            {
                resourceGroupName: args.resourceGroupName,
                privateEndpointName: endpoint.name,
                privateDnsZoneConfigs: [{ name: "vault", privateDnsZoneId: args.privateDnsZoneId }],
            },
            { parent: this },
        );
        this.readiness = [reader, endpoint, dns, ...(args.networkReadiness ?? [])];
        const secrets = args.entries.map((entry) => ({ entry, ref: this.addSecret(entry.id, entry.value) }));
        this.refs = Object.fromEntries(secrets.map(({ entry, ref }) => [entry.id, ref]));
        this.secretNames = pulumi
            .all(
                secrets.map(({ entry }) =>
                    this.vault.name.apply((vault) => [entry.id, `${vault}/${entry.id}`] as const),
                ),
            )
            .apply((pairs) => Object.fromEntries(pairs));
        this.registerOutputs({ secretNames: this.secretNames });
    }

    /**
     * Stores one more secret in the vault, e.g. a value another resource produces after the store
     * exists (an Application Insights connection string), and returns its Key Vault reference.
     */
    addSecret(id: string, value: pulumi.Input<string>): Extract<SecretRef, { kind: "key-vault" }> {
        const secret = new keyvault.Secret(
            `${this.baseName}-${id}`,
            {
                resourceGroupName: this.resourceGroupName,
                vaultName: this.vault.name,
                secretName: id,
                properties: { value: pulumi.secret(value) },
            },
            { parent: this, protect: this.protect, retainOnDelete: this.protect },
        );
        return {
            kind: "key-vault",
            name: id,
            secretUri: pulumi.unsecret(secret.properties.secretUri),
            identityId: this.readerIdentityId,
        };
    }
}
