import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkDeployability, formatFindings, type DeployabilityRule } from "../../tools/deployability";
import { capture, res, urnOf } from "../support/resources";

describe("deployability framework", () => {
    const parent = res(
        "test:index:Component",
        "parent",
        {},
        { custom: false, dependencies: [urnOf("test:index:Role", "role")] },
    );
    const child = res(
        "test:index:Thing",
        "child",
        {},
        { parent: parent.urn, propertyDependencies: { scope: [urnOf("test:index:Vault", "vault")] } },
    );
    const plan = capture([parent, child]);

    it("a resource waits for its own and its ancestors' dependencies", () => {
        const waits: DeployabilityRule = {
            id: "waits",
            source: "test",
            description: "records what the child waits for",
            check: (p) => [
                {
                    rule: "waits",
                    urn: child.urn,
                    property: "dependsOn",
                    value: [...p.waitsFor(p.get(child.urn)!)].sort(),
                    fix: "none",
                },
            ],
        };
        const [finding] = checkDeployability(plan, [waits]);
        assert.deepEqual(finding!.value, [urnOf("test:index:Role", "role"), urnOf("test:index:Vault", "vault")]);
    });

    it("findings name rule, resource, property, value and fix", () => {
        const text = formatFindings([{ rule: "r", urn: "urn:x", property: "p.q", value: 3, fix: "set p.q to 4" }]);
        assert.equal(
            text,
            [
                "Deployability: 1 finding (the real target would refuse or mis-run these):",
                "    - [r]  urn:x",
                "      p.q = 3: set p.q to 4",
            ].join("\n"),
        );
    });
});
