import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as resources from "@pulumi/azure-native/resources";
import { AzureNetwork } from "./network";
import { estateTags } from "./tags";

/** Serverless GPU profile Ollama runs on when asked for a GPU (T4; A100 is `Consumption-GPU-NC24-A100`). */
export const GPU_WORKLOAD_PROFILE = { name: "gpu", workloadProfileType: "Consumption-GPU-NC8as-T4" } as const;

export interface AzureFoundationArgs {
    readonly location: string;
    /** Availability zone of the zonal single-instance parts (the graph's VM, its disk, the NAT gateway). */
    readonly zone: string;
    /** Log retention in days. @default 30 */
    readonly logRetentionDays?: number;
    /** Keep the resource group and logs through accidental deletes. @default false */
    readonly protect?: boolean;
    /**
     * Spread the environment's replicas across availability zones. Azure sets it only when the
     * environment is created (changing it replaces the environment and every app in it). @default false
     */
    readonly zoneRedundant?: boolean;
    /** Add a GPU workload profile (Azure accepts one only when the environment is created). @default false */
    readonly gpuWorkloadProfile?: boolean;
}

/** Resource group, Log Analytics and the Container Apps environment wired to it; each workload brings its own identity. */
export class AzureFoundation extends pulumi.ComponentResource {
    readonly resourceGroupName: pulumi.Output<string>;
    readonly environmentId: pulumi.Output<string>;
    readonly environmentName: pulumi.Output<string>;
    /** `<unique>.<region>.azurecontainerapps.io`: an app with external ingress answers on `<app name>.<this>`. */
    readonly defaultDomain: pulumi.Output<string>;
    readonly network: AzureNetwork;
    readonly workspaceId: pulumi.Output<string>;

    constructor(name: string, args: AzureFoundationArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:platform:AzureFoundation", name, {}, opts);
        const protect = args.protect ?? false;
        const tags = estateTags("platform", name);
        const group = new resources.ResourceGroup(
            `${name}-rg`,
            { location: args.location, tags },
            { parent: this, protect },
        );
        const workspace = new operationalinsights.Workspace(
            `${name}-logs`,
            {
                resourceGroupName: group.name,
                location: args.location,
                sku: { name: "PerGB2018" },
                retentionInDays: args.logRetentionDays ?? 30,
                tags,
            },
            { parent: this, protect },
        );
        const sharedKey = operationalinsights
            .getSharedKeysOutput({ resourceGroupName: group.name, workspaceName: workspace.name }, { parent: this })
            .apply((keys) => keys.primarySharedKey ?? "");
        this.network = new AzureNetwork(
            `${name}-network`,
            { resourceGroupName: group.name, location: args.location, zone: args.zone },
            { parent: this },
        );
        const environment = new app.ManagedEnvironment(
            `${name}-env`,
            {
                resourceGroupName: group.name,
                location: args.location,
                tags,
                zoneRedundant: args.zoneRedundant ?? false,
                // mTLS between the ingress and the apps and between apps, Bolt included
                // (learn.microsoft.com/azure/container-apps/network-proxy, "Security").
                peerTrafficConfiguration: { encryption: { enabled: true } },
                // In the VNet, so apps reach the stores' private addresses; public ingress still works (internal: false).
                vnetConfiguration: { infrastructureSubnetId: this.network.appsSubnetId, internal: false },
                workloadProfiles: [
                    { name: "Consumption", workloadProfileType: "Consumption" },
                    ...(args.gpuWorkloadProfile ? [GPU_WORKLOAD_PROFILE] : []),
                ],
                appLogsConfiguration: {
                    destination: "log-analytics",
                    logAnalyticsConfiguration: {
                        customerId: workspace.customerId,
                        sharedKey: pulumi.secret(sharedKey),
                    },
                },
            },
            { parent: this },
        );
        this.resourceGroupName = group.name;
        this.environmentId = environment.id;
        this.environmentName = environment.name;
        this.defaultDomain = environment.defaultDomain;
        this.workspaceId = workspace.id;
        this.registerOutputs({
            resourceGroupName: this.resourceGroupName,
            environmentId: this.environmentId,
        });
    }
}
