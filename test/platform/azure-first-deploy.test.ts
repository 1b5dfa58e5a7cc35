import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import { azureTags, keyVaultName, storageAccountName, tagNameProblem } from "../../components/platform/azure/tags";
import { PlanView } from "../../tools/deployability/rule";
import type { ProgramCapture } from "../../tools/lib/mock-run";
import { inputsOf, plan, resource, resourcesOfType, stacks } from "../support/program";

const KEY_VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

describe("Azure names and tags", () => {
    it("derives Key Vault names of 3-24 characters that Key Vault accepts, stable per seed", () => {
        fc.assert(
            fc.property(fc.string({ minLength: 0, maxLength: 40 }), fc.string(), (prefix, seed) => {
                const name = keyVaultName(prefix, seed);
                assert.match(name, KEY_VAULT_NAME);
                assert.ok(!name.includes("--"), name);
                assert.equal(keyVaultName(prefix, seed), name);
            }),
        );
        assert.equal(keyVaultName("app-secrets", "estate/prod/estate.example.com").startsWith("app-secrets-"), true);
        assert.notEqual(
            keyVaultName("app-secrets", "estate/prod/a.com"),
            keyVaultName("app-secrets", "estate/prod/b.com"),
        );
    });

    it("derives storage account names of at most 24 lowercase letters and digits", () => {
        fc.assert(
            fc.property(fc.string({ maxLength: 40 }), fc.string(), (prefix, seed) => {
                assert.match(storageAccountName(prefix, seed), /^[a-z0-9]{3,24}$/);
            }),
        );
    });

    it("refuses tag names ARM refuses, naming the tag", () => {
        assert.equal(tagNameProblem("estate.io/tier"), "contains one of < > % & \\ ? /");
        assert.equal(tagNameProblem("estate-tier"), undefined);
        assert.equal(tagNameProblem("hidden-link:/subscriptions/x/resourceGroups/y"), undefined);
        assert.throws(() => azureTags({ "estate.io/tier": "app" }), {
            message:
                "tag name `estate.io/tier` contains one of < > % & \\ ? /: Azure refuses it; use letters, digits, - _ . :",
        });
        assert.throws(() => azureTags({ note: "x".repeat(257) }), {
            message: "tag `note` has a 257-character value; Azure allows 256",
        });
    });
});

for (const stack of stacks) {
    describe(`Azure first deploy (${stack})`, () => {
        let capture: ProgramCapture;
        let view: PlanView;
        before(async () => {
            capture = await plan(stack, { platform: "azure" });
            view = new PlanView(capture);
        });

        it("names every vault explicitly within Key Vault's 24 characters", () => {
            const vaults = resourcesOfType(capture, "azure-native:keyvault:Vault");
            assert.equal(vaults.length, 2);
            for (const vault of vaults) assert.match(String(inputsOf(vault).vaultName), KEY_VAULT_NAME);
        });

        it("uses no `/` in any tag name of an Azure resource", () => {
            for (const r of capture.resources.filter((x) => x.type.startsWith("azure-native:"))) {
                for (const tagName of Object.keys(inputsOf(r).tags ?? {}))
                    assert.equal(tagNameProblem(tagName), undefined, `${r.name}: ${tagName}`);
            }
        });

        it("reaches each vault through a private endpoint whose DNS zone is linked to the VNet", () => {
            const zone = resource(capture, "azure-native:privatedns:PrivateZone", "foundation-network-vault-dns");
            assert.equal(inputsOf(zone).privateZoneName, "privatelink.vaultcore.azure.net");
            const link = resource(
                capture,
                "azure-native:privatedns:VirtualNetworkLink",
                "foundation-network-vault-dns-link",
            );
            assert.equal(inputsOf(link).virtualNetwork.id, "foundation-network-vnet-id");
            for (const store of ["app-secrets", "neo4j-auth"]) {
                const endpoint = inputsOf(
                    resource(capture, "azure-native:network:PrivateEndpoint", `${store}-endpoint`),
                );
                assert.deepEqual(endpoint.privateLinkServiceConnections, [
                    { name: `${store}-vault`, privateLinkServiceId: `${store}-vault-id`, groupIds: ["vault"] },
                ]);
                const dns = inputsOf(
                    resource(capture, "azure-native:network:PrivateDnsZoneGroup", `${store}-endpoint-dns`),
                );
                assert.deepEqual(dns.privateDnsZoneConfigs, [
                    { name: "vault", privateDnsZoneId: "foundation-network-vault-dns-id" },
                ]);
                const vault = inputsOf(resource(capture, "azure-native:keyvault:Vault", `${store}-vault`));
                assert.equal(vault.properties.publicNetworkAccess, "Disabled");
            }
        });

        it("starts no app or job with Key Vault references before its role assignments, endpoint and DNS", () => {
            const withRefs = view
                .ofType("azure-native:app:ContainerApp", "azure-native:app:Job")
                .filter((r) => JSON.stringify(inputsOf(r).configuration?.secrets ?? []).includes("keyVaultUrl"));
            assert.ok(withRefs.length >= 8, `apps and jobs with references: ${withRefs.map((r) => r.name).join(", ")}`);
            for (const r of withRefs) {
                const waits = view.waitsFor(r);
                // Every app and job reads app-secrets (Neo4j's VM reads its own vault, below).
                const store = "app-secrets";
                for (const [type, name] of [
                    ["azure-native:network:PrivateEndpoint", `${store}-endpoint`],
                    ["azure-native:network:PrivateDnsZoneGroup", `${store}-endpoint-dns`],
                    ["azure-native:privatedns:VirtualNetworkLink", "foundation-network-vault-dns-link"],
                ] as const)
                    assert.ok(waits.has(resource(capture, type, name).urn), `${r.name} waits for ${name}`);
                // One role per secret it reads, for its own identity, awaited.
                const identity = inputsOf(r).identity.userAssignedIdentities[0] as string;
                for (const secret of inputsOf(r).configuration.secrets as Array<{ name: string; identity: string }>) {
                    assert.equal(secret.identity, identity, `${r.name} reads ${secret.name} as itself`);
                    const roles = resourcesOfType(capture, "azure-native:authorization:RoleAssignment").filter(
                        (role) =>
                            inputsOf(role).scope === `${store}-${secret.name}-id` &&
                            inputsOf(role).principalId === identity.replace(/-id$/, "-principal-id"),
                    );
                    assert.equal(roles.length, 1, `${r.name}: a role on ${secret.name}`);
                    assert.ok(waits.has(roles[0]!.urn), `${r.name} waits for its role on ${secret.name}`);
                }
            }
        });

        it("boots Neo4j's VM only once its identity may read its vault privately", () => {
            const vm = resource(capture, "azure-native:compute:VirtualMachine", "neo4j-vm");
            const waits = view.waitsFor(vm);
            for (const [type, name] of [
                ["azure-native:authorization:RoleAssignment", "neo4j-auth-reader-neo4j-password"],
                ["azure-native:authorization:RoleAssignment", "neo4j-auth-reader-neo4j-bolt-key"],
                ["azure-native:authorization:RoleAssignment", "neo4j-auth-reader-neo4j-bolt-cert"],
                ["azure-native:network:PrivateEndpoint", "neo4j-auth-endpoint"],
                ["azure-native:privatedns:VirtualNetworkLink", "foundation-network-vault-dns-link"],
                ["azure-native:privatedns:VirtualNetworkLink", "foundation-network-internal-dns-link"],
            ] as const)
                assert.ok(waits.has(resource(capture, type, name).urn), `neo4j-vm waits for ${name}`);
        });

        it("gives every app and job an identity of its own, reading only the secrets it needs", () => {
            const workloads = view.ofType("azure-native:app:ContainerApp", "azure-native:app:Job");
            const identities = workloads.map((r) => inputsOf(r).identity?.userAssignedIdentities?.[0]);
            const named = identities.filter((i): i is string => typeof i === "string");
            assert.equal(new Set(named).size, named.length, "no identity is shared");
            const roles = resourcesOfType(capture, "azure-native:authorization:RoleAssignment").map((r) => inputsOf(r));
            const readsOf = (identity: string) =>
                roles
                    .filter((role) => role.principalId === identity.replace(/-id$/, "-principal-id"))
                    .map((role) => String(role.scope));
            // No role on a whole vault; the ui reads only its telemetry connection string.
            for (const role of roles) assert.doesNotMatch(String(role.scope), /-vault-id$/);
            assert.deepEqual(readsOf("ui-identity-id"), ["app-secrets-ui-appinsights-connection-id"]);
            // The age identity that decrypts every backup: the restore drills only.
            const ageReaders = roles
                .filter((role) => role.scope === "app-secrets-backup-age-identity-id")
                .map((role) => String(role.principalId));
            assert.ok(ageReaders.length >= 1);
            for (const reader of ageReaders) assert.match(reader, /-restore-drill-identity-principal-id$/);
            // Blob Data Contributor on the backups container: the backup and drill jobs only.
            const blobWriters = roles.filter((role) => role.scope === "backups-container-id");
            assert.equal(blobWriters.length, resourcesOfType(capture, "azure-native:app:Job").length - 2);
            for (const writer of blobWriters)
                assert.match(String(writer.principalId), /-(backup|restore-drill)(-[a-z0-9]+)?-identity-principal-id$/);
        });

        it("gives the backups account a derived, globally unique name", () => {
            const accounts = resourcesOfType(capture, "azure-native:storage:StorageAccount").filter(
                (r) => inputsOf(r).accountName !== undefined,
            );
            assert.ok(accounts.length >= 1);
            for (const account of accounts) {
                const name = String(inputsOf(account).accountName);
                assert.match(name, /^[a-z0-9]{3,24}$/);
                assert.notEqual(name, `estate${stack}backups`);
            }
        });
    });
}

describe("Azure first deploy: prod read replica", () => {
    it("creates the replica after the primary's database, never alongside it", async () => {
        const capture = await plan("prod", { platform: "azure" });
        const view = new PlanView(capture);
        const replica = resource(capture, "azure-native:dbforpostgresql:Server", "postgres-replica-1");
        const database = resource(capture, "azure-native:dbforpostgresql:Database", "postgres-db");
        assert.ok(view.waitsFor(replica).has(database.urn));
    });
});
