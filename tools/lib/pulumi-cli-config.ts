/**
 * What the Pulumi CLI checks in `Pulumi.yaml` and `Pulumi.<stack>.yaml` before it starts the program
 * (`pulumi preview` / `up`), ported from pulumi/pulumi so that the offline plan refuses what the CLI
 * refuses, in the CLI's words. Each function names the upstream file and function it follows.
 * Pure: no file access, no Pulumi runtime. Pulumi.yaml's declarations are checked in
 * pulumi-cli-project.ts, values and keys read as in pulumi-cli-values.ts.
 */
import {
    type CliConfigProblem,
    inferFullTypeName,
    isNamespacedByProject,
    type ProjectConfig,
    type ProjectConfigType,
    validateConfigValue,
    validateProjectConfig,
} from "./pulumi-cli-project";
import {
    ciphertextError,
    SECRETS_MANAGER_NAMES,
    secretsManagerOf,
    type StackSecretsSettings,
} from "./pulumi-cli-secrets";
import {
    ciphertextsIn,
    cliConfigValue,
    type CliConfigValue,
    configValueFromDefault,
    isPlainObject,
    parseConfigKey,
} from "./pulumi-cli-values";

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
