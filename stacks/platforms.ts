import type * as pulumi from "@pulumi/pulumi";
import { AzurePlatform } from "../components/platform/azure/platform";
import { KubernetesPlatform } from "../components/platform/kubernetes/platform";
import type { EstatePlatform } from "../components/platform/platform";
import type { EstateConfig, Platform } from "./config";

/** The one place the platform is chosen. A new platform is a folder under components/ plus one line here. */
const platforms: Record<Platform, (config: EstateConfig, parent: pulumi.Resource) => EstatePlatform> = {
    kubernetes: (config, parent) => new KubernetesPlatform(config, parent),
    azure: (config, parent) => new AzurePlatform(config, parent),
};

export function createPlatform(config: EstateConfig, parent: pulumi.Resource): EstatePlatform {
    return platforms[config.platform](config, parent);
}
