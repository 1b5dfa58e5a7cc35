// Preloaded (`node --import ./tools/require-node.mjs`) by every npm script that runs the project,
// before tsx or any SDK loads: on a Node outside package.json `engines.node` the script stops
// with one line instead of running. npm scripts normally run on the `node` devDependency, but an
// install with --ignore-scripts (or a missing node_modules/.bin/node) silently leaves the system
// Node on PATH. Plain JavaScript, so it parses on any Node that knows --import.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { unsupportedNodeMessage } from "./lib/node-version.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const nvmrc = readFileSync(join(root, ".nvmrc"), "utf8").trim();
const message = unsupportedNodeMessage(process.versions.node, pkg.engines?.node, nvmrc, process.execPath);
if (message) {
    process.stderr.write(`${message}\n`);
    process.exit(1);
}
