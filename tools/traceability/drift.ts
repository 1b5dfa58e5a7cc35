/**
 * Compares the requirements register with the runbooks it was written from. The runbooks are not
 * part of this repository: they are read only from `../shared/runbooks` beside the checkout, and
 * only by the drift test, which says so plainly and passes when they are not there.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../lib/mock-run";
import { BULLET, NUMBERED, parseChecklists, PROCEDURES, TASK } from "./checklists";
import type { Requirement } from "./register";

/** Where the runbooks sit when the repository is checked out beside them. */
export const RUNBOOK_DIR = path.join(PROJECT_ROOT, "..", "shared", "runbooks");

/** The runbooks (`NNN_*.txt`) in `dir`, or undefined when the folder is not there. */
export function readRunbooks(dir = RUNBOOK_DIR): Record<string, string> | undefined {
    if (!fs.existsSync(dir)) return undefined;
    const files = fs
        .readdirSync(dir)
        .filter((f) => /^\d{3}_.*\.txt$/.test(f))
        .sort();
    return Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
}

/** A runbook line's text without its list marker, as the checklist parser reads items. */
export function lineText(raw: string): string {
    const m = TASK.exec(raw) ?? BULLET.exec(raw) ?? NUMBERED.exec(raw);
    return m ? m[2]! : raw.trim();
}

/** What the register records of a runbook line: enough to notice a change, without copying it. */
export function lineDigest(raw: string): string {
    return createHash("sha256").update(lineText(raw)).digest("hex").slice(0, 12);
}

const REGISTER = "tools/traceability/register.ts";

/** Every difference between the register and the runbooks, each with the fix; empty when they agree. */
export function drift(entries: readonly Requirement[], runbooks: Readonly<Record<string, string>>): string[] {
    const problems: string[] = [];
    for (const heading of PROCEDURES) {
        const text = runbooks[heading.file];
        if (
            text !== undefined &&
            !text.split("\n").some((l) => /^#+\s/.test(l) && l.replace(/^#+\s+/, "").trim() === heading.heading)
        )
            problems.push(
                `PROCEDURES in tools/traceability/checklists.ts names "${heading.heading}" in ${heading.file}, which has no such heading: update it to the runbook's heading.`,
            );
    }
    const registered = new Set(entries.map((e) => e.source.file));
    for (const file of Object.keys(runbooks))
        if (!registered.has(file))
            problems.push(
                `${file} is a runbook with no requirement in the register: add its requirements to ${REGISTER}.`,
            );
    for (const entry of entries) {
        const where = `${entry.id} (${entry.source.file} line ${entry.source.line})`;
        const text = runbooks[entry.source.file];
        if (text === undefined) {
            problems.push(
                `${where}: there is no runbook ${entry.source.file}; fix the file or remove the requirement.`,
            );
            continue;
        }
        const lines = text.split(/\r?\n/);
        const at = lines[entry.source.line - 1];
        if (at !== undefined && lineDigest(at) === entry.source.digest) continue;
        const moved = lines.flatMap((l, i) => (lineDigest(l) === entry.source.digest ? [i + 1] : []));
        if (moved.length === 1)
            problems.push(`${where}: the line moved to line ${moved[0]}; set \`line: ${moved[0]}\` in ${REGISTER}.`);
        else
            problems.push(
                `${where}: the runbook line changed, it now reads "${at === undefined ? "(past the end)" : lineText(at)}". Reread it, restate the requirement in ${REGISTER} and set \`digest: "${at === undefined ? "" : lineDigest(at)}"\` (or remove the requirement).`,
            );
    }
    for (const [file, markdown] of Object.entries(runbooks)) {
        const lines = markdown.split(/\r?\n/);
        for (const item of parseChecklists(file, markdown)) {
            if (!entries.some((e) => e.source.file === file && e.source.line === item.line))
                problems.push(
                    `${file} line ${item.line} is a checklist item with no requirement ("${item.text}"): add one to ${REGISTER} with digest "${lineDigest(lines[item.line - 1]!)}" and its owner.`,
                );
        }
    }
    return problems;
}
