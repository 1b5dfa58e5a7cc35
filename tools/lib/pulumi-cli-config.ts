/**
 * What the Pulumi CLI checks in `Pulumi.yaml` and `Pulumi.<stack>.yaml` before it starts the program
 * (`pulumi preview` / `up`), ported from pulumi/pulumi so that the offline plan refuses what the CLI
 * refuses, in the CLI's words. Each function names the upstream file and function it follows.
 * Pure: no file access, no Pulumi runtime.
 */
import {
    ciphertextError,
    SECRETS_MANAGER_NAMES,
    secretsManagerOf,
    type StackSecretsSettings,
} from "./pulumi-cli-secrets";

/** A config value as the CLI holds it (pulumi/pulumi sdk/go/common/resource/config/value.go `Value`). */
export interface CliConfigValue {
    /** Plain text of a scalar, the ciphertext of a secure scalar, or JSON of an object or array. */
    readonly text: string;
    readonly secure: boolean;
    readonly object: boolean;
}

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

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Port of `RewriteShorthandConfigValues` (sdk/go/common/workspace/project.go): a bare value under
 * `config:` is a `default` for a project key and a `value` for another namespace's key.
 */
export function projectConfigOf(project: { name?: unknown; config?: unknown }): ProjectConfig {
    const name = String(project.name ?? "");
    const config: Record<string, ProjectConfigType> = {};
    for (const [key, raw] of Object.entries(isPlainObject(project.config) ? project.config : {})) {
        if (isPlainObject(raw)) config[key] = raw as ProjectConfigType;
        else config[key] = isNamespacedByProject(name, key) ? { default: raw } : { value: raw };
    }
    return { name, config };
}

/** Port of `configKeyIsNamespacedByProject` (sdk/go/common/workspace/project.go). */
function isNamespacedByProject(projectName: string, key: string): boolean {
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

/**
 * Port of `unmarshalObject` + `(object).MarshalString` (sdk/go/common/resource/config/object.go):
 * scalars become text (numbers and booleans in their JSON form), `{ secure: "<ciphertext>" }` a
 * secure scalar, arrays and maps an object holding JSON, secure when anything inside is.
 */
export function cliConfigValue(raw: unknown): CliConfigValue {
    if (typeof raw === "string") return { text: raw, secure: false, object: false };
    if (typeof raw === "number" || typeof raw === "boolean")
        return { text: JSON.stringify(raw), secure: false, object: false };
    const secure = secureCiphertext(raw);
    if (secure !== undefined) return { text: secure, secure: true, object: false };
    return { text: JSON.stringify(raw ?? null), secure: ciphertextsIn(raw).length > 0, object: true };
}

/** Port of `isSecureValue` (sdk/go/common/resource/config/object.go): a one-key map `{ secure: <string> }`. */
function secureCiphertext(raw: unknown): string | undefined {
    if (!isPlainObject(raw)) return undefined;
    const keys = Object.keys(raw);
    return keys.length === 1 && keys[0] === "secure" && typeof raw["secure"] === "string" ? raw["secure"] : undefined;
}

/** Every ciphertext in a raw stack value, nested ones included (what `collectCiphertextSecrets` batches). */
export function ciphertextsIn(raw: unknown): string[] {
    const secure = secureCiphertext(raw);
    if (secure !== undefined) return [secure];
    if (Array.isArray(raw)) return raw.flatMap(ciphertextsIn);
    if (isPlainObject(raw)) return Object.values(raw).flatMap(ciphertextsIn);
    return [];
}

/**
 * Port of `createConfigValue` (pkg/workspace/config.go): how a Pulumi.yaml `default:` reaches the
 * stack config, and through it the program: string, int and bool as text, anything else as JSON.
 */
export function configValueFromDefault(value: unknown): CliConfigValue {
    const primitive =
        typeof value === "string" ||
        typeof value === "boolean" ||
        (typeof value === "number" && Number.isInteger(value));
    return primitive
        ? { text: String(value), secure: false, object: false }
        : { text: JSON.stringify(value), secure: false, object: true };
}

/**
 * Port of `ParseKey` (sdk/go/common/resource/config/key.go): `<namespace>:<name>`, or the old
 * `<namespace>:config:<name>`. Returns the normalised key, or the CLI's error.
 */
export function parseConfigKey(key: string): { key: string } | { error: string } {
    const parts = key.split(":");
    if (parts.length === 2) return { key };
    if (parts.length === 3 && parts[1] === "config") return { key: `${parts[0]}:${parts[2]}` };
    return {
        error: `could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`,
    };
}

/** Port of `formatMissingKeys` (pkg/workspace/config.go). */
export function formatMissingKeys(keys: readonly string[]): string {
    if (keys.length === 1) return `'${keys[0]}'`;
    const sorted = [...keys].sort();
    return sorted
        .map((k, i) => (i === sorted.length - 1 ? `and '${k}'` : i === sorted.length - 2 ? `'${k}' ` : `'${k}', `))
        .join("");
}

/** Port of `missingStackConfigurationKeysError` (pkg/workspace/config.go). */
export function missingKeysMessage(stackName: string, keys: readonly string[]): string {
    return `Stack '${stackName}' is missing configuration ${keys.length > 1 ? "values" : "value"} ${formatMissingKeys(keys)}`;
}

const TYPE_HINTS: Readonly<Record<string, string>> = {
    string: "a string (quote a value YAML would read as a list or map)",
    integer: "a whole number",
    boolean: "true or false",
    array: "a YAML list (each item of the declared items type)",
    object: "a YAML map",
};

/** A stack file as the CLI reads it: `config:` plus the secrets-manager settings. */
export interface StackFile extends StackSecretsSettings {
    readonly config?: Readonly<Record<string, unknown>>;
    /** Pulumi ESC environments the stack imports; their values are not visible offline. */
    readonly environment?: unknown;
}

export interface StackConfigCheck {
    /** Stack values with the project's defaults merged in, as the CLI hands them to the program. */
    readonly config: Record<string, CliConfigValue>;
    readonly problems: CliConfigProblem[];
}

/**
 * Port of `mergeConfig` with validation on (pkg/workspace/config.go, reached through
 * `ValidateStackConfigAndApplyProjectConfig` from `pulumi preview` / `up`), after the project's own
 * `Validate`. In the CLI's order: Pulumi.yaml declarations, then every missing key in one message,
 * then decryption of every secure value, then each declared key's type, sorted. The CLI stops at the
 * first failing step and, within the last one, the first key; all problems are listed here at once.
 * ESC environments are not merged: they cannot be read offline.
 */
export function checkStackConfig(
    stackName: string,
    project: ProjectConfig,
    stack: StackFile,
    files: { project: string; stack: string },
): StackConfigCheck {
    const problems: CliConfigProblem[] = [...validateProjectConfig(project)];
    const config: Record<string, CliConfigValue> = {};
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(stack.config ?? {})) {
        // Port of `stackConfigNamespacedWithProject` (sdk/go/common/workspace/loaders.go): a bare key is the project's.
        const parsed = parseConfigKey(key.includes(":") ? key : `${project.name}:${key}`);
        if ("error" in parsed) {
            problems.push({
                message: `could not unmarshal '${files.stack}': ${parsed.error}`,
                fix: `name it \`${project.name}:<key>\` in ${files.stack}.`,
            });
            continue;
        }
        raw[parsed.key] = value;
        config[parsed.key] = cliConfigValue(value);
    }

    const declared = Object.keys(project.config).sort();
    const fullKey = (k: string) => (k.includes(":") ? k : `${project.name}:${k}`);
    const missing: string[] = [];
    for (const key of declared) {
        const t = project.config[key]!;
        const full = fullKey(key);
        if (config[full] !== undefined) continue;
        const fallback = t.default ?? t.value;
        if (fallback === undefined) {
            if (full.split(":")[0] === project.name) missing.push(key);
            continue;
        }
        config[full] = configValueFromDefault(fallback);
    }
    if (missing.length > 0)
        problems.push({
            message: `validating stack config: ${missingKeysMessage(stackName, missing)}`,
            fix: `set each in ${files.stack} (\`pulumi config set ${project.name}:<key> <value> --stack ${stackName}\`), or give it a default in the schema so ${files.project} declares one.`,
        });

    const kind = secretsManagerOf(stack);
    for (const [key, value] of Object.entries(raw)) {
        for (const ciphertext of ciphertextsIn(value)) {
            const error = ciphertextError(kind, ciphertext);
            if (error === undefined) continue;
            problems.push({
                message: `validating stack config: ${error} (${key} in ${files.stack} is not ciphertext of ${SECRETS_MANAGER_NAMES[kind]})`,
                fix: `\`pulumi config set --secret ${key} --stack <org>/${stackName}\` with the Pulumi CLI, then commit ${files.stack}; never hand-write a \`secure:\` value.`,
            });
        }
    }

    for (const key of declared) {
        const t = project.config[key]!;
        const value = config[fullKey(key)];
        if (t.type === undefined || value === undefined || !isNamespacedByProject(project.name, key)) continue;
        // Port of `validateStackConfigValue` (pkg/workspace/config.go).
        if (t.secret === true && !value.secure) {
            problems.push({
                message: `validating stack config: Stack '${stackName}' with configuration key '${key}' must be encrypted as it's secret`,
                fix: `\`pulumi config set --secret ${fullKey(key)} --stack <org>/${stackName}\`.`,
            });
            continue;
        }
        // A secure value is type-checked after decryption, which needs the key: not checked offline.
        if (value.secure) continue;
        const content: unknown = value.object ? JSON.parse(value.text) : value.text;
        if (!validateConfigValue(t.type, t.items, content))
            problems.push({
                message: `validating stack config: Stack '${stackName}' with configuration key '${key}' must be of type '${inferFullTypeName(t.type, t.items)}'`,
                fix: `give ${fullKey(key)} ${TYPE_HINTS[t.type] ?? `a value of type ${inferFullTypeName(t.type, t.items)}`} in ${files.stack}.`,
            });
    }
    return { config, problems };
}

/** The refusal as `npm run plan` prints it: each problem as the CLI words it (`error: …`), then the fix. */
export function formatCliConfigProblems(stackName: string, problems: readonly CliConfigProblem[]): string {
    return [
        `the Pulumi CLI would refuse stack '${stackName}' before running the program:`,
        ...problems.map((p) => `  error: ${p.message}\n    Fix: ${p.fix}`),
    ].join("\n");
}
