/**
 * `npm run vendor [-- --git-dir '<path with {owner} and {name}>']`
 *
 * Rewrites vendor/crds and vendor/charts from VENDOR_SOURCES: each CRD version's `openAPIV3Schema`
 * and each chart's `values.schema.json` and default values, at the listed tags. Reads GitHub's raw
 * file endpoint, or local bare clones when `--git-dir` says where they are. Bump a tag in
 * sources.ts, run this, update the row in vendor/README.md, and let the tests say what changed.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { PROJECT_ROOT } from "../lib/mock-run";
import { chartFiles, crdSchemaPath, VENDOR_SOURCES, type VendorSource } from "./sources";

type Reader = (source: VendorSource, file: string) => Promise<string>;

function gitReader(template: string): Reader {
    return async (source, file) => {
        const [owner, name] = source.repository.split("/") as [string, string];
        const gitDir = template.replace("{owner}", owner).replace("{name}", name);
        return execFileSync("git", ["--git-dir", gitDir, "show", `${source.tag}:${file}`], {
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
    };
}

const httpReader: Reader = async (source, file) => {
    const url = `https://raw.githubusercontent.com/${source.repository}/${source.tag}/${file}`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.text();
};

function write(file: string, value: unknown): void {
    const target = path.join(PROJECT_ROOT, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, `${JSON.stringify(value)}\n`);
}

interface CrdDocument {
    kind?: string;
    spec?: {
        group: string;
        names: { kind: string };
        versions: Array<{ name: string; schema?: { openAPIV3Schema?: unknown } }>;
    };
}

/** Every file written, so the caller can report them. */
export async function refresh(read: Reader): Promise<string[]> {
    const written: string[] = [];
    for (const source of VENDOR_SOURCES) {
        const content = source.content;
        if (content.kind === "crd") {
            for (const file of content.paths) {
                for (const doc of parseAllDocuments(await read(source, file))) {
                    const crd = doc.toJS() as CrdDocument | null;
                    if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
                    for (const version of crd.spec.versions) {
                        const out = crdSchemaPath(crd.spec.group, version.name, crd.spec.names.kind);
                        write(out, version.schema?.openAPIV3Schema ?? {});
                        written.push(out);
                    }
                }
            }
        } else {
            const files = chartFiles(content.chart, content.version);
            // Comments (prose) are dropped: only the data is kept.
            write(
                files.defaults,
                parseAllDocuments(await read(source, `${content.path}/values.yaml`))[0]?.toJS() ?? {},
            );
            written.push(files.defaults);
            if (content.valuesSchema) {
                write(files.schema, JSON.parse(await read(source, `${content.path}/values.schema.json`)));
                written.push(files.schema);
            }
        }
    }
    return written;
}

if (require.main === module) {
    const flag = process.argv.indexOf("--git-dir");
    const reader = flag >= 0 ? gitReader(process.argv[flag + 1]!) : httpReader;
    refresh(reader).then(
        (files) => console.log(`Wrote ${files.length} files:\n${files.map((f) => `    ${f}`).join("\n")}`),
        (error: unknown) => {
            console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
            process.exit(1);
        },
    );
}
