import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import Ajv2020 from "ajv/dist/2020";
import { parse as parseYaml } from "yaml";
import { configKeyDeclarations } from "../stacks/config-declarations";
import { PROJECT_ROOT } from "../tools/lib/mock-run";
import { renderProjectFile } from "../tools/lib/project-file";
import { renderConfigReference, replaceBetweenMarkers } from "../tools/lib/readme";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
/** Pulumi's own project schema, vendored with its provenance in vendor/README.md. */
const PROJECT_SCHEMA = "vendor/pulumi/project.schema.json";

describe("project files", () => {
    it("Pulumi.yaml passes Pulumi's published project schema", () => {
        const schema = JSON.parse(read(PROJECT_SCHEMA));
        const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
        const valid = validate(parseYaml(read("Pulumi.yaml")));
        assert.equal(valid, true, JSON.stringify(validate.errors));
    });

    it("a project file the CLI would reject fails the same check", () => {
        const schema = JSON.parse(read(PROJECT_SCHEMA));
        const validate = new Ajv2020({ strict: false }).compile(schema);
        const broken = parseYaml(read("Pulumi.yaml"));
        // The CLI knows string, integer, boolean, array and object config types, nothing else.
        broken.config.platform.type = "enum";
        assert.equal(validate(broken), false);
        assert.equal(validate({ ...parseYaml(read("Pulumi.yaml")), name: "" }), false, "a project needs a name");
    });

    it("Pulumi.yaml declares every config key of the schema (regenerate with npm run gen)", () => {
        assert.equal(read("Pulumi.yaml"), renderProjectFile());
    });

    it("the README config reference matches the schema (regenerate with npm run gen)", () => {
        const readme = read("README.md");
        assert.equal(readme, replaceBetweenMarkers(readme, "config-reference", renderConfigReference()));
    });

    it("every key in the stack files is a key of the config schema", () => {
        const known = new Set(configKeyDeclarations().map((d) => `estate:${d.key}`));
        for (const stack of ["Pulumi.staging.yaml", "Pulumi.prod.yaml"]) {
            for (const key of Object.keys(parseYaml(read(stack)).config))
                assert.ok(known.has(key), `${stack}: ${key} is not a key of stacks/config-schema.ts`);
        }
    });

    it("Pulumi.yaml declares a key only with its default or when required, never a secret", () => {
        const declared = parseYaml(read("Pulumi.yaml")).config as Record<string, { default?: unknown }>;
        for (const d of configKeyDeclarations()) {
            const entry = declared[d.key];
            if (d.secret || (!d.required && d.default === undefined)) {
                assert.equal(entry, undefined, `${d.key} is optional or secret: declared, the CLI would require it`);
            } else {
                assert.ok(entry, `${d.key} is not declared`);
                assert.deepEqual(entry.default, d.default, `${d.key}: default differs from the schema's`);
            }
        }
        assert.equal(declared["alertCpuPercent"]?.default, "80", "a key that accepts fractions is declared as string");
        assert.equal((declared["alertCpuPercent"] as { type?: string }).type, "string");
    });

    it("pins every dependency to an exact version", () => {
        for (const file of ["package.json", "policies/package.json"]) {
            const pkg = JSON.parse(read(file));
            for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
                assert.match(String(version), /^\d+\.\d+\.\d+$/, `${file}: ${name}@${String(version)} is a range`);
            }
        }
    });
});

describe("the repository", () => {
    it("holds no unresolved merge conflict", () => {
        // A conflict left in a generated or prose file passes every other check.
        const files = execFileSync("git", ["ls-files", "-z"], { cwd: PROJECT_ROOT, encoding: "utf8" })
            .split("\0")
            .filter((f) => f && !f.startsWith("vendor/") && fs.existsSync(path.join(PROJECT_ROOT, f)));
        const conflicted = files.filter((f) =>
            /^(<{7}|>{7}) /m.test(fs.readFileSync(path.join(PROJECT_ROOT, f), "utf8")),
        );
        assert.deepEqual(conflicted, []);
    });
});
