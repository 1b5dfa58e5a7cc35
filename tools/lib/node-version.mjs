// Which Node the project runs on: package.json `engines.node`, checked before anything loads
// (tools/require-node.mjs) and against .nvmrc by the tests. Plain JavaScript so that it parses on
// an old Node too.

/** `>=X[.Y[.Z]]`, the one form `engines.node` uses here; anything else is refused so it cannot pass unread. */
export function minimumOf(range) {
    const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(String(range).trim());
    if (!m) throw new Error(`package.json engines.node "${range}" is not of the form >=X.Y.Z`);
    return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

export function satisfies(version, range) {
    const have = String(version).replace(/^v/, "").split(".").map(Number);
    const need = minimumOf(range);
    for (let i = 0; i < 3; i++) {
        if ((have[i] ?? 0) !== need[i]) return (have[i] ?? 0) > need[i];
    }
    return true;
}

/** The one line printed on an unsupported Node, or undefined when this Node is fine. */
export function unsupportedNodeMessage(version, range, nvmrc, execPath) {
    if (satisfies(version, range)) return undefined;
    return (
        `estate needs Node ${range} (package.json engines), but this is Node ${version} (${execPath}): ` +
        `run \`nvm use\` or \`fnm use\` (.nvmrc says ${nvmrc}), or reinstall with \`npm ci\` without --ignore-scripts ` +
        `so node_modules/.bin/node is the pinned Node.`
    );
}
