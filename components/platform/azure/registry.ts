import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";

/** Built-in role "AcrPull": pull images, nothing else. */
export const ACR_PULL = "7f951dca-4b93-4c3b-8cac-5d2f4d2ffcf7";

/** Login server of an Azure Container Registry from its resource id (`<name>.azurecr.io`, registry names are lower-cased). */
export function registryServer(registryId: string): string {
    return `${registryId.slice(registryId.lastIndexOf("/") + 1).toLowerCase()}.azurecr.io`;
}

/** The registry host of an image reference (`ghcr.io/acme/api:tag` → `ghcr.io`). */
export function imageHost(image: string): string {
    return image.split("/")[0]!.toLowerCase();
}

/** What a Container App or job needs to pull a private image: its `configuration.registries` and the grant to wait for. */
export interface RegistryPull {
    readonly registries: Array<{ server: string; identity: pulumi.Input<string> }>;
    readonly readiness: readonly pulumi.Resource[];
}

/**
 * Lets a workload pull its image from the estate's Azure Container Registry as its own identity:
 * AcrPull on the registry and a `registries` entry naming the identity (Container Apps pulls
 * with a managed identity instead of a password: learn.microsoft.com/azure/container-apps/managed-identity-image-pull).
 * Images from any other host need nothing (public).
 */
export function registryPull(
    name: string,
    args: {
        readonly registryId: string | undefined;
        readonly subscriptionId: pulumi.Input<string>;
        readonly image: string;
        readonly identity: { readonly id: pulumi.Input<string>; readonly principalId: pulumi.Input<string> };
    },
    parent: pulumi.Resource,
): RegistryPull {
    if (args.registryId === undefined) return { registries: [], readiness: [] };
    const server = registryServer(args.registryId);
    if (imageHost(args.image) !== server) return { registries: [], readiness: [] };
    const pull = new authorization.RoleAssignment(
        `${name}-acr-pull`,
        {
            scope: args.registryId,
            principalId: args.identity.principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL}`,
        },
        { parent },
    );
    return { registries: [{ server, identity: args.identity.id }], readiness: [pull] };
}
