import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { KeyVaultStore, UNBOUND_IDENTITY, type KeyVaultStoreArgs } from "../../components/secrets/azure/key-vault";
import { keyVaultName } from "../../components/platform/azure/tags";
import { runComponents, SECRET_SIG, SECRET_VALUE } from "../../tools/lib/mock-run";
import { inputsOf, resource, resourcesOfType } from "../support/program";
import { refusalOf, valueOf } from "../support/components";

const ROLE = "azure-native:authorization:RoleAssignment";
const SECRETS_USER =
    "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6";

/** The estate's vault the way the Azure platform declares it; each test changes one thing. */
function args(overrides: Partial<KeyVaultStoreArgs> = {}): KeyVaultStoreArgs {
    return {
        resourceGroupName: "rg-estate",
        location: "westeurope",
        tenantId: "tenant-1",
        subscriptionId: "sub-1",
        entries: [
            { id: "db-password", value: pulumi.secret("p@ss") },
            { id: "api-key", value: pulumi.secret("k3y") },
        ],
        nameSeed: "estate/staging/app",
        endpointsSubnetId: "/subnets/endpoints",
        privateDnsZoneId: "/zones/vault",
        workspaceId: "/workspaces/estate",
        ...overrides,
    };
}

async function declare(overrides: Partial<KeyVaultStoreArgs> = {}, then?: (store: KeyVaultStore) => void) {
    let store!: KeyVaultStore;
    const capture = await runComponents(() => {
        store = new KeyVaultStore("secrets", args(overrides));
        then?.(store);
    });
    const readiness = await Promise.all(store.readiness.map((r) => valueOf(r.urn)));
    return {
        capture,
        store,
        readiness: readiness.map((urn) => urn.slice(urn.lastIndexOf("::") + 2)),
        names: capture.resources.filter((r) => r.custom).map((r) => r.name),
    };
}

/** The message the store throws, caught inside the run so the run itself completes. */
function refusal(overrides: Partial<KeyVaultStoreArgs>, then?: (store: KeyVaultStore) => void): Promise<string> {
    return refusalOf(() => {
        const store = new KeyVaultStore("secrets", args(overrides));
        then?.(store);
    });
}

describe("KeyVaultStore (component)", () => {
    it("declares the vault, its audit log, its private endpoint and DNS, and one secret per entry", async () => {
        const { names, capture } = await declare();
        assert.deepEqual(names.sort(), [
            "secrets-api-key",
            "secrets-audit",
            "secrets-db-password",
            "secrets-endpoint",
            "secrets-endpoint-dns",
            "secrets-vault",
        ]);
        const component = capture.resources.find((r) => r.type === "estate:secrets:KeyVaultStore");
        for (const child of capture.resources.filter((r) => r.custom)) assert.equal(child.parent, component?.urn);
        assert.deepEqual(resourcesOfType(capture, ROLE), []);
    });

    it("is an RBAC vault with purge protection and no public data plane", async () => {
        const vault = inputsOf(resource((await declare()).capture, "azure-native:keyvault:Vault", "secrets-vault"));
        assert.equal(vault.vaultName, keyVaultName("secrets", "estate/staging/app"));
        assert.match(vault.vaultName, /^secrets-[0-9a-f]{16}$/);
        assert.deepEqual(vault.properties, {
            tenantId: "tenant-1",
            sku: { family: "A", name: "standard" },
            enableRbacAuthorization: true,
            enableSoftDelete: true,
            softDeleteRetentionInDays: 90,
            enablePurgeProtection: true,
            // The SDK's defaults: no VM, disk-encryption or ARM-template access to the secrets.
            enabledForDeployment: false,
            enabledForDiskEncryption: false,
            enabledForTemplateDeployment: false,
            publicNetworkAccess: "Disabled",
            networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
        });
    });

    it("is read only through the private endpoint, and audits every read", async () => {
        const { capture } = await declare();
        const endpoint = inputsOf(resource(capture, "azure-native:network:PrivateEndpoint", "secrets-endpoint"));
        assert.equal(endpoint.subnet.id, "/subnets/endpoints");
        assert.deepEqual(endpoint.privateLinkServiceConnections, [
            { name: "secrets-vault", privateLinkServiceId: "secrets-vault-id", groupIds: ["vault"] },
        ]);
        const group = inputsOf(resource(capture, "azure-native:network:PrivateDnsZoneGroup", "secrets-endpoint-dns"));
        assert.deepEqual(group.privateDnsZoneConfigs, [{ name: "vault", privateDnsZoneId: "/zones/vault" }]);
        const audit = inputsOf(resource(capture, "azure-native:monitor:DiagnosticSetting", "secrets-audit"));
        assert.deepEqual(
            [audit.resourceUri, audit.logs],
            ["secrets-vault-id", [{ category: "AuditEvent", enabled: true }]],
        );
    });

    it("stores each value as a secret, protected and retained only when asked", async () => {
        const { capture } = await declare({ protect: true });
        const secret = resource(capture, "azure-native:keyvault:Secret", "secrets-db-password");
        assert.deepEqual(secret.inputs.properties, { value: { [SECRET_SIG]: SECRET_VALUE, value: "p@ss" } });
        assert.deepEqual(
            [inputsOf(secret).secretName, inputsOf(secret).vaultName],
            ["db-password", "secrets-vault-offline"],
        );
        const vault = resource(capture, "azure-native:keyvault:Vault", "secrets-vault");
        for (const r of [secret, vault]) assert.deepEqual([r.options.protect, r.options.retainOnDelete], [true, true]);
        const unprotected = resource((await declare()).capture, "azure-native:keyvault:Secret", "secrets-db-password");
        assert.deepEqual([unprotected.options.protect, unprotected.options.retainOnDelete], [false, false]);
    });

    it("hands out unbound references and names without a reader; workloads wait for the endpoint", async () => {
        const { store, readiness } = await declare({ networkReadiness: [] });
        const ref = store.refs["db-password"];
        assert.equal(ref?.kind, "key-vault");
        if (ref?.kind !== "key-vault") return;
        assert.equal(ref.identityId, UNBOUND_IDENTITY);
        assert.equal(
            await valueOf(pulumi.output(ref.secretUri)),
            "https://secrets-vault-offline.vault.azure.net/secrets/db-password",
        );
        assert.deepEqual(await valueOf(store.secretNames), {
            "db-password": "secrets-vault-offline/db-password",
            "api-key": "secrets-vault-offline/api-key",
        });
        assert.deepEqual(readiness, ["secrets-endpoint", "secrets-endpoint-dns"]);
    });

    it("grants a reader each secret at the secret's scope, never the vault, and binds the refs to it", async () => {
        const { capture, store, readiness } = await declare({
            reader: { id: "/identities/neo4j", principalId: "neo4j-principal" },
        });
        const roles = resourcesOfType(capture, ROLE).map((r) => [r.name, inputsOf(r)]);
        assert.deepEqual(roles, [
            [
                "secrets-reader-db-password",
                {
                    scope: "secrets-db-password-id",
                    principalId: "neo4j-principal",
                    principalType: "ServicePrincipal",
                    roleDefinitionId: SECRETS_USER,
                },
            ],
            [
                "secrets-reader-api-key",
                {
                    scope: "secrets-api-key-id",
                    principalId: "neo4j-principal",
                    principalType: "ServicePrincipal",
                    roleDefinitionId: SECRETS_USER,
                },
            ],
        ]);
        const ref = store.refs["api-key"];
        assert.equal(ref?.kind === "key-vault" ? ref.identityId : undefined, "/identities/neo4j");
        assert.deepEqual(readiness, [
            "secrets-reader-db-password",
            "secrets-reader-api-key",
            "secrets-endpoint",
            "secrets-endpoint-dns",
        ]);
    });

    it("grants a workload only the secrets it reads, once each", async () => {
        const { capture } = await declare({}, (store) => {
            const grant = store.grantRead("api", { id: "/identities/api", principalId: "api-principal" }, [
                "api-key",
                "api-key",
            ]);
            assert.deepEqual(Object.keys(grant.refs), ["api-key"]);
        });
        assert.deepEqual(
            resourcesOfType(capture, ROLE).map((r) => r.name),
            ["secrets-api-api-key"],
        );
    });

    it("refuses a secret id stored twice", async () => {
        assert.equal(
            await refusal({
                entries: [
                    { id: "db-password", value: pulumi.secret("a") },
                    { id: "db-password", value: pulumi.secret("b") },
                ],
            }),
            "secret `db-password` is already in the store `secrets`",
        );
    });

    it("refuses a grant of a secret the store does not hold", async () => {
        assert.equal(
            await refusal({}, (store) =>
                store.grantRead("api", { id: "/identities/api", principalId: "api-principal" }, ["missing"]),
            ),
            "`api` reads secret `missing`, which is not in the store `secrets`",
        );
    });
});
