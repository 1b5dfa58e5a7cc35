import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import { diagnosticsToWorkspace } from "../../platform/azure/diagnostics";
import { privateEndpointFor } from "../../platform/azure/network";
import { estateTags, keyVaultName } from "../../platform/azure/tags";
import type { SecretEntry, SecretStore } from "../secret-store";
import type { SecretRef } from "../../workload/service";

/** Built-in role "Key Vault Secrets User": read secret values, nothing else. */
const KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";

/** A secret as Container Apps read it: a Key Vault reference resolved by an identity. */
export type KeyVaultRef = Extract<SecretRef, { kind: "key-vault" }>;

/** A managed identity a workload runs as. */
export interface ReaderIdentity {
    readonly id: pulumi.Input<string>;
    readonly principalId: pulumi.Input<string>;
}

/** Binds a workload's secret env to its own identity: grants each secret and rebinds the refs. */
export type SecretBinder = (
    workload: string,
    identity: ReaderIdentity,
    secretEnv: Readonly<Record<string, SecretRef>>,
) => { secretEnv: Record<string, SecretRef>; readiness: readonly pulumi.Resource[] };

/** Key Vault references bound to one workload's identity, and what the workload must wait for. */
export interface SecretGrant {
    readonly refs: Readonly<Record<string, KeyVaultRef>>;
    /** The per-secret role assignments, the private endpoint and its DNS: dependsOn of the workload. */
    readonly readiness: readonly pulumi.Resource[];
}

export interface KeyVaultStoreArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: pulumi.Input<string>;
    readonly tenantId: pulumi.Input<string>;
    readonly subscriptionId: pulumi.Input<string>;
    readonly entries: readonly SecretEntry[];
    /**
     * Identity that reads every secret of this store (a store of one workload, e.g. Neo4j's).
     * Without it the refs are unbound: a workload gets its own with `grantRead`. @default none
     */
    readonly reader?: ReaderIdentity;
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
    /** Log Analytics workspace the vault's audit log (every secret read) goes to. */
    readonly workspaceId: pulumi.Input<string>;
    /** Network resources the private name resolution needs (the zone's VNet link); part of `readiness`. @default none */
    readonly networkReadiness?: readonly pulumi.Resource[];
}

/**
 * Identity of a reference no workload was granted yet; Container Apps refuse it, and the workload
 * components refuse it with the env var named (`grantRead` binds a workload's own identity).
 */
export const UNBOUND_IDENTITY = "unbound: grant the workload's identity with KeyVaultStore.grantRead";

/** Secrets in Azure Key Vault (RBAC, purge protection); Container Apps read them as Key Vault references. */
export class KeyVaultStore extends pulumi.ComponentResource implements SecretStore {
    /** Every secret of the store is a Key Vault reference (the SecretStore contract, narrowed). */
    readonly refs: Readonly<Record<string, KeyVaultRef>>;
    readonly secretNames: pulumi.Output<Record<string, string>>;
    readonly vault: keyvault.Vault;
    /**
     * What a workload reading these secrets must wait for: the private endpoint with its DNS record
     * (Container Apps is not a Key Vault trusted service, so it reaches the vault only privately),
     * and with `reader` set, that identity's role assignments (RBAC propagates before the first read).
     */
    readonly readiness: readonly pulumi.Resource[];
    private readonly networkReadiness: readonly pulumi.Resource[];
    private readonly resourceGroupName: pulumi.Input<string>;
    private readonly roleDefinitionId: pulumi.Output<string>;
    private readonly protect: boolean;
    private readonly baseName: string;
    private readonly secrets = new Map<string, keyvault.Secret>();

    constructor(name: string, args: KeyVaultStoreArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:secrets:KeyVaultStore", name, {}, opts);
        const protect = args.protect ?? false;
        this.protect = protect;
        this.baseName = name;
        this.resourceGroupName = args.resourceGroupName;
        this.roleDefinitionId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER}`;
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
        diagnosticsToWorkspace(`${name}-audit`, "keyVault", this.vault.id, args.workspaceId, this);
        // Key Vault references are resolved from the environment's subnet; Container Apps is not a
        // trusted service (learn.microsoft.com/azure/container-apps/manage-secrets, "Reference secret from Key Vault").
        const { endpoint, dns } = privateEndpointFor(
            name,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                subnetId: args.endpointsSubnetId,
                targetId: this.vault.id,
                connectionName: `${name}-vault`,
                groupId: "vault",
                privateDnsZoneId: args.privateDnsZoneId,
                zoneConfigName: "vault",
                tags,
            },
            this,
        );
        this.networkReadiness = [endpoint, dns, ...(args.networkReadiness ?? [])];
        const secrets = args.entries.map((entry) => ({ entry, ref: this.addSecret(entry.id, entry.value) }));
        const ids = args.entries.map((entry) => entry.id);
        const grant = args.reader ? this.grantRead("reader", args.reader, ids) : undefined;
        this.readiness = grant ? grant.readiness : this.networkReadiness;
        this.refs = grant?.refs ?? Object.fromEntries(secrets.map(({ entry, ref }) => [entry.id, ref]));
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
    addSecret(id: string, value: pulumi.Input<string>): KeyVaultRef {
        if (this.secrets.has(id))
            throw new pulumi.ResourceError(`secret \`${id}\` is already in the store \`${this.baseName}\``, this);
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
        this.secrets.set(id, secret);
        return {
            kind: "key-vault",
            name: id,
            secretUri: pulumi.unsecret(secret.properties.secretUri),
            identityId: UNBOUND_IDENTITY,
        };
    }

    /**
     * Lets one workload's identity read exactly these secrets: "Key Vault Secrets User" at each
     * secret's scope (`<vault id>/secrets/<name>`; learn.microsoft.com/azure/key-vault/general/rbac-guide,
     * "Secret scope role assignment"), never on the vault. Returns the refs bound to that identity.
     */
    grantRead(reader: string, identity: ReaderIdentity, secretIds: readonly string[]): SecretGrant {
        const refs: Record<string, KeyVaultRef> = {};
        const roles: authorization.RoleAssignment[] = [];
        for (const id of new Set(secretIds)) {
            const secret = this.secrets.get(id);
            if (!secret)
                throw new pulumi.ResourceError(
                    `\`${reader}\` reads secret \`${id}\`, which is not in the store \`${this.baseName}\``,
                    this,
                );
            roles.push(
                new authorization.RoleAssignment(
                    `${this.baseName}-${reader}-${id}`,
                    {
                        // The secret's ARM id: the assignment exists only once the secret does.
                        scope: secret.id,
                        principalId: identity.principalId,
                        principalType: "ServicePrincipal",
                        roleDefinitionId: this.roleDefinitionId,
                    },
                    { parent: this },
                ),
            );
            refs[id] = {
                kind: "key-vault",
                name: id,
                secretUri: pulumi.unsecret(secret.properties.secretUri),
                identityId: identity.id,
            };
        }
        return { refs, readiness: [...roles, ...this.networkReadiness] };
    }
}
