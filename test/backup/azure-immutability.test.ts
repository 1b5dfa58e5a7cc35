// The Azure backups account: data plane from the environment's subnet only, and in prod a locked
// (WORM) retention policy, taken once by the deploy against a stand-in `az`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { IMMUTABILITY_LOCK_SCRIPT } from "../../components/backup/azure/backups";
import type { ProgramCapture } from "../../tools/lib/mock-run";
import { inputsOf, plan, resource, resourcesOfType, stacks } from "../support/program";

function lockWith(state: "Locked" | "Unlocked") {
    const dir = mkdtempSync(join(tmpdir(), "immutability-lock-"));
    writeFileSync(
        join(dir, "az"),
        `#!/bin/bash
echo "$*" >> "${dir}/calls"
case "$*" in
  *"immutability-policy show"*"--query state"*) echo ${state} ;;
  *"immutability-policy show"*"--query etag"*) echo '"0x8DC0FFEE"' ;;
  *"immutability-policy lock"*) ;;
  *) echo "unexpected az $*" >&2; exit 2 ;;
esac
`,
    );
    chmodSync(join(dir, "az"), 0o755);
    const run = spawnSync("bash", ["-c", IMMUTABILITY_LOCK_SCRIPT], {
        encoding: "utf8",
        env: { PATH: `${dir}:${process.env["PATH"]}`, ACCOUNT: "estatebk", CONTAINER: "backups", RESOURCE_GROUP: "rg" },
    });
    return { ...run, calls: readFileSync(join(dir, "calls"), "utf8").trim().split("\n") };
}

describe("locking the backups' retention policy", () => {
    const policy = "--account-name estatebk --container-name backups --resource-group rg";
    it("locks an unlocked policy with its current ETag", () => {
        const run = lockWith("Unlocked");
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(run.calls, [
            `storage container immutability-policy show ${policy} --query state --output tsv`,
            `storage container immutability-policy show ${policy} --query etag --output tsv`,
            `storage container immutability-policy lock ${policy} --if-match "0x8DC0FFEE" --output none`,
        ]);
    });

    it("leaves a locked policy alone", () => {
        const run = lockWith("Locked");
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.calls.length, 1);
        assert.match(run.stdout, /already locked/);
    });
});

for (const stack of stacks) {
    describe(`backups account on azure (${stack})`, () => {
        let capture: ProgramCapture;
        before(async () => {
            capture = await plan(stack, { platform: "azure" });
        });

        it("accepts data-plane traffic from the Container Apps subnet only", () => {
            const account = inputsOf(resource(capture, "azure-native:storage:StorageAccount", "backups-account"));
            assert.deepEqual(account.networkRuleSet, {
                defaultAction: "Deny",
                bypass: "None",
                virtualNetworkRules: [{ virtualNetworkResourceId: "foundation-network-apps-id", action: "Allow" }],
            });
            const subnet = inputsOf(resource(capture, "azure-native:network:Subnet", "foundation-network-apps"));
            assert.deepEqual(subnet.serviceEndpoints, [{ service: "Microsoft.Storage" }]);
        });

        it(
            stack === "prod"
                ? "locks the retention policy once, never to be deleted"
                : "keeps the retention policy unlocked",
            () => {
                const policy = resource(
                    capture,
                    "azure-native:storage:BlobContainerImmutabilityPolicy",
                    "backups-immutability",
                );
                const locks = resourcesOfType(capture, "command:local:Command").filter(
                    (r) => r.name === "backups-immutability-lock",
                );
                if (stack !== "prod") {
                    assert.equal(locks.length, 0);
                    return;
                }
                assert.deepEqual([policy.options.protect, policy.options.retainOnDelete], [true, true]);
                assert.equal(locks.length, 1);
                const lock = inputsOf(locks[0]!);
                assert.equal(lock.create, IMMUTABILITY_LOCK_SCRIPT);
                assert.deepEqual(lock.environment, {
                    ACCOUNT: inputsOf(resource(capture, "azure-native:storage:StorageAccount", "backups-account"))
                        .accountName,
                    CONTAINER: "backups",
                    RESOURCE_GROUP: "foundation-rg-offline",
                });
                assert.ok(locks[0]!.dependencies.includes(policy.urn));
            },
        );
    });
}
