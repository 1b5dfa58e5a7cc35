import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { AzureFoundation, type AzureFoundationArgs } from "../../components/platform/azure/foundation";
import { runComponents, SECRET_SIG, SECRET_VALUE } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";

const ENVIRONMENT = "azure-native:app:ManagedEnvironment";

async function declare(overrides: Partial<AzureFoundationArgs> = {}) {
    let foundation!: AzureFoundation;
    const capture = await runComponents(() => {
        foundation = new AzureFoundation("estate", { location: "westeurope", zone: "1", ...overrides });
    });
    const outputs = await new Promise<string[]>((resolve) =>
        pulumi
            .all([
                foundation.resourceGroupName,
                foundation.environmentId,
                foundation.workspaceId,
                foundation.defaultDomain,
            ])
            .apply(resolve),
    );
    return {
        capture,
        outputs,
        environment: resource(capture, ENVIRONMENT, "estate-env"),
        names: capture.resources.filter((r) => r.custom).map((r) => r.name),
    };
}

describe("AzureFoundation (component)", () => {
    it("declares the resource group, the workspace, the network and the environment", async () => {
        const { capture, names, outputs } = await declare();
        assert.deepEqual(names.filter((n) => !n.startsWith("estate-network-")).sort(), [
            "estate-env",
            "estate-logs",
            "estate-rg",
        ]);
        const component = capture.resources.find((r) => r.type === "estate:platform:AzureFoundation");
        const network = capture.resources.find((r) => r.type === "estate:platform:AzureNetwork");
        assert.equal(network?.parent, component?.urn);
        for (const name of ["estate-env", "estate-logs", "estate-rg"])
            assert.equal(capture.resources.find((r) => r.name === name)?.parent, component?.urn);
        // The group's autonamed name, as Azure returns it; everything else is declared in it.
        assert.deepEqual(outputs, [
            "estate-rg-offline",
            "estate-env-id",
            "estate-logs-id",
            "offline-env.westeurope.azurecontainerapps.io",
        ]);
    });

    it("keeps logs 30 days by default, protected with the group only when asked", async () => {
        const { capture } = await declare();
        const logs = resource(capture, "azure-native:operationalinsights:Workspace", "estate-logs");
        assert.deepEqual(
            [inputsOf(logs).resourceGroupName, inputsOf(logs).sku, inputsOf(logs).retentionInDays],
            ["estate-rg-offline", { name: "PerGB2018" }, 30],
        );
        assert.deepEqual(
            [
                logs.options.protect,
                resource(capture, "azure-native:resources:ResourceGroup", "estate-rg").options.protect,
            ],
            [false, false],
        );
        const kept = (await declare({ protect: true, logRetentionDays: 90 })).capture;
        const keptLogs = resource(kept, "azure-native:operationalinsights:Workspace", "estate-logs");
        assert.equal(inputsOf(keptLogs).retentionInDays, 90);
        assert.deepEqual(
            [
                keptLogs.options.protect,
                resource(kept, "azure-native:resources:ResourceGroup", "estate-rg").options.protect,
            ],
            [true, true],
        );
    });

    it("puts the environment in the apps subnet with encrypted peer traffic, logs to the workspace by secret key", async () => {
        const { environment } = await declare();
        const inputs = inputsOf(environment);
        assert.deepEqual(inputs.vnetConfiguration, {
            infrastructureSubnetId: "estate-network-apps-id",
            internal: false,
        });
        assert.deepEqual(inputs.peerTrafficConfiguration, { encryption: { enabled: true } });
        assert.equal(inputs.zoneRedundant, false);
        assert.deepEqual(inputs.workloadProfiles, [{ name: "Consumption", workloadProfileType: "Consumption" }]);
        assert.deepEqual(inputs.appLogsConfiguration, {
            destination: "log-analytics",
            logAnalyticsConfiguration: {
                customerId: "estate-logs-customer-id",
                sharedKey: "offline-shared-key-not-a-secret",
            },
        });
        const wire = environment.inputs.appLogsConfiguration as { logAnalyticsConfiguration: { sharedKey: unknown } };
        assert.deepEqual(wire.logAnalyticsConfiguration.sharedKey, {
            [SECRET_SIG]: SECRET_VALUE,
            value: "offline-shared-key-not-a-secret",
        });
    });

    it("is zone-redundant and has the GPU profile only when asked", async () => {
        const inputs = inputsOf((await declare({ zoneRedundant: true, gpuWorkloadProfile: true })).environment);
        assert.equal(inputs.zoneRedundant, true);
        assert.deepEqual(inputs.workloadProfiles, [
            { name: "Consumption", workloadProfileType: "Consumption" },
            { name: "gpu", workloadProfileType: "Consumption-GPU-NC8as-T4" },
        ]);
    });
});
