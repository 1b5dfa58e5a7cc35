import * as pulumi from "@pulumi/pulumi";
import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import { azureTags } from "../../platform/azure/tags";

/**
 * Env var the Azure Monitor OpenTelemetry distro reads its destination from
 * (learn.microsoft.com/azure/azure-monitor/app/opentelemetry-configuration, "Connection string").
 */
export const APP_INSIGHTS_CONNECTION_ENV = "APPLICATIONINSIGHTS_CONNECTION_STRING";

export interface ServiceInsightsArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    /** Log Analytics workspace the component stores its telemetry in. */
    readonly workspaceId: pulumi.Input<string>;
    /** Service whose telemetry the component receives. */
    readonly service: string;
    /** Keep the component (and its history) through accidental deletes. @default false */
    readonly protect?: boolean;
}

/**
 * One service's Application Insights component, declared before the service's app: the app is
 * given its connection string, so requests, dependencies and OpenTelemetry metrics reach the
 * component the service's alerts query. The Container Apps managed OpenTelemetry agent is not
 * used: it sends one environment's logs and traces to a single component and no metrics to
 * Application Insights (learn.microsoft.com/azure/container-apps/opentelemetry-agents), while the
 * queue and AI alerts read `customMetrics`.
 */
export class ServiceInsights extends pulumi.ComponentResource {
    readonly componentId: pulumi.Output<string>;
    /** The component's connection string, a Pulumi secret (it lets anyone write telemetry into it). */
    readonly connectionString: pulumi.Output<string>;

    constructor(name: string, args: ServiceInsightsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:observability:ServiceInsights", name, {}, opts);
        const component = new applicationinsights.Component(
            `${name}-insights`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                resourceName: `${args.service}-insights`,
                kind: "web",
                applicationType: "web",
                ingestionMode: "LogAnalytics",
                workspaceResourceId: args.workspaceId,
                tags: azureTags({ "estate-service": args.service }),
            },
            { parent: this, protect: args.protect ?? false },
        );
        this.componentId = component.id;
        this.connectionString = pulumi.secret(component.connectionString);
        this.registerOutputs({ componentId: this.componentId });
    }
}
