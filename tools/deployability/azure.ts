/** Rules of Azure Resource Manager and the azure-native provider. */
import { azureAlertScopeOrdering, azureLogAlertWindow, azureMetricAlertWindow } from "./azure/alerts";
import {
    azureVmAdminUsername,
    azureVmComputerName,
    azureVmCustomData,
    azureVmLinuxAuthentication,
} from "./azure/compute";
import { azureContainerAppProbeBounds, azureLogAnalyticsRetention } from "./azure/container-apps";
import {
    azureDiskSize,
    azurePremiumV2Disk,
    azureVmDataDiskLun,
    azureVmDiskZone,
    azureVmPremiumStorage,
} from "./azure/disks";
import { azurePrivateDns } from "./azure/dns";
import { azureContainerAppsEnvironmentNetwork } from "./azure/environment";
import { azureManualJobRun } from "./azure/jobs";
import { azureResourceName } from "./azure/names";
import { azureNicSubnetDelegation, azureNsgSecurityRules, azureSubnetAddressSpace } from "./azure/network";
import { azureKeyVaultReferenceOrdering, azurePostgresReplicaOrdering } from "./azure/ordering";
import { azureTags } from "./azure/tags";
import { azureVmAttachedDiskReplace, azureVmCustomDataReplace } from "./azure/vm-replacement";
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
    azureSubnetAddressSpace,
    azureNicSubnetDelegation,
    azureNsgSecurityRules,
    azurePrivateDns,
    azureVmAdminUsername,
    azureVmComputerName,
    azureVmLinuxAuthentication,
    azureVmCustomData,
    azureVmCustomDataReplace,
    azureVmAttachedDiskReplace,
    azureVmDiskZone,
    azureVmPremiumStorage,
    azurePremiumV2Disk,
    azureVmDataDiskLun,
    azureDiskSize,
];
