import type * as pulumi from "@pulumi/pulumi";
import type { EstatePlatform } from "../components/platform/platform";
import type { EstateConfig, Platform } from "./config";

interface PlatformFactory {
    /** Explicit providers, given once to the estate's root component so every child inherits them. */
    readonly providers: (config: EstateConfig) => pulumi.ProviderResource[];
    readonly create: (config: EstateConfig, parent: pulumi.Resource) => EstatePlatform;
}

/**
 * The one place the platform is chosen. A new platform is a folder under components/ plus one entry here.
 * Each factory requires its platform's modules when called, so a plan loads only the chosen
 * platform's SDKs (azure-native alone is most of the start-up otherwise).
 */
const platforms: Record<Platform, PlatformFactory> = {
    kubernetes: {
        providers: (config) => {
            const { kubernetesProvider } =
                require("../components/platform/kubernetes/provider") as typeof import("../components/platform/kubernetes/provider");
            return [
                kubernetesProvider("kubernetes", {
                    ...(config.kubernetes.context !== undefined ? { context: config.kubernetes.context } : {}),
                    ...(config.kubernetes.kubeconfig !== undefined ? { kubeconfig: config.kubernetes.kubeconfig } : {}),
                }),
            ];
        },
        create: (config, parent) => {
            const { KubernetesPlatform } =
                require("../components/platform/kubernetes/platform") as typeof import("../components/platform/kubernetes/platform");
            return new KubernetesPlatform(config, parent);
        },
    },
    azure: {
        providers: () => [],
        create: (config, parent) => {
            const { AzurePlatform } =
                require("../components/platform/azure/platform") as typeof import("../components/platform/azure/platform");
            return new AzurePlatform(config, parent);
        },
    },
};

export function platformProviders(config: EstateConfig): pulumi.ProviderResource[] {
    return platforms[config.platform].providers(config);
}

export function createPlatform(config: EstateConfig, parent: pulumi.Resource): EstatePlatform {
    return platforms[config.platform].create(config, parent);
}
