import * as module from "node:module";
import * as path from "node:path";

/** Inside the checkout (ignored with node_modules), so nothing is written or read outside the repository. */
export const COMPILE_CACHE_DIR = path.resolve(__dirname, "..", "..", "node_modules", ".cache", "estate-compile");

/** Whether the person asked for TypeScript positions in stack traces (`NODE_OPTIONS=--enable-source-maps`). */
export const sourceMapsRequested = (): boolean =>
    process.execArgv.includes("--enable-source-maps") ||
    (process.env["NODE_OPTIONS"] ?? "").includes("--enable-source-maps");

/**
 * Start-up settings of the offline commands, called before the SDKs load.
 * - V8's code cache (`module.enableCompileCache`): compiling the SDKs' JavaScript is a large
 *   share of each run and does not change between runs; child processes get it through NODE_COMPILE_CACHE.
 * - Source-mapped stack traces off unless asked for: tsx turns them on, and the SDK formats a
 *   stack for every promise it creates (`debuggablePromise` in @pulumi/pulumi runtime/debuggable.ts),
 *   which then costs about a sixth of the run; that stack is left empty (only the SDK's leak report
 *   reads it). A crash report says how to get TypeScript positions.
 */
export function fastStartup(): void {
    module.enableCompileCache?.(COMPILE_CACHE_DIR);
    process.env["NODE_COMPILE_CACHE"] ??= COMPILE_CACHE_DIR;
    if (sourceMapsRequested()) return;
    process.setSourceMapsEnabled(false);
    // The SDK's per-promise stack is read only by its leak report; every other stack is formatted as V8 does.
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) =>
        frames[0]?.getFunctionName() === "debuggablePromise"
            ? ""
            : `${String(error)}${frames.map((f) => `\n    at ${f.toString()}`).join("")}`;
}
