// Preloaded by the offline processes (by tools/lib/ts-run.cjs, and by the analyzer: spawnPack in
// pack-process.ts): dependencies that @pulumi/pulumi loads at start-up and uses only for work an
// offline plan never does are loaded on first use instead.
// - @npmcli/arborist (npm's package tree, with pacote, sigstore, tuf-js...): required by
//   runtime/closure/codePaths.js, which runtime/index.js loads eagerly, for `computeCodePaths`
//   only (packaging a serialised function's dependencies): about 100 ms of CPU and 10 MB in
//   every process that loads @pulumi/pulumi (measured: `require("@pulumi/pulumi")` 0.33 -> 0.22 s CPU).
// - TypeScript, through @pulumi/pulumi's typescript-shim.js: required by runtime/closure/*.js, which
//   runtime/index.js loads eagerly, to parse a function's text when a closure is serialised. About
//   90 ms of CPU and 45 MB (the analyzer loads TypeScript anyway: run-policy-pack registers ts-node).
// codePaths.js reads arborist through TypeScript's `__importStar`, which passes a module marked
// `__esModule` through untouched, so a stand-in that loads the real module when a property is
// read behaves as the module itself.
// Plain JavaScript, so it runs before anything can transpile.
"use strict";
const path = require("node:path");
const Module = require("node:module");

/** `request` as `fromPackage` resolves it, loaded when one of its exports is first read. */
function deferModule(request, fromPackage) {
    let filename;
    try {
        const from = path.dirname(require.resolve(`${fromPackage}/package.json`));
        filename = require.resolve(request, { paths: [from] });
    } catch {
        return; // Not installed here: nothing to defer.
    }
    if (require.cache[filename]) return;
    let real;
    const load = () => {
        if (real === undefined) {
            delete require.cache[filename];
            real = require(filename);
        }
        return real;
    };
    const standIn = new Module(filename);
    standIn.filename = filename;
    standIn.loaded = true;
    standIn.exports = new Proxy(
        {},
        {
            get: (_, key) => (key === "__esModule" ? true : load()[key]),
            has: (_, key) => key === "__esModule" || key in load(),
            ownKeys: () => Reflect.ownKeys(load()),
            getOwnPropertyDescriptor: (_, key) => {
                const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
                return descriptor && { ...descriptor, configurable: true };
            },
        },
    );
    require.cache[filename] = standIn;
}

deferModule("@npmcli/arborist", "@pulumi/pulumi");
deferModule("@pulumi/pulumi/typescript-shim", "@pulumi/pulumi");

module.exports = { deferModule };
