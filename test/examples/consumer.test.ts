import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { CONSUMER_OUTPUT_TYPES, renderOutputTypes } from "../../tools/lib/schema-types";
import { PROJECT_ROOT, unwrapSecrets } from "../../tools/lib/mock-run";
import { plan } from "../support/program";

const DIR = path.join(PROJECT_ROOT, "examples", "consumer");
const read = (file: string) => fs.readFileSync(path.join(DIR, file), "utf8");
const project = parseYaml(read("Pulumi.yaml")) as {
    name: string;
    runtime: string;
    config: Record<string, { type: string; default?: unknown }>;
};

/** Stack config as the CLI builds it for a fresh stack: the Pulumi.yaml defaults, then `overrides`. */
function configOf(overrides: Record<string, string>): Record<string, string> {
    const values: Record<string, string> = {};
    for (const [key, decl] of Object.entries(project.config)) {
        if (decl.default !== undefined) values[`${project.name}:${key}`] = String(decl.default);
    }
    return { ...values, ...overrides };
}

interface ConsumerRun {
    status: number | null;
    error: string;
    references: string[];
    exports: Record<string, unknown>;
}

/** Plans examples/consumer (test/examples/consumer-run.ts) against a StackReference returning `estateOutputs`. */
function runConsumer(estateOutputs: Record<string, unknown>, config: Record<string, string> = {}): ConsumerRun {
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "consumer-run.ts")], {
        cwd: PROJECT_ROOT,
        input: JSON.stringify({ project: project.name, config: configOf(config), outputs: estateOutputs }),
        encoding: "utf8",
    });
    const parsed = result.status === 0 ? JSON.parse(result.stdout) : { references: [], exports: {} };
    return { status: result.status, error: result.stderr.trim(), ...parsed };
}

/** Module specifiers the consumer's sources import. */
function importsOf(): string[] {
    return fs
        .readdirSync(DIR)
        .filter((f) => f.endsWith(".ts"))
        .flatMap((f) => [...read(f).matchAll(/^import\s[^;]*?from\s+"([^"]+)";/gms)].map((m) => m[1]!));
}

describe("consumer example (examples/consumer)", () => {
    it("reads the real prod outputs through a StackReference, typed by the published schema", async () => {
        const estate = unwrapSecrets((await plan("prod")).outputs) as Record<string, unknown>;
        const { status, error, references, exports } = runConsumer(estate);
        assert.equal(status, 0, error);
        assert.deepEqual(references, ["acme/estate/prod"]);
        assert.deepEqual(exports, {
            apiUrl: "https://api.estate.example.com",
            apiReadinessUrl: "https://api.estate.example.com/readyz",
            apiImage: "ghcr.io/acme/estate-api:9c1b7e2a4d6f",
            jwtSecretName: "projects/acme-estate-prod/secrets/estate-prod-jwt-secret",
        });

        const staging = runConsumer(unwrapSecrets((await plan("staging")).outputs) as Record<string, unknown>, {
            [`${project.name}:estateStack`]: "acme/estate/staging",
        });
        assert.equal(staging.status, 0, staging.error);
        assert.deepEqual(staging.references, ["acme/estate/staging"]);
        assert.match(String(staging.exports["jwtSecretName"]), /staging/);
    });

    it("fails its preview on another contract version or a missing output", async () => {
        const estate = unwrapSecrets((await plan("prod")).outputs) as Record<string, unknown>;
        const refuses = (outputs: Record<string, unknown>, message: string) => {
            const run = runConsumer(outputs);
            assert.equal(run.status, 1, "the consumer's preview must fail");
            assert.equal(run.error, message);
        };
        refuses({ ...estate, contractVersion: "2" }, "estate outputs contract v2; this program reads v1");
        const { services: _services, ...withoutServices } = estate;
        refuses(withoutServices, "Required output 'services' does not exist on stack 'acme/estate/prod'.");
        const { "jwt-secret": _jwt, ...otherNames } = estate["secretNames"] as Record<string, string>;
        refuses({ ...estate, secretNames: otherNames }, "the estate exports no secretNames.jwt-secret");
    });

    it("depends on the published contract only, never on this repository's source", () => {
        const imports = importsOf();
        assert.deepEqual(
            [...new Set(imports)].sort(),
            ["./estate-outputs", "@pulumi/pulumi"],
            "the consumer imports only the SDK and its generated contract types",
        );
        assert.match(read("index.ts"), /\.requireOutput\(/);
        assert.doesNotMatch(read("index.ts"), /\.getOutput\(/);
    });

    it("its contract types are generated from docs/outputs.schema.json (regenerate with npm run gen)", () => {
        const schema = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "docs", "outputs.schema.json"), "utf8"));
        assert.equal(
            fs.readFileSync(path.join(PROJECT_ROOT, CONSUMER_OUTPUT_TYPES), "utf8"),
            renderOutputTypes(schema, "docs/outputs.schema.json"),
        );
        // A construct the generator cannot express is refused rather than typed loosely.
        assert.throws(
            () => renderOutputTypes({ ...schema, properties: { x: { anyOf: [] } } }, "x"),
            /outputs\.x: JSON Schema keyword "anyOf" is not supported/,
        );
    });

    it("is a project of its own: Pulumi.yaml, package.json with its lockfile, and a tsconfig that compiles it", () => {
        assert.equal(project.runtime, "nodejs");
        assert.equal(project.config["estateStack"]?.type, "string");
        const pkg = JSON.parse(read("package.json"));
        const lock = JSON.parse(read("package-lock.json"));
        assert.equal(pkg.main, "index.ts");
        assert.deepEqual(lock.packages[""].dependencies, pkg.dependencies, "run npm install in examples/consumer");
        assert.deepEqual(lock.packages[""].devDependencies, pkg.devDependencies);
        const rootLock = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package-lock.json"), "utf8"));
        for (const [name, version] of Object.entries<string>({ ...pkg.dependencies, ...pkg.devDependencies })) {
            assert.equal(lock.packages[`node_modules/${name}`].version, version, `${name} in its lockfile`);
            // The test runs it on the repository's install, so the versions must be the same.
            assert.equal(rootLock.packages[`node_modules/${name}`].version, version, `${name} in the root lockfile`);
        }
        const tsconfig = JSON.parse(read("tsconfig.json"));
        assert.equal(tsconfig.extends, undefined);
        const tsc = path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");
        const result = spawnSync(process.execPath, [tsc, "-p", path.join(DIR, "tsconfig.json"), "--noEmit"], {
            encoding: "utf8",
        });
        assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    });
});
