import type { Policies } from "@pulumi/policy";
import { accessPolicies } from "./access";
import { availabilityPolicies } from "./availability";
import { alertRulePolicies } from "./alert-rules";
import { alertsRouted, prodAlertsPage } from "./alert-routing";
import { alertThresholdsNumeric, serviceAlertsComplete } from "./alerts";
import { backupPolicies } from "./backups";
import { dataStoreIngressRestricted } from "./data-store-ingress";
import { dataStoreUnexposed } from "./exposure";
import { httpsPolicies } from "./https";
import { imagePolicies } from "./images";
import { keyVaultPolicies } from "./key-vault";
import { podSecurityRestricted, serviceAccountToken } from "./least-privilege";
import { dataTlsOnly } from "./data";
import { dataAuthRequired } from "./data-auth";
import { dataDurabilityPolicies } from "./data-durability";
import { CatalogEntry, PolicyInfo } from "./lib";
import { migrationPolicies } from "./migrations";
import { networkPolicies } from "./network";
import { outboundPolicies } from "./outbound";
import { podSecurityPolicies } from "./pod-security";
import { azurePrivateNetwork } from "./private-network";
import { azureVmPrivate } from "./virtual-machines";
import { corsRestricted, rateLimits } from "./request-guards";
import { secretPolicies } from "./secrets";
import { storagePolicies } from "./storage";
import { dataStoreSettingsSafe } from "./store-settings";
import { tlsPolicies } from "./tls";
import { environmentProd, healthProbes, resourceRequestsLimits } from "./workload";

/** Every policy of the pack, by domain. Adding a domain module is one line here. */
export const catalog: readonly CatalogEntry[] = [
    environmentProd,
    healthProbes,
    podSecurityRestricted,
    resourceRequestsLimits,
    serviceAccountToken,
    rateLimits,
    corsRestricted,
    ...availabilityPolicies,
    ...outboundPolicies,
    ...networkPolicies,
    dataStoreIngressRestricted,
    dataStoreUnexposed,
    azurePrivateNetwork,
    azureVmPrivate,
    ...secretPolicies,
    ...tlsPolicies,
    ...httpsPolicies,
    ...imagePolicies,
    serviceAlertsComplete,
    alertsRouted,
    alertThresholdsNumeric,
    prodAlertsPage,
    ...alertRulePolicies,
    ...migrationPolicies,
    ...backupPolicies,
    dataTlsOnly,
    dataAuthRequired,
    ...dataDurabilityPolicies,
    dataStoreSettingsSafe,
    ...podSecurityPolicies,
    ...accessPolicies,
    ...storagePolicies,
    ...keyVaultPolicies,
];

export const allPolicies: Policies = catalog.map((e) => e.policy);

/** Severity, runbook line and public check ids per policy name. */
export const metadata: Readonly<Record<string, PolicyInfo>> = Object.fromEntries(
    catalog.map((e) => [e.policy.name, { severity: e.policy.severity, ...e.meta }]),
);

/** The pack-wide level; each policy also states its own. */
export const packEnforcementLevel = "mandatory" as const;
