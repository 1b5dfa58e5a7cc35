import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import Ajv2020 from "ajv/dist/2020";
import {
    outputsJsonSchema,
    parseEstateOutputs,
    parseOutputSection,
    secretNamePaths,
    OUTPUTS_CONTRACT_VERSION,
} from "../../stacks/outputs";
import { PROJECT_ROOT, SECRET_SIG, SECRET_VALUE, unwrapSecrets, type ProgramCapture } from "../../tools/lib/mock-run";
import { plan, platforms, stacks, outputsOf } from "../support/program";

/** Every value the program handles as a secret: wire-form secrets anywhere in the declared inputs. */
/**
 * Connection settings kept in the secret store for the services' env, which the contract also
 * exports on purpose under `data` (hosts, database and user names): not credentials.
 */
const PUBLISHED_SETTING_IDS = ["db-host", "db-port", "db-name", "db-user", "neo4j-uri", "neo4j-user"];

function secretValues(capture: ProgramCapture): Set<string> {
    const collectFrom = (resources: readonly ProgramCapture["resources"][number][]) => {
        const found = new Set<string>();
        const collect = (value: unknown, inSecret: boolean) => {
            if (typeof value === "string" && inSecret && value.length >= 6) found.add(value);
            else if (Array.isArray(value)) value.forEach((v) => collect(v, inSecret));
            else if (value && typeof value === "object") {
                const record = value as Record<string, unknown>;
                if (record[SECRET_SIG] === SECRET_VALUE) collect(record["value"], true);
                else Object.values(record).forEach((v) => collect(v, inSecret));
            }
        };
        for (const r of resources) collect(r.inputs, false);
        return found;
    };
    // The store's entry for a setting: `app-secrets-<id>` (Key Vault) or `app-secrets-<id>-version` (Secret Manager).
    const settings = collectFrom(
        capture.resources.filter((r) =>
            PUBLISHED_SETTING_IDS.some(
                (id) => r.name === `app-secrets-${id}` || r.name === `app-secrets-${id}-version`,
            ),
        ),
    );
    assert.ok(settings.size > 0, "the published connection settings are found in the store");
    return new Set([...collectFrom(capture.resources)].filter((value) => !settings.has(value)));
}

/** Paths of values exported as Pulumi secrets (wire-wrapped) rather than plain values. */
function secretOutputPaths(value: unknown, at = ""): string[] {
    if (Array.isArray(value)) return value.flatMap((v, i) => secretOutputPaths(v, `${at}[${i}]`));
    if (!value || typeof value !== "object") return [];
    const record = value as Record<string, unknown>;
    if (record[SECRET_SIG] === SECRET_VALUE) return [at];
    return Object.entries(record).flatMap(([k, v]) => secretOutputPaths(v, at ? `${at}.${k}` : k));
}

/** Keys and leaf types, arrays by the set of their element shapes: what a consumer's code depends on. */
/** Which stores each platform backs up itself differs (Azure Cache keeps its own RDB), so the job names in `backups.schedules` may too. */
function comparable(outputs: unknown): unknown {
    const o = outputs as { backups?: { schedules?: Record<string, string> } };
    return o.backups
        ? { ...o, backups: { ...o.backups, schedules: { "<job>": Object.values(o.backups.schedules ?? {})[0] } } }
        : o;
}

function shape(value: unknown): unknown {
    if (Array.isArray(value)) return { array: [...new Set(value.map((v) => JSON.stringify(shape(v))))].sort() };
    if (value && typeof value === "object")
        return Object.fromEntries(
            Object.entries(value)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([k, v]) => [k, shape(v)]),
        );
    return typeof value;
}

/** The offline stand-ins for secret values (tools/lib/mock-run.ts placeholderSecret, tools/lib/mock-outputs.ts). */
const PLACEHOLDER_MARKERS = [
    "offline-placeholder-not-a-secret",
    "offline-generated-not-a-secret",
    "offline-shared-key-not-a-secret",
];

const captures = new Map<string, ProgramCapture>();

describe("stack outputs contract", () => {
    before(async () => {
        for (const stack of stacks)
            for (const platform of platforms) captures.set(`${stack}/${platform}`, await plan(stack, { platform }));
    });

    for (const stack of stacks) {
        for (const platform of platforms) {
            describe(`${stack} on ${platform}`, () => {
                it("exports exactly the contract: strict parse, no missing or extra key", () => {
                    const capture = captures.get(`${stack}/${platform}`)!;
                    const outputs = parseEstateOutputs(capture.outputs, { strict: true });
                    assert.equal(outputs.contractVersion, OUTPUTS_CONTRACT_VERSION);
                    assert.equal(outputs.platform, platform);
                    assert.equal(outputs.environment, stack);
                    assert.deepEqual(Object.keys(outputs.services).sort(), ["api", "gateway", "ui", "worker"]);
                    assert.equal(outputs.services.worker?.url, undefined, "the worker is internal");
                    assert.match(outputs.services.api.image, /^ghcr\.io\/acme\/estate-api:[0-9a-f]{7,40}$/);
                    assert.notEqual(outputs.services.api.image, outputs.services.api.previousImage);
                });

                it("passes the generated JSON Schema too (docs/outputs.schema.json)", () => {
                    const capture = captures.get(`${stack}/${platform}`)!;
                    const validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(
                        outputsJsonSchema(),
                    );
                    assert.equal(validate(capture.outputs), true, JSON.stringify(validate.errors));
                    assert.equal(
                        validate({ ...capture.outputs, extra: 1 }),
                        false,
                        "the JSON Schema must refuse undeclared keys",
                    );
                });

                it("holds no secret value in plaintext and exports no secret output", () => {
                    const capture = captures.get(`${stack}/${platform}`)!;
                    const secrets = secretValues(capture);
                    assert.ok(
                        secrets.size >= 8,
                        `expected the generated and configured secrets among the inputs, found ${secrets.size}`,
                    );
                    assert.deepEqual(
                        secretOutputPaths(capture.outputs),
                        [],
                        "export a secret's name in the store, never the secret itself",
                    );
                    const exported = JSON.stringify(unwrapSecrets(capture.outputs));
                    for (const value of secrets)
                        assert.ok(
                            !exported.includes(value),
                            `a secret value appears in the stack outputs (${value.slice(0, 4)}…)`,
                        );
                    for (const marker of PLACEHOLDER_MARKERS)
                        assert.ok(!exported.includes(marker), `the stack outputs contain ${marker}`);
                });
            });
        }
    }

    for (const stack of stacks) {
        it(`${stack}: same shape on kubernetes and azure`, () => {
            assert.deepEqual(
                shape(comparable(captures.get(`${stack}/azure`)!.outputs)),
                shape(comparable(captures.get(`${stack}/kubernetes`)!.outputs)),
            );
        });
    }

    it("refuses an undeclared key and a missing key, naming the path", () => {
        const outputs = captures.get("prod/kubernetes")!.outputs as Record<string, unknown>;
        assert.throws(
            () => parseEstateOutputs({ ...outputs, databasePassword: "x" }, { strict: true }),
            /Undeclared key\n  → at databasePassword$/,
        );
        const services = outputs["services"] as Record<string, Record<string, unknown>>;
        const nested = {
            ...outputs,
            services: { ...services, ui: { ...services["ui"], adminUrl: "https://x.example" } },
        };
        assert.throws(
            () => parseEstateOutputs(nested, { strict: true }),
            /Undeclared key\n  → at services\.ui\.adminUrl$/,
        );
        assert.equal(
            "adminUrl" in parseEstateOutputs(nested).services.ui!,
            false,
            "lenient parsing (consumers) drops keys added later",
        );
        const { secretNames: _dropped, ...missing } = outputs;
        assert.throws(() => parseEstateOutputs(missing), /expected record, received undefined\n  → at secretNames/);
        assert.throws(
            () =>
                parseEstateOutputs({
                    ...outputs,
                    services: { ...services, api: { ...services["api"], url: "http://api.example.com" } },
                }),
            /must be an https:\/\/ URL\n  → at services\.api\.url/,
        );
        assert.throws(
            () => parseEstateOutputs({ ...outputs, contractVersion: "2" }),
            /expected "1"\n  → at contractVersion/,
        );
    });

    it("consumers parse one section leniently, with errors that name the full path", () => {
        const outputs = outputsOf(captures.get("prod/azure")!);
        const api = { ...outputs["services"].api, image: undefined, imageRef: outputs["services"].api.image };
        assert.throws(
            () => parseOutputSection("services", { ...outputs["services"], api }),
            /^Error: stack output `services` does not match contract v1:\n✖ Invalid input: expected string, received undefined\n  → at services\.api\.image$/,
        );
        const later = parseOutputSection("services", {
            ...outputs["services"],
            api: { ...outputs["services"].api, canaryUrl: "https://c.example" },
        });
        assert.equal("canaryUrl" in later.api, false);
        assert.equal(later.api.url, "https://api.offline-env.westeurope.azurecontainerapps.io");
    });

    it("marks the secret-name fields in the schema, and they hold names of the store's secrets", () => {
        const paths = secretNamePaths();
        assert.deepEqual(paths, [
            "secretNames.*",
            "data.postgres.secretNames.*",
            "data.redis.secretNames.*",
            "data.neo4j.secretNames.*",
        ]);
        const outputs = captures.get("prod/kubernetes")!.outputs;
        const at = (value: unknown, parts: string[]): unknown[] => {
            if (parts.length === 0) return [value];
            const [head, ...rest] = parts;
            if (!value || typeof value !== "object") return [];
            return head === "*"
                ? Object.values(value).flatMap((v) => at(v, rest))
                : at((value as Record<string, unknown>)[head!], rest);
        };
        const storeNames = new Set(Object.values((outputs as { secretNames: Record<string, string> }).secretNames));
        assert.ok(
            [...storeNames].every((n) => /^projects\/acme-estate-prod\/secrets\/estate-prod-[a-z0-9-]+$/.test(n)),
            [...storeNames].join(", "),
        );
        for (const p of paths) {
            const names = at(outputs, p.split("."));
            assert.ok(names.length > 0, `${p} holds no value in the prod outputs`);
            for (const name of names)
                assert.ok(
                    storeNames.has(String(name)),
                    `${p}: ${String(name)} is not a secret the estate's store exports in secretNames`,
                );
        }
    });

    it("docs/outputs.schema.json is generated from the schema (regenerate with npm run gen)", () => {
        const file = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "outputs.schema.json"), "utf8");
        assert.equal(file, `${JSON.stringify(outputsJsonSchema(), null, 2)}\n`);
    });
});
