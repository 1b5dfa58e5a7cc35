/**
 * The checklist items of the runbooks, parsed from their Markdown. What counts as an item:
 *
 * 1. **task items** — `- [ ] text` / `- [x] text`, at any depth (runbook 000's rollout
 *    checklist). A plain bullet they are nested under is their group (`Configuration`).
 * 2. **checklist bullets** — in a section under a heading that contains "checklist" and has no
 *    task items (002 "Security Checklist", 003 "GA mini-checklist", 004 "Deploy checklist" and its
 *    subsections): every bullet at the section's outermost bullet depth. Deeper bullets are that
 *    item's details, not items of their own.
 * 3. **procedure steps** — numbered steps (`1.` or `1)`) of the procedures the estate automates,
 *    listed in PROCEDURES by heading; deeper lines are details.
 *
 * Fenced code blocks are skipped (their `#` comments are not headings). An item's text is the
 * line after its marker, verbatim; it is read only to compare the register with the runbooks.
 */

export type ItemKind = "task" | "checklist" | "procedure";

export interface ChecklistItem {
    readonly file: string;
    /** 1-based line of the item in the runbook. */
    readonly line: number;
    readonly kind: ItemKind;
    /** Headings above the item, outermost first, then the task group if any. */
    readonly section: readonly string[];
    /** The item's line after its marker, verbatim. */
    readonly text: string;
    /** Nested bullets of a checklist bullet or procedure step. */
    readonly details: readonly string[];
}

/** Numbered procedures that count as checklists: the steps the delivery workflows and the README perform. */
export const PROCEDURES: ReadonlyArray<{ readonly file: string; readonly heading: string }> = [
    { file: "001_31f446762c5e9891.txt", heading: "Deployment Process" },
    { file: "001_31f446762c5e9891.txt", heading: "Automated Rollback" },
    { file: "004_c5a9e0042cfeb978.txt", heading: "First-time production setup" },
    { file: "004_c5a9e0042cfeb978.txt", heading: "How to rollback (generic)" },
];

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
const FENCE = /^\s*(```|~~~)/;
export const TASK = /^(\s*)[-*+]\s+\[[ xX]\]\s+(.+?)\s*$/;
export const BULLET = /^(\s*)[-*+]\s+(.+?)\s*$/;
export const NUMBERED = /^(\s*)\d+[.)]\s+(.+?)\s*$/;

interface Section {
    readonly headings: readonly string[];
    readonly lines: ReadonlyArray<{ readonly n: number; readonly text: string }>;
}

function sections(markdown: string): Section[] {
    const out: Array<{ headings: string[]; lines: Array<{ n: number; text: string }> }> = [{ headings: [], lines: [] }];
    const stack: Array<{ level: number; title: string }> = [];
    let fenced = false;
    markdown.split(/\r?\n/).forEach((text, i) => {
        if (FENCE.test(text)) {
            fenced = !fenced;
            return;
        }
        if (fenced) return;
        const heading = HEADING.exec(text);
        if (heading) {
            const level = heading[1]!.length;
            while (stack.length > 0 && stack[stack.length - 1]!.level >= level) stack.pop();
            stack.push({ level, title: heading[2]! });
            out.push({ headings: stack.map((h) => h.title), lines: [] });
            return;
        }
        out[out.length - 1]!.lines.push({ n: i + 1, text });
    });
    return out;
}

/** Items at the section's outermost depth of `marker`; deeper bullets, numbered or not, become their details. */
function outermost(file: string, section: Section, marker: RegExp, kind: ItemKind): ChecklistItem[] {
    const matches = section.lines.flatMap((l) => {
        const m = marker.exec(l.text);
        return m ? [{ n: l.n, indent: m[1]!.length, text: m[2]! }] : [];
    });
    if (matches.length === 0) return [];
    const depth = Math.min(...matches.map((m) => m.indent));
    const items: Array<{ line: number; text: string; details: string[] }> = [];
    for (const l of section.lines) {
        const m = marker.exec(l.text);
        if (m && m[1]!.length === depth) items.push({ line: l.n, text: m[2]!, details: [] });
        else {
            const nested = BULLET.exec(l.text) ?? NUMBERED.exec(l.text);
            if (nested && nested[1]!.length > depth && items.length > 0)
                items[items.length - 1]!.details.push(nested[2]!);
        }
    }
    return items.map((item) => ({ file, kind, section: section.headings, ...item }));
}

/** Every checklist item of one runbook, in document order. */
export function parseChecklists(file: string, markdown: string): ChecklistItem[] {
    const items: ChecklistItem[] = [];
    for (const section of sections(markdown)) {
        const tasks = section.lines.filter((l) => TASK.test(l.text));
        if (tasks.length > 0) {
            // A task's group is the closest plain bullet above it that is less indented.
            const groups: Array<{ indent: number; text: string }> = [];
            for (const l of section.lines) {
                const task = TASK.exec(l.text);
                const bullet = task ? undefined : BULLET.exec(l.text);
                if (bullet) {
                    while (groups.length > 0 && groups[groups.length - 1]!.indent >= bullet[1]!.length) groups.pop();
                    groups.push({ indent: bullet[1]!.length, text: bullet[2]! });
                } else if (task) {
                    const group = groups.filter((g) => g.indent < task[1]!.length).map((g) => g.text);
                    items.push({
                        file,
                        line: l.n,
                        kind: "task",
                        section: [...section.headings, ...group],
                        text: task[2]!,
                        details: [],
                    });
                }
            }
        } else if (section.headings.some((h) => /checklist/i.test(h))) {
            items.push(...outermost(file, section, BULLET, "checklist"));
        }
        const heading = section.headings[section.headings.length - 1];
        if (PROCEDURES.some((p) => p.file === file && p.heading === heading))
            items.push(...outermost(file, section, NUMBERED, "procedure"));
    }
    return items.sort((a, b) => a.line - b.line);
}
