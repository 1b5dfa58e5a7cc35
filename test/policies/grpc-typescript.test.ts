// The CLI's own path: `run-policy-pack` registers ts-node with type-checking and loads the
// TypeScript sources (slower than the precompiled build, so it has a file of its own).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { catalog } from "../../policies/catalog";
import { analyze } from "../../tools/lib/analyzer";
import { api, estate } from "./cases";
import { capture } from "./fixtures";

describe("policy pack from TypeScript sources", () => {
    it("loads through the SDK's type-checking ts-node and reports like the build", async () => {
        const rs = estate();
        api(rs).image = "registry.example.com/estate/api";
        const report = await analyze(capture(rs, "prod"), { stack: "prod", typescript: true });
        assert.deepEqual(
            report.violations.map((v) => [v.policy, v.enforcementLevel, v.message]),
            [
                [
                    "immutable-images",
                    "mandatory",
                    'Pin the image of container "api" to a commit-SHA tag or @sha256 digest (it has no tag (defaults to latest)).',
                ],
            ],
        );
        assert.equal(report.policies, catalog.length);
    });
});
