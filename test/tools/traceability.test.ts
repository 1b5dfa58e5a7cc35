import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";
import { parseChecklists } from "../../tools/traceability/checklists";
import { register, type Requirement } from "../../tools/traceability/register";
import { RUNBOOK } from "../../tools/traceability/runbooks";
import { renderTraceability, repositoryInputs, trace } from "../../tools/traceability/trace";

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
});

describe("requirements register", () => {
    const inputs = repositoryInputs();
    const baseline = new Set(trace(inputs).problems);
    /** Problems a change introduces, so each case below checks only what it breaks. */
    const introduced = (result: { problems: readonly string[] }) => result.problems.filter((p) => !baseline.has(p));
    const withEntry = (id: string, change: (r: Requirement) => Requirement) =>
        inputs.register.map((r) => (r.id === id ? change(r) : r));
    const byId = (id: string) => trace(inputs).items.find((i) => i.id === id)!;

    it("every requirement has an owner that exists: files, policies in the pack, tests", () => {
        const result = trace(inputs);
        assert.deepEqual(result.problems, [], `\n${result.problems.join("\n")}`);
        assert.equal(result.items.length, 79);
    });

    it("takes policy owners, and the tests naming them, from the pack's metadata", () => {
        const item = byId("UA-ENVIRONMENT");
        assert.deepEqual(item.policies, ["environment-prod"]);
        assert.ok(item.tests.includes("test/policies/workload.test.ts"), item.tests.join(", "));
        const onlyPolicy = byId("RAG-UPSTREAM-HTTPS");
        assert.deepEqual([onlyPolicy.files, onlyPolicy.policies], [[], ["outbound-https"]]);
    });

    it("every policy names at least one requirement, and only ids of the register", () => {
        const policyRequirements = {
            ...inputs.policyRequirements,
            "outbound-https": [],
            "ingress-tls": [...inputs.policyRequirements["ingress-tls"]!, "UA-TLS"],
        };
        assert.deepEqual(introduced(trace({ ...inputs, policyRequirements })).slice(0, 2), [
            'policy "outbound-https" names no requirement: add the register ids it enforces to its metadata.requirements.',
            'policy "ingress-tls" names requirement UA-TLS, which is not in the register: fix the id in its metadata.requirements, or add it to tools/traceability/register.ts.',
        ]);
    });

    it("fails when a requirement loses its owner, and says which and how to fix it", () => {
        const policyRequirements = { ...inputs.policyRequirements, "outbound-https": ["RAG-HTTPS-CHECK"] };
        assert.deepEqual(introduced(trace({ ...inputs, policyRequirements })), [
            `RAG-UPSTREAM-HTTPS (${RUNBOOK.rag} line 123) has no owner: add the \`files\` that implement it in tools/traceability/register.ts, or name RAG-UPSTREAM-HTTPS in the metadata.requirements of the policy that enforces it.`,
        ]);
    });

    it("fails when an owner names a missing file, an unknown policy, or no test", () => {
        const broken = withEntry("UA-RATE-LIMIT", (r) => ({
            ...r,
            how: "x",
            files: ["stacks/nope.ts"],
            policies: ["rate-limit-typo"],
            tests: [],
        }));
        const result = trace({
            ...inputs,
            register: broken,
            testsNaming: (p) => (p === "rate-limits-set" ? [] : inputs.testsNaming(p)),
        });
        const where = `UA-RATE-LIMIT (${RUNBOOK.userApi} line 34)`;
        assert.deepEqual(introduced(result), [
            `${where} has no test: add \`tests\` to its entry in tools/traceability/register.ts.`,
            `${where} names stacks/nope.ts, which does not exist: fix the path in tools/traceability/register.ts.`,
            `${where} names policy "rate-limit-typo", which is not in the pack (policies/catalog.ts): fix the name in tools/traceability/register.ts.`,
            `GA-RATE-LIMITS (${RUNBOOK.summit} line 96) has no test: add \`tests\` to its entry in tools/traceability/register.ts.`,
        ]);
    });

    it("keeps ids stable and well-formed: one per requirement, one requirement per runbook line, the runbook's prefix", () => {
        const environment = register.find((r) => r.id === "UA-ENVIRONMENT")!;
        const result = trace({
            ...inputs,
            register: [
                ...withEntry("UA-JWT-SECRET", (r) => ({ ...r, id: "CA-JWT-SECRET" })),
                { ...environment },
                { ...environment, id: "UA-ENVIRONMENT-AGAIN" },
            ],
        });
        assert.deepEqual(
            introduced(result).sort(),
            [
                'policy "credentials-by-reference" names requirement UA-JWT-SECRET, which is not in the register: fix the id in its metadata.requirements, or add it to tools/traceability/register.ts.',
                `CA-JWT-SECRET (${RUNBOOK.userApi} line 31): ids from ${RUNBOOK.userApi} are UA-<UPPER-KEBAB-NAME>; rename it.`,
                `UA-ENVIRONMENT (${RUNBOOK.userApi} line 30): the id is used twice; give each requirement its own.`,
                `UA-ENVIRONMENT (${RUNBOOK.userApi} line 30): the id is used twice; give each requirement its own.`,
                `UA-ENVIRONMENT (${RUNBOOK.userApi} line 30) and UA-ENVIRONMENT come from the same runbook line: merge them into one requirement.`,
                `UA-ENVIRONMENT-AGAIN (${RUNBOOK.userApi} line 30) and UA-ENVIRONMENT come from the same runbook line: merge them into one requirement.`,
            ].sort(),
        );
    });

    it("states requirements in the project's words: no policy metadata or register entry quotes a runbook", () => {
        const sources = ["policies/lib.ts", "tools/traceability/register.ts"].map((f) =>
            fs.readFileSync(path.join(PROJECT_ROOT, f), "utf8"),
        );
        for (const text of sources)
            assert.doesNotMatch(text, /\bline: "/, "runbook lines are referenced by id and number");
        for (const r of register) assert.doesNotMatch(r.requirement, /RUNBOOK|\.txt\b/);
    });

    it("docs/traceability.md is generated from the register (regenerate with npm run gen)", () => {
        assert.equal(
            fs.readFileSync(path.join(PROJECT_ROOT, "docs", "traceability.md"), "utf8"),
            renderTraceability(trace(inputs)),
        );
    });
});
