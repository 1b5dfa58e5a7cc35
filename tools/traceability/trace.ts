/**
 * Joins the runbooks' checklist items with their owners (tools/traceability/owners.ts plus the
 * policies whose metadata quotes them), reports every gap with the fix, and renders
 * docs/traceability.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { metadata } from "../../policies/catalog";
import { PROJECT_ROOT } from "../lib/mock-run";
import { parseChecklists, PROCEDURES, type ChecklistItem } from "./checklists";
import { owners as ownerTable, type Ownership, type OwnerTable } from "./owners";

/** The runbooks live beside the repository, as the shared requirements (see policies/lib.ts RUNBOOK). */
export const RUNBOOK_DIR = path.join(PROJECT_ROOT, "..", "shared", "runbooks");

export interface TracedItem extends ChecklistItem {
    readonly how?: string;
    /** Set when the item is owned outside the estate (the application), with the reason. */
    readonly outside?: string;
    readonly files: readonly string[];
    readonly policies: readonly string[];
    readonly tests: readonly string[];
}

export interface Trace {
    readonly items: readonly TracedItem[];
    /** Every gap, each saying which item and how to fix it; empty when the runbooks are fully owned. */
    readonly problems: readonly string[];
}

export interface TraceInputs {
    readonly runbooks: Readonly<Record<string, string>>;
    readonly owners: OwnerTable;
    readonly policyLines: Readonly<Record<string, ReadonlyArray<{ file: string; line: string }>>>;
    readonly exists: (file: string) => boolean;
    /** Test files that name a policy, for policies found through their metadata. */
    readonly testsNaming: (policy: string) => readonly string[];
}

export function readRunbooks(dir = RUNBOOK_DIR): Record<string, string> {
    const files = fs
        .readdirSync(dir)
        .filter((f) => /^\d{3}_.*\.txt$/.test(f))
        .sort();
    return Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
}

function testFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        return e.isDirectory()
            ? testFiles(full)
            : e.name.endsWith(".test.ts")
              ? [path.relative(PROJECT_ROOT, full)]
              : [];
    });
}

/** The real inputs: the runbooks, the owner table, the pack's metadata and the repository. */
export function repositoryInputs(): TraceInputs {
    // This module's own test names policies as examples; it proves no policy.
    const tests = testFiles(path.join(PROJECT_ROOT, "test"))
        .filter((f) => f !== path.join("test", "tools", "traceability.test.ts"))
        .map((file) => ({ file, text: fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8") }));
    return {
        runbooks: readRunbooks(),
        owners: ownerTable,
        policyLines: Object.fromEntries(Object.entries(metadata).map(([name, info]) => [name, info.runbook])),
        exists: (file) => fs.existsSync(path.join(PROJECT_ROOT, file)),
        testsNaming: (policy) =>
            tests
                .filter((t) => t.text.includes(`"${policy}"`))
                .map((t) => t.file)
                .sort(),
    };
}

const where = (item: ChecklistItem) => `${item.file} line ${item.line} ("${item.text}")`;
const uniq = (values: readonly string[]) => [...new Set(values)];

export function trace(inputs: TraceInputs): Trace {
    const problems: string[] = [];
    const items: TracedItem[] = [];
    for (const heading of PROCEDURES) {
        const text = inputs.runbooks[heading.file];
        if (
            text !== undefined &&
            !text.split("\n").some((l) => /^#+\s/.test(l) && l.replace(/^#+\s+/, "").trim() === heading.heading)
        ) {
            problems.push(
                `PROCEDURES in tools/traceability/checklists.ts names "${heading.heading}" in ${heading.file}, which has no such heading: update it to the runbook's heading.`,
            );
        }
    }
    for (const [file, markdown] of Object.entries(inputs.runbooks)) {
        const parsed = parseChecklists(file, markdown);
        const table = inputs.owners[file] ?? {};
        for (const text of Object.keys(table)) {
            if (!parsed.some((i) => i.text === text)) {
                problems.push(
                    `tools/traceability/owners.ts has an owner for "${text}" in ${file}, which is not a checklist item there: copy the item's text verbatim from the runbook, or remove the entry.`,
                );
            }
        }
        for (const item of parsed) {
            if (parsed.filter((i) => i.text === item.text).length > 1)
                problems.push(
                    `${where(item)} appears twice in ${file}: items are keyed by their text, so give owners.ts one entry that covers both.`,
                );
            const entry = table[item.text];
            if (entry && "outside" in entry) {
                items.push({ ...item, outside: entry.outside, files: [], policies: [], tests: [] });
                if (entry.outside.trim().length < 40)
                    problems.push(
                        `${where(item)} is declared outside the estate without a reason: say who owns it and why nothing here can.`,
                    );
                continue;
            }
            const owner: Ownership | undefined = entry;
            const quoted = Object.entries(inputs.policyLines)
                .filter(([, lines]) => lines.some((l) => l.file === file && l.line === item.text))
                .map(([name]) => name);
            const policies = uniq([...quoted, ...(owner?.policies ?? [])]).sort();
            const files = [...(owner?.files ?? [])];
            const tests = uniq([
                ...(owner?.tests ?? []),
                ...policies.flatMap((p) => (p in inputs.policyLines ? inputs.testsNaming(p) : [])),
            ]).sort();
            items.push({ ...item, ...(owner ? { how: owner.how } : {}), files, policies, tests });

            if (!owner && quoted.length === 0) {
                problems.push(
                    `${where(item)} has no owner: add it to tools/traceability/owners.ts under ${file} with the files, policies and tests that implement it, or quote it verbatim in a policy's metadata.runbook.`,
                );
                continue;
            }
            if (files.length === 0 && policies.length === 0)
                problems.push(
                    `${where(item)} names no file or policy that implements it: add \`files\` or \`policies\` to its entry in tools/traceability/owners.ts.`,
                );
            if (tests.length === 0)
                problems.push(
                    `${where(item)} has no test: add \`tests\` to its entry in tools/traceability/owners.ts.`,
                );
            for (const f of [...files, ...(owner?.tests ?? [])]) {
                if (!inputs.exists(f))
                    problems.push(
                        `${where(item)} names ${f}, which does not exist: fix the path in tools/traceability/owners.ts.`,
                    );
            }
            for (const p of owner?.policies ?? []) {
                if (!(p in inputs.policyLines))
                    problems.push(
                        `${where(item)} names policy "${p}", which is not in the pack (policies/catalog.ts): fix the name in tools/traceability/owners.ts.`,
                    );
            }
        }
    }
    for (const file of Object.keys(inputs.owners)) {
        if (!(file in inputs.runbooks))
            problems.push(
                `tools/traceability/owners.ts has owners for ${file}, which is not a runbook: remove them or fix the file name.`,
            );
    }
    return { items, problems };
}

const cell = (values: readonly string[], code = true) =>
    values.length === 0 ? "—" : values.map((v) => (code ? `\`${v}\`` : v)).join("<br>");
const escape = (text: string) => text.replace(/\|/g, "\\|");

/** docs/traceability.md. */
export function renderTraceability(result: Trace): string {
    const lines = [
        "# Runbook traceability",
        "",
        "Generated by `npm run gen` from `tools/traceability/owners.ts` and the policy pack's metadata; `test/tools/traceability.test.ts` fails",
        "when a checklist item has no owner, or an owner names a file or policy that does not exist. What counts as a checklist item is",
        'defined (and tested) in `tools/traceability/checklists.ts`: `- [ ]` task items, bullets under a heading containing "checklist",',
        `and the numbered steps of ${PROCEDURES.map((p) => `"${p.heading}"`).join(", ")}.`,
        "",
        `${result.items.length} items, ${result.problems.length} without a complete owner.`,
    ];
    const outside = result.items.filter((i) => i.outside !== undefined);
    if (outside.length > 0) {
        lines.push("", "Owned by the application, not this estate (listed again below):", "");
        for (const i of outside) lines.push(`- ${i.file} line ${i.line}, "${i.text}": ${i.outside}`);
    }
    const byFile = new Map<string, TracedItem[]>();
    for (const item of result.items) byFile.set(item.file, [...(byFile.get(item.file) ?? []), item]);
    for (const [file, items] of byFile) {
        lines.push(
            "",
            `## ${file}`,
            "",
            "| line | section | item | how | files | policies | tests |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        );
        for (const i of items) {
            const section = i.section.slice(1).join(" › ") || i.section.join(" › ");
            lines.push(
                `| ${i.line} | ${escape(section)} | ${escape(i.text)} | ${escape(i.outside !== undefined ? `**outside the estate**: ${i.outside}` : (i.how ?? (i.policies.length > 0 ? "enforced by policy" : "**no owner**")))} | ${cell(i.files)} | ${cell(i.policies)} | ${cell(i.tests)} |`,
            );
        }
    }
    return `${lines.join("\n")}\n`;
}
