/** Rules of Azure Resource Manager and the azure-native provider. */
import type { DeployabilityRule } from "./rule";

export const azureRules: readonly DeployabilityRule[] = [];
