import type * as pulumi from "@pulumi/pulumi";
import type { EstatePlatform, PlatformCommon } from "../components/platform/platform";
import type { EstateConfig, Platform } from "./config";

interface PlatformFactory<C extends EstateConfig> {
    /** Explicit providers, given once to the estate's root component so every child inherits them. */
    readonly providers: (config: C) => pulumi.ProviderResource[];
    readonly create: (config: C, parent: pulumi.Resource) => EstatePlatform;
}

/** What every adapter takes besides its settings. */
export function platformCommon(config: EstateConfig): PlatformCommon {
    return {
        project: config.project,
        stack: config.stack,
        isProd: config.isProd,
        domain: config.domain,
        tls: config.tls.enabled,
        gpu: config.data.ollama.gpu,
        restoreDrillMaxAgeDays: config.alerts.restoreDrillMaxAgeDays,
        publicHosts: Object.fromEntries(
            config.services.flatMap((s) => (s.host !== undefined ? [[s.name, s.host]] : [])),
        ),
    };
}

/**
 * The one place the platform is chosen. A new platform is a folder under components/ plus one entry here.
 * Each factory requires its platform's modules when called, so a plan loads only the chosen
 * platform's SDKs (azure-native alone is most of the start-up otherwise).
 */
const platforms: { readonly [P in Platform]: PlatformFactory<Extract<EstateConfig, { platform: P }>> } = {
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
            return new KubernetesPlatform(config.kubernetes, platformCommon(config), parent);
        },
    },
    azure: {
        providers: () => [],
        create: (config, parent) => {
            const { AzurePlatform } =
                require("../components/platform/azure/platform") as typeof import("../components/platform/azure/platform");
            return new AzurePlatform(config.azure, platformCommon(config), parent);
        },
    },
};

/** The chosen platform's factory, typed for that platform's config. */
function factoryOf<C extends EstateConfig>(config: C): PlatformFactory<C> {
    return platforms[config.platform] as unknown as PlatformFactory<C>;
}

export function platformProviders(config: EstateConfig): pulumi.ProviderResource[] {
    return factoryOf(config).providers(config);
}

export function createPlatform(config: EstateConfig, parent: pulumi.Resource): EstatePlatform {
    return factoryOf(config).create(config, parent);
}
