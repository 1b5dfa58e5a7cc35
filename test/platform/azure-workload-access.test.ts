// What each Azure workload runs as, standalone under Pulumi mocks: the first secret store is the
// one workloads read, telemetry lands there, and the two refusals name the workload and the fix.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { AzureFoundation } from "../../components/platform/azure/foundation";
import { AzureWorkloadAccess } from "../../components/platform/azure/workload-access";
import { KeyVaultStore } from "../../components/secrets/azure/key-vault";
import type { SecretRef } from "../../components/workload/service";
import { runComponents, type ProgramCapture } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";

interface Declared {
    readonly parent: pulumi.ComponentResource;
    readonly access: AzureWorkloadAccess;
    readonly store: (name: string) => KeyVaultStore;
}

/** Declares a foundation and the access under one parent, then runs `build`; a refusal is returned, not thrown. */
async function declare(build: (d: Declared) => void): Promise<{ capture: ProgramCapture; refusal: unknown }> {
    let refusal: unknown;
    const capture = await runComponents(() => {
        const parent = new pulumi.ComponentResource("estate:test:Estate", "estate");
        const foundation = new AzureFoundation("foundation", { location: "westeurope", zone: "1" }, { parent });
        const access = new AzureWorkloadAccess(
            foundation,
            { location: "westeurope", containerRegistryId: undefined, subscriptionId: "sub", protect: false },
            parent,
        );
        const store = (name: string) =>
            new KeyVaultStore(
                name,
                {
                    resourceGroupName: foundation.resourceGroupName,
                    location: "westeurope",
                    tenantId: "tenant",
                    subscriptionId: "sub",
                    entries: [],
                    nameSeed: "estate/test/example.com",
                    endpointsSubnetId: foundation.network.endpointsSubnetId,
                    privateDnsZoneId: foundation.network.keyVaultZoneId,
                    workspaceId: foundation.workspaceId,
                },
                { parent },
            );
        // Caught inside the program: a throw escaping it surfaces as an unhandled rejection, not here.
        try {
            build({ parent, access, store });
        } catch (error) {
            refusal = error;
        }
    });
    return { capture, refusal };
}

async function urnOf(r: pulumi.Resource): Promise<string> {
    return new Promise<string>((resolve) => r.urn.apply(resolve));
}

describe("AzureWorkloadAccess", () => {
    it("stores a service's telemetry connection string in the first store declared, and records its component", async () => {
        let ref: SecretRef | undefined;
        let components: string[] = [];
        const { capture, refusal } = await declare(({ access, store }) => {
            access.useStore(store("app-secrets"));
            access.useStore(store("graph-secrets"));
            ref = access.telemetry("api");
            components = Object.keys(access.componentIds());
        });
        assert.equal(refusal, undefined);
        assert.equal(ref?.kind === "key-vault" ? ref.name : ref?.kind, "api-appinsights-connection");
        const secret = inputsOf(
            resource(capture, "azure-native:keyvault:Secret", "app-secrets-api-appinsights-connection"),
        );
        assert.equal(secret.secretName, "api-appinsights-connection");
        assert.equal(
            capture.resources.some((r) => r.name === "graph-secrets-api-appinsights-connection"),
            false,
            "nothing lands in the second store",
        );
        assert.deepEqual(components, ["api"]);
    });

    it("refuses a workload declared before the secret store, on the platform's parent", async () => {
        let parent!: pulumi.ComponentResource;
        const { refusal } = await declare((d) => {
            parent = d.parent;
            d.access.telemetry("api");
        });
        assert.ok(refusal instanceof pulumi.ResourceError, "a ResourceError, so the CLI names the resource");
        assert.equal(refusal.message, "`api` is declared before the secret store; declare `secretStore` first");
        assert.equal(await urnOf(refusal.resource!), await urnOf(parent));
    });

    it("refuses a secret reference Container Apps cannot read, naming the env variable", async () => {
        const { refusal } = await declare(({ access, store }) => {
            access.useStore(store("app-secrets"));
            const identity = access.workloadIdentity("api");
            access.bindSecrets("api", identity, {
                DB_PASSWORD: { kind: "kubernetes-secret", secretName: "app-secrets", key: "db-password" },
            });
        });
        assert.ok(refusal instanceof pulumi.ResourceError);
        assert.equal(
            refusal.message,
            "`secretEnv.DB_PASSWORD` of `api` is a kubernetes-secret reference; Container Apps read Key Vault references",
        );
    });
});
