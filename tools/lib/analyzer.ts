// Runs the CrossGuard pack the way the Pulumi CLI does, without the CLI: start the pack's
// analyzer plugin (`run-policy-pack`), then drive its gRPC service in the engine's call order.
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import Ajv from "ajv";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { CapturedResource, ProgramCapture } from "./mock-run";
import { defaultOptions, SECRET_SIG, SECRET_VALUE, unwrapSecrets } from "./mock-run";
import { closestMatch } from "../../stacks/suggest";
import { DEFAULT_PACK_DIR, ensureBuilt, ROOT, runPolicyPackOf, spawnPack, type PackProcess } from "./pack-process";

export type { CapturedResource, ProgramCapture };
export { SECRET_SIG, SECRET_VALUE };

export type Level = "advisory" | "mandatory" | "remediate";

export interface Violation {
    policy: string;
    enforcementLevel: Level;
    urn?: string;
    message: string;
    severity?: string;
}

export interface PolicyReport {
    violations: Violation[];
    policies: number;
    resourcesAnalyzed: number;
    ms: number;
}

export { DEFAULT_PACK_DIR, ensureBuilt, ROOT, runPolicyPackOf };

// ---------------------------------------------------------------------------------------------
// Requests, built from a capture exactly as the engine fills them.

function toStruct(props: Record<string, unknown>): Struct {
    return Struct.fromJavaScript(unwrapSecrets(props) as Record<string, never>);
}

function options(r: CapturedResource, parent?: string): pb.AnalyzerResourceOptions {
    const o = new pb.AnalyzerResourceOptions();
    o.setProtect(r.options.protect);
    o.setIgnorechangesList(r.options.ignoreChanges);
    o.setDeletebeforereplace(r.options.deleteBeforeReplace);
    o.setDeletebeforereplacedefined(r.options.deleteBeforeReplaceDefined ?? false);
    o.setAdditionalsecretoutputsList(r.options.additionalSecretOutputs);
    o.setAliasesList(r.options.aliases);
    // As pkg/resource/plugin/analyzer_plugin.go marshalResourceOptions: always present, seconds, 0 = unset.
    const timeouts = new pb.AnalyzerResourceOptions.CustomTimeouts();
    timeouts.setCreate(r.options.customTimeouts?.create ?? 0);
    timeouts.setUpdate(r.options.customTimeouts?.update ?? 0);
    timeouts.setDelete(r.options.customTimeouts?.delete ?? 0);
    timeouts.setRead(r.options.customTimeouts?.read ?? 0);
    o.setCustomtimeouts(timeouts);
    if (parent) o.setParent(parent);
    return o;
}

/** `urn::id` provider references resolve to the captured provider resource, as the engine does. */
function providerOf(
    r: CapturedResource,
    byUrn: Map<string, CapturedResource>,
): pb.AnalyzerProviderResource | undefined {
    if (!r.provider) return undefined;
    const urn = r.provider.split("::").slice(0, -1).join("::") || r.provider;
    const p = byUrn.get(urn);
    if (!p) return undefined;
    const out = new pb.AnalyzerProviderResource();
    out.setUrn(p.urn);
    out.setType(p.type);
    out.setName(p.name);
    out.setProperties(toStruct(p.inputs));
    return out;
}

export function analyzeRequests(capture: ProgramCapture): pb.AnalyzeRequest[] {
    const byUrn = new Map(capture.resources.map((r) => [r.urn, r]));
    return capture.resources.map((r) => analyzeRequest(r, byUrn));
}

function analyzeRequest(r: CapturedResource, byUrn: Map<string, CapturedResource>): pb.AnalyzeRequest {
    const req = new pb.AnalyzeRequest();
    req.setUrn(r.urn);
    req.setType(r.type);
    req.setName(r.name);
    req.setProperties(toStruct(r.inputs));
    req.setOptions(options(r, r.parent));
    const provider = providerOf(r, byUrn);
    if (provider) req.setProvider(provider);
    return req;
}

/** At most `limit` calls in flight, results in input order. */
async function inOrder<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            results[i] = await fn(items[i]!);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

export function stackUrn(capture: ProgramCapture): string {
    return `urn:pulumi:${capture.stack}::${capture.project}::pulumi:pulumi:Stack::${capture.project}-${capture.stack}`;
}

/** All resources with their graph; the stack resource carries the stack outputs. */
export function analyzeStackRequest(capture: ProgramCapture): pb.AnalyzeStackRequest {
    const byUrn = new Map(capture.resources.map((r) => [r.urn, r]));
    const resources = [...capture.resources];
    const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    if (!stack) {
        resources.unshift({
            urn: stackUrn(capture),
            type: "pulumi:pulumi:Stack",
            name: `${capture.project}-${capture.stack}`,
            custom: false,
            dependencies: [],
            propertyDependencies: {},
            options: defaultOptions(),
            inputs: {},
        });
    }
    const req = new pb.AnalyzeStackRequest();
    req.setResourcesList(
        resources.map((r) => {
            const ar = new pb.AnalyzerResource();
            ar.setUrn(r.urn);
            ar.setType(r.type);
            ar.setName(r.name);
            const props = r.type === "pulumi:pulumi:Stack" ? { ...r.inputs, ...capture.outputs } : r.inputs;
            ar.setProperties(toStruct(props));
            ar.setOptions(options(r, r.parent));
            if (r.parent) ar.setParent(r.parent);
            ar.setDependenciesList(r.dependencies);
            const deps = ar.getPropertydependenciesMap();
            for (const [prop, urns] of Object.entries(r.propertyDependencies)) {
                const d = new pb.AnalyzerPropertyDependencies();
                d.setUrnsList(urns);
                deps.set(prop, d);
            }
            const provider = providerOf(r, byUrn);
            if (provider) ar.setProvider(provider);
            return ar;
        }),
    );
    return req;
}

const LEVELS: Record<number, Level | "disabled"> = {
    [pb.EnforcementLevel.ADVISORY]: "advisory",
    [pb.EnforcementLevel.MANDATORY]: "mandatory",
    [pb.EnforcementLevel.REMEDIATE]: "remediate",
    [pb.EnforcementLevel.DISABLED]: "disabled",
};
const SEVERITIES: Record<number, string | undefined> = {
    [pb.PolicySeverity.POLICY_SEVERITY_LOW]: "low",
    [pb.PolicySeverity.POLICY_SEVERITY_MEDIUM]: "medium",
    [pb.PolicySeverity.POLICY_SEVERITY_HIGH]: "high",
    [pb.PolicySeverity.POLICY_SEVERITY_CRITICAL]: "critical",
};

/** Diagnostics as violations; the SDK prefixes each message with the policy description, dropped here. */
export function violationsOf(resp: pb.AnalyzeResponse, fallbackUrn?: string): Violation[] {
    return resp.getDiagnosticsList().map((d) => {
        const prefix = `${d.getDescription()}\n`;
        const message = d.getMessage().startsWith(prefix) ? d.getMessage().slice(prefix.length) : d.getMessage();
        const urn = d.getUrn() || fallbackUrn;
        const severity = SEVERITIES[d.getSeverity()];
        return {
            policy: d.getPolicyname(),
            enforcementLevel: LEVELS[d.getEnforcementlevel()] as Level,
            ...(urn ? { urn } : {}),
            message,
            ...(severity ? { severity } : {}),
        };
    });
}

// ---------------------------------------------------------------------------------------------
// Per-stack policy config: the `--policy-pack-config` file format.

export type PolicyConfigFile = Record<string, string | ({ enforcementLevel?: string } & Record<string, unknown>)>;

export interface PolicyDescriptor {
    name: string;
    enforcementLevel: string;
    schema?: { properties: Record<string, { default?: unknown } & Record<string, unknown>>; required?: string[] };
}

export interface EffectiveConfig {
    enforcementLevel: Level | "disabled";
    properties: Record<string, unknown>;
}

const VALID_LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

/** A mistake in `policies/config/<stack>.json`: reported like a config error (exit 1), naming the file. */
export class PolicyConfigError extends Error {}

/** The config file of a stack, as named in messages: relative to the repository. */
export function configFileName(packDir: string, stack: string): string {
    return path.relative(ROOT, path.join(packDir, "config", `${stack}.json`));
}

export function loadConfigFile(packDir: string, stack: string): PolicyConfigFile {
    const file = path.join(packDir, "config", `${stack}.json`);
    if (!fs.existsSync(file)) {
        throw new PolicyConfigError(`No policy config for stack "${stack}": create ${configFileName(packDir, stack)}.`);
    }
    return readConfigFile(file);
}

/** A `--policy-pack-config` file, as the CLI takes it. */
export function readConfigFile(file: string): PolicyConfigFile {
    const shown = shownPath(file);
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new PolicyConfigError(`${shown} cannot be read as JSON: ${(e as Error).message}.`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new PolicyConfigError(`${shown} must hold a JSON object keyed by policy name.`);
    }
    return parsed as PolicyConfigFile;
}

function shownPath(file: string): string {
    const relative = path.relative(ROOT, file);
    return relative.startsWith("..") ? file : relative;
}

/**
 * What the engine sends in `Configure`: level from the policy's entry, else `all`, else the
 * policy's own; properties are the schema defaults overlaid with the file, then validated
 * against the schema as the CLI does.
 */
export function effectiveConfig(
    policies: PolicyDescriptor[],
    file: PolicyConfigFile,
    /** How messages name the file, e.g. `policies/config/prod.json`. */
    fileName = "The policy config",
): Record<string, EffectiveConfig> {
    const known = new Set([...policies.map((p) => p.name), "all"]);
    for (const key of Object.keys(file)) {
        if (known.has(key)) continue;
        const hint = closestMatch(key, known, Math.max(3, Math.floor(key.length / 3)));
        throw new PolicyConfigError(
            `${fileName} names unknown policy "${key}"${hint ? `; did you mean "${hint}"?` : "."} Fix: ${hint ? `rename the key to "${hint}"` : "remove the key"} in ${fileName}.`,
        );
    }
    const all = file.all;
    if (all !== undefined && (typeof all !== "string" || !VALID_LEVELS.includes(all))) {
        throw new PolicyConfigError(`${fileName}: "all" must be one of ${VALID_LEVELS.join(", ")}.`);
    }
    const ajv = new Ajv({ allErrors: true, strict: false });
    const out: Record<string, EffectiveConfig> = {};
    for (const p of policies) {
        const entry = file[p.name];
        const given = typeof entry === "object" && entry !== null ? entry : {};
        const { enforcementLevel: entryLevel, ...props } = given;
        const level =
            (typeof entry === "string" ? entry : entryLevel) ?? (all as string | undefined) ?? p.enforcementLevel;
        if (!VALID_LEVELS.includes(level)) {
            throw new PolicyConfigError(
                `${fileName}: policy "${p.name}": enforcement level "${level}" is not one of ${VALID_LEVELS.join(", ")}.`,
            );
        }
        const properties: Record<string, unknown> = {};
        for (const [k, s] of Object.entries(p.schema?.properties ?? {})) {
            if (s.default !== undefined) properties[k] = s.default;
        }
        Object.assign(properties, props);
        if (p.schema) {
            const validate = ajv.compile({
                type: "object",
                properties: p.schema.properties,
                required: p.schema.required ?? [],
            });
            if (!validate(properties)) {
                throw new PolicyConfigError(
                    `${fileName}: policy "${p.name}" config is invalid: ${ajv.errorsText(validate.errors)}.`,
                );
            }
        } else if (Object.keys(props).length > 0) {
            throw new PolicyConfigError(
                `${fileName}: policy "${p.name}" takes no config, got ${Object.keys(props).join(", ")}.`,
            );
        }
        out[p.name] = { enforcementLevel: level as EffectiveConfig["enforcementLevel"], properties };
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// The pack's server: the process (pack-process.ts) and a gRPC client to it.

export interface PackServer {
    client: AnalyzerClient;
    child: ChildProcess;
    stderr: () => string;
    close: () => Promise<void>;
}

/** A client to a pack process already started (or starting) with `spawnPack`. */
export async function connectPack(started: Promise<PackProcess> | PackProcess): Promise<PackServer> {
    const pack = await started;
    const client = new AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": 400 * 1024 * 1024,
        "grpc.max_send_message_length": 400 * 1024 * 1024,
    });
    const close = async () => {
        client.close();
        await pack.kill();
    };
    return { client, child: pack.child, stderr: pack.stderr, close };
}

/** Starts the pack as the CLI does (see `spawnPack`) and connects to it. */
export function startPack(packDir: string, program: string = packDir): Promise<PackServer> {
    return connectPack(spawnPack(packDir, program));
}

function call<Req, Res>(
    fn: (req: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown,
    req: Req,
): Promise<Res> {
    return new Promise((resolve, reject) => fn(req, (e, r) => (e ? reject(e) : resolve(r))));
}

export async function describePolicies(
    client: AnalyzerClient,
): Promise<{ info: pb.AnalyzerInfo; policies: PolicyDescriptor[] }> {
    const info = await call<Empty, pb.AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
    const policies = info.getPoliciesList().map((p) => {
        const schema = p.getConfigschema();
        return {
            name: p.getName(),
            enforcementLevel: LEVELS[p.getEnforcementlevel()],
            ...(schema
                ? {
                      schema: {
                          properties: (schema.getProperties()?.toJavaScript() ?? {}) as NonNullable<
                              PolicyDescriptor["schema"]
                          >["properties"],
                          required: schema.getRequiredList(),
                      },
                  }
                : {}),
        };
    });
    return { info, policies };
}

export interface AnalyzeOptions {
    stack: string;
    /** Defaults to the repository's `policies/`. */
    packDir?: string;
    /** Run the TypeScript sources through the SDK's ts-node instead of the precompiled build. */
    typescript?: boolean;
    /**
     * Run the pack directory as it is, through its `package.json` `main`, as the CLI runs an
     * installed pack (no build step here).
     */
    installed?: boolean;
    /** The per-stack policy config; defaults to `<packDir>/config/<stack>.json`. */
    policyConfig?: PolicyConfigFile;
    /** The policy config file (`--policy-pack-config`); defaults to `<pack>/config/<stack>.json`. */
    configFile?: string;
    /** A pack process started earlier (`spawnPack`), so it boots while the program runs; closed here. */
    started?: Promise<PackProcess>;
    /** Called once the policies are known, before the resources are sent. */
    onStart?: (policies: number, resources: number) => void;
}

/**
 * One pack server driven in the engine's order, once: handshake, `ConfigureStack` and `Configure`
 * with the stack's policy config, then any number of `Analyze` / `AnalyzeStack` calls, so a
 * caller analyzing many captures of one stack (the mutation suite) pays for the start-up once.
 */
export interface PackSession {
    /** Policies not disabled by the stack's config. */
    readonly policies: number;
    /** `Analyze` of each resource (at most 16 in flight, results in declaration order). */
    analyzeResources(capture: ProgramCapture, resources?: readonly CapturedResource[]): Promise<Violation[][]>;
    /** `AnalyzeStack` over the whole capture. */
    analyzeStack(capture: ProgramCapture): Promise<Violation[]>;
    /** Both, as `pulumi preview` runs them. */
    analyze(capture: ProgramCapture): Promise<PolicyReport>;
    close(): Promise<void>;
}

export interface SessionOptions extends Omit<AnalyzeOptions, "onStart"> {
    /** The capture whose project, stack and config `ConfigureStack` receives. */
    capture: ProgramCapture;
}

export async function openSession(opts: SessionOptions): Promise<PackSession> {
    const packDir = opts.packDir ?? DEFAULT_PACK_DIR;
    let file: PolicyConfigFile;
    try {
        file =
            opts.policyConfig ??
            (opts.configFile ? readConfigFile(opts.configFile) : loadConfigFile(packDir, opts.stack));
    } catch (e) {
        await opts.started?.then((p) => p.kill()).catch(() => undefined);
        throw e;
    }
    // `main` is the compiled dist/ (what `npm pack` ships), so the sources are loaded by their entry.
    const program = opts.installed ? packDir : opts.typescript ? path.join(packDir, "index.ts") : ensureBuilt(packDir);
    const server = await connectPack(opts.started ?? spawnPack(packDir, program));
    try {
        const c = server.client;
        const hs = new pb.AnalyzerHandshakeRequest();
        hs.setEngineAddress("127.0.0.1:0");
        hs.setRootDirectory(packDir);
        hs.setProgramDirectory(packDir);
        try {
            await call(c.handshake.bind(c), hs);
        } catch (e) {
            // Older SDKs (policy 1.21 included) do not implement Handshake; the engine carries on.
            if ((e as grpc.ServiceError).code !== grpc.status.UNIMPLEMENTED) throw e;
        }
        await call(c.getPluginInfo.bind(c), new Empty());
        const sc = new pb.AnalyzerStackConfigureRequest();
        sc.setStack(opts.capture.stack);
        sc.setProject(opts.capture.project);
        sc.setOrganization("organization");
        sc.setDryRun(true);
        for (const [k, v] of Object.entries(opts.capture.config)) {
            sc.getConfigMap().set(k, typeof v === "string" ? v : JSON.stringify(unwrapSecrets(v)));
        }
        await call(c.configureStack.bind(c), sc);
        const { policies } = await describePolicies(c);
        const cfg = effectiveConfig(
            policies,
            file,
            opts.configFile ? shownPath(opts.configFile) : configFileName(packDir, opts.stack),
        );
        const conf = new pb.ConfigureAnalyzerRequest();
        for (const [name, e] of Object.entries(cfg)) {
            const pc = new pb.PolicyConfig();
            pc.setEnforcementlevel(
                pb.EnforcementLevel[e.enforcementLevel.toUpperCase() as keyof typeof pb.EnforcementLevel],
            );
            pc.setProperties(Struct.fromJavaScript(e.properties as Record<string, never>));
            conf.getPolicyconfigMap().set(name, pc);
        }
        await call(c.configure.bind(c), conf);
        const enabled = policies.filter((p) => cfg[p.name]!.enforcementLevel !== "disabled").length;
        const analyzeResources = (capture: ProgramCapture, resources = capture.resources) => {
            // The engine analyzes each resource as its step is generated, independently of the others;
            // sent concurrently here, collected in declaration order. A few in flight keep the server
            // busy without holding every request in memory at once.
            const byUrn = new Map(capture.resources.map((r) => [r.urn, r]));
            return inOrder(resources, 16, async (r) => {
                const req = analyzeRequest(r, byUrn);
                const resp = await call<pb.AnalyzeRequest, pb.AnalyzeResponse>(c.analyze.bind(c), req);
                return violationsOf(resp, req.getUrn());
            });
        };
        const analyzeStack = async (capture: ProgramCapture) =>
            violationsOf(
                await call<pb.AnalyzeStackRequest, pb.AnalyzeResponse>(
                    c.analyzeStack.bind(c),
                    analyzeStackRequest(capture),
                ),
            );
        return {
            policies: enabled,
            analyzeResources,
            analyzeStack,
            analyze: async (capture) => {
                const started = Date.now();
                const perResource = await analyzeResources(capture);
                const violations: Violation[] = [...perResource.flat(), ...(await analyzeStack(capture))];
                return {
                    violations,
                    policies: enabled,
                    resourcesAnalyzed: capture.resources.length,
                    ms: Date.now() - started,
                };
            },
            close: () => server.close(),
        };
    } catch (e) {
        await server.close();
        throw e;
    }
}

/** Every policy of the pack over one program capture, through the real analyzer server. */
export async function analyze(capture: ProgramCapture, opts: AnalyzeOptions): Promise<PolicyReport> {
    const started = Date.now();
    const session = await openSession({ ...opts, capture });
    try {
        opts.onStart?.(session.policies, capture.resources.length);
        const report = await session.analyze(capture);
        return { ...report, ms: Date.now() - started };
    } finally {
        await session.close();
    }
}
