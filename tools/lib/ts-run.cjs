// `node tools/lib/ts-run.cjs <entry.ts> [args]`: how the offline commands (plan, policy, bench,
// mutation) run TypeScript, instead of tsx. This project's TypeScript is all CommonJS, so a `.ts`
// require hook suffices; tsx also hooks every `.js` file, node_modules included, and lexes each
// one to tell ESM from CommonJS (privatenumber/tsx src/cjs/api/module-extensions.ts
// `createExtensions` → `isESM`): with the SDKs that is about 0.6 s of CPU and 20 MB per plan.
// The transform is tsx's (esbuild, same target, format, names and tsconfig), cached by content
// under node_modules/.cache, so a run with unchanged sources loads no transpiler at all.
// Plain JavaScript, so it runs before anything can transpile.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
require("./defer-modules.cjs");

const ROOT = path.resolve(__dirname, "..", "..");
const CACHE_DIR = path.join(ROOT, "node_modules", ".cache", "estate-ts");
/** The project's compiler options, as tsx hands them to esbuild; read as plain JSON (no comments, no `extends`). */
const compilerOptions = (() => {
    const file = path.join(ROOT, "tsconfig.json");
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")).compilerOptions;
    } catch (error) {
        throw new Error(`${file} must be plain JSON for tools/lib/ts-run.cjs to read it: ${error.message}`);
    }
})();
// Part of every cache key: another esbuild, Node (the target) or tsconfig may emit other code.
const ESBUILD_VERSION = JSON.parse(fs.readFileSync(require.resolve("esbuild/package.json"), "utf8")).version;

let esbuild;
let options;
/** The options tsx gives esbuild (tsx src/utils/transform `transformSync`); esbuild is loaded on the first cache miss. */
function transformOptions() {
    esbuild ??= require("esbuild");
    options ??= {
        loader: "ts",
        format: "cjs",
        platform: "node",
        target: `node${process.versions.node}`,
        // Function and class names as written: messages and `instanceof`-free checks read them.
        keepNames: true,
        sourcemap: "inline",
        tsconfigRaw: { compilerOptions },
    };
    return options;
}

function compiled(filename, source) {
    const key = crypto
        .createHash("sha256")
        .update(`${ESBUILD_VERSION}\0${process.versions.node}\0${JSON.stringify(compilerOptions)}\0${filename}\0`)
        .update(source)
        .digest("hex");
    const cached = path.join(CACHE_DIR, `${key.slice(0, 32)}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // Not built yet.
    }
    const opts = transformOptions();
    const code = esbuild.transformSync(source, { ...opts, sourcefile: filename }).code;
    // Written aside then renamed, so a concurrent run never reads half a file.
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, cached);
    return code;
}

require.extensions[".ts"] = (module, filename) => {
    module._compile(compiled(filename, fs.readFileSync(filename, "utf8")), filename);
};

// Run as the entry point: the next argument is the command, run as the main module so its
// `require.main === module` guard holds, with the arguments after it.
if (require.main === module) {
    const entry = path.resolve(process.argv[2] ?? "");
    process.argv.splice(1, 2, entry);
    require("node:module")._load(entry, null, true);
}
