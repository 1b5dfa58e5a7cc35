/**
 * The policy pack's analyzer process, with node built-ins only, so a command can start it
 * before loading the SDKs and let it boot while the program runs.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
export const DEFAULT_PACK_DIR = path.join(ROOT, "policies");

/**
 * V8 flags of the analyzer process (here) and of the plan and policy commands (package.json scripts).
 * V8 grows the young generation up to its default cap for a short, allocation-heavy run, about
 * 80 MB of peak RSS in the plan and 45 MB in the analyzer that buy no measurable CPU time
 * (measured on the prod plan: 315 -> 237 MB and 229 -> 182 MB, CPU unchanged).
 */
export const NODE_HEAP_FLAGS: readonly string[] = ["--max-semi-space-size=8"];

/** Loads what @pulumi/pulumi requires at start-up but an analyzer never uses on first use only (see the file). */
const DEFER_MODULES = path.join(__dirname, "defer-modules.cjs");

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
 * exactly when a source changed), and returns the directory to hand to `run-policy-pack`; the
 * start-up then does not pay for ts-node's type-checking of provider SDKs. Content-addressed,
 * so concurrent test files share one build and never see a half-written one.
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

export interface PackProcess {
    child: ChildProcess;
    port: number;
    stderr: () => string;
    /** Ends the process the way the CLI ends analyzer plugins: by killing it (the SDK has no shutdown RPC). */
    kill: () => Promise<void>;
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
export function spawnPack(packDir: string, program: string = packDir): Promise<PackProcess> {
    // No engine is listening: the SDK logs to the console when PULUMI_NODEJS_ENGINE is unset.
    const env = { ...process.env };
    delete env["PULUMI_NODEJS_ENGINE"];
    const child = spawn(
        process.execPath,
        [...NODE_HEAP_FLAGS, "--require", DEFER_MODULES, runPolicyPackOf(packDir), "127.0.0.1:0", program],
        {
            cwd: packDir,
            env,
            stdio: ["ignore", "pipe", "pipe"],
        },
    );
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const kill = async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        await exited;
    };
    return new Promise<PackProcess>((resolve, reject) => {
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
                if (Number.isInteger(n) && n > 0) resolve({ child, port: n, stderr: () => err, kill });
                else reject(new Error(`unexpected first line from the pack: ${out.slice(0, nl)}\n${err}`));
            }
        });
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`policy pack exited with code ${code} before serving:\n${err}`));
        });
    });
}
