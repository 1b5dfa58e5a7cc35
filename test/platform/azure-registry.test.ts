// Private images on Azure: a workload whose image is in the configured Azure Container Registry
// pulls it as its own identity (configuration.registries + AcrPull), and waits for the grant.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { imageHost, registryServer } from "../../components/platform/azure/registry";
import { PlanView } from "../../tools/deployability/rule";
import type { ProgramCapture } from "../../tools/lib/mock-run";
import { inputsOf, plan, resource, resourcesOfType } from "../support/program";

const REGISTRY =
    "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/shared/providers/Microsoft.ContainerRegistry/registries/EstateAcr01";
const ACR_PULL = "7f951dca-4b93-4c3b-8cac-5d2f4d2ffcf7";

describe("Azure Container Registry names", () => {
    it("derives the login server from the registry id, lower-cased", () => {
        assert.equal(registryServer(REGISTRY), "estateacr01.azurecr.io");
        assert.equal(imageHost("EstateAcr01.azurecr.io/estate-api:abc"), "estateacr01.azurecr.io");
    });
});

describe("private images on azure (prod)", () => {
    let capture: ProgramCapture;
    before(async () => {
        capture = await plan("prod", {
            platform: "azure",
            azureContainerRegistryId: REGISTRY,
            apiImage: "estateacr01.azurecr.io/estate-api",
        });
    });

    it("pulls the api's image and its migration's as their own identities, after AcrPull", () => {
        const view = new PlanView(capture);
        for (const [type, name, workload] of [
            ["azure-native:app:ContainerApp", "api-app", "api"],
            ["azure-native:app:Job", "api-migrate-job", "api-migrate"],
        ] as const) {
            const r = resource(capture, type, name);
            assert.deepEqual(inputsOf(r).configuration.registries, [
                { server: "estateacr01.azurecr.io", identity: `${workload}-identity-id` },
            ]);
            const pull = resource(capture, "azure-native:authorization:RoleAssignment", `${workload}-acr-pull`);
            const role = inputsOf(pull);
            assert.deepEqual(
                [role.scope, role.principalId, String(role.roleDefinitionId).endsWith(ACR_PULL)],
                [REGISTRY, `${workload}-identity-principal-id`, true],
            );
            assert.ok(view.waitsFor(r).has(pull.urn), `${name} waits for its pull grant`);
        }
    });

    it("gives public images no registry entry and no grant", () => {
        const ui = inputsOf(resource(capture, "azure-native:app:ContainerApp", "ui-app"));
        assert.equal(ui.configuration.registries, undefined);
        const pulls = resourcesOfType(capture, "azure-native:authorization:RoleAssignment").filter((r) =>
            String(inputsOf(r).roleDefinitionId).endsWith(ACR_PULL),
        );
        assert.deepEqual(pulls.map((r) => r.name).sort(), [
            "api-acr-pull",
            "api-bootstrap-acr-pull",
            "api-migrate-acr-pull",
        ]);
    });
});
