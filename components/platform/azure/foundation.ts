import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as resources from "@pulumi/azure-native/resources";

export interface AzureFoundationArgs {
    readonly location: string;
    /** Log retention in days. @default 30 */
    readonly logRetentionDays?: number;
    /** Keep the resource group and logs through accidental deletes. @default false */
    readonly protect?: boolean;
}

/** Resource group, Log Analytics, the Container Apps environment wired to it, and the workloads' identity. */
export class AzureFoundation extends pulumi.ComponentResource {
    readonly resourceGroupName: pulumi.Output<string>;
    readonly environmentId: pulumi.Output<string>;
    readonly identityId: pulumi.Output<string>;
    readonly identityPrincipalId: pulumi.Output<string>;
    /** Client id of the identity: `az login --identity --client-id` in jobs. */
    readonly identityClientId: pulumi.Output<string>;
    readonly workspaceId: pulumi.Output<string>;

    constructor(name: string, args: AzureFoundationArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:platform:AzureFoundation", name, {}, opts);
        const protect = args.protect ?? false;
        const group = new resources.ResourceGroup(`${name}-rg`, { location: args.location }, { parent: this, protect });
        const workspace = new operationalinsights.Workspace(
            `${name}-logs`,
            { resourceGroupName: group.name, location: args.location, sku: { name: "PerGB2018" }, retentionInDays: args.logRetentionDays ?? 30 },
            { parent: this, protect },
        );
        const sharedKey = operationalinsights
            .getSharedKeysOutput({ resourceGroupName: group.name, workspaceName: workspace.name }, { parent: this })
            .apply((keys) => keys.primarySharedKey ?? "");
        const environment = new app.ManagedEnvironment(
            `${name}-env`,
            {
                resourceGroupName: group.name,
                location: args.location,
                zoneRedundant: false,
                appLogsConfiguration: {
                    destination: "log-analytics",
                    logAnalyticsConfiguration: { customerId: workspace.customerId, sharedKey: pulumi.secret(sharedKey) },
                },
            },
            { parent: this },
        );
        const identity = new managedidentity.UserAssignedIdentity(
            `${name}-identity`,
            { resourceGroupName: group.name, location: args.location },
            { parent: this },
        );
        this.resourceGroupName = group.name;
        this.environmentId = environment.id;
        this.identityId = identity.id;
        this.identityPrincipalId = identity.principalId;
        this.identityClientId = identity.clientId;
        this.workspaceId = workspace.id;
        this.registerOutputs({ resourceGroupName: this.resourceGroupName, environmentId: this.environmentId, identityId: this.identityId });
    }
}
