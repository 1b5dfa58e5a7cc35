/** Rules of Azure Resource Manager and the azure-native provider. */
import { azureAlertScopeOrdering, azureLogAlertWindow, azureMetricAlertWindow } from "./azure/alerts";
import { azureContainerAppProbeBounds, azureLogAnalyticsRetention } from "./azure/container-apps";
import { azureContainerAppsEnvironmentNetwork } from "./azure/environment";
import { azureManualJobRun } from "./azure/jobs";
import { azureResourceName } from "./azure/names";
import { azureKeyVaultReferenceOrdering, azurePostgresReplicaOrdering } from "./azure/ordering";
import { azureTags } from "./azure/tags";
import type { DeployabilityRule } from "./rule";

export const azureRules: readonly DeployabilityRule[] = [
    azureResourceName,
    azureTags,
    azureMetricAlertWindow,
    azureLogAlertWindow,
    azureAlertScopeOrdering,
    azureKeyVaultReferenceOrdering,
    azurePostgresReplicaOrdering,
    azureManualJobRun,
    azureContainerAppProbeBounds,
    azureLogAnalyticsRetention,
    azureContainerAppsEnvironmentNetwork,
];
