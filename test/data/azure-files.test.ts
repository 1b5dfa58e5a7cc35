import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { AzureFilesVolume, type AzureFilesVolumeArgs } from "../../components/data/azure/files";
import { runComponents, SECRET_SIG, SECRET_VALUE } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";
import { refusalOf } from "../support/components";

const ACCOUNT = "azure-native:storage:StorageAccount";

/** A data share the way the Neo4j and Ollama apps declare one; each test changes one thing. */
function args(overrides: Partial<AzureFilesVolumeArgs> = {}): AzureFilesVolumeArgs {
    return {
        resourceGroupName: "rg-estate",
        location: "westeurope",
        environmentName: "estate-env",
        appsSubnetId: "/subnets/apps",
        quotaGb: 32,
        tags: { "estate-component": "graph", "estate-name": "neo4j" },
        ...overrides,
    };
}

async function declare(overrides: Partial<AzureFilesVolumeArgs> = {}, name = "neo4j-data") {
    let volume!: AzureFilesVolume;
    const capture = await runComponents(() => {
        volume = new AzureFilesVolume(name, args(overrides));
    });
    const outputs = await new Promise<string[]>((resolve) =>
        pulumi.all([volume.storageName, volume.accountName, volume.shareName]).apply(resolve),
    );
    return { capture, outputs, names: capture.resources.filter((r) => r.custom).map((r) => r.name) };
}

/** The message the constructor throws, caught inside the run so the run itself completes. */
function refusal(name: string): Promise<string> {
    return refusalOf(() => {
        new AzureFilesVolume(name, args());
    });
}

describe("AzureFilesVolume (component)", () => {
    it("declares an account of its own, the share and the environment storage, under the component", async () => {
        const { capture, names, outputs } = await declare();
        assert.deepEqual(names.sort(), ["neo4j-data-env-storage", "neo4j-data-share", "neo4jdata"]);
        const component = capture.resources.find((r) => r.type === "estate:data:AzureFilesVolume");
        for (const child of capture.resources.filter((r) => r.custom)) assert.equal(child.parent, component?.urn);
        assert.deepEqual(outputs, ["neo4j-data", "neo4jdataoffline", "neo4j-data"]);
    });

    it("admits only the apps subnet, over HTTPS and TLS 1.2, with no public blobs", async () => {
        const account = inputsOf(resource((await declare()).capture, ACCOUNT, "neo4jdata"));
        assert.deepEqual(
            [
                account.kind,
                account.sku,
                account.enableHttpsTrafficOnly,
                account.minimumTlsVersion,
                account.allowBlobPublicAccess,
                account.allowCrossTenantReplication,
            ],
            ["StorageV2", { name: "Standard_LRS" }, true, "TLS1_2", false, false],
        );
        assert.deepEqual(account.networkRuleSet.defaultAction, "Deny");
        assert.deepEqual(account.networkRuleSet.bypass, "AzureServices");
        assert.deepEqual(account.networkRuleSet.virtualNetworkRules, [
            { virtualNetworkResourceId: "/subnets/apps", action: "Allow" },
        ]);
        assert.deepEqual(account.tags, { "estate-component": "graph", "estate-name": "neo4j" });
    });

    it("sizes an SMB share and hands the environment the account key as a secret", async () => {
        const { capture } = await declare({ quotaGb: 64 });
        const share = inputsOf(resource(capture, "azure-native:storage:FileShare", "neo4j-data-share"));
        assert.deepEqual(
            [share.accountName, share.shareName, share.shareQuota, share.enabledProtocols],
            ["neo4jdataoffline", "neo4j-data", 64, "SMB"],
        );
        const storage = resource(capture, "azure-native:app:ManagedEnvironmentsStorage", "neo4j-data-env-storage");
        assert.deepEqual(inputsOf(storage), {
            resourceGroupName: "rg-estate",
            environmentName: "estate-env",
            storageName: "neo4j-data",
            properties: {
                azureFile: {
                    accountName: "neo4jdataoffline",
                    accountKey: "offline-storage-key-not-a-secret",
                    shareName: "neo4j-data",
                    accessMode: "ReadWrite",
                },
            },
        });
        const wire = storage.inputs.properties as { azureFile: { accountKey: unknown } };
        assert.deepEqual(wire.azureFile.accountKey, {
            [SECRET_SIG]: SECRET_VALUE,
            value: "offline-storage-key-not-a-secret",
        });
    });

    it("keeps the data on zone-redundant storage, protected and retained, only when asked", async () => {
        const { capture } = await declare({ protect: true });
        const account = resource(capture, ACCOUNT, "neo4jdata");
        const share = resource(capture, "azure-native:storage:FileShare", "neo4j-data-share");
        assert.deepEqual(inputsOf(account).sku, { name: "Standard_ZRS" });
        for (const r of [account, share])
            assert.deepEqual([r.options.protect, r.options.retainOnDelete], [true, true], r.name);
        const loose = resource((await declare()).capture, "azure-native:storage:FileShare", "neo4j-data-share");
        assert.deepEqual([loose.options.protect, loose.options.retainOnDelete], [false, false]);
    });

    it("names the account from the component name within Azure's limit, leaving room for the suffix", async () => {
        const { names } = await declare({}, "Ollama-Models-Volume-Long");
        assert.ok(names.includes("ollamamodelsvolu"), names.join(", "));
    });

    it("refuses a name with nothing to name the account with", async () => {
        assert.equal(await refusal("--"), '`name` "--" has no letters or digits to name a storage account with');
    });
});
