import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { configKeyDeclarations } from "../../stacks/config-declarations";
import { ConfigError } from "../../stacks/config";
import { computedOutputs, invokeResult } from "./mock-outputs";
import { customTimeoutsSeconds, type CustomTimeoutsSeconds } from "./pulumi-engine-options";
import { checkStackConfig, formatCliConfigProblems, projectConfigOf, type StackFile } from "./pulumi-cli-config";

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
        /** Properties whose change the engine turns into a replacement (not sent to analyzers). */
        replaceOnChanges: string[];
        deleteBeforeReplace: boolean;
        additionalSecretOutputs: string[];
        aliases: string[];
        /** Set by the program (even to false), as the engine tells analyzers (`deleteBeforeReplaceDefined`). */
        deleteBeforeReplaceDefined?: boolean;
        /** In seconds, as the engine passes them to analyzers; absent when the program set none. */
        customTimeouts?: CustomTimeoutsSeconds;
    };
    /** Inputs in Pulumi's wire form: secret values wrapped as `{ [SECRET_SIG]: SECRET_VALUE, value }`. */
    inputs: Record<string, unknown>;
}

/** The options of a resource declared with none: what the engine reports for it. A fresh copy each call. */
export function defaultOptions(): CapturedResource["options"] {
    return {
        protect: false,
        retainOnDelete: false,
        ignoreChanges: [],
        replaceOnChanges: [],
        deleteBeforeReplace: false,
        additionalSecretOutputs: [],
        aliases: [],
    };
}

export interface ProgramCapture {
    project: string;
    stack: string;
    /** The effective `estate:*` config, secrets replaced by "[secret]". */
    config: Record<string, unknown>;
    resources: CapturedResource[];
    /** Stack outputs in wire form (secrets wrapped). */
    outputs: Record<string, unknown>;
    /** Secrets replaced by offline stand-ins (runProgram only). */
    offlineStandIns?: OfflineStandIn[];
}

export interface RunOptions {
    stack: string;
    /** `key=value` overrides like `pulumi up -c`; keys without a namespace get `estate:`. */
    overrides?: Readonly<Record<string, string>>;
    projectRoot?: string;
    /** Called as each resource is declared (constructed by the program), for progress output. */
    onDeclare?: (type: string, name: string) => void;
    /** Secret keys left unset instead of given a stand-in: what the program does when one is not set. */
    unsetSecrets?: readonly string[];
    /** Called as each resource is registered, for progress output. */
    onResource?: (resource: CapturedResource) => void;
}

/** Stand-in for values the CLI would decrypt: obviously fake, and still registered as secret. */
export function placeholderSecret(key: string): string {
    return `offline-placeholder-not-a-secret:${key}`;
}

/** A secret the offline run could not have: named in the plan output, never a silent default. */
export interface OfflineStandIn {
    key: string;
    /** Why the real value is not there: never set in the stack file, or ciphertext nobody decrypts offline. */
    reason: "not set" | "encrypted";
}

export class StackFileError extends Error {}

/**
 * Reads `Pulumi.<stack>.yaml` the way the CLI hands config to the program: `-c` overrides saved into
 * it first (the real CLI writes them to the stack file), the CLI's own checks (tools/lib/pulumi-cli-config.ts),
 * Pulumi.yaml defaults merged in, values as strings (structured ones as JSON). Secrets become
 * stand-ins, still registered as secret: the committed ciphertext cannot be decrypted here, and an
 * unset secret the schema requires gets one so the plan runs (an optional one stays unset); both are listed in `standIns`.
 */
export function readStackConfig(
    projectRoot: string,
    stack: string,
    overrides: Readonly<Record<string, string>> = {},
    unsetSecrets: readonly string[] = [],
): { values: Record<string, string>; secretKeys: string[]; standIns: OfflineStandIn[] } {
    const file = path.join(projectRoot, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const known = fs.readdirSync(projectRoot).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
        throw new StackFileError(
            `Stack "${stack}" has no stack file ${path.basename(file)}. Known stacks: ${known.join(", ") || "none"}.`,
        );
    }
    const project = projectConfigOf(parseYaml(fs.readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8")) ?? {});
    const doc = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as StackFile;
    const stackConfig: Record<string, unknown> = { ...doc.config };
    for (const [rawKey, value] of Object.entries(overrides))
        stackConfig[rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`] = asStackFileValue(value);
    const checked = checkStackConfig(
        stack,
        project,
        { ...doc, config: stackConfig },
        {
            project: "Pulumi.yaml",
            stack: path.basename(file),
        },
    );
    if (checked.problems.length > 0) throw new StackFileError(formatCliConfigProblems(stack, checked.problems));

    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    const standIns: OfflineStandIn[] = [];
    for (const [key, value] of Object.entries(checked.config)) {
        values[key] = value.secure ? placeholderSecret(key) : value.text;
        if (value.secure) {
            secretKeys.push(key);
            standIns.push({ key, reason: "encrypted" });
        }
    }
    for (const d of configKeyDeclarations()) {
        const key = `${project.name}:${d.key}`;
        // An optional secret's absence is a valid state (estate:kubeconfig: the ambient kubeconfig);
        // a stand-in would plan a different program than the CLI runs.
        const optional = !d.required && d.requiredWhen === undefined;
        if (!d.secret || optional || key in values || unsetSecrets.includes(key)) continue;
        values[key] = placeholderSecret(key);
        secretKeys.push(key);
        standIns.push({ key, reason: "not set" });
    }
    return { values, secretKeys, standIns };
}

/**
 * An offline `-c` value as if written in the stack file: a JSON list or map stays structured. (The real
 * CLI's `-c` saves a plain string, which a key declared `array` refuses: it needs `config set --path`.)
 */
function asStackFileValue(value: string): unknown {
    if (!/^\s*[[{]/.test(value)) return value;
    try {
        return JSON.parse(value) as unknown;
    } catch {
        return value;
    }
}

/** One line per stand-in, for the plan output: which secret is fake here and how the real one is set. */
export function describeStandIns(stack: string, standIns: readonly OfflineStandIn[]): string[] {
    return standIns.map((s) =>
        s.reason === "encrypted"
            ? `offline stand-in for ${s.key} (its committed ciphertext is decrypted only by the Pulumi CLI)`
            : `offline stand-in for ${s.key} (not set in Pulumi.${stack}.yaml: \`pulumi config set --secret ${s.key} --stack <org>/${stack}\` before \`pulumi preview\`)`,
    );
}

/** The provider stand-in both runners use: every resource echoes its inputs plus the outputs a real one computes. */
const mocks: pulumi.runtime.Mocks = {
    newResource: (args) => ({
        id: `${args.name}-id`,
        state: { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs) },
    }),
    call: (args) => invokeResult(args.token, args.inputs),
};

/** Runs the real program (`index.ts`) under Pulumi's mock runtime and records every registration. */
export async function runProgram(options: RunOptions): Promise<ProgramCapture> {
    const projectRoot = options.projectRoot ?? PROJECT_ROOT;
    const project = (parseYaml(fs.readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8")) as { name: string })
        .name;
    const { values, secretKeys, standIns } = readStackConfig(
        projectRoot,
        options.stack,
        options.overrides,
        options.unsetSecrets,
    );
    const overrideKeys = Object.keys(options.overrides ?? {}).map((key) =>
        key.includes(":") ? key : `${project}:${key}`,
    );

    pulumi.runtime.setAllConfig(values, secretKeys);
    await pulumi.runtime.setMocks(mocks, project, options.stack, false);

    const resources: CapturedResource[] = [];
    const outputs: { value: Record<string, unknown> } = { value: {} };
    const refusals = captureRegistrations(resources, outputs, options.onResource);

    const entry = path.join(projectRoot, "index.ts");
    delete require.cache[require.resolve(entry)];
    // An error thrown by the program's top level rejects the stack component's initialisation,
    // which nothing awaits: caught here so it reaches the caller instead of crashing the process.
    let onUnhandled: (reason: unknown) => void = () => undefined;
    const unhandled = new Promise<never>((_, reject) => (onUnhandled = reject));
    process.on("unhandledRejection", onUnhandled);
    try {
        await Promise.race([
            (async () => {
                await pulumi.runtime.runInPulumiStack(async () => {
                    // A stack transformation sees each resource as its constructor runs; returning nothing changes nothing.
                    const onDeclare = options.onDeclare;
                    if (onDeclare) pulumi.runtime.registerStackTransformation((a) => void onDeclare(a.type, a.name));
                    return require(entry);
                });
                await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
            })(),
            unhandled,
        ]);
    } catch (error) {
        // The same error rejects more of the stack's promises later; those are this failure, already reported.
        process.on("unhandledRejection", (reason) => {
            if (reason !== error) throw reason;
        });
        // A bad `-c` value is fixed on the command line, not in the stack file.
        throw error instanceof ConfigError ? error.withOverrides(overrideKeys) : error;
    } finally {
        process.off("unhandledRejection", onUnhandled);
    }
    if (refusals.length > 0) throw new Error(`the engine refuses ${refusals.join("; ")}`);

    const unknown = resources.filter((r) => JSON.stringify(r.inputs).includes(UNKNOWN));
    if (unknown.length > 0)
        throw new Error(
            `unknown values in the inputs of ${unknown.map((r) => r.urn).join(", ")}: every value must be known offline`,
        );

    const config = Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, secretKeys.includes(k) ? "[secret]" : v]),
    );
    return { project, stack: options.stack, config, resources, outputs: outputs.value, offlineStandIns: standIns };
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
    await pulumi.runtime.setMocks(mocks, project, stack, false);
    const resources: CapturedResource[] = [];
    const outputs: { value: Record<string, unknown> } = { value: {} };
    const refusals = captureRegistrations(resources, outputs);
    await pulumi.runtime.runInPulumiStack(async () => {
        build();
    });
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    if (refusals.length > 0) throw new Error(`the engine refuses ${refusals.join("; ")}`);
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
    getReplaceonchangesList(): string[];
    getDeletebeforereplace(): boolean;
    getAdditionalsecretoutputsList(): string[];
    getAliasesList(): Array<{ getUrn(): string }>;
    getDeletebeforereplacedefined(): boolean;
    getCustomtimeouts():
        { getCreate(): string; getUpdate(): string; getDelete(): string; getRead(): string } | undefined;
}

type Callback = (err: unknown, response?: { getUrn(): string }) => void;

/** The mock monitor sees parent, dependencies and options that MockResourceArgs drops; wrap it to keep them. */
/** Returns the registrations the engine would refuse, filled in as the program runs. */
function captureRegistrations(
    resources: CapturedResource[],
    outputs: { value: Record<string, unknown> },
    onResource?: (resource: CapturedResource) => void,
): string[] {
    const refusals: string[] = [];
    // The engine refuses a second registration of a URN in one deployment (pulumi/pulumi
    // pkg/resource/deploy/step_generator.go stepGenerator.generateURN, message from
    // sdk/go/common/diag/errors.go GetDuplicateResourceURNError); the mock monitor accepts it.
    const seen = new Set<string>();
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: RegisterRequest, cb: Callback): void;
        registerResourceOutputs(
            req: { getUrn(): string; getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined },
            cb: Callback,
        ): void;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        const requested = req.getCustomtimeouts();
        const timeouts = customTimeoutsSeconds({
            create: requested?.getCreate() ?? "",
            update: requested?.getUpdate() ?? "",
            delete: requested?.getDelete() ?? "",
            read: requested?.getRead() ?? "",
        });
        // The engine refuses the registration itself; recorded so the run fails after the program, not
        // through a rejection nobody awaits.
        if ("error" in timeouts) refusals.push(`${req.getType()} "${req.getName()}": ${timeouts.error}`);
        register(req, (err, response) => {
            if (!err && response) {
                const urn = response.getUrn();
                if (seen.has(urn)) refusals.push(`Duplicate resource URN '${urn}'; try giving it a unique name`);
                seen.add(urn);
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach(
                    (value, key) => (propertyDependencies[key] = value.getUrnsList()),
                );
                const parent = req.getParent();
                const provider = req.getProvider();
                resources.push({
                    urn,
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
                        replaceOnChanges: req.getReplaceonchangesList(),
                        deleteBeforeReplace: req.getDeletebeforereplace(),
                        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                        aliases: req
                            .getAliasesList()
                            .map((alias) => alias.getUrn())
                            .filter(Boolean),
                        deleteBeforeReplaceDefined: req.getDeletebeforereplacedefined(),
                        ...("timeouts" in timeouts && Object.keys(timeouts.timeouts).length > 0
                            ? { customTimeouts: timeouts.timeouts }
                            : {}),
                    },
                    inputs: simplifyReferences(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
                });
                onResource?.(resources[resources.length - 1]!);
            }
            callback(err, response);
        });
    };
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, callback) => {
        if (req.getUrn().includes("::pulumi:pulumi:Stack::")) outputs.value = req.getOutputs()?.toJavaScript() ?? {};
        registerOutputs(req, callback);
    };
    return refusals;
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
