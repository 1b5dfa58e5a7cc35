import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { configKeyDeclarations } from "./config-declarations";
import { safeParseConfig, type ParsedConfig, type Platform } from "./config-schema";
import { closestMatch } from "./suggest";

export const PROJECT = "estate";

export type { Platform };

/**
 * The typed, frozen stack configuration every component is built from: inferred from the config
 * schema's output, plus the stack it was read for. Narrow on `platform` to read its settings.
 */
export type EstateConfig = Readonly<{ project: string; stack: string }> & ParsedConfig;

export type ServiceConfig = EstateConfig["services"][number];

/** Where a config value came from: the stack file, or a `-c key=value` override on the command line. */
export type ConfigOrigin = "stack-file" | "override";

/** What a person should run to fix one problem; rendered for where the value came from. */
export type ConfigFix =
    | {
          readonly kind: "set";
          readonly key: string;
          readonly secret: boolean;
          readonly list: boolean;
          /** How to obtain the value, where `pulumi config set` alone does not say. */
          readonly how?: string;
      }
    | { readonly kind: "remove"; readonly key: string; readonly value: string; readonly suggestion?: string };

/** One invalid value: the key, what is wrong with it, and the fix. */
export interface ConfigProblem {
    readonly key: string;
    readonly statement: string;
    readonly fix: ConfigFix;
}

/**
 * The fix as a command. A list-typed key needs `--path` (`pulumi config set` stores a
 * top-level value as a string: pulumi/pulumi pkg/cmd/pulumi/config/config_set.go, documented
 * on the `pulumi config set` page); a `-c` value is fixed on the command line, not in the stack file.
 */
export function renderFix(fix: ConfigFix, stack: string, origin: ConfigOrigin): string {
    const command = renderFixCommand(fix, stack, origin);
    return fix.kind === "set" && fix.how ? `${command} To get the value, ${fix.how}.` : command;
}

function renderFixCommand(fix: ConfigFix, stack: string, origin: ConfigOrigin): string {
    const full = `${PROJECT}:${fix.key}`;
    if (fix.kind === "remove") {
        const target = fix.suggestion ? `${PROJECT}:${fix.suggestion}` : undefined;
        if (origin === "override")
            return target
                ? `Fix: pass \`-c ${target}=${fix.value}\` instead of \`-c ${full}=${fix.value}\`.`
                : `Fix: drop \`-c ${full}=${fix.value}\`.`;
        return `Fix: \`pulumi config rm ${full} --stack ${stack}\`${target ? ` and set ${target}` : ""}.`;
    }
    if (origin === "override") {
        if (fix.secret)
            return `Fix: a secret cannot be passed with -c; drop it and run \`pulumi config set --secret ${full} <value> --stack ${stack}\`.`;
        return fix.list ? `Fix: \`-c '${full}=["<value>", ...]'\` (a JSON list).` : `Fix: \`-c ${full}=<value>\`.`;
    }
    if (fix.list)
        return `Fix: \`pulumi config set --path '${full}[0]' <value> --stack ${stack}\`, one per item ([0], [1], …).`;
    return `Fix: \`pulumi config set ${fix.secret ? "--secret " : ""}${full} <value> --stack ${stack}\`.`;
}

/** Thrown before any resource is declared; lists every problem at once. */
export class ConfigError extends Error {
    /** One line per problem, each ending in its fix. */
    readonly problems: readonly string[];

    constructor(
        readonly stackName: string,
        readonly details: readonly ConfigProblem[],
        /** Keys (without namespace) given with `-c` rather than read from the stack file. */
        readonly overrideKeys: ReadonlySet<string> = new Set(),
    ) {
        const problems = details.map(
            (p) => `${p.statement} ${renderFix(p.fix, stackName, overrideKeys.has(p.key) ? "override" : "stack-file")}`,
        );
        super(
            `Stack "${stackName}" has ${problems.length} invalid configuration value${problems.length === 1 ? "" : "s"}; nothing was declared.\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.problems = problems;
        this.name = "ConfigError";
    }

    /** The same problems, with the fix of each `-c` key pointing at the command line. */
    withOverrides(keys: Iterable<string>): ConfigError {
        const local = [...keys].map((k) => (k.startsWith(`${PROJECT}:`) ? k.slice(PROJECT.length + 1) : k));
        return new ConfigError(this.stackName, this.details, new Set(local));
    }
}

const declarations = new Map(configKeyDeclarations().map((d) => [d.key, d]));

/** Turns the CLI's string values into the JSON types the schema declares; leaves bad input for zod to report. */
function coerce(key: string, value: string): unknown {
    const type = declarations.get(key)?.valueType;
    if (type === "integer" && /^[-+]?\d+$/.test(value.trim())) return Number(value);
    if (type === "number" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    if (type === "boolean" && (value === "true" || value === "false")) return value === "true";
    if (type === "array" && value.trim().startsWith("[")) {
        try {
            return JSON.parse(value);
        } catch {
            return value;
        }
    }
    return value;
}

function describeIssue(
    issue: z.core.$ZodIssue,
    raw: Record<string, string>,
    secretKeys: ReadonlySet<string>,
): ConfigProblem[] {
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => {
            const hint = closestMatch(key, declarations.keys());
            const shown = secretKeys.has(key) ? "[secret]" : JSON.stringify(raw[key]);
            return {
                key,
                statement: `${PROJECT}:${key} = ${shown}: unknown key${hint ? `; did you mean ${PROJECT}:${hint}?` : "."}`,
                fix: {
                    kind: "remove",
                    key,
                    value: secretKeys.has(key) ? "<value>" : (raw[key] ?? ""),
                    ...(hint ? { suggestion: hint } : {}),
                },
            };
        });
    }
    const key = String(issue.path[0] ?? "");
    const declaration = declarations.get(key);
    const shown =
        raw[key] === undefined
            ? "(not set)"
            : secretKeys.has(key) || declaration?.secret
              ? "[secret]"
              : JSON.stringify(raw[key]);
    const allowed = declaration?.allowed ? ` Allowed: ${declaration.allowed.join(" | ")}.` : "";
    const where = issue.path.length > 1 ? ` (item ${issue.path.slice(1).join(".")})` : "";
    // zod's own wording for a missing key; a schema's message for it (gcpProject's) says more, so it stays.
    const missing =
        issue.code === "invalid_type" && raw[key] === undefined && issue.message.startsWith("Invalid input");
    const message = missing ? "is required" : issue.message;
    return [
        {
            key,
            statement: `${PROJECT}:${key}${where} = ${shown}: ${message}.${allowed}`,
            fix: {
                kind: "set",
                key,
                secret: declaration?.secret === true,
                list: declaration?.type === "array",
                ...(declaration?.fix ? { how: declaration.fix } : {}),
            },
        },
    ];
}

/**
 * Parses the stack's `estate:*` config (as the CLI hands it over: strings, structured values as
 * JSON) into the typed, frozen `EstateConfig`. Pure: no Pulumi runtime needed except to wrap
 * secrets, so every rule is unit-testable.
 */
export function parseStackConfig(
    stack: string,
    values: Readonly<Record<string, string>>,
    secretKeys: ReadonlySet<string> = new Set(),
): EstateConfig {
    const raw: Record<string, string> = {};
    for (const [fullKey, value] of Object.entries(values)) {
        const [namespace, ...rest] = fullKey.split(":");
        if (namespace === PROJECT && rest.length === 1) raw[rest[0]!] = value;
    }
    const secretLocal = new Set(
        [...secretKeys].filter((k) => k.startsWith(`${PROJECT}:`)).map((k) => k.slice(PROJECT.length + 1)),
    );
    const problems: ConfigProblem[] = [];
    for (const declaration of declarations.values()) {
        if (declaration.secret && raw[declaration.key] !== undefined && !secretLocal.has(declaration.key)) {
            problems.push({
                key: declaration.key,
                statement: `${PROJECT}:${declaration.key} = [secret]: stored in plaintext; secrets must be encrypted.`,
                fix: { kind: "set", key: declaration.key, secret: true, list: false },
            });
        }
    }
    const coerced = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, coerce(k, v)]));
    const result = safeParseConfig(coerced);
    if (!result.success) problems.push(...result.issues.flatMap((issue) => describeIssue(issue, raw, secretLocal)));
    if (problems.length > 0 || !result.success) throw new ConfigError(stack, problems);
    return deepFreeze({ project: PROJECT, stack, ...result.data });
}

function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object" && !pulumi.Output.isInstance(value) && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const child of Object.values(value)) deepFreeze(child);
    }
    return value;
}

/**
 * The only reader of Pulumi config in the program: reads the `estate:*` keys the CLI (or the
 * offline runner) set for this stack, with the list of keys that are secret.
 */
export function loadStackConfig(): EstateConfig {
    const values = pulumi.runtime.allConfig();
    const secretKeys = new Set<string>(readSecretKeys());
    return parseStackConfig(pulumi.getStack(), values, secretKeys);
}

/** Secret key names come from the language host (PULUMI_CONFIG_SECRET_KEYS) or setAllConfig; the runtime keeps them internal. */
function readSecretKeys(): string[] {
    const runtime = pulumi.runtime as unknown as { isConfigSecret: (key: string) => boolean };
    return Object.keys(pulumi.runtime.allConfig()).filter((key) => runtime.isConfigSecret(key));
}
