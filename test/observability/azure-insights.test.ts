import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { ServiceInsights, type ServiceInsightsArgs } from "../../components/observability/azure/insights";
import { runComponents } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";
import { refusalOf, valueOf } from "../support/components";

const COMPONENT = "azure-native:applicationinsights:Component";

/** One service's telemetry the way the Azure platform declares it; each test changes one thing. */
function args(overrides: Partial<ServiceInsightsArgs> = {}): ServiceInsightsArgs {
    return {
        resourceGroupName: "rg-estate",
        location: "westeurope",
        workspaceId: "/workspaces/estate",
        service: "api",
        ...overrides,
    };
}

async function declare(overrides: Partial<ServiceInsightsArgs> = {}) {
    let insights!: ServiceInsights;
    const capture = await runComponents(() => {
        insights = new ServiceInsights("api-telemetry", args(overrides));
    });
    return { capture, insights, component: resource(capture, COMPONENT, "api-telemetry-insights") };
}

describe("ServiceInsights (component)", () => {
    it("declares one workspace-based web component under the component, named and tagged for its service", async () => {
        const { capture, component } = await declare();
        const own = capture.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
        assert.deepEqual(
            own.map((r) => [r.type, r.name]),
            [
                ["estate:observability:ServiceInsights", "api-telemetry"],
                [COMPONENT, "api-telemetry-insights"],
            ],
        );
        assert.match(component.parent ?? "", /ServiceInsights::api-telemetry$/);
        assert.deepEqual(inputsOf(component), {
            resourceGroupName: "rg-estate",
            location: "westeurope",
            resourceName: "api-insights",
            kind: "web",
            applicationType: "web",
            ingestionMode: "LogAnalytics",
            workspaceResourceId: "/workspaces/estate",
            tags: { "estate-service": "api" },
            // The provider's defaults: the apps send telemetry over the public ingestion endpoint.
            flowType: "Bluefield",
            publicNetworkAccessForIngestion: "Enabled",
            publicNetworkAccessForQuery: "Enabled",
            requestSource: "rest",
        });
    });

    it("is protected only when asked", async () => {
        assert.equal((await declare()).component.options.protect, false);
        assert.equal((await declare({ protect: true })).component.options.protect, true);
    });

    it("hands out the component id and its connection string as a secret", async () => {
        const { insights } = await declare();
        assert.match(await valueOf(insights.componentId), /api-telemetry-insights/);
        assert.equal(await pulumi.isSecret(insights.connectionString), true);
        assert.match(await valueOf(insights.connectionString), /^InstrumentationKey=.*;IngestionEndpoint=https:\/\//);
    });

    it("refuses a service name that makes an invalid Azure tag value", async () => {
        assert.equal(
            await refusalOf(() => new ServiceInsights("x-telemetry", args({ service: "s".repeat(257) }))),
            "tag `estate-service` has a 257-character value; Azure allows 256",
        );
    });
});
