/**
 * Joins the requirements register (tools/traceability/register.ts) with the policies that name its
 * ids, reports every gap with the fix, and renders docs/traceability.md. Reads only the repository:
 * comparing the register with the runbooks themselves is tools/traceability/drift.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { metadata } from "../../policies/catalog";
import { PROJECT_ROOT } from "../lib/mock-run";
import { PROCEDURES } from "./checklists";
import { ID_PREFIX, register, type Ownership, type Requirement } from "./register";

export interface TracedRequirement {
    readonly id: string;
    readonly file: string;
    readonly line: number;
    readonly requirement: string;
    readonly how?: string;
    /** Set when the requirement is owned outside the estate (the application), with the reason. */
    readonly outside?: string;
    readonly files: readonly string[];
    readonly policies: readonly string[];
    readonly tests: readonly string[];
}

export interface Trace {
    readonly items: readonly TracedRequirement[];
    /** Every gap, each saying which requirement and how to fix it; empty when the register is fully owned. */
    readonly problems: readonly string[];
}

export interface TraceInputs {
    readonly register: readonly Requirement[];
    /** Policy name → the requirement ids its metadata names. */
    readonly policyRequirements: Readonly<Record<string, readonly string[]>>;
    readonly exists: (file: string) => boolean;
    /** Test files that name a policy, for policies found through their metadata. */
    readonly testsNaming: (policy: string) => readonly string[];
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

/** The real inputs: the register, the pack's metadata and the repository. */
export function repositoryInputs(): TraceInputs {
    // The traceability tests name policies as examples; they prove no policy.
    const own = new Set(["traceability.test.ts", "runbook-drift.test.ts"].map((f) => path.join("test", "tools", f)));
    const tests = testFiles(path.join(PROJECT_ROOT, "test"))
        .filter((f) => !own.has(f))
        .map((file) => ({ file, text: fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8") }));
    return {
        register,
        policyRequirements: Object.fromEntries(
            Object.entries(metadata).map(([name, info]) => [name, info.requirements]),
        ),
        exists: (file) => fs.existsSync(path.join(PROJECT_ROOT, file)),
        testsNaming: (policy) =>
            tests
                .filter((t) => t.text.includes(`"${policy}"`))
                .map((t) => t.file)
                .sort(),
    };
}

const REGISTER = "tools/traceability/register.ts";
const uniq = (values: readonly string[]) => [...new Set(values)];

export function trace(inputs: TraceInputs): Trace {
    const problems: string[] = [];
    const items: TracedRequirement[] = [];
    const ids = new Set(inputs.register.map((r) => r.id));
    for (const [policy, named] of Object.entries(inputs.policyRequirements)) {
        if (named.length === 0)
            problems.push(
                `policy "${policy}" names no requirement: add the register ids it enforces to its metadata.requirements.`,
            );
        for (const id of named)
            if (!ids.has(id))
                problems.push(
                    `policy "${policy}" names requirement ${id}, which is not in the register: fix the id in its metadata.requirements, or add it to ${REGISTER}.`,
                );
    }
    const seen = new Map<string, string>();
    for (const entry of inputs.register) {
        const where = `${entry.id} (${entry.source.file} line ${entry.source.line})`;
        const prefix = ID_PREFIX[entry.source.file];
        if (prefix === undefined)
            problems.push(`${where} comes from ${entry.source.file}, which is not a runbook: fix the file name.`);
        else if (!new RegExp(`^${prefix}-[A-Z0-9]+(-[A-Z0-9]+)*$`).test(entry.id))
            problems.push(`${where}: ids from ${entry.source.file} are ${prefix}-<UPPER-KEBAB-NAME>; rename it.`);
        if (inputs.register.filter((r) => r.id === entry.id).length > 1)
            problems.push(`${where}: the id is used twice; give each requirement its own.`);
        const key = `${entry.source.file}:${entry.source.line}`;
        const other = seen.get(key);
        if (other !== undefined)
            problems.push(`${where} and ${other} come from the same runbook line: merge them into one requirement.`);
        seen.set(key, entry.id);
        const base = {
            id: entry.id,
            file: entry.source.file,
            line: entry.source.line,
            requirement: entry.requirement,
        };
        if ("outside" in entry) {
            items.push({ ...base, outside: entry.outside, files: [], policies: [], tests: [] });
            if (entry.outside.trim().length < 40)
                problems.push(
                    `${where} is declared outside the estate without a reason: say who owns it and why nothing here can.`,
                );
            continue;
        }
        const owner: Ownership = entry;
        const naming = Object.entries(inputs.policyRequirements)
            .filter(([, named]) => named.includes(entry.id))
            .map(([name]) => name);
        const policies = uniq([...naming, ...(owner.policies ?? [])]).sort();
        const files = [...(owner.files ?? [])];
        const tests = uniq([
            ...(owner.tests ?? []),
            ...policies.flatMap((p) => (p in inputs.policyRequirements ? inputs.testsNaming(p) : [])),
        ]).sort();
        items.push({ ...base, ...(owner.how !== undefined ? { how: owner.how } : {}), files, policies, tests });

        if (files.length === 0 && policies.length === 0)
            problems.push(
                `${where} has no owner: add the \`files\` that implement it in ${REGISTER}, or name ${entry.id} in the metadata.requirements of the policy that enforces it.`,
            );
        else if (tests.length === 0) problems.push(`${where} has no test: add \`tests\` to its entry in ${REGISTER}.`);
        if (owner.how === undefined && files.length > 0)
            problems.push(`${where} names files but not \`how\` they satisfy it: add a one-sentence \`how\`.`);
        for (const f of [...files, ...(owner.tests ?? [])]) {
            if (!inputs.exists(f))
                problems.push(`${where} names ${f}, which does not exist: fix the path in ${REGISTER}.`);
        }
        for (const p of owner.policies ?? []) {
            if (!(p in inputs.policyRequirements))
                problems.push(
                    `${where} names policy "${p}", which is not in the pack (policies/catalog.ts): fix the name in ${REGISTER}.`,
                );
        }
    }
    return { items, problems };
}

const cell = (values: readonly string[], code = true) =>
    values.length === 0 ? "—" : values.map((v) => (code ? `\`${v}\`` : v)).join("<br>");
const escape = (text: string) => text.replace(/\|/g, "\\|");

/** docs/traceability.md. */
export function renderTraceability(result: Trace): string {
    const lines = [
        "# Requirements and who owns them",
        "",
        "Generated by `npm run gen` from the requirements register (`tools/traceability/register.ts`) and the policy pack's",
        "metadata. Each requirement restates, in this project's words, a line of the runbooks the estate is built from, under",
        "a stable id that policies name in their metadata. `test/tools/traceability.test.ts` fails when a requirement has no",
        "owner, or an owner names a file or policy that does not exist; `test/tools/runbook-drift.test.ts` compares the",
        "register with the runbooks, when they are checked out beside the repository, and fails when a runbook line moved or",
        "changed or a checklist item has no requirement. What counts as a checklist item is defined in",
        '`tools/traceability/checklists.ts`: `- [ ]` task items, bullets under a heading containing "checklist", and the',
        `numbered steps of ${PROCEDURES.map((p) => `"${p.heading}"`).join(", ")}.`,
        "",
        `${result.items.length} requirements, ${result.problems.length} without a complete owner.`,
    ];
    const outside = result.items.filter((i) => i.outside !== undefined);
    if (outside.length > 0) {
        lines.push("", "Owned by the application, not this estate (listed again below):", "");
        for (const i of outside) lines.push(`- ${i.id} (${i.file} line ${i.line}): ${i.outside}`);
    }
    const byFile = new Map<string, TracedRequirement[]>();
    for (const item of result.items) byFile.set(item.file, [...(byFile.get(item.file) ?? []), item]);
    for (const file of [...byFile.keys()].sort()) {
        lines.push(
            "",
            `## ${file}`,
            "",
            "| id | line | requirement | how | files | policies | tests |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        );
        for (const i of [...byFile.get(file)!].sort((a, b) => a.line - b.line)) {
            const how =
                i.outside !== undefined
                    ? `**outside the estate**: ${i.outside}`
                    : (i.how ?? (i.policies.length > 0 ? "enforced by policy" : "**no owner**"));
            lines.push(
                `| ${i.id} | ${i.line} | ${escape(i.requirement)} | ${escape(how)} | ${cell(i.files)} | ${cell(i.policies)} | ${cell(i.tests)} |`,
            );
        }
    }
    return `${lines.join("\n")}\n`;
}
