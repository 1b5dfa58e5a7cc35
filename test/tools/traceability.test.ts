import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { RUNBOOK } from "../../policies/lib";
import { parseChecklists } from "../../tools/traceability/checklists";
import { owners } from "../../tools/traceability/owners";
import { renderTraceability, repositoryInputs, trace } from "../../tools/traceability/trace";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";

const SAMPLE = [
    "# Ops", //                                    1
    "- not a checklist bullet", //                  2
    "## Rollout Checklist", //                      3
    "- Configuration", //                           4
    "  - [ ] Set `A=1`.", //                        5
    "  - [x] Set B.", //                            6
    "- Database", //                                7
    "  - [ ] Run migrations.", //                   8
    "## Security checklist", //                     9
    "- TLS everywhere.", //                         10
    "  - including internal hops", //               11
    "- No plaintext secrets.", //                   12
    "```bash", //                                   13
    "# Not a heading", //                           14
    "- not an item", //                             15
    "```", //                                       16
    "### Preflight", //                             17
    "- Policy pack green.", //                      18
    "## How to rollback (generic)", //              19
    "1) Revert the deploy.", //                     20
    "   - Expected: ok", //                         21
    "2. Verify.", //                                22
    "## Notes", //                                  23
    "1. not a procedure of PROCEDURES", //          24
].join("\n");

describe("runbook checklist parser", () => {
    it("finds task items with their group, checklist bullets with details, and procedure steps; skips code and other sections", () => {
        const items = parseChecklists(RUNBOOK.ops, SAMPLE).map((i) => [
            i.line,
            i.kind,
            i.section.join(" › "),
            i.text,
            i.details.join(" | "),
        ]);
        assert.deepEqual(items, [
            [5, "task", "Ops › Rollout Checklist › Configuration", "Set `A=1`.", ""],
            [6, "task", "Ops › Rollout Checklist › Configuration", "Set B.", ""],
            [8, "task", "Ops › Rollout Checklist › Database", "Run migrations.", ""],
            [10, "checklist", "Ops › Security checklist", "TLS everywhere.", "including internal hops"],
            [12, "checklist", "Ops › Security checklist", "No plaintext secrets.", ""],
            [18, "checklist", "Ops › Security checklist › Preflight", "Policy pack green.", ""],
            [20, "procedure", "Ops › How to rollback (generic)", "Revert the deploy.", "Expected: ok"],
            [22, "procedure", "Ops › How to rollback (generic)", "Verify.", ""],
        ]);
    });

    it("counts procedures only in the runbook PROCEDURES names them for", () => {
        assert.deepEqual(
            parseChecklists(RUNBOOK.userApi, SAMPLE).filter((i) => i.kind === "procedure"),
            [],
        );
    });

    it("finds every checklist item of the real runbooks", () => {
        const { runbooks } = repositoryInputs();
        const counts = Object.entries(runbooks).map(([file, text]) => {
            const items = parseChecklists(file, text);
            return [
                file,
                items.filter((i) => i.kind === "task").length,
                items.filter((i) => i.kind === "checklist").length,
                items.filter((i) => i.kind === "procedure").length,
            ];
        });
        assert.deepEqual(counts, [
            [RUNBOOK.userApi, 23, 0, 0],
            [RUNBOOK.containerApps, 0, 0, 9],
            [RUNBOOK.rag, 0, 5, 0],
            [RUNBOOK.summit, 0, 7, 0],
            [RUNBOOK.ops, 0, 7, 7],
        ]);
    });
});

describe("runbook traceability", () => {
    const inputs = repositoryInputs();
    const baseline = new Set(trace(inputs).problems);
    /** Problems a change introduces, so each case below checks only what it breaks. */
    const introduced = (result: { problems: readonly string[] }) => result.problems.filter((p) => !baseline.has(p));

    it("every checklist item has an owner that exists: files, policies in the pack, tests", () => {
        const result = trace(inputs);
        assert.deepEqual(result.problems, [], `\n${result.problems.join("\n")}`);
        assert.equal(result.items.length, 58);
    });

    it("takes policy owners, and the tests naming them, from the pack's metadata", () => {
        const item = trace(inputs).items.find((i) => i.text === "Set `ENVIRONMENT=prod`.")!;
        assert.deepEqual(item.policies, ["environment-prod"]);
        assert.ok(item.tests.includes("test/policies/workload.test.ts"), item.tests.join(", "));
        const onlyPolicy = trace(inputs).items.find(
            (i) => i.text === "Redmine endpoint uses HTTPS (except localhost development).",
        )!;
        assert.deepEqual([onlyPolicy.files, onlyPolicy.policies], [[], ["outbound-https"]]);
    });

    it("fails when an item loses its owner, and says which item and how to fix it", () => {
        const { ["Define the previous image tag to roll back to."]: _removed, ...rest } = owners[RUNBOOK.userApi]!;
        const result = trace({ ...inputs, owners: { ...owners, [RUNBOOK.userApi]: rest } });
        assert.deepEqual(introduced(result), [
            `${RUNBOOK.userApi} line 62 ("Define the previous image tag to roll back to.") has no owner: add it to tools/traceability/owners.ts under ${RUNBOOK.userApi} with the files, policies and tests that implement it, or quote it verbatim in a policy's metadata.runbook.`,
        ]);
    });

    it("fails when an item's only policy no longer quotes it", () => {
        const policyLines = Object.fromEntries(
            Object.entries(inputs.policyLines).map(([name, lines]) => [name, name === "outbound-https" ? [] : lines]),
        );
        assert.deepEqual(introduced(trace({ ...inputs, policyLines })), [
            `${RUNBOOK.rag} line 123 ("Redmine endpoint uses HTTPS (except localhost development).") has no owner: add it to tools/traceability/owners.ts under ${RUNBOOK.rag} with the files, policies and tests that implement it, or quote it verbatim in a policy's metadata.runbook.`,
        ]);
    });

    it("fails when an owner names a missing file, an unknown policy, or no test", () => {
        const text = "Set `RATE_LIMIT_PER_MINUTE` to values aligned with your SLOs.";
        const broken = { how: "x", files: ["stacks/nope.ts"], policies: ["rate-limit-typo"] };
        const result = trace({
            ...inputs,
            owners: { ...owners, [RUNBOOK.userApi]: { ...owners[RUNBOOK.userApi], [text]: broken } },
            testsNaming: (p) => (p === "rate-limits-set" ? [] : inputs.testsNaming(p)),
        });
        assert.deepEqual(introduced(result), [
            `${RUNBOOK.userApi} line 34 ("${text}") has no test: add \`tests\` to its entry in tools/traceability/owners.ts.`,
            `${RUNBOOK.userApi} line 34 ("${text}") names stacks/nope.ts, which does not exist: fix the path in tools/traceability/owners.ts.`,
            `${RUNBOOK.userApi} line 34 ("${text}") names policy "rate-limit-typo", which is not in the pack (policies/catalog.ts): fix the name in tools/traceability/owners.ts.`,
        ]);
    });

    it("fails on an owner entry that matches no checklist item (a runbook line changed)", () => {
        const result = trace({
            ...inputs,
            owners: {
                ...owners,
                [RUNBOOK.rag]: {
                    ...owners[RUNBOOK.rag],
                    "No secrets are logged.": { how: "x", files: ["README.md"], tests: ["test/readme.test.ts"] },
                },
            },
        });
        assert.deepEqual(introduced(result), [
            `tools/traceability/owners.ts has an owner for "No secrets are logged." in ${RUNBOOK.rag}, which is not a checklist item there: copy the item's text verbatim from the runbook, or remove the entry.`,
        ]);
    });

    it("docs/traceability.md is generated from the table (regenerate with npm run gen)", () => {
        assert.equal(
            fs.readFileSync(path.join(PROJECT_ROOT, "docs", "traceability.md"), "utf8"),
            renderTraceability(trace(inputs)),
        );
    });
});
