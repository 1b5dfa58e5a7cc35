import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { catalog } from "../../policies/catalog";
import { README_PATH, renderPolicyReadme } from "../../tools/lib/policy-readme";
import { register } from "../../tools/traceability/register";

describe("policies/README.md", () => {
    it("is the generated one (run `npm run gen` after changing a policy)", () => {
        assert.equal(fs.readFileSync(README_PATH, "utf8"), renderPolicyReadme());
    });

    it("lists every policy once, each with the register ids it enforces and their runbook lines", () => {
        const text = renderPolicyReadme();
        for (const { policy, meta } of catalog) {
            assert.equal(text.split(`| \`${policy.name}\``).length - 1, 1, policy.name);
            assert.ok(meta.requirements.length > 0, `${policy.name} names no requirement`);
            for (const id of meta.requirements) {
                const source = register.find((r) => r.id === id)?.source;
                assert.ok(source, `${policy.name}: ${id} is not in the register`);
                assert.ok(text.includes(`${id} (${source.file.slice(0, 3)} line ${source.line})`), id);
            }
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
