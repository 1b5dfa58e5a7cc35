import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { SECRET_SIG, SECRET_VALUE, type ProgramCapture } from "../../tools/lib/mock-run";
import { inputsOf, plan, resource, resourcesOfType } from "../support/program";

// Runbook 003 GA mini-checklist, "Audit logging": the logs of every Container App (the gateway's
// included) land in the estate's Log Analytics workspace, which keeps them for its retention.
describe("Azure foundation: logs (prod)", () => {
    let capture: ProgramCapture;
    before(async () => {
        capture = await plan("prod", { platform: "azure" });
    });

    it("keeps logs in one Log Analytics workspace through the restore-drill interval, protected in prod", () => {
        const [workspace, ...others] = resourcesOfType(capture, "azure-native:operationalinsights:Workspace");
        assert.equal(others.length, 0);
        assert.deepEqual(
            { sku: inputsOf(workspace!).sku, retentionInDays: inputsOf(workspace!).retentionInDays },
            // The last drill's log lines outlive the 35 days after which the drill is overdue.
            { sku: { name: "PerGB2018" }, retentionInDays: 35 },
        );
        assert.equal(workspace!.options.protect, true);
    });

    it("routes the Container Apps environment's logs to it, with the workspace key as a secret", () => {
        const env = resource(capture, "azure-native:app:ManagedEnvironment", "foundation-env");
        const logs = env.inputs["appLogsConfiguration"] as {
            destination: string;
            logAnalyticsConfiguration: Record<string, unknown>;
        };
        assert.equal(logs.destination, "log-analytics");
        assert.equal(logs.logAnalyticsConfiguration["customerId"], "foundation-logs-customer-id");
        assert.equal(
            (logs.logAnalyticsConfiguration["sharedKey"] as Record<string, unknown>)[SECRET_SIG],
            SECRET_VALUE,
        );
        for (const app of resourcesOfType(capture, "azure-native:app:ContainerApp"))
            assert.ok(
                JSON.stringify(inputsOf(app)).includes("foundation-env-id"),
                `${app.name} runs in the logged environment`,
            );
    });
});

for (const stack of ["staging", "prod"] as const) {
    describe(`Azure foundation: the Container Apps environment (${stack})`, () => {
        let capture: ProgramCapture;
        before(async () => {
            capture = await plan(stack, { platform: "azure" });
        });

        it("encrypts peer traffic, and in prod spreads replicas over zones, on a VNet subnet big enough", () => {
            const env = inputsOf(resource(capture, "azure-native:app:ManagedEnvironment", "foundation-env"));
            assert.deepEqual(env.peerTrafficConfiguration, { encryption: { enabled: true } });
            assert.equal(env.zoneRedundant, stack === "prod");
            assert.equal(env.vnetConfiguration.infrastructureSubnetId, "foundation-network-apps-id");
            const subnet = inputsOf(resource(capture, "azure-native:network:Subnet", "foundation-network-apps"));
            // Workload profiles need a /27 at least; /23 also fits a Consumption-only environment.
            assert.equal(subnet.addressPrefix, "10.40.0.0/23");
            assert.deepEqual(subnet.delegations, [
                { name: "container-apps", serviceName: "Microsoft.App/environments" },
            ]);
        });
    });
}
