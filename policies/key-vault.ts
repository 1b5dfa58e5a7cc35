import type { PolicyConfigSchema } from "@pulumi/policy";
import { CatalogEntry, configWithDefaults, field } from "./lib";

const schema: PolicyConfigSchema = {
    properties: {
        minSoftDeleteDays: {
            type: "integer",
            minimum: 7,
            maximum: 90,
            default: 90,
            description: "Days a deleted vault or secret stays recoverable.",
        },
    },
};

export const keyVaultHardened: CatalogEntry = {
    policy: {
        name: "key-vault-hardened",
        description:
            "Key Vaults use RBAC, keep purge protection and soft delete, are reachable only through their private endpoint and are not open to ARM templates.",
        enforcementLevel: "mandatory",
        severity: "critical",
        configSchema: schema,
        validateResource: (args, report) => {
            if (args.type !== "azure-native:keyvault:Vault") return;
            const { minSoftDeleteDays: min } = configWithDefaults<{ minSoftDeleteDays: number }>(schema, args);
            const p = field(args.props, "properties");
            const get = (k: string) => field(p, k);
            if (get("enablePurgeProtection") !== true) report("Set properties.enablePurgeProtection: true.");
            if (get("enableSoftDelete") === false) report("Set properties.enableSoftDelete: true.");
            if (Number(get("softDeleteRetentionInDays") ?? 90) < min)
                report(
                    `Set properties.softDeleteRetentionInDays to at least ${min} (it is ${String(get("softDeleteRetentionInDays"))}).`,
                );
            if (get("enableRbacAuthorization") !== true)
                report("Set properties.enableRbacAuthorization: true (no access policies).");
            if (get("publicNetworkAccess") !== "Disabled")
                report("Set properties.publicNetworkAccess: Disabled; clients use the private endpoint.");
            if (field(p, "networkAcls", "defaultAction") !== "Deny")
                report("Set properties.networkAcls.defaultAction: Deny.");
            for (const k of ["enabledForTemplateDeployment", "enabledForDeployment", "enabledForDiskEncryption"])
                if (get(k) === true) report(`Set properties.${k}: false.`);
        },
    },
    meta: {
        requirements: ["GA-SECRETS", "UA-SECRETS-BY-REFERENCE"],
        checks: [
            "Checkov CKV_AZURE_110",
            "Checkov CKV_AZURE_42",
            "Checkov CKV_AZURE_109",
            "Checkov CKV_AZURE_189",
            "CIS Azure 8.5",
            "CIS Azure 8.6",
            "CIS Azure 8.7",
        ],
    },
};

export const keyVaultPolicies: readonly CatalogEntry[] = [keyVaultHardened];
