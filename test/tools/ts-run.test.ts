// tools/lib/ts-run.cjs, the TypeScript runner of the offline commands: it runs the entry as the
// main module with its own arguments, transpiles what the entry requires, and caches by content.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";
import { NODE_HEAP_FLAGS } from "../../tools/lib/pack-process";

const TS_RUN = path.join(PROJECT_ROOT, "tools", "lib", "ts-run.cjs");

function run(dir: string, ...args: string[]) {
    return spawnSync(process.execPath, [TS_RUN, path.join(dir, "main.ts"), ...args], { encoding: "utf8" });
}

describe("ts-run", () => {
    it("runs the entry as main with its arguments, its imports transpiled, and rebuilds a changed file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "estate-ts-run-"));
        try {
            fs.writeFileSync(
                path.join(dir, "lib.ts"),
                "export enum Level { Low = 1 }\nexport const twice = (n: number): number => n * 2;\n",
            );
            fs.writeFileSync(
                path.join(dir, "main.ts"),
                'import { Level, twice } from "./lib";\n' +
                    "class Named {}\n" +
                    "if (require.main === module)\n" +
                    "    console.log(JSON.stringify([process.argv.slice(2), twice(Level.Low), Named.name]));\n",
            );
            const first = run(dir, "--stack", "prod");
            assert.equal(first.status, 0, first.stderr);
            assert.equal(first.stdout, '[["--stack","prod"],2,"Named"]\n');

            fs.writeFileSync(
                path.join(dir, "lib.ts"),
                "export enum Level { Low = 1 }\nexport const twice = (n: number): number => n * 3;\n",
            );
            const changed = run(dir);
            assert.equal(changed.stdout, '[[],3,"Named"]\n', changed.stderr);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("fails the run when the entry throws", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "estate-ts-run-"));
        try {
            fs.writeFileSync(path.join(dir, "main.ts"), 'throw new Error("boom: " + (1 as number));\n');
            const r = run(dir);
            assert.equal(r.status, 1);
            assert.match(r.stderr, /Error: boom: 1/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("node flags of the offline commands", () => {
    it("plan and policy run through ts-run with the heap flags the analyzer gets", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
            scripts: Record<string, string>;
        };
        for (const script of ["plan", "policy"])
            assert.match(
                pkg.scripts[script]!,
                new RegExp(
                    `^node --import \\./tools/require-node\\.mjs ${NODE_HEAP_FLAGS.join(" ")} tools/lib/ts-run\\.cjs `,
                ),
                `npm run ${script}`,
            );
    });
});
