import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../tools/lib/mock-run";

/** Every TypeScript file under `dir`, relative to the project root. */
function sourcesUnder(dir: string): string[] {
    return fs
        .readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile() && e.name.endsWith(".ts"))
        .map((e) => path.relative(PROJECT_ROOT, path.join(e.parentPath, e.name)));
}

/** Project files a source imports or requires, relative to the project root. */
export function localImports(file: string, source: string): string[] {
    const specifiers = [
        ...source.matchAll(/\bfrom\s+"(\.[^"]+)"/g),
        ...source.matchAll(/\brequire\("(\.[^"]+)"\)/g),
        ...source.matchAll(/\bimport\("(\.[^"]+)"\)/g),
    ].map((m) => m[1]!);
    return specifiers.map((s) => path.relative(PROJECT_ROOT, path.resolve(PROJECT_ROOT, path.dirname(file), s)));
}

describe("architecture: data flows one way", () => {
    it("finds an import into stacks/ (the check can fail)", () => {
        assert.deepEqual(
            localImports("components/platform/kubernetes/platform.ts", 'import x from "../../../stacks/config";'),
            ["stacks/config"],
        );
    });

    it("no component imports stacks/: platforms get their settings and the common values as arguments", () => {
        const offending = sourcesUnder("components").flatMap((file) =>
            localImports(file, fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8"))
                .filter((target) => target.startsWith(`stacks${path.sep}`) || target === "stacks")
                .map((target) => `${file} imports ${target}`),
        );
        assert.deepEqual(offending, []);
    });
});
