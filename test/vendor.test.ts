import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../tools/lib/mock-run";
import { fileFromTar, parseVendorTable, refreshVendored, sha256, type UpstreamSource } from "../tools/lib/vendor";

const VENDOR = path.join(PROJECT_ROOT, "vendor");
const rows = parseVendorTable(fs.readFileSync(path.join(VENDOR, "README.md"), "utf8"));

function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe("vendored upstream files", () => {
    it("every file under vendor/ has a provenance row, and every row's file is there", () => {
        const data = filesUnder(VENDOR)
            .map((f) => path.relative(VENDOR, f))
            .filter((f) => f !== "README.md" && path.basename(f) !== "LICENSE")
            .sort();
        assert.deepEqual(rows.map((r) => r.file).sort(), data);
    });

    for (const row of rows) {
        it(`${row.file}: the bytes recorded, a commit, a license beside it, and users that read it`, () => {
            assert.equal(
                sha256(fs.readFileSync(path.join(VENDOR, row.file))),
                row.sha256,
                `vendor/${row.file} differs from the copy recorded in vendor/README.md: refresh it with npm run vendor:refresh, never by hand`,
            );
            assert.match(row.commit, /^[0-9a-f]{40}$/);
            assert.match(row.repository, /^([\w.-]+\/[\w.-]+|npm:(@[\w.-]+\/)?[\w.-]+)$/);
            assert.match(row.license, /^[A-Za-z0-9.+-]+$/);
            assert.ok(
                fs.existsSync(path.join(VENDOR, path.dirname(row.file), "LICENSE")),
                `vendor/${path.dirname(row.file)}/LICENSE: add the upstream's license file`,
            );
            assert.ok(row.usedBy.length > 0, "name the files that read it");
            for (const user of row.usedBy)
                assert.ok(
                    fs.readFileSync(path.join(PROJECT_ROOT, user), "utf8").includes(`vendor/${row.file}`),
                    `${user} is listed as a user of vendor/${row.file} but does not name it`,
                );
        });
    }
});

describe("npm run vendor:refresh", () => {
    const copy = () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "estate-vendor-"));
        fs.copyFileSync(path.join(VENDOR, "README.md"), path.join(dir, "README.md"));
        return dir;
    };
    const row = rows[0]!;
    /** GitHub as the refresh sees it, recording what was asked. */
    const upstream = (content: string | ((file: string) => Buffer), asked: string[]): UpstreamSource => ({
        resolve: async (repository, ref) => {
            asked.push(`resolve ${repository} ${ref}`);
            return { ref, commit: "1".repeat(40) };
        },
        download: async (repository, ref, commit, file) => {
            asked.push(`download ${repository} ${ref} ${commit} ${file}`);
            return typeof content === "string" ? Buffer.from(content) : content(file);
        },
    });

    it("moves a file to a new tag: writes it, records the commit and digest, leaves the rest of the README alone", async () => {
        const dir = copy();
        const asked: string[] = [];
        const report = await refreshVendored(dir, { file: row.file, ref: "v9.9.9" }, upstream("{}\n", asked));
        assert.deepEqual(asked, [
            `resolve ${row.repository} v9.9.9`,
            `download ${row.repository} v9.9.9 ${"1".repeat(40)} ${row.path}`,
        ]);
        assert.deepEqual(report, [`${row.file}: ${row.repository} ${row.path} at v9.9.9 (111111111111), changed`]);
        assert.equal(fs.readFileSync(path.join(dir, row.file), "utf8"), "{}\n");
        const readme = fs.readFileSync(path.join(dir, "README.md"), "utf8");
        assert.deepEqual(parseVendorTable(readme)[0], {
            ...row,
            ref: "v9.9.9",
            commit: "1".repeat(40),
            sha256: sha256("{}\n"),
        });
        const original = fs.readFileSync(path.join(VENDOR, "README.md"), "utf8");
        assert.equal(readme.split("<!-- vendor-table:start -->")[0], original.split("<!-- vendor-table:start -->")[0]);
        assert.equal(readme.split("<!-- vendor-table:end -->")[1], original.split("<!-- vendor-table:end -->")[1]);
    });

    it("re-downloads at the recorded commit and says when nothing changed", async () => {
        const dir = copy();
        const asked: string[] = [];
        // Upstream still serves exactly the recorded bytes of every row.
        const recorded = (upstreamPath: string) =>
            fs.readFileSync(path.join(VENDOR, rows.find((r) => r.path === upstreamPath)!.file));
        const report = await refreshVendored(dir, {}, upstream(recorded, asked));
        assert.equal(asked.length, rows.length);
        assert.ok(
            report.every((line) => line.endsWith(", unchanged")),
            report.join("\n"),
        );
        assert.deepEqual(asked.slice(0, 1), [`download ${row.repository} ${row.ref} ${row.commit} ${row.path}`]);
        assert.equal(
            fs.readFileSync(path.join(dir, "README.md"), "utf8"),
            fs.readFileSync(path.join(VENDOR, "README.md"), "utf8"),
        );
    });

    it("refuses a file without a row, saying to add one", async () => {
        await assert.rejects(refreshVendored(copy(), { file: "nope.json", ref: "v1" }, upstream("", [])), {
            message:
                "vendor/README.md has no row for nope.json: add one (file, repository, path, ref, license, used by) first",
        });
    });
});

describe("reading one file out of an npm tarball", () => {
    it("finds it by its path in the archive, as tar wrote it", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "estate-tar-"));
        fs.mkdirSync(path.join(dir, "package", "deep"), { recursive: true });
        fs.writeFileSync(path.join(dir, "package", "readme.md"), "x".repeat(700));
        fs.writeFileSync(path.join(dir, "package", "deep", "schema.json"), '{"ok":true}\n');
        const tar = execFileSync("tar", ["-cf", "-", "-C", dir, "package"]);
        assert.equal(fileFromTar(tar, "package/deep/schema.json")?.toString(), '{"ok":true}\n');
        assert.equal(fileFromTar(tar, "package/readme.md")?.length, 700);
        assert.equal(fileFromTar(tar, "package/missing.json"), undefined);
    });
});
