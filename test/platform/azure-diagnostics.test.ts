// Resource logs of the vaults, the backups' blob service, PostgreSQL and Redis reach the Log
// Analytics workspace (Azure Monitor diagnostic settings; categories from Azure Monitor's
// "Supported logs" reference, components/platform/azure/diagnostics.ts).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { ProgramCapture } from "../../tools/lib/mock-run";
import { inputsOf, resource, resourcesOfType, plan, stacks } from "../support/program";

const SETTING = "azure-native:monitor:DiagnosticSetting";

for (const stack of stacks) {
    describe(`diagnostic settings on azure (${stack})`, () => {
        let capture: ProgramCapture;
        before(async () => {
            capture = await plan(stack, { platform: "azure" });
        });

        /** The setting whose resourceUri is `uri`; exactly one. */
        const settingOn = (uri: string) => {
            const found = resourcesOfType(capture, SETTING).filter((r) => inputsOf(r).resourceUri === uri);
            assert.equal(found.length, 1, `one diagnostic setting on ${uri}`);
            const inputs = inputsOf(found[0]!);
            assert.equal(inputs.workspaceId, "foundation-logs-id", uri);
            assert.equal(inputs.name, "to-log-analytics");
            return inputs.logs;
        };

        it("audits every read of every vault's secrets", () => {
            const vaults = resourcesOfType(capture, "azure-native:keyvault:Vault");
            assert.equal(vaults.length, 2);
            for (const vault of vaults)
                assert.deepEqual(settingOn(`${vault.name}-id`), [{ category: "AuditEvent", enabled: true }]);
        });

        it("logs reads, writes and deletes of the backups' blobs", () => {
            assert.deepEqual(settingOn("backups-account-id/blobServices/default"), [
                { category: "StorageRead", enabled: true },
                { category: "StorageWrite", enabled: true },
                { category: "StorageDelete", enabled: true },
            ]);
        });

        it("sends every log of each PostgreSQL server and of the cache", () => {
            const servers = resourcesOfType(capture, "azure-native:dbforpostgresql:Server");
            assert.equal(servers.length, stack === "prod" ? 2 : 1);
            for (const server of servers)
                assert.deepEqual(settingOn(`${server.name}-id`), [{ categoryGroup: "allLogs", enabled: true }]);
            resource(capture, "azure-native:redis:Redis", "redis-cache");
            assert.deepEqual(settingOn("redis-cache-id"), [{ categoryGroup: "allLogs", enabled: true }]);
        });
    });
}
