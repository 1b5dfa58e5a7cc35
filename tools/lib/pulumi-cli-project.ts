// Pulumi.yaml's config declarations as the Pulumi CLI validates them on load, ported from
// pulumi/pulumi sdk/go/common/workspace/project.go. Pure.
import { isPlainObject } from "./pulumi-cli-values";

/** `type` / `items` of a config declaration (sdk/go/common/workspace/project.go `ProjectConfigItemsType`). */
export interface ProjectConfigItemsType {
    readonly type: string;
    readonly items?: ProjectConfigItemsType;
}

/** One entry under `config:` in Pulumi.yaml (sdk/go/common/workspace/project.go `ProjectConfigType`). */
export interface ProjectConfigType {
    readonly type?: string;
    readonly description?: string;
    readonly items?: ProjectConfigItemsType;
    readonly default?: unknown;
    readonly value?: unknown;
    readonly secret?: boolean;
}

export interface ProjectConfig {
    readonly name: string;
    readonly config: Readonly<Record<string, ProjectConfigType>>;
}

/** A refusal: the CLI's own message, and how to fix it in this project. */
export interface CliConfigProblem {
    readonly message: string;
    readonly fix: string;
}

/** Port of `configKeyIsNamespacedByProject` (sdk/go/common/workspace/project.go). */
export function isNamespacedByProject(projectName: string, key: string): boolean {
    return !key.includes(":") || key.startsWith(`${projectName}:`);
}

/** Port of `InferFullTypeName` (sdk/go/common/workspace/project.go). */
export function inferFullTypeName(typeName: string, items?: ProjectConfigItemsType): string {
    return items ? `array<${inferFullTypeName(items.type, items.items)}>` : typeName;
}

/** Port of Go's `strconv.Atoi` on a 64-bit platform: optional sign, decimal digits, int64 range. */
function goAtoiAccepts(text: string): boolean {
    if (!/^[+-]?\d+$/.test(text)) return false;
    const n = BigInt(text);
    return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/**
 * Port of `ValidateConfigValue` (sdk/go/common/workspace/project.go). `value` is what Go decoded: a
 * string for a stack scalar, JSON-decoded data for an object, YAML-decoded data for a `default:`.
 * Go's YAML and JSON decoders yield int or float64 for numbers; a JS number stands for either.
 */
export function validateConfigValue(
    typeName: string,
    items: ProjectConfigItemsType | undefined,
    value: unknown,
): boolean {
    switch (typeName) {
        case "string":
            return typeof value === "string";
        case "integer":
            // int, a whole float64, or a string that strconv.Atoi parses.
            if (typeof value === "number") return Number.isInteger(value);
            return typeof value === "string" && goAtoiAccepts(value);
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object":
            return isPlainObject(value);
    }
    if (!Array.isArray(value) || items === undefined) return false;
    return value.every((item) => validateConfigValue(items.type, items.items, item));
}

/**
 * Port of `(*Project).Validate` (sdk/go/common/workspace/project.go), the config part: run when
 * Pulumi.yaml is loaded, so a bad declaration stops every command. Messages are the CLI's
 * (`could not unmarshal 'Pulumi.yaml': …`, from sdk/go/common/workspace/loaders.go `LoadProjectBytes`).
 */
export function validateProjectConfig(project: ProjectConfig): CliConfigProblem[] {
    const problems: string[] = [];
    for (const [key, declaration] of Object.entries(project.config)) {
        // A YAML null is Go's nil: no default, no value.
        const t = { ...declaration, default: declaration.default ?? undefined, value: declaration.value ?? undefined };
        if (t.default !== undefined && t.value !== undefined) {
            problems.push(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
            continue;
        }
        if (isNamespacedByProject(project.name, key)) {
            if (t.type === "array" && t.items === undefined)
                problems.push(
                    `The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`,
                );
            else if (
                t.type !== undefined &&
                t.default !== undefined &&
                !validateConfigValue(t.type, t.items, t.default)
            )
                problems.push(
                    `The default value specified for configuration key '${key}' is not of the expected type '${inferFullTypeName(t.type, t.items)}'`,
                );
        } else if (t.type !== undefined) {
            problems.push(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
        } else if (t.default !== undefined) {
            problems.push(
                `Configuration key '${key}' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?`,
            );
        } else if (t.value === undefined) {
            problems.push(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
        }
    }
    return problems.map((p) => ({
        message: `could not unmarshal 'Pulumi.yaml': ${p}`,
        fix: "Pulumi.yaml is generated from stacks/config-schema.ts: fix the schema, then `npm run gen`.",
    }));
}
