import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { NEO4J_IMAGE, Neo4jContainerApp, type Neo4jContainerAppArgs } from "../../components/data/azure/neo4j";
import { runComponents, SECRET_SIG, SECRET_VALUE } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";
import { valueOf } from "../support/components";

/** Neo4j the way the Azure platform declares it; each test changes one thing. */
function args(overrides: Partial<Neo4jContainerAppArgs> = {}): Neo4jContainerAppArgs {
    return {
        password: pulumi.secret("p@ss"),
        storageGb: 32,
        resourceGroupName: "rg-estate",
        location: "westeurope",
        environmentId: "/environments/estate",
        environmentName: "estate-env",
        appsSubnetId: "/subnets/apps",
        tenantId: "tenant-1",
        subscriptionId: "sub-1",
        identityId: "/identities/neo4j",
        identityPrincipalId: "neo4j-principal",
        nameSeed: "estate/staging/neo4j",
        endpointsSubnetId: "/subnets/endpoints",
        privateDnsZoneId: "/zones/vault",
        workspaceId: "/workspaces/estate",
        ...overrides,
    };
}

async function declare(overrides: Partial<Neo4jContainerAppArgs> = {}) {
    let neo4j!: Neo4jContainerApp;
    const capture = await runComponents(() => {
        neo4j = new Neo4jContainerApp("neo4j", args(overrides));
    });
    const app = resource(capture, "azure-native:app:ContainerApp", "neo4j-app");
    return { capture, neo4j, app, appInputs: inputsOf(app) };
}

describe("Neo4jContainerApp (component)", () => {
    it("declares its Files volume, its own Key Vault store and one Container App, all under the component", async () => {
        const { capture } = await declare();
        const component = capture.resources.find((r) => r.type === "estate:data:Neo4jContainerApp");
        const children = capture.resources.filter((r) => r.parent === component?.urn).map((r) => `${r.type} ${r.name}`);
        assert.deepEqual(children.sort(), [
            "azure-native:app:ContainerApp neo4j-app",
            "estate:data:AzureFilesVolume neo4j-data",
            "estate:secrets:KeyVaultStore neo4j-auth",
        ]);
    });

    it("is one replica of one revision on TCP ingress internal to the environment", async () => {
        const { appInputs } = await declare();
        assert.deepEqual(appInputs.configuration.activeRevisionsMode, "Single");
        assert.deepEqual(appInputs.configuration.ingress, {
            external: false,
            transport: "tcp",
            targetPort: 7687,
            exposedPort: 7687,
            allowInsecure: false,
        });
        assert.deepEqual(appInputs.template.scale, { minReplicas: 1, maxReplicas: 1 });
        assert.equal((await declare({ publicAccess: true })).appInputs.configuration.ingress.external, true);
    });

    it("reads NEO4J_AUTH by Key Vault reference, stored as the image reads it, granted to its own identity", async () => {
        const { capture, app, appInputs } = await declare();
        assert.deepEqual(appInputs.configuration.secrets, [
            {
                name: "neo4j-auth",
                keyVaultUrl: "https://neo4j-auth-vault-offline.vault.azure.net/secrets/neo4j-auth",
                identity: "/identities/neo4j",
            },
        ]);
        const container = appInputs.template.containers[0];
        assert.deepEqual(container.env, [
            { name: "NEO4J_AUTH", secretRef: "neo4j-auth" },
            { name: "NEO4J_server_memory_heap_max__size", value: "2G" },
            { name: "NEO4J_server_memory_pagecache_size", value: "1G" },
            { name: "NEO4J_PLUGINS", value: '["apoc"]' },
        ]);
        const secret = resource(capture, "azure-native:keyvault:Secret", "neo4j-auth-neo4j-auth");
        assert.deepEqual(secret.inputs.properties, { value: { [SECRET_SIG]: SECRET_VALUE, value: "neo4j/p@ss" } });
        const grant = resource(capture, "azure-native:authorization:RoleAssignment", "neo4j-auth-reader-neo4j-auth");
        assert.equal(inputsOf(grant).principalId, "neo4j-principal");
        // The app waits for the grant and the vault's private endpoint before its first read.
        for (const before of [grant, resource(capture, "azure-native:network:PrivateEndpoint", "neo4j-auth-endpoint")])
            assert.ok(app.dependencies.includes(before.urn), before.name);
    });

    it("runs the pinned image on the Files share, mounted as the neo4j user without byte-range locks", async () => {
        const { appInputs } = await declare();
        const container = appInputs.template.containers[0];
        assert.deepEqual([container.image, container.resources], [NEO4J_IMAGE, { cpu: 2, memory: "4Gi" }]);
        assert.match(NEO4J_IMAGE, /@sha256:[0-9a-f]{64}$/);
        assert.deepEqual(container.volumeMounts, [{ volumeName: "data", mountPath: "/data" }]);
        assert.deepEqual(appInputs.template.volumes, [
            {
                name: "data",
                storageType: "AzureFile",
                storageName: "neo4j-data",
                mountOptions: "uid=7474,gid=7474,dir_mode=0750,file_mode=0640,nobrl,mfsymlinks",
            },
        ]);
    });

    it("probes the bolt port, with a start-up budget of 10 × 30 s", async () => {
        const probes = (await declare()).appInputs.template.containers[0].probes;
        const tcp = { tcpSocket: { port: 7687 }, timeoutSeconds: 5 };
        assert.deepEqual(probes, [
            { type: "Startup", ...tcp, periodSeconds: 30, failureThreshold: 10 },
            { type: "Liveness", ...tcp, periodSeconds: 10, failureThreshold: 3 },
            { type: "Readiness", ...tcp, periodSeconds: 10, failureThreshold: 3 },
        ]);
    });

    it("protects and retains the share and the vault only when asked", async () => {
        const kept = (await declare({ protect: true })).capture;
        for (const [type, name] of [
            ["azure-native:storage:FileShare", "neo4j-data-share"],
            ["azure-native:keyvault:Vault", "neo4j-auth-vault"],
        ] as const) {
            const r = resource(kept, type, name);
            assert.deepEqual([r.options.protect, r.options.retainOnDelete], [true, true], name);
        }
        const share = resource((await declare()).capture, "azure-native:storage:FileShare", "neo4j-data-share");
        assert.deepEqual([share.options.protect, inputsOf(share).shareQuota], [false, 32]);
    });

    it("is reached by its app name on the bolt port, as the neo4j user with a secret password", async () => {
        const { neo4j } = await declare();
        assert.deepEqual(
            await Promise.all([valueOf(neo4j.host), valueOf(neo4j.port), valueOf(neo4j.uri), valueOf(neo4j.user)]),
            ["neo4j", 7687, "neo4j://neo4j:7687", "neo4j"],
        );
        assert.equal(await pulumi.isSecret(neo4j.password), true);
    });
});
