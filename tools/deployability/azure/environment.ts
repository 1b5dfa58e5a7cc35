/** The Container Apps environment's network: what Azure requires of its infrastructure subnet. */
import type { DeployabilityRule } from "../rule";
import { builtFromOfType, finding } from "./plan";

const ENVIRONMENT = "azure-native:app:ManagedEnvironment";
const SUBNET = "azure-native:network:Subnet";

/** Largest prefix length (smallest subnet) Azure accepts for an environment's infrastructure subnet. */
export const ENVIRONMENT_SUBNET_MAX_PREFIX = { workloadProfiles: 27, consumptionOnly: 23 } as const;

export const azureContainerAppsEnvironmentNetwork: DeployabilityRule = {
    id: "azure-container-apps-environment-network",
    source: "learn.microsoft.com/azure/container-apps/networking (workload profiles: subnet /27 or larger; Consumption only: /23 or larger; delegated to Microsoft.App/environments) and learn.microsoft.com/azure/reliability/reliability-azure-container-apps (zone redundancy needs a virtual network, and is set only when the environment is created)",
    description:
        "An environment on a subnet smaller than Azure's minimum, or zone redundant without a VNet, is refused at creation",
    check(plan) {
        return plan.ofType(ENVIRONMENT).flatMap((env) => {
            const inputs = plan.inputs(env);
            const vnet = inputs["vnetConfiguration"] as { infrastructureSubnetId?: unknown } | undefined;
            const found = [];
            if (inputs["zoneRedundant"] === true && vnet?.infrastructureSubnetId === undefined)
                found.push(
                    finding(
                        this.id,
                        env,
                        "zoneRedundant",
                        true,
                        "give the environment vnetConfiguration.infrastructureSubnetId (a subnet delegated to Microsoft.App/environments): zone redundancy needs a VNet",
                    ),
                );
            const profiles = Array.isArray(inputs["workloadProfiles"]) && inputs["workloadProfiles"].length > 0;
            const maxPrefix = profiles
                ? ENVIRONMENT_SUBNET_MAX_PREFIX.workloadProfiles
                : ENVIRONMENT_SUBNET_MAX_PREFIX.consumptionOnly;
            for (const subnet of builtFromOfType(plan, env, "vnetConfiguration", SUBNET)) {
                const prefix = String(plan.inputs(subnet)["addressPrefix"] ?? "");
                const length = Number(/\/(\d+)$/.exec(prefix)?.[1]);
                if (!Number.isInteger(length) || length > maxPrefix)
                    found.push(
                        finding(
                            this.id,
                            subnet,
                            "addressPrefix",
                            prefix,
                            `the environment's infrastructure subnet must be a /${maxPrefix} or larger (${profiles ? "workload profiles" : "Consumption only"} environment)`,
                        ),
                    );
            }
            return found;
        });
    },
};
