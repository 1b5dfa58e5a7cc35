/**
 * Physical names of Azure resources, as Azure Resource Manager will see them: the name the
 * program sets, or the one azure-native's autonaming derives, checked against Azure's naming rules.
 */
import type { DeployabilityRule } from "../rule";
import { finding, isAzure } from "./plan";

/**
 * azure-native autonaming, `getDefaultName` in pulumi/pulumi-azure-native
 * provider/pkg/provider/provider.go with the `random` strategy: the logical (URN) name followed by
 * 8 random hexadecimal characters, no separator (`resource.NewUniqueName(seed, name, 8, 0, nil)`;
 * provider/pkg/provider/autonaming_test.go expects `test614742c2` for `test`).
 */
export const AUTONAME_SUFFIX_LENGTH = 8;
export function autoname(logicalName: string): string {
    return `${logicalName}${"0".repeat(AUTONAME_SUFFIX_LENGTH)}`;
}

export interface NamingRule {
    /** The input that holds the physical name; autonamed when absent. */
    readonly property: string;
    readonly min: number;
    readonly max: number;
    /** Characters and shape Azure accepts, as one expression. */
    readonly pattern: RegExp;
    /** What the pattern means, for the finding. */
    readonly allowed: string;
    /** The name is global (DNS): two estates cannot both take it. */
    readonly global?: boolean;
}

const NO_DOUBLE_HYPHEN = "(?!.*--)";
const lowerHyphen = (min: number, max: number) =>
    new RegExp(`^${NO_DOUBLE_HYPHEN}[a-z][a-z0-9-]{${min - 2},${max - 2}}[a-z0-9]$`);

/** Most Microsoft.Network names: 1-80, alphanumerics, underscores, periods and hyphens. */
function networkName(property: string): NamingRule {
    return {
        property,
        min: 1,
        max: 80,
        pattern: /^[a-zA-Z0-9](?:[a-zA-Z0-9_.-]*[a-zA-Z0-9_])?$/,
        allowed:
            "letters, digits, underscores, periods and hyphens, starting with a letter or digit, ending with a letter, digit or underscore",
    };
}

/**
 * Per type, from "Naming rules and restrictions for Azure resources"
 * (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules), and the
 * services' own pages where they are stricter (Key Vault: key-vault/general/about-keys-secrets-certificates;
 * Container Apps: container-apps/containers "name" and the ARM reference of Microsoft.App/containerApps).
 */
export const NAMING_RULES: Readonly<Record<string, NamingRule>> = {
    "azure-native:keyvault:Vault": {
        property: "vaultName",
        min: 3,
        max: 24,
        pattern: /^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/,
        allowed: "letters, digits and single hyphens, starting with a letter, ending with a letter or digit",
        global: true,
    },
    "azure-native:storage:StorageAccount": {
        property: "accountName",
        min: 3,
        max: 24,
        pattern: /^[a-z0-9]{3,24}$/,
        allowed: "lowercase letters and digits only",
        global: true,
    },
    "azure-native:app:ContainerApp": {
        property: "containerAppName",
        min: 2,
        max: 32,
        pattern: lowerHyphen(2, 32),
        allowed: "lowercase letters, digits and single hyphens, starting with a letter, ending with a letter or digit",
    },
    "azure-native:app:Job": {
        property: "jobName",
        min: 2,
        max: 32,
        pattern: lowerHyphen(2, 32),
        allowed: "lowercase letters, digits and single hyphens, starting with a letter, ending with a letter or digit",
    },
    "azure-native:app:ManagedEnvironment": {
        property: "environmentName",
        min: 2,
        max: 60,
        pattern: /^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{0,58}[a-zA-Z0-9]$/,
        allowed: "letters, digits and single hyphens, starting with a letter, ending with a letter or digit",
    },
    "azure-native:dbforpostgresql:Server": {
        property: "serverName",
        min: 3,
        max: 63,
        pattern: /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
        allowed: "lowercase letters, digits and hyphens, not starting or ending with a hyphen",
        global: true,
    },
    "azure-native:redis:Redis": {
        property: "name",
        min: 1,
        max: 63,
        pattern: /^[a-zA-Z0-9](?:-?[a-zA-Z0-9])*$/,
        allowed: "letters, digits and single hyphens, starting and ending with a letter or digit",
        global: true,
    },
    "azure-native:resources:ResourceGroup": {
        property: "resourceGroupName",
        min: 1,
        max: 90,
        pattern: /^[-\w.()]*[-\w()]$/u,
        allowed: "letters, digits, underscores, hyphens, periods and parentheses, not ending with a period",
    },
    "azure-native:operationalinsights:Workspace": {
        property: "workspaceName",
        min: 4,
        max: 63,
        pattern: /^[a-zA-Z0-9][a-zA-Z0-9-]{2,61}[a-zA-Z0-9]$/,
        allowed: "letters, digits and hyphens, starting and ending with a letter or digit",
    },
    "azure-native:managedidentity:UserAssignedIdentity": {
        property: "resourceName",
        min: 3,
        max: 128,
        pattern: /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/,
        allowed: "letters, digits, hyphens and underscores, starting with a letter or digit",
    },
    "azure-native:network:VirtualNetwork": {
        property: "virtualNetworkName",
        min: 2,
        max: 64,
        pattern: /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}[a-zA-Z0-9_]$/,
        allowed: "letters, digits, underscores, periods and hyphens, starting with a letter or digit",
    },
    "azure-native:network:PrivateEndpoint": {
        property: "privateEndpointName",
        min: 2,
        max: 64,
        pattern: /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}[a-zA-Z0-9_]$/,
        allowed: "letters, digits, underscores, periods and hyphens, starting with a letter or digit",
    },
    // The resource name; the host name (osProfile.computerName) has its own rule, azure-vm-computer-name.
    "azure-native:compute:VirtualMachine": {
        property: "vmName",
        min: 1,
        max: 64,
        pattern: /^(?!_)[^\\/"[\]:|<>+=;,?*@&\s]*[^\\/"[\]:|<>+=;,?*@&\s.-]$/,
        allowed:
            'no \\ / " [ ] : | < > + = ; , ? * @ & or spaces, not starting with an underscore, not ending with a period or hyphen',
    },
    // "Supported characters for the name are a-z, A-Z, 0-9, _ and -" (compute.DiskArgs.diskName).
    "azure-native:compute:Disk": {
        property: "diskName",
        min: 1,
        max: 80,
        pattern: /^[a-zA-Z0-9_-]+$/,
        allowed: "letters, digits, underscores and hyphens",
    },
    "azure-native:network:NetworkInterface": networkName("networkInterfaceName"),
    "azure-native:network:NetworkSecurityGroup": networkName("networkSecurityGroupName"),
    "azure-native:network:SecurityRule": networkName("securityRuleName"),
    "azure-native:network:Subnet": networkName("subnetName"),
    "azure-native:storage:BlobContainer": {
        property: "containerName",
        min: 3,
        max: 63,
        pattern: /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
        allowed: "lowercase letters, digits and single hyphens, starting and ending with a letter or digit",
    },
    "azure-native:storage:FileShare": {
        property: "shareName",
        min: 3,
        max: 63,
        pattern: /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
        allowed: "lowercase letters, digits and single hyphens, starting and ending with a letter or digit",
    },
    "azure-native:monitor:ActionGroup": {
        property: "actionGroupName",
        min: 1,
        max: 260,
        pattern: /^[^<>*%{}&:\\?/#|]+$/,
        allowed: "no < > * % { } & : \\ ? / # |",
    },
    "azure-native:monitor:MetricAlert": {
        property: "ruleName",
        min: 1,
        max: 260,
        pattern: /^[^<>*%{}&:\\?/#|]*[^<>*%{}&:\\?/#|. ]$/,
        allowed: "no < > * % { } & : \\ ? / # |, not ending with a space or period",
    },
    "azure-native:monitor:ScheduledQueryRule": {
        property: "ruleName",
        min: 1,
        max: 260,
        pattern: /^[^<>*%{}&:\\?/#|]*[^<>*%{}&:\\?/#|. ]$/,
        allowed: "no < > * % { } & : \\ ? / # |, not ending with a space or period",
    },
    "azure-native:applicationinsights:Component": {
        property: "resourceName",
        min: 1,
        max: 260,
        pattern: /^[^%&\\?/]*[^%&\\?/. ]$/,
        allowed: "no % & \\ ? /, not ending with a space or period",
    },
};

export const azureResourceName: DeployabilityRule = {
    id: "azure-resource-name",
    source: "learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules; pulumi/pulumi-azure-native provider/pkg/provider/provider.go getDefaultName (autoname = logical name + 8 random characters)",
    description: "ARM refuses a physical name outside the type's length and character rules",
    check(plan) {
        return plan.resources.filter(isAzure).flatMap((r) => {
            const rule = NAMING_RULES[r.type];
            if (!rule) return [];
            const set = plan.inputs(r)[rule.property];
            if (set !== undefined && typeof set !== "string") return [];
            const name = set ?? autoname(r.name);
            const how =
                set === undefined ? ` (autonamed: "${r.name}" + ${AUTONAME_SUFFIX_LENGTH} random characters)` : "";
            const problem =
                name.length < rule.min || name.length > rule.max
                    ? `is ${name.length} characters; ${rule.min}-${rule.max} allowed`
                    : !rule.pattern.test(name)
                      ? `must be ${rule.allowed}`
                      : undefined;
            if (!problem) return [];
            return [
                finding(
                    "azure-resource-name",
                    r,
                    rule.property,
                    set ?? `${r.name}<8 random>`,
                    `the name${how} ${problem}: set \`${rule.property}\` explicitly to a name that fits${rule.global ? " (globally unique: derive it, e.g. prefix + hash of project/stack)" : ""}`,
                ),
            ];
        });
    },
};
