import assert from "node:assert/strict";
import { parseEstateOutputs, type EstateOutputsValue } from "../../stacks/outputs";
import { runProgram, unwrapSecrets, type CapturedResource, type ProgramCapture } from "../../tools/lib/mock-run";

export const stacks = ["staging", "prod"] as const;
export const platforms = ["kubernetes", "azure"] as const;

const plans = new Map<string, Promise<ProgramCapture>>();

/**
 * Runs the real program for a stack file, optionally on the other platform, like `npm run plan -- -c`.
 * A plan is computed once per process and shared, frozen, by every test that asks for the same
 * stack and overrides: the program is deterministic, and a test that changed a shared plan would
 * throw instead of silently changing another test's input.
 */
export function plan(stack: string, overrides: Record<string, string> = {}): Promise<ProgramCapture> {
    const key = JSON.stringify([stack, Object.entries(overrides).sort()]);
    let planned = plans.get(key);
    if (!planned) {
        planned = runProgram({ stack, overrides }).then(deepFreeze);
        // A failed plan is not kept: the next test gets its own error.
        planned.catch(() => plans.delete(key));
        plans.set(key, planned);
    }
    return planned;
}

function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const child of Object.values(value)) deepFreeze(child);
    }
    return value;
}

/** The one resource of a type and name; fails loudly when it is missing or ambiguous. */
export function resource(capture: ProgramCapture, type: string, name: string): CapturedResource {
    const found = capture.resources.filter((r) => r.type === type && r.name === name);
    assert.equal(found.length, 1, `expected exactly one ${type} named ${name}, found ${found.length}`);
    return found[0]!;
}

export function resourcesOfType(capture: ProgramCapture, type: string): CapturedResource[] {
    return capture.resources.filter((r) => r.type === type);
}

/**
 * Inputs with secret wrappers removed, for asserting on structure. Deliberately loose, like `get` in
 * test/policies/cases.ts: asserts read deep paths of every kind; a typed view is in test/support/inputs.ts.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function inputsOf(r: CapturedResource): Record<string, any> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return unwrapSecrets(r.inputs) as Record<string, any>;
}

/** The stack outputs, parsed strictly against the outputs contract (stacks/outputs.ts) and typed by it. */
export function outputsOf(capture: Pick<ProgramCapture, "outputs">): EstateOutputsValue {
    return parseEstateOutputs(unwrapSecrets(capture.outputs), { strict: true });
}

/**
 * The Secret the estate's store syncs into: its name carries a digest of the values, so a rotation
 * renames it and every reader rolls (components/secrets/secret-version.ts).
 */
export function syncedSecret(capture: ProgramCapture): string {
    const sync = capture.resources.filter((r) => r.type === "kubernetes:external-secrets.io/v1:ExternalSecret");
    if (sync.length === 1) return String(inputsOf(sync[0]!).spec.target.name);
    return String(inputsOf(resource(capture, "kubernetes:core/v1:Secret", "app-secrets-secret")).metadata.name);
}
