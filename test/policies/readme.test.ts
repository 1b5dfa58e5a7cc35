import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { catalog } from "../../policies/catalog";
import { README_PATH, renderPolicyReadme } from "../../tools/lib/policy-readme";

describe("policies/README.md", () => {
    it("is the generated one (run `node --import tsx tools/lib/policy-readme.ts` after changing a policy)", () => {
        assert.equal(fs.readFileSync(README_PATH, "utf8"), renderPolicyReadme());
    });

    it("lists every policy once, each tracing to a runbook line", () => {
        const text = renderPolicyReadme();
        for (const { policy, meta } of catalog) {
            assert.equal(text.split(`| \`${policy.name}\``).length - 1, 1, policy.name);
            assert.ok(meta.runbook.length > 0, `${policy.name} names no runbook line`);
        }
        assert.equal(new Set(catalog.map((e) => e.policy.name)).size, catalog.length);
    });

    it("names kebab-case policies with a description and a severity", () => {
        for (const { policy } of catalog) {
            assert.match(policy.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.ok(policy.description.length > 20, policy.name);
            assert.ok(["low", "medium", "high", "critical"].includes(policy.severity), policy.name);
        }
    });
});
