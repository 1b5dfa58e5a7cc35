import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backupSecretEnv } from "../../stacks/backups";
import { dataSecretIds, storeSecretIds } from "../../stacks/secrets";

describe("secret ids", () => {
    it("derives the data secret ids from the one store → ids table, without duplicates", () => {
        assert.deepEqual(dataSecretIds, [...storeSecretIds.postgres, ...storeSecretIds.redis, ...storeSecretIds.neo4j]);
        assert.equal(new Set(dataSecretIds).size, dataSecretIds.length);
    });

    it("lets each store's backup read only that store's secrets", () => {
        for (const store of ["postgres", "redis", "neo4j"] as const) {
            const ids: readonly string[] = storeSecretIds[store];
            for (const id of Object.values(backupSecretEnv[store])) assert.ok(ids.includes(id), `${store}: ${id}`);
        }
    });
});
