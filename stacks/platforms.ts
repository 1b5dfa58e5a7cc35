import type * as pulumi from "@pulumi/pulumi";
import { AzurePlatform } from "../components/platform/azure/platform";
import { KubernetesPlatform } from "../components/platform/kubernetes/platform";
import { kubernetesProvider } from "../components/platform/kubernetes/provider";
import type { EstatePlatform } from "../components/platform/platform";
import type { EstateConfig, Platform } from "./config";

interface PlatformFactory {
    /** Explicit providers, given once to the estate's root component so every child inherits them. */
    readonly providers: (config: EstateConfig) => pulumi.ProviderResource[];
    readonly create: (config: EstateConfig, parent: pulumi.Resource) => EstatePlatform;
}

/** The one place the platform is chosen. A new platform is a folder under components/ plus one entry here. */
const platforms: Record<Platform, PlatformFactory> = {
    kubernetes: {
        providers: (config) => [
            kubernetesProvider("kubernetes", {
                ...(config.kubernetes.context !== undefined ? { context: config.kubernetes.context } : {}),
                ...(config.kubernetes.kubeconfig !== undefined ? { kubeconfig: config.kubernetes.kubeconfig } : {}),
            }),
        ],
        create: (config, parent) => new KubernetesPlatform(config, parent),
    },
    azure: { providers: () => [], create: (config, parent) => new AzurePlatform(config, parent) },
};

export function platformProviders(config: EstateConfig): pulumi.ProviderResource[] {
    return platforms[config.platform].providers(config);
}

export function createPlatform(config: EstateConfig, parent: pulumi.Resource): EstatePlatform {
    return platforms[config.platform].create(config, parent);
}
