// Runs the CrossGuard pack the way the Pulumi CLI does, without the CLI: start the pack's
// analyzer plugin (`run-policy-pack`), then drive its gRPC service in the engine's call order.
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import Ajv from "ajv";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { CapturedResource, ProgramCapture } from "./mock-run";
import { SECRET_SIG, SECRET_VALUE, unwrapSecrets } from "./mock-run";

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

export const ROOT = path.resolve(__dirname, "..", "..");
export const DEFAULT_PACK_DIR = path.join(ROOT, "policies");

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
    return capture.resources.map((r) => {
        const req = new pb.AnalyzeRequest();
        req.setUrn(r.urn);
        req.setType(r.type);
        req.setName(r.name);
        req.setProperties(toStruct(r.inputs));
        req.setOptions(options(r, r.parent));
        const provider = providerOf(r, byUrn);
        if (provider) req.setProvider(provider);
        return req;
    });
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
            options: {
                protect: false,
                retainOnDelete: false,
                ignoreChanges: [],
                deleteBeforeReplace: false,
                additionalSecretOutputs: [],
                aliases: [],
            },
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

export function loadConfigFile(packDir: string, stack: string): PolicyConfigFile {
    const file = path.join(packDir, "config", `${stack}.json`);
    if (!fs.existsSync(file)) {
        throw new Error(`No policy config for stack "${stack}": create ${path.relative(ROOT, file)}.`);
    }
    const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new Error(`${file} must hold a JSON object keyed by policy name.`);
    }
    return parsed as PolicyConfigFile;
}

/**
 * What the engine sends in `Configure`: level from the policy's entry, else `all`, else the
 * policy's own; properties are the schema defaults overlaid with the file, then validated
 * against the schema as the CLI does.
 */
export function effectiveConfig(policies: PolicyDescriptor[], file: PolicyConfigFile): Record<string, EffectiveConfig> {
    const known = new Set([...policies.map((p) => p.name), "all"]);
    for (const key of Object.keys(file)) {
        if (!known.has(key)) throw new Error(`Policy config names unknown policy "${key}".`);
    }
    const all = file.all;
    if (all !== undefined && (typeof all !== "string" || !VALID_LEVELS.includes(all))) {
        throw new Error(`"all" must be one of ${VALID_LEVELS.join(", ")}.`);
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
            throw new Error(
                `Policy "${p.name}": enforcement level "${level}" is not one of ${VALID_LEVELS.join(", ")}.`,
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
                throw new Error(`Policy "${p.name}" config is invalid: ${ajv.errorsText(validate.errors)}.`);
            }
        } else if (Object.keys(props).length > 0) {
            throw new Error(`Policy "${p.name}" takes no config, got ${Object.keys(props).join(", ")}.`);
        }
        out[p.name] = { enforcementLevel: level as EffectiveConfig["enforcementLevel"], properties };
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// The pack, precompiled so start-up does not pay for ts-node's type-checking of provider SDKs.

function sourceHash(packDir: string): string {
    const h = crypto.createHash("sha256");
    for (const name of fs
        .readdirSync(packDir)
        .filter((n) => n.endsWith(".ts") || n === "tsconfig.json")
        .sort()) {
        h.update(name).update(fs.readFileSync(path.join(packDir, name)));
    }
    return h.digest("hex").slice(0, 16);
}

/**
 * Compiles the pack into `bin/<hash of sources>/` unless that build exists (so it rebuilds
 * exactly when a source changed), and returns the
 * directory to hand to `run-policy-pack`. Content-addressed, so concurrent test files share one
 * build and never see a half-written one.
 */
export function ensureBuilt(packDir: string = DEFAULT_PACK_DIR): string {
    const out = path.join(packDir, "bin", sourceHash(packDir));
    const entry = path.join(out, "index.js");
    if (fs.existsSync(entry)) {
        return out;
    }
    const tmp = `${out}.tmp-${process.pid}`;
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const res = spawnSync(process.execPath, [tsc, "-p", path.join(packDir, "tsconfig.json"), "--outDir", tmp], {
        encoding: "utf8",
    });
    if (res.status !== 0) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw new Error(`Compiling the policy pack failed:\n${res.stdout}${res.stderr}`);
    }
    try {
        fs.renameSync(tmp, out);
    } catch {
        // Another process finished the same build first.
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    // Builds of older sources are dead weight; a server still running one has already loaded it.
    for (const name of fs.readdirSync(path.dirname(out))) {
        if (/^[0-9a-f]{16}$/.test(name) && name !== path.basename(out)) {
            fs.rmSync(path.join(path.dirname(out), name), { recursive: true, force: true });
        }
    }
    return out;
}

export interface PackServer {
    client: AnalyzerClient;
    child: ChildProcess;
    stderr: () => string;
    close: () => Promise<void>;
}

/**
 * The `run-policy-pack` the CLI would start: the language host resolves the module from the
 * pack's own directory (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go `RunPlugin`,
 * `locateModule`), so an installed pack runs on the @pulumi/pulumi it installed.
 */
export function runPolicyPackOf(packDir: string): string {
    return require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
}

/**
 * Starts the pack as the CLI does: `node run-policy-pack <engine> <program>` with the pack
 * directory as cwd (the SDK reads `package.json` there for the version); the first stdout line
 * is the port. `program` is the pack dir itself (its `main`), its TypeScript entry or a
 * precompiled build.
 */
export async function startPack(packDir: string, program: string = packDir): Promise<PackServer> {
    // No engine is listening: the SDK logs to the console when PULUMI_NODEJS_ENGINE is unset.
    const env = { ...process.env };
    delete env.PULUMI_NODEJS_ENGINE;
    const child = spawn(process.execPath, [runPolicyPackOf(packDir), "127.0.0.1:0", program], {
        cwd: packDir,
        env,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(
            () => reject(new Error(`policy pack did not report a port within 120 s:\n${err}`)),
            120_000,
        );
        child.stdout!.on("data", (d: Buffer) => {
            out += d.toString();
            const nl = out.indexOf("\n");
            if (nl >= 0) {
                clearTimeout(timer);
                const n = Number(out.slice(0, nl).trim());
                if (Number.isInteger(n) && n > 0) resolve(n);
                else reject(new Error(`unexpected first line from the pack: ${out.slice(0, nl)}\n${err}`));
            }
        });
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`policy pack exited with code ${code} before serving:\n${err}`));
        });
    });
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": 400 * 1024 * 1024,
        "grpc.max_send_message_length": 400 * 1024 * 1024,
    });
    const close = async () => {
        client.close();
        if (child.exitCode !== null || child.signalCode !== null) return;
        // The CLI ends analyzer plugins by killing them; the SDK has no shutdown RPC.
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        await exited;
    };
    return { client, child, stderr: () => err, close };
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
}

/** Every policy of the pack over one program capture, through the real analyzer server. */
export async function analyze(capture: ProgramCapture, opts: AnalyzeOptions): Promise<PolicyReport> {
    const started = Date.now();
    const packDir = opts.packDir ?? DEFAULT_PACK_DIR;
    const file = opts.policyConfig ?? loadConfigFile(packDir, opts.stack);
    // `main` is the compiled dist/ (what `npm pack` ships), so the sources are loaded by their entry.
    const program = opts.installed ? packDir : opts.typescript ? path.join(packDir, "index.ts") : ensureBuilt(packDir);
    const server = await startPack(packDir, program);
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
        sc.setStack(capture.stack);
        sc.setProject(capture.project);
        sc.setOrganization("organization");
        sc.setDryRun(true);
        for (const [k, v] of Object.entries(capture.config)) {
            sc.getConfigMap().set(k, typeof v === "string" ? v : JSON.stringify(unwrapSecrets(v)));
        }
        await call(c.configureStack.bind(c), sc);
        const { policies } = await describePolicies(c);
        const cfg = effectiveConfig(policies, file);
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
        const violations: Violation[] = [];
        for (const req of analyzeRequests(capture)) {
            const resp = await call<pb.AnalyzeRequest, pb.AnalyzeResponse>(c.analyze.bind(c), req);
            violations.push(...violationsOf(resp, req.getUrn()));
        }
        const stackResp = await call<pb.AnalyzeStackRequest, pb.AnalyzeResponse>(
            c.analyzeStack.bind(c),
            analyzeStackRequest(capture),
        );
        violations.push(...violationsOf(stackResp));
        return {
            violations,
            policies: policies.filter((p) => cfg[p.name].enforcementLevel !== "disabled").length,
            resourcesAnalyzed: capture.resources.length,
            ms: Date.now() - started,
        };
    } finally {
        await server.close();
    }
}
