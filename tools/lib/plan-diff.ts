import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Compares two plan directories (`out/<stack>-<platform>/` as `npm run plan` writes them):
 * every file by relative path, JSON canonically (keys sorted, so the order a map was filled in
 * does not count), anything else byte for byte. A refactoring that keeps behaviour must leave
 * no difference.
 */
export interface PlanDifference {
    readonly file: string;
    /** `missing`/`extra`: only in the first/second directory; `changed`: both, with these first differing lines. */
    readonly kind: "missing" | "extra" | "changed";
    readonly lines?: readonly { readonly line: number; readonly before: string; readonly after: string }[];
}

function filesUnder(dir: string, prefix = ""): string[] {
    return fs
        .readdirSync(path.join(dir, prefix), { withFileTypes: true })
        .flatMap((entry) => {
            const rel = path.join(prefix, entry.name);
            return entry.isDirectory() ? filesUnder(dir, rel) : [rel];
        })
        .sort();
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
        );
    }
    return value;
}

/** The file as compared: canonical JSON for `.json`, the text otherwise. */
export function canonical(file: string, text: string): string {
    if (!file.endsWith(".json")) return text;
    return `${JSON.stringify(sortKeys(JSON.parse(text)), null, 2)}\n`;
}

function lineDiff(before: string, after: string, limit: number) {
    const a = before.split("\n");
    const b = after.split("\n");
    const lines: { line: number; before: string; after: string }[] = [];
    for (let i = 0; i < Math.max(a.length, b.length) && lines.length < limit; i++) {
        if (a[i] !== b[i]) lines.push({ line: i + 1, before: a[i] ?? "(none)", after: b[i] ?? "(none)" });
    }
    return lines;
}

export function diffPlans(before: string, after: string, limit = 10): PlanDifference[] {
    const left = new Set(filesUnder(before));
    const right = new Set(filesUnder(after));
    const differences: PlanDifference[] = [];
    for (const file of [...new Set([...left, ...right])].sort()) {
        if (!right.has(file)) differences.push({ file, kind: "missing" });
        else if (!left.has(file)) differences.push({ file, kind: "extra" });
        else {
            const a = canonical(file, fs.readFileSync(path.join(before, file), "utf8"));
            const b = canonical(file, fs.readFileSync(path.join(after, file), "utf8"));
            if (a !== b) differences.push({ file, kind: "changed", lines: lineDiff(a, b, limit) });
        }
    }
    return differences;
}

export function renderDifferences(differences: readonly PlanDifference[]): string {
    return differences
        .map((d) =>
            d.kind === "changed"
                ? [
                      `~ ${d.file}`,
                      ...(d.lines ?? []).map((l) => `    ${l.line}: - ${l.before}\n    ${l.line}: + ${l.after}`),
                  ].join("\n")
                : `${d.kind === "missing" ? "-" : "+"} ${d.file}`,
        )
        .join("\n");
}
