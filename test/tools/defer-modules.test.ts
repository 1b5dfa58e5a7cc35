// tools/lib/defer-modules.cjs: @pulumi/pulumi loads without npm's arborist or TypeScript, which
// still work when the SDK uses them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";

const DEFER = path.join(PROJECT_ROOT, "tools", "lib", "defer-modules.cjs");

function run(script: string, preload: boolean): string {
    const r = spawnSync(process.execPath, [...(preload ? ["--require", DEFER] : []), "-e", script], {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
}

const LOADED = `Object.keys(require.cache).some((f) => f.includes("/@npmcli/arborist/lib/arborist/"))`;
const TS_LOADED = `Object.keys(require.cache).some((f) => f.endsWith("/typescript/lib/typescript.js"))`;

describe("defer-modules", () => {
    it("@pulumi/pulumi loads npm's arborist and TypeScript only without the preload", () => {
        assert.equal(run(`require("@pulumi/pulumi"); console.log(${LOADED}, ${TS_LOADED})`, false), "true true");
        assert.equal(run(`require("@pulumi/pulumi"); console.log(${LOADED}, ${TS_LOADED})`, true), "false false");
    });

    it("the SDK's TypeScript shim is the real TypeScript once used", () => {
        const out = run(
            `require("@pulumi/pulumi");
             const shim = require("@pulumi/pulumi/typescript-shim");
             const kind = shim.createScanner(shim.ScriptTarget.Latest, false, 0, "x").scan();
             console.log(kind === shim.SyntaxKind.Identifier, shim.version === require("typescript").version, ${TS_LOADED})`,
            true,
        );
        assert.equal(out, "true true true");
    });

    it("the SDK's code paths still reach the real Arborist, loaded on first use", () => {
        const out = run(
            `require("@pulumi/pulumi");
             const real = require("@npmcli/arborist/lib/arborist/index.js");
             const arborist = require("@npmcli/arborist");
             console.log(arborist.Arborist === real, new arborist.Arborist({ path: "." }) instanceof real, ${LOADED})`,
            true,
        );
        assert.equal(out, "true true true");
    });
});
