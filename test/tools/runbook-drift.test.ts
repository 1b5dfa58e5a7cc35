import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseChecklists } from "../../tools/traceability/checklists";
import { drift, lineDigest, readRunbooks, RUNBOOK_DIR } from "../../tools/traceability/drift";
import { register, type Requirement } from "../../tools/traceability/register";
import { RUNBOOK } from "../../tools/traceability/runbooks";

const FILE = RUNBOOK.rag;
const RUNBOOK_TEXT = [
    "# Service", //                       1
    "Keep the upstream on HTTPS.", //     2
    "## Security Checklist", //           3
    "- No secrets in logs.", //           4
    "- Allowed hosts are configured.", // 5
].join("\n");

const entry = (id: string, line: number, text: string): Requirement => ({
    id,
    source: { file: FILE, line, digest: lineDigest(text) },
    requirement: "restated",
    how: "x",
    files: ["README.md"],
});
const IN_SYNC = [
    entry("RAG-HTTPS", 2, "Keep the upstream on HTTPS."),
    entry("RAG-LOGS", 4, "- No secrets in logs."),
    entry("RAG-HOSTS", 5, "- Allowed hosts are configured."),
];
const REGISTER = "tools/traceability/register.ts";

describe("register drift against a runbook", () => {
    it("finds nothing when every line is where the register says and reads the same", () => {
        assert.deepEqual(drift(IN_SYNC, { [FILE]: RUNBOOK_TEXT }), []);
    });

    it("a line that moved: says where to, and the line number to set", () => {
        const moved = RUNBOOK_TEXT.replace("# Service", "# Service\n\nIntro.");
        assert.deepEqual(drift(IN_SYNC, { [FILE]: moved }), [
            `RAG-HTTPS (${FILE} line 2): the line moved to line 4; set \`line: 4\` in ${REGISTER}.`,
            `RAG-LOGS (${FILE} line 4): the line moved to line 6; set \`line: 6\` in ${REGISTER}.`,
            `RAG-HOSTS (${FILE} line 5): the line moved to line 7; set \`line: 7\` in ${REGISTER}.`,
            `${FILE} line 6 is a checklist item with no requirement ("No secrets in logs."): add one to ${REGISTER} with digest "${lineDigest("- No secrets in logs.")}" and its owner.`,
            `${FILE} line 7 is a checklist item with no requirement ("Allowed hosts are configured."): add one to ${REGISTER} with digest "${lineDigest("- Allowed hosts are configured.")}" and its owner.`,
        ]);
    });

    it("a line whose words changed: shows the new text and the digest to record once it is restated", () => {
        const changed = RUNBOOK_TEXT.replace("No secrets in logs.", "No secrets or tokens in logs.");
        assert.deepEqual(drift(IN_SYNC, { [FILE]: changed }), [
            `RAG-LOGS (${FILE} line 4): the runbook line changed, it now reads "No secrets or tokens in logs.". Reread it, restate the requirement in ${REGISTER} and set \`digest: "${lineDigest("No secrets or tokens in logs.")}"\` (or remove the requirement).`,
        ]);
    });

    it("a new checklist item, a runbook nobody registered and a runbook that is gone", () => {
        const added = `${RUNBOOK_TEXT}\n- Payload ids are bounded.`;
        assert.deepEqual(drift(IN_SYNC, { [FILE]: added, "005_new.txt": "# New\n" }), [
            `005_new.txt is a runbook with no requirement in the register: add its requirements to ${REGISTER}.`,
            `${FILE} line 6 is a checklist item with no requirement ("Payload ids are bounded."): add one to ${REGISTER} with digest "${lineDigest("Payload ids are bounded.")}" and its owner.`,
        ]);
        assert.deepEqual(drift(IN_SYNC, {}), [
            `RAG-HTTPS (${FILE} line 2): there is no runbook ${FILE}; fix the file or remove the requirement.`,
            `RAG-LOGS (${FILE} line 4): there is no runbook ${FILE}; fix the file or remove the requirement.`,
            `RAG-HOSTS (${FILE} line 5): there is no runbook ${FILE}; fix the file or remove the requirement.`,
        ]);
    });

    it("a procedure heading the parser counts on is gone", () => {
        const ops = register.filter((r) => r.source.file === RUNBOOK.ops);
        assert.deepEqual(drift(ops, { [RUNBOOK.ops]: "# Ops\n" }).slice(0, 2), [
            `PROCEDURES in tools/traceability/checklists.ts names "First-time production setup" in ${RUNBOOK.ops}, which has no such heading: update it to the runbook's heading.`,
            `PROCEDURES in tools/traceability/checklists.ts names "How to rollback (generic)" in ${RUNBOOK.ops}, which has no such heading: update it to the runbook's heading.`,
        ]);
    });

    it("digests a line by its words, not its list marker or indentation", () => {
        assert.equal(lineDigest("  - [ ] Set it."), lineDigest("Set it."));
        assert.equal(lineDigest("1) Set it."), lineDigest("- Set it."));
        assert.notEqual(lineDigest("Set it."), lineDigest("Set it!"));
    });
});

describe("the register against the real runbooks", () => {
    const runbooks = readRunbooks();

    it("matches them line for line when they are checked out beside the repository", (t) => {
        if (runbooks === undefined) {
            // The runbooks are not part of this repository; without them there is nothing to compare.
            t.diagnostic(
                `runbooks not found at ${RUNBOOK_DIR}: the register was not compared with them (check them out beside the repository to run this comparison)`,
            );
            return;
        }
        const problems = drift(register, runbooks);
        assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
        const counts = Object.entries(runbooks).map(([file, text]) => {
            const items = parseChecklists(file, text);
            return [
                file,
                ...(["task", "checklist", "procedure"] as const).map((k) => items.filter((i) => i.kind === k).length),
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
