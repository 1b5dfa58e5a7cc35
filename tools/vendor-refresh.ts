/** `npm run vendor:refresh`: re-downloads the files of vendor/README.md's table from upstream (needs the network). */
import * as path from "node:path";
import { upstreamSource, refreshVendored, type RefreshRequest } from "./lib/vendor";

const USAGE = `Usage: npm run vendor:refresh [-- --file <file> --ref <tag>]

Re-downloads every vendored file at the commit vendor/README.md records, or moves one file to
another tag and records its new commit and sha256.

Examples:
  npm run vendor:refresh
  npm run vendor:refresh -- --file pulumi/project.schema.json --ref v3.270.0`;

function parse(argv: readonly string[]): RefreshRequest | "help" {
    const request: { file?: string; ref?: string } = {};
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        if (arg === "--help" || arg === "-h") return "help";
        const value = argv[i + 1];
        if ((arg === "--file" || arg === "--ref") && value !== undefined) {
            request[arg === "--file" ? "file" : "ref"] = value;
            i++;
        } else throw new Error(`unknown argument "${arg}"\n${USAGE}`);
    }
    if (request.ref !== undefined && request.file === undefined)
        throw new Error(`--ref needs --file: each vendored file has its own upstream\n${USAGE}`);
    return request;
}

async function main(): Promise<number> {
    let request: RefreshRequest | "help";
    try {
        request = parse(process.argv.slice(2));
    } catch (e) {
        console.error((e as Error).message);
        return 1;
    }
    if (request === "help") {
        console.log(USAGE);
        return 0;
    }
    try {
        for (const line of await refreshVendored(path.join(__dirname, "..", "vendor"), request, upstreamSource))
            console.log(line);
        return 0;
    } catch (e) {
        console.error(`vendor:refresh: ${(e as Error).message}`);
        return 1;
    }
}

void main().then((code) => (process.exitCode = code));
