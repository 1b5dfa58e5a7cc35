import { z } from "zod";
import { commonConfigShape, platformKey, platformSettingsShapes } from "./config-keys";

/**
 * Every `estate:*` key as Pulumi.yaml declares it and the README documents it, derived from the
 * config schema (common keys and each platform's settings); `npm run gen` writes both, and a test
 * fails when they drift.
 */

/** The JSON type a key's value has once parsed: what the stack file or `-c` string is turned into. */
export type ConfigValueType = "string" | "integer" | "number" | "boolean" | "array";
/** The types a Pulumi.yaml `config:` declaration can name (pulumi/pulumi sdk/go/common/workspace/project.go). */
export type PulumiConfigType = "string" | "integer" | "boolean" | "array";

/** One key of the schema, as Pulumi.yaml declares it and the README documents it. */
export interface ConfigKeyDeclaration {
    readonly key: string;
    /** The Pulumi.yaml type: Pulumi has no number type, so a key that accepts fractions is declared `string`. */
    readonly type: PulumiConfigType;
    readonly valueType: ConfigValueType;
    /** Type of the array's items, for `type: array`. */
    readonly items?: PulumiConfigType;
    readonly description: string;
    readonly secret: boolean;
    /** Required by the schema: no default, and the program refuses to run without it. */
    readonly required: boolean;
    /** When a key the schema calls optional is still needed to deploy (README secret setup). */
    readonly requiredWhen?: string;
    /** The zod default, in the Pulumi.yaml type (a number declared `string` gets its decimal string). */
    readonly default?: unknown;
    readonly allowed?: readonly string[];
    /**
     * Declared under `config:` in Pulumi.yaml. The CLI treats a declared key without a stack value or
     * `default:` as missing (pulumi/pulumi pkg/workspace/config.go mergeConfig) and has no "optional"
     * marker, so only keys with a default and required non-secret keys are declared. Secrets are never
     * declared: no committed value could satisfy the check before `pulumi config set --secret`.
     */
    readonly declared: boolean;
    /** How to obtain a value, where `pulumi config set` alone does not say. */
    readonly fix?: string;
}

interface JsonSchemaProperty {
    type?: string;
    description?: string;
    secret?: boolean;
    requiredWhen?: string;
    default?: unknown;
    enum?: string[];
    items?: { type?: string };
    fix?: string;
}

function pulumiType(jsonType: string | undefined): PulumiConfigType {
    if (jsonType === "integer" || jsonType === "boolean" || jsonType === "array") return jsonType;
    return "string";
}

type JsonSchemaObject = { properties: Record<string, JsonSchemaProperty>; required?: string[] };

function jsonSchemaOf(shape: Readonly<Record<string, z.ZodType>>): JsonSchemaObject {
    return z.toJSONSchema(z.strictObject(shape), { io: "input", unrepresentable: "any" }) as JsonSchemaObject;
}

/**
 * Every key as the stack files and `-c` give it: the common keys, then each platform's. A key
 * several platforms share (`secretStore`) is declared once, allowing each platform's values. A key
 * only a platform requires is not declared required: Pulumi.yaml holds every platform's keys.
 */
function wireProperties(): { properties: Record<string, JsonSchemaProperty>; required: Set<string> } {
    const common = jsonSchemaOf({ platform: platformKey, ...commonConfigShape });
    const properties: Record<string, JsonSchemaProperty> = { ...common.properties };
    for (const shape of Object.values(platformSettingsShapes)) {
        for (const [key, prop] of Object.entries(jsonSchemaOf(shape).properties)) {
            const known = properties[key];
            properties[key] =
                known?.enum && prop.enum
                    ? { ...known, enum: [...new Set([...known.enum, ...prop.enum])] }
                    : (known ?? prop);
        }
    }
    return { properties, required: new Set(common.required ?? []) };
}

export function configKeyDeclarations(): ConfigKeyDeclaration[] {
    const { properties, required } = wireProperties();
    return Object.entries(properties).map(([key, prop]) => {
        const valueType = (prop.type ?? "string") as ConfigValueType;
        const type = pulumiType(prop.type);
        const secret = prop.secret === true;
        const fallback =
            prop.default === undefined ? undefined : type === "string" ? String(prop.default) : prop.default;
        return {
            key,
            type,
            valueType,
            ...(type === "array" ? { items: pulumiType(prop.items?.type) } : {}),
            description: prop.description ?? "",
            secret,
            required: required.has(key),
            ...(prop.requiredWhen ? { requiredWhen: prop.requiredWhen } : {}),
            ...(fallback !== undefined ? { default: fallback } : {}),
            ...(prop.enum ? { allowed: prop.enum } : {}),
            declared: !secret && (fallback !== undefined || required.has(key)),
            ...(prop.fix ? { fix: prop.fix } : {}),
        };
    });
}
