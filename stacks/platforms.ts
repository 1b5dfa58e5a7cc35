import type * as pulumi from "@pulumi/pulumi";
import type { EstatePlatform } from "../components/platform/platform";
import type { EstateConfig, Platform } from "./config";

/**
 * The one place the platform is chosen. A new platform is a folder under components/ plus one line here.
 * Each factory requires its platform's module when called, so a plan loads only the chosen
 * platform's SDKs (azure-native alone is most of the start-up otherwise).
 */
const platforms: Record<Platform, (config: EstateConfig, parent: pulumi.Resource) => EstatePlatform> = {
    kubernetes: (config, parent) => {
        const { KubernetesPlatform } =
            require("../components/platform/kubernetes/platform") as typeof import("../components/platform/kubernetes/platform");
        return new KubernetesPlatform(config, parent);
    },
    azure: (config, parent) => {
        const { AzurePlatform } =
            require("../components/platform/azure/platform") as typeof import("../components/platform/azure/platform");
        return new AzurePlatform(config, parent);
    },
};

export function createPlatform(config: EstateConfig, parent: pulumi.Resource): EstatePlatform {
    return platforms[config.platform](config, parent);
}
