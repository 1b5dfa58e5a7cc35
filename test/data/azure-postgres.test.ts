import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { FlexiblePostgres, type FlexiblePostgresArgs } from "../../components/data/azure/postgres";
import { runComponents, SECRET_SIG, SECRET_VALUE } from "../../tools/lib/mock-run";
import { inputsOf, resource, resourcesOfType } from "../support/program";
import { valueOf } from "../support/components";

const SERVER = "azure-native:dbforpostgresql:Server";

/** PostgreSQL the way the Azure platform declares it for staging; each test changes one thing. */
function args(overrides: Partial<FlexiblePostgresArgs> = {}): FlexiblePostgresArgs {
    return {
        version: "16",
        databaseName: "estate",
        owner: "estate_owner",
        ownerPassword: pulumi.secret("p@ss"),
        storageGb: 64,
        highAvailability: false,
        readReplicas: 0,
        backupRetentionDays: 14,
        resourceGroupName: "rg-estate",
        location: "westeurope",
        sku: "Standard_D2ds_v5",
        delegatedSubnetId: "/subnets/postgres",
        vnetId: "/vnets/estate",
        workspaceId: "/workspaces/estate",
        ...overrides,
    };
}

async function declare(overrides: Partial<FlexiblePostgresArgs> = {}) {
    let postgres!: FlexiblePostgres;
    const capture = await runComponents(() => {
        postgres = new FlexiblePostgres("postgres", args(overrides));
    });
    const server = resource(capture, SERVER, "postgres-server");
    return {
        capture,
        postgres,
        server,
        serverInputs: inputsOf(server),
        names: capture.resources.filter((r) => r.custom).map((r) => r.name),
    };
}

describe("FlexiblePostgres (component)", () => {
    it("declares the private zone and link, the server, its TLS parameters, the database and its logs", async () => {
        const { names, capture } = await declare();
        assert.deepEqual(names.sort(), [
            "postgres-db",
            "postgres-dns",
            "postgres-dns-link",
            "postgres-require-secure-transport",
            "postgres-server",
            "postgres-server-logs",
            "postgres-ssl-min-protocol-version",
        ]);
        const component = capture.resources.find((r) => r.type === "estate:data:FlexiblePostgres");
        for (const child of capture.resources.filter((r) => r.custom)) assert.equal(child.parent, component?.urn);
        assert.equal(
            inputsOf(resource(capture, "azure-native:privatedns:PrivateZone", "postgres-dns")).privateZoneName,
            "postgres.private.postgres.database.azure.com",
        );
    });

    it("keeps the server private: the delegated subnet and the zone, no public access", async () => {
        const { serverInputs, server, capture } = await declare();
        assert.deepEqual(serverInputs.network, {
            publicNetworkAccess: "Disabled",
            delegatedSubnetResourceId: "/subnets/postgres",
            privateDnsZoneArmResourceId: "postgres-dns-id",
        });
        const link = resource(capture, "azure-native:privatedns:VirtualNetworkLink", "postgres-dns-link");
        assert.ok(server.dependencies.includes(link.urn));
        assert.deepEqual((await declare({ publicAccess: true })).serverInputs.network, {
            publicNetworkAccess: "Enabled",
        });
    });

    it("has the owner as administrator, password auth only, the PITR window and no HA by default", async () => {
        const { serverInputs } = await declare();
        assert.deepEqual(
            [serverInputs.version, serverInputs.administratorLogin, serverInputs.administratorLoginPassword],
            ["16", "estate_owner", "p@ss"],
        );
        // The SDK fills `tenantId` and `standbyAvailabilityZone` with its defaults.
        assert.deepEqual(serverInputs.authConfig, {
            passwordAuth: "Enabled",
            activeDirectoryAuth: "Disabled",
            tenantId: "",
        });
        assert.deepEqual(serverInputs.sku, { name: "Standard_D2ds_v5", tier: "GeneralPurpose" });
        assert.deepEqual(serverInputs.storage, { storageSizeGB: 64, autoGrow: "Enabled" });
        assert.deepEqual(serverInputs.backup, { backupRetentionDays: 14, geoRedundantBackup: "Disabled" });
        assert.deepEqual(serverInputs.highAvailability, { mode: "Disabled", standbyAvailabilityZone: "" });
        assert.deepEqual(serverInputs.tags, { "estate-component": "database", "estate-name": "postgres" });
    });

    it("keeps the password secret on the wire", async () => {
        const { server } = await declare();
        assert.deepEqual(server.inputs.administratorLoginPassword, { [SECRET_SIG]: SECRET_VALUE, value: "p@ss" });
    });

    it("is zone-redundant with geo-redundant backups when highly available", async () => {
        const { serverInputs } = await declare({ highAvailability: true });
        assert.deepEqual(serverInputs.highAvailability, { mode: "ZoneRedundant", standbyAvailabilityZone: "" });
        assert.equal(serverInputs.backup.geoRedundantBackup, "Enabled");
    });

    it("makes TLS mandatory one parameter after another, before the database", async () => {
        const { capture, server } = await declare();
        const secure = resource(
            capture,
            "azure-native:dbforpostgresql:Configuration",
            "postgres-require-secure-transport",
        );
        const tls = resource(
            capture,
            "azure-native:dbforpostgresql:Configuration",
            "postgres-ssl-min-protocol-version",
        );
        const db = resource(capture, "azure-native:dbforpostgresql:Database", "postgres-db");
        assert.deepEqual(
            [secure, tls].map((c) => [inputsOf(c).configurationName, inputsOf(c).value, inputsOf(c).source]),
            [
                ["require_secure_transport", "on", "user-override"],
                ["ssl_min_protocol_version", "TLSv1.2", "user-override"],
            ],
        );
        assert.ok(secure.dependencies.includes(server.urn));
        assert.ok(tls.dependencies.includes(secure.urn));
        assert.ok(db.dependencies.includes(tls.urn));
        assert.deepEqual(inputsOf(db), {
            resourceGroupName: "rg-estate",
            serverName: "postgres-server-offline",
            databaseName: "estate",
            charset: "UTF8",
            collation: "en_US.utf8",
        });
    });

    it("protects and retains the server and database only when asked", async () => {
        const stateful = (capture: Awaited<ReturnType<typeof declare>>["capture"]) =>
            ["postgres-server", "postgres-db"].map((name) => {
                const r = capture.resources.find((c) => c.name === name);
                return [r?.options.protect, r?.options.retainOnDelete];
            });
        assert.deepEqual(stateful((await declare({ protect: true })).capture), [
            [true, true],
            [true, true],
        ]);
        assert.deepEqual(stateful((await declare()).capture), [
            [false, false],
            [false, false],
        ]);
    });

    it("adds read replicas after the database, each with its logs, and reads from the first", async () => {
        const { capture, postgres } = await declare({ readReplicas: 2, protect: true });
        const replicas = resourcesOfType(capture, SERVER).filter((r) => r.name !== "postgres-server");
        assert.deepEqual(
            replicas.map((r) => r.name),
            ["postgres-replica-1", "postgres-replica-2"],
        );
        const db = resource(capture, "azure-native:dbforpostgresql:Database", "postgres-db");
        for (const replica of replicas) {
            assert.deepEqual(
                [inputsOf(replica).createMode, inputsOf(replica).sourceServerResourceId],
                ["Replica", "postgres-server-id"],
            );
            assert.ok(replica.dependencies.includes(db.urn));
            assert.deepEqual([replica.options.protect, replica.options.retainOnDelete], [true, true]);
        }
        const logs = resourcesOfType(capture, "azure-native:monitor:DiagnosticSetting").map((r) => [
            r.name,
            inputsOf(r).resourceUri,
        ]);
        assert.deepEqual(logs.sort(), [
            ["postgres-replica-1-logs", "postgres-replica-1-id"],
            ["postgres-replica-2-logs", "postgres-replica-2-id"],
            ["postgres-server-logs", "postgres-server-id"],
        ]);
        assert.equal(await valueOf(postgres.readHost), "postgres-replica-1-offline.postgres.database.azure.com");
    });

    it("hands out TLS-required URLs of the primary, and of the primary for reads without replicas", async () => {
        const { postgres } = await declare();
        const url =
            "postgresql://estate_owner:p%40ss@postgres-server-offline.postgres.database.azure.com:5432/estate?sslmode=require";
        assert.deepEqual(
            await Promise.all([
                valueOf(postgres.databaseUrl),
                valueOf(postgres.readDatabaseUrl),
                valueOf(postgres.port),
            ]),
            [url, url, 5432],
        );
        assert.equal(await pulumi.isSecret(postgres.databaseUrl), true);
    });
});
