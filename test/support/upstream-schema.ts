/**
 * Validation against the vendored upstream schemas (vendor/README.md): custom resources against
 * their CRD's `openAPIV3Schema`, Helm values against the chart's `values.schema.json` or, where a
 * chart ships none, against the keys of its default values. Unknown fields are errors.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";
import { chartFiles, crdSchemaPath } from "../../tools/vendor/sources";

type Schema = Record<string, unknown>;

/**
 * A structural CRD schema as the API server applies it, in JSON Schema: fields a schema does not
 * declare are pruned silently by the API server (so here they fail), unless
 * `x-kubernetes-preserve-unknown-fields`; `x-kubernetes-int-or-string` takes either; `nullable` takes null.
 * With `freeEmptyObjects` an object without `properties` takes anything (chart schemas mean "a map").
 */
export function strictSchema(schema: unknown, freeEmptyObjects: boolean): unknown {
    if (Array.isArray(schema)) return schema.map((s) => strictSchema(s, freeEmptyObjects));
    if (!schema || typeof schema !== "object") return schema;
    const s = schema as Schema;
    const out: Schema = {};
    for (const [key, value] of Object.entries(s)) {
        if (key === "properties" || key === "patternProperties" || key === "definitions" || key === "$defs") {
            out[key] = Object.fromEntries(
                Object.entries(value as Schema).map(([k, v]) => [k, strictSchema(v, freeEmptyObjects)]),
            );
        } else if (["items", "additionalProperties", "not", "anyOf", "oneOf", "allOf"].includes(key)) {
            out[key] = typeof value === "boolean" ? value : strictSchema(value, freeEmptyObjects);
        } else if (key !== "$schema" && key !== "format") {
            out[key] = value;
        }
    }
    if (s["x-kubernetes-int-or-string"] === true) {
        delete out["type"];
        out["anyOf"] = [{ type: "integer" }, { type: "string" }];
    }
    if (s["nullable"] === true && typeof out["type"] === "string") out["type"] = [out["type"], "null"];
    if (s["x-kubernetes-embedded-resource"] === true) {
        out["properties"] = {
            apiVersion: { type: "string" },
            kind: { type: "string" },
            metadata: { type: "object" },
            ...(out["properties"] as Schema | undefined),
        };
    }
    const isObject = out["type"] === "object" || (Array.isArray(out["type"]) && out["type"].includes("object"));
    const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
    const open = "additionalProperties" in s || "patternProperties" in s;
    const declared = "properties" in out;
    if (isObject && !preserve && !open && (declared || !freeEmptyObjects)) out["additionalProperties"] = false;
    return out;
}

/** CRD patterns are Go (RE2) expressions: its inline `(?i)` becomes JavaScript's `i` flag (for the whole pattern). */
const goRegExp = Object.assign(
    (pattern: string, flags: string) =>
        pattern.includes("(?i)")
            ? new RegExp(pattern.replaceAll("(?i)", ""), `${flags}i`)
            : new RegExp(pattern, flags),
    { code: "new RegExp" },
);
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { regExp: goRegExp } });
const compiled = new Map<string, ValidateFunction | undefined>();

function load(file: string, freeEmptyObjects: boolean, wrap: (s: unknown) => unknown = (s) => s) {
    if (!compiled.has(file)) {
        const full = path.join(PROJECT_ROOT, file);
        compiled.set(
            file,
            fs.existsSync(full)
                ? ajv.compile(strictSchema(wrap(JSON.parse(fs.readFileSync(full, "utf8"))), freeEmptyObjects) as Schema)
                : undefined,
        );
    }
    return compiled.get(file);
}

function messages(validate: ValidateFunction): string[] {
    return (validate.errors ?? []).map((e) =>
        e.keyword === "additionalProperties"
            ? `${e.instancePath || "/"}: unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`
            : `${e.instancePath || "/"}: ${e.message}`,
    );
}

/**
 * Validates a custom resource against its vendored CRD schema: the errors, or undefined when no
 * schema is vendored for its apiVersion and kind. The API server fills `metadata` itself, so only
 * its shape is checked here.
 */
export function validateCustomResource(object: Record<string, unknown>): string[] | undefined {
    const [group, version] = String(object["apiVersion"]).split("/") as [string, string];
    const file = crdSchemaPath(group, version, String(object["kind"]));
    const validate = load(file, false, (schema) => {
        const s = schema as Schema;
        const properties = { ...(s["properties"] as Schema), metadata: { type: "object" } };
        return { ...s, properties };
    });
    if (!validate) return undefined;
    // metadata is the API server's ObjectMeta, not part of the CRD's schema.
    const withoutMetadata = { ...object, metadata: {} };
    return validate(withoutMetadata) ? [] : messages(validate);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return !!value && typeof value === "object" && !Array.isArray(value);
}

/** Helm's coalescing of user values over the chart's defaults: maps merge, anything else replaces, null removes. */
export function coalesceValues(defaults: unknown, values: unknown): unknown {
    if (!isPlainObject(defaults) || !isPlainObject(values)) return values === undefined ? defaults : values;
    const out: Record<string, unknown> = { ...defaults };
    for (const [key, value] of Object.entries(values)) {
        if (value === null) delete out[key];
        else out[key] = coalesceValues(defaults[key], value);
    }
    return out;
}

/** Keys of the user's values that the chart's defaults do not know, below maps the defaults spell out. */
function unknownKeys(defaults: unknown, values: unknown, at = ""): string[] {
    if (!isPlainObject(values) || !isPlainObject(defaults) || Object.keys(defaults).length === 0) return [];
    return Object.entries(values).flatMap(([key, value]) =>
        key in defaults
            ? unknownKeys(defaults[key], value, `${at}/${key}`)
            : [`${at || "/"}: unknown field "${key}" (not in the chart's values.yaml)`],
    );
}

/**
 * Validates a Helm release's values for a chart version: against `values.schema.json` (merged with
 * the defaults, as Helm does) when the chart ships one, and against the keys of the defaults always.
 * Undefined when nothing is vendored for the chart version.
 */
export function validateHelmValues(chart: string, version: string, values: unknown): string[] | undefined {
    const files = chartFiles(chart, version);
    const defaultsFile = path.join(PROJECT_ROOT, files.defaults);
    if (!fs.existsSync(defaultsFile)) return undefined;
    const defaults: unknown = JSON.parse(fs.readFileSync(defaultsFile, "utf8"));
    const errors = unknownKeys(defaults, values ?? {});
    const validate = load(files.schema, true);
    if (validate && !validate(coalesceValues(defaults, values ?? {}))) errors.push(...messages(validate));
    return errors;
}
