import assert from "node:assert/strict";
import { parseEstateOutputs, type EstateOutputsValue } from "../../stacks/outputs";
import { runProgram, unwrapSecrets, type CapturedResource, type ProgramCapture } from "../../tools/lib/mock-run";

export const stacks = ["staging", "prod"] as const;
export const platforms = ["kubernetes", "azure"] as const;

/** Runs the real program for a stack file, optionally on the other platform, like `npm run plan -- -c`. */
export function plan(stack: string, overrides: Record<string, string> = {}): Promise<ProgramCapture> {
    return runProgram({ stack, overrides });
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

/** Inputs with secret wrappers removed, for asserting on structure. */
export function inputsOf(r: CapturedResource): Record<string, any> {
    return unwrapSecrets(r.inputs) as Record<string, any>;
}

/** The stack outputs, parsed strictly against the outputs contract (stacks/outputs.ts) and typed by it. */
export function outputsOf(capture: Pick<ProgramCapture, "outputs">): EstateOutputsValue {
    return parseEstateOutputs(unwrapSecrets(capture.outputs), { strict: true });
}
