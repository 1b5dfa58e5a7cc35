import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { computedOutputs, invokeResult } from "./mock-outputs";

import { RESOURCE_REF_SIG, SECRET_SIG, SECRET_VALUE, UNKNOWN } from "./wire";

export { SECRET_SIG, SECRET_VALUE };

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

export interface CapturedResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent?: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    provider?: string;
    options: {
        protect: boolean;
        retainOnDelete: boolean;
        ignoreChanges: string[];
        deleteBeforeReplace: boolean;
        additionalSecretOutputs: string[];
        aliases: string[];
        /** `customTimeouts` as the engine receives them (Go durations, e.g. "3720s"); absent when none is set. */
        customTimeouts?: { create?: string; update?: string; delete?: string };
    };
    /** Inputs in Pulumi's wire form: secret values wrapped as `{ [SECRET_SIG]: SECRET_VALUE, value }`. */
    inputs: Record<string, unknown>;
}

export interface ProgramCapture {
    project: string;
    stack: string;
    /** The effective `estate:*` config, secrets replaced by "[secret]". */
    config: Record<string, unknown>;
    resources: CapturedResource[];
    /** Stack outputs in wire form (secrets wrapped). */
    outputs: Record<string, unknown>;
}

export interface RunOptions {
    stack: string;
    /** `key=value` overrides like `pulumi up -c`; keys without a namespace get `estate:`. */
    overrides?: Readonly<Record<string, string>>;
    projectRoot?: string;
}

/** Stand-in for values the CLI would decrypt: obviously fake, and still registered as secret. */
export function placeholderSecret(key: string): string {
    return `offline-placeholder-not-a-secret:${key}`;
}

export class StackFileError extends Error {}

/** Reads `Pulumi.<stack>.yaml` the way the CLI hands config to the program: strings, structured values as JSON. */
export function readStackConfig(
    projectRoot: string,
    stack: string,
): { values: Record<string, string>; secretKeys: string[] } {
    const file = path.join(projectRoot, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const known = fs.readdirSync(projectRoot).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
        throw new StackFileError(
            `Stack "${stack}" has no stack file ${path.basename(file)}. Known stacks: ${known.join(", ") || "none"}.`,
        );
    }
    const doc = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
            values[key] = placeholderSecret(key);
            secretKeys.push(key);
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { values, secretKeys };
}

/** Runs the real program (`index.ts`) under Pulumi's mock runtime and records every registration. */
export async function runProgram(options: RunOptions): Promise<ProgramCapture> {
    const projectRoot = options.projectRoot ?? PROJECT_ROOT;
    const project = (parseYaml(fs.readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8")) as { name: string })
        .name;
    const { values, secretKeys } = readStackConfig(projectRoot, options.stack);
    for (const [rawKey, value] of Object.entries(options.overrides ?? {})) {
        const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
        values[key] = value;
        const index = secretKeys.indexOf(key);
        if (index >= 0) secretKeys.splice(index, 1);
    }

    pulumi.runtime.setAllConfig(values, secretKeys);
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({
                id: `${args.name}-id`,
                state: { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs) },
            }),
            call: (args) => invokeResult(args.token, args.inputs),
        },
        project,
        options.stack,
        false,
    );

    const resources: CapturedResource[] = [];
    const outputs: { value: Record<string, unknown> } = { value: {} };
    captureRegistrations(resources, outputs);

    const entry = path.join(projectRoot, "index.ts");
    delete require.cache[require.resolve(entry)];
    await pulumi.runtime.runInPulumiStack(async () => require(entry));
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();

    const unknown = resources.filter((r) => JSON.stringify(r.inputs).includes(UNKNOWN));
    if (unknown.length > 0)
        throw new Error(
            `unknown values in the inputs of ${unknown.map((r) => r.urn).join(", ")}: every value must be known offline`,
        );

    const config = Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, secretKeys.includes(k) ? "[secret]" : v]),
    );
    return { project, stack: options.stack, config, resources, outputs: outputs.value };
}

/**
 * Runs `build` (components constructed with explicit args) under the same mock runtime and
 * capture as `runProgram`, without config or `index.ts`: for testing one component standalone.
 */
export async function runComponents(
    build: () => void,
    options: { project?: string; stack?: string } = {},
): Promise<ProgramCapture> {
    const project = options.project ?? "estate";
    const stack = options.stack ?? "test";
    pulumi.runtime.setAllConfig({}, []);
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({
                id: `${args.name}-id`,
                state: { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs) },
            }),
            call: (args) => invokeResult(args.token, args.inputs),
        },
        project,
        stack,
        false,
    );
    const resources: CapturedResource[] = [];
    const outputs: { value: Record<string, unknown> } = { value: {} };
    captureRegistrations(resources, outputs);
    await pulumi.runtime.runInPulumiStack(async () => {
        build();
    });
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return { project, stack, config: {}, resources, outputs: outputs.value };
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void };
    getProvider(): string;
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getIgnorechangesList(): string[];
    getDeletebeforereplace(): boolean;
    getAdditionalsecretoutputsList(): string[];
    getAliasesList(): Array<{ getUrn(): string }>;
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}

type Callback = (err: unknown, response?: { getUrn(): string }) => void;

/** The mock monitor sees parent, dependencies and options that MockResourceArgs drops; wrap it to keep them. */
function captureRegistrations(resources: CapturedResource[], outputs: { value: Record<string, unknown> }): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: RegisterRequest, cb: Callback): void;
        registerResourceOutputs(
            req: { getUrn(): string; getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined },
            cb: Callback,
        ): void;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (err, response) => {
            if (!err && response) {
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach(
                    (value, key) => (propertyDependencies[key] = value.getUrnsList()),
                );
                const parent = req.getParent();
                const provider = req.getProvider();
                const timeouts = req.getCustomtimeouts();
                const customTimeouts = Object.fromEntries(
                    Object.entries({
                        create: timeouts?.getCreate(),
                        update: timeouts?.getUpdate(),
                        delete: timeouts?.getDelete(),
                    }).filter(([, value]) => value),
                );
                resources.push({
                    urn: response.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    ...(parent ? { parent } : {}),
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                    ...(provider ? { provider } : {}),
                    options: {
                        protect: req.getProtect(),
                        retainOnDelete: req.getRetainondelete(),
                        ignoreChanges: req.getIgnorechangesList(),
                        deleteBeforeReplace: req.getDeletebeforereplace(),
                        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                        aliases: req
                            .getAliasesList()
                            .map((alias) => alias.getUrn())
                            .filter(Boolean),
                        ...(Object.keys(customTimeouts).length > 0 ? { customTimeouts } : {}),
                    },
                    inputs: simplifyReferences(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
                });
            }
            callback(err, response);
        });
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, callback) => {
        if (req.getUrn().includes("::pulumi:pulumi:Stack::")) outputs.value = req.getOutputs()?.toJavaScript() ?? {};
        registerOutputs(req, callback);
    };
}

/** Resource references become their URN, so artefacts and policies see a stable string. */
function simplifyReferences(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(simplifyReferences);
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SECRET_SIG] === RESOURCE_REF_SIG) return record["urn"];
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, simplifyReferences(v)]));
    }
    return value;
}

/**
 * Replaces every secret value with "[secret]": the form artefacts and plan output use. A secret
 * object (e.g. a Kubernetes Secret's `stringData`) keeps its keys, so manifests stay well-formed.
 */
export function maskSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(maskSecrets);
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SECRET_SIG] === SECRET_VALUE) return maskAll(record["value"]);
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, maskSecrets(v)]));
    }
    return value;
}

function maskAll(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(maskAll);
    if (value && typeof value === "object" && (value as Record<string, unknown>)[SECRET_SIG] === undefined) {
        return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, maskAll(v)]));
    }
    return "[secret]";
}

/**
 * Removes the secret wrappers, as the engine does before handing properties to an analyzer;
 * undefined becomes null in arrays and is dropped from objects, which a protobuf Struct needs.
 */
export function unwrapSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : unwrapSecrets(v)));
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SECRET_SIG] === SECRET_VALUE) return unwrapSecrets(record["value"]);
        return Object.fromEntries(
            Object.entries(record).flatMap(([k, v]) => (v === undefined ? [] : [[k, unwrapSecrets(v)]])),
        );
    }
    return value;
}
