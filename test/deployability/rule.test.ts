import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkDeployability, formatFindings, type DeployabilityRule } from "../../tools/deployability";
import type { ProgramCapture } from "../../tools/lib/mock-run";

const resource = (urn: string, extra: Partial<ProgramCapture["resources"][number]> = {}) => ({
    urn,
    type: "test:index:Thing",
    name: urn.split("::").pop()!,
    custom: true,
    dependencies: [],
    propertyDependencies: {},
    options: {
        protect: false,
        retainOnDelete: false,
        ignoreChanges: [],
        deleteBeforeReplace: false,
        additionalSecretOutputs: [],
        aliases: [],
    },
    inputs: {},
    ...extra,
});

describe("deployability framework", () => {
    const parent = resource("urn:parent", { custom: false, dependencies: ["urn:role"] });
    const child = resource("urn:child", { parent: "urn:parent", propertyDependencies: { scope: ["urn:vault"] } });
    const capture: ProgramCapture = {
        project: "estate",
        stack: "test",
        config: {},
        resources: [parent, child],
        outputs: {},
    };

    it("a resource waits for its own and its ancestors' dependencies", () => {
        const waits: DeployabilityRule = {
            id: "waits",
            source: "test",
            description: "records what the child waits for",
            check: (plan) => [
                {
                    rule: "waits",
                    urn: "urn:child",
                    property: "dependsOn",
                    value: [...plan.waitsFor(plan.get("urn:child")!)].sort(),
                    fix: "none",
                },
            ],
        };
        const [finding] = checkDeployability(capture, [waits]);
        assert.deepEqual(finding!.value, ["urn:role", "urn:vault"]);
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
