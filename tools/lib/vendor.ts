/**
 * The provenance table of vendor/README.md (one row per vendored file) and the refresh that
 * re-downloads each file from its upstream (a GitHub repository at a commit, or a file of a
 * published npm package) at its recorded version or at a new one.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";

export interface VendoredFile {
    /** Path under vendor/. */
    readonly file: string;
    /** GitHub `owner/name`, or `npm:<package>` for a file that only the published package ships. */
    readonly repository: string;
    /** Path of the file in the repository (or in the package). */
    readonly path: string;
    /** The tag (or branch) the file was taken at; for npm, the package version. */
    readonly ref: string;
    /** The commit `ref` resolved to when the file was taken; for npm, the tarball's sha1 (`dist.shasum`). */
    readonly commit: string;
    /** SPDX license id of the upstream repository. */
    readonly license: string;
    readonly sha256: string;
    /** Repository files that read it. */
    readonly usedBy: readonly string[];
}

const START = "<!-- vendor-table:start -->";
const END = "<!-- vendor-table:end -->";
const HEADER = "| file | repository | path | ref | commit | license | sha256 | used by |";

const unquote = (cell: string) => cell.trim().replace(/^`(.*)`$/, "$1");

export function parseVendorTable(readme: string): VendoredFile[] {
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    if (start < 0 || end < start) throw new Error(`vendor/README.md has no ${START} … ${END} table`);
    const lines = readme
        .slice(start + START.length, end)
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.startsWith("|"));
    if (lines[0] !== HEADER) throw new Error(`vendor/README.md: the table's header must be ${HEADER}`);
    return lines.slice(2).map((line) => {
        const cells = line.slice(1, -1).split("|");
        if (cells.length !== 8) throw new Error(`vendor/README.md: a row needs 8 cells: ${line}`);
        const [file, repository, upstreamPath, ref, commit, license, sha256, usedBy] = cells.map(unquote) as [
            string,
            string,
            string,
            string,
            string,
            string,
            string,
            string,
        ];
        return {
            file,
            repository,
            path: upstreamPath,
            ref,
            commit,
            license,
            sha256,
            usedBy: usedBy
                .split(/<br>|,/)
                .map(unquote)
                .filter((u) => u !== ""),
        };
    });
}

function renderRow(v: VendoredFile): string {
    const cells = [
        `\`${v.file}\``,
        v.repository,
        `\`${v.path}\``,
        v.ref,
        v.commit,
        v.license,
        v.sha256,
        v.usedBy.map((u) => `\`${u}\``).join("<br>"),
    ];
    return `| ${cells.join(" | ")} |`;
}

/** `readme` with its table replaced by `rows`, everything else untouched. */
export function renderVendorTable(readme: string, rows: readonly VendoredFile[]): string {
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    const table = [HEADER, "| --- | --- | --- | --- | --- | --- | --- | --- |", ...rows.map(renderRow)];
    return `${readme.slice(0, start + START.length)}\n\n${table.join("\n")}\n\n${readme.slice(end)}`;
}

export const sha256 = (content: Buffer | string) => createHash("sha256").update(content).digest("hex");

/** What the refresh needs from upstream; the real one is `upstreamSource`. */
export interface UpstreamSource {
    /** The version a ref names (itself for GitHub) and its commit (npm: tarball shasum). */
    resolve(repository: string, ref: string): Promise<{ readonly ref: string; readonly commit: string }>;
    download(repository: string, ref: string, commit: string, file: string): Promise<Buffer>;
}

async function ok(response: Response, what: string): Promise<Response> {
    if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${response.statusText}`);
    return response;
}

const NPM = /^npm:(.+)$/;
const NPM_REGISTRY = "https://registry.npmjs.org";

/** One file of a tar archive (ustar: 512-byte headers, name and prefix fields, octal size). */
export function fileFromTar(tar: Buffer, name: string): Buffer | undefined {
    for (let offset = 0; offset + 512 <= tar.length;) {
        const header = tar.subarray(offset, offset + 512);
        if (header.every((b) => b === 0)) return undefined;
        const field = (from: number, to: number) => header.toString("utf8", from, to).replace(/\0.*$/s, "");
        const prefix = field(345, 500);
        const entry = prefix === "" ? field(0, 100) : `${prefix}/${field(0, 100)}`;
        const size = parseInt(field(124, 136).trim() || "0", 8);
        if (entry === name) return Buffer.from(tar.subarray(offset + 512, offset + 512 + size));
        offset += 512 + Math.ceil(size / 512) * 512;
    }
    return undefined;
}

export const upstreamSource: UpstreamSource = {
    async resolve(repository, ref) {
        const npm = NPM.exec(repository);
        if (npm) {
            // The registry's version document: `dist.shasum` is the sha1 of the tarball.
            const url = `${NPM_REGISTRY}/${npm[1]}/${encodeURIComponent(ref)}`;
            const doc = (await (await ok(await fetch(url), url)).json()) as {
                version: string;
                dist: { shasum: string };
            };
            return { ref: doc.version, commit: doc.dist.shasum };
        }
        // GitHub REST "Get a commit": the sha media type answers with the bare commit id.
        const url = `https://api.github.com/repos/${repository}/commits/${encodeURIComponent(ref)}`;
        const response = await ok(await fetch(url, { headers: { Accept: "application/vnd.github.sha" } }), url);
        return { ref, commit: (await response.text()).trim() };
    },
    async download(repository, ref, commit, file) {
        const npm = NPM.exec(repository);
        if (npm) {
            const name = npm[1]!;
            const url = `${NPM_REGISTRY}/${name}/-/${name.replace(/^@[^/]+\//, "")}-${ref}.tgz`;
            const tarball = Buffer.from(await (await ok(await fetch(url), url)).arrayBuffer());
            const shasum = createHash("sha1").update(tarball).digest("hex");
            if (shasum !== commit) throw new Error(`${url}: shasum ${shasum}, expected ${commit}`);
            const content = fileFromTar(gunzipSync(tarball), `package/${file}`);
            if (content === undefined) throw new Error(`${url} has no ${file}`);
            return content;
        }
        const url = `https://raw.githubusercontent.com/${repository}/${commit}/${file}`;
        return Buffer.from(await (await ok(await fetch(url), url)).arrayBuffer());
    },
};

export interface RefreshRequest {
    /** Only this vendored file; every row when unset. */
    readonly file?: string;
    /** Move the row(s) to this tag; unset re-downloads at the recorded commit. */
    readonly ref?: string;
}

/** Downloads the requested rows into `vendorDir` and rewrites its README table; returns one line per row. */
export async function refreshVendored(
    vendorDir: string,
    request: RefreshRequest,
    source: UpstreamSource,
): Promise<string[]> {
    const readmePath = path.join(vendorDir, "README.md");
    const readme = fs.readFileSync(readmePath, "utf8");
    const rows = parseVendorTable(readme);
    if (request.file !== undefined && !rows.some((r) => r.file === request.file))
        throw new Error(
            `vendor/README.md has no row for ${request.file}: add one (file, repository, path, ref, license, used by) first`,
        );
    const report: string[] = [];
    const updated: VendoredFile[] = [];
    for (const row of rows) {
        if (request.file !== undefined && row.file !== request.file) {
            updated.push(row);
            continue;
        }
        const { ref, commit } = request.ref !== undefined ? await source.resolve(row.repository, request.ref) : row;
        const content = await source.download(row.repository, ref, commit, row.path);
        const target = path.join(vendorDir, row.file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, content);
        const digest = sha256(content);
        report.push(
            `${row.file}: ${row.repository} ${row.path} at ${ref} (${commit.slice(0, 12)})${digest === row.sha256 ? ", unchanged" : ", changed"}`,
        );
        updated.push({ ...row, ref, commit, sha256: digest });
    }
    fs.writeFileSync(readmePath, renderVendorTable(readme, updated));
    return report;
}
