/**
 * Validation against the vendored upstream schemas (vendor/README.md): custom resources against
 * their CRD's `openAPIV3Schema`, Helm values against the chart's `values.schema.json` or, where a
 * chart ships none, against the keys of its default values. Unknown fields are errors.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";

/** The vendored CRD files (vendor/README.md has their repository, tag and commit); every CRD version in them is used. */
export const CRD_FILES: readonly string[] = [
    "vendor/cloudnative-pg/postgresql.cnpg.io_clusters.yaml",
    "vendor/cloudnative-pg/postgresql.cnpg.io_scheduledbackups.yaml",
    "vendor/cloudnative-pg/postgresql.cnpg.io_poolers.yaml",
    "vendor/plugin-barman-cloud/barmancloud.cnpg.io_objectstores.yaml",
    "vendor/external-secrets/external-secrets.io_externalsecrets.yaml",
    "vendor/external-secrets/external-secrets.io_secretstores.yaml",
    "vendor/keda/keda.sh_scaledobjects.yaml",
    "vendor/kube-prometheus-stack/crd-servicemonitors.yaml",
    "vendor/kube-prometheus-stack/crd-podmonitors.yaml",
    "vendor/kube-prometheus-stack/crd-probes.yaml",
    "vendor/kube-prometheus-stack/crd-prometheusrules.yaml",
    "vendor/kube-prometheus-stack/crd-alertmanagerconfigs.yaml",
];

/** Per chart: its vendored default values and, where the chart ships one, its values schema. */
export const CHART_FILES: Readonly<Record<string, { values: string; schema?: string }>> = {
    "cloudnative-pg": {
        values: "vendor/cloudnative-pg-chart/values.yaml",
        schema: "vendor/cloudnative-pg-chart/values.schema.json",
    },
    "plugin-barman-cloud": {
        values: "vendor/plugin-barman-cloud-chart/values.yaml",
        schema: "vendor/plugin-barman-cloud-chart/values.schema.json",
    },
    "kube-prometheus-stack": { values: "vendor/kube-prometheus-stack/values.yaml" },
    "prometheus-pushgateway": { values: "vendor/prometheus-pushgateway/values.yaml" },
    "prometheus-blackbox-exporter": { values: "vendor/prometheus-blackbox-exporter/values.yaml" },
};

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
        pattern.includes("(?i)") ? new RegExp(pattern.replaceAll("(?i)", ""), `${flags}i`) : new RegExp(pattern, flags),
    { code: "new RegExp" },
);
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { regExp: goRegExp } });
const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");

interface Crd {
    kind?: string;
    spec?: {
        group: string;
        names: { kind: string };
        versions: Array<{ name: string; schema?: { openAPIV3Schema?: Schema } }>;
    };
}

let crdSchemas: Map<string, Schema> | undefined;
/** `<group>/<version>/<Kind>` → the version's openAPIV3Schema, from every vendored CRD file. */
function crdIndex(): Map<string, Schema> {
    if (!crdSchemas) {
        crdSchemas = new Map();
        for (const file of CRD_FILES) {
            for (const doc of parseAllDocuments(read(file))) {
                const crd = doc.toJS() as Crd | null;
                if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
                for (const v of crd.spec.versions)
                    crdSchemas.set(
                        `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`,
                        v.schema?.openAPIV3Schema ?? {},
                    );
            }
        }
    }
    return crdSchemas;
}

const compiled = new Map<string, ValidateFunction>();
function compile(key: string, schema: () => unknown, freeEmptyObjects: boolean): ValidateFunction {
    if (!compiled.has(key)) compiled.set(key, ajv.compile(strictSchema(schema(), freeEmptyObjects) as Schema));
    return compiled.get(key)!;
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
    const key = `${String(object["apiVersion"])}/${String(object["kind"])}`;
    const schema = crdIndex().get(key);
    if (!schema) return undefined;
    // metadata is the API server's ObjectMeta, not part of the CRD's schema: only its shape is checked.
    const validate = compile(
        `crd:${key}`,
        () => ({ ...schema, properties: { ...(schema["properties"] as Schema), metadata: { type: "object" } } }),
        false,
    );
    return validate({ ...object, metadata: {} }) ? [] : messages(validate);
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
 * Validates a Helm release's values: against the chart's `values.schema.json` (merged with the
 * defaults, as Helm does) when it ships one, and against the keys of its default values always.
 * Undefined when nothing is vendored for the chart; which version is vendored is the test's to check.
 */
export function validateHelmValues(chart: string, values: unknown): string[] | undefined {
    const files = CHART_FILES[chart];
    if (!files) return undefined;
    const defaults: unknown = parseAllDocuments(read(files.values))[0]?.toJS() ?? {};
    const errors = unknownKeys(defaults, values ?? {});
    if (files.schema) {
        const validate = compile(`chart:${chart}`, () => JSON.parse(read(files.schema!)), true);
        if (!validate(coalesceValues(defaults, values ?? {}))) errors.push(...messages(validate));
    }
    return errors;
}
