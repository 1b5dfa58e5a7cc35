/**
 * Helpers for tests that construct one component alone under the mock runtime.
 */
import type * as pulumi from "@pulumi/pulumi";
import { runComponents } from "../../tools/lib/mock-run";

/**
 * The message a component's constructor refuses with. It is caught inside the mock run: a throw
 * that escapes `runComponents` leaves promises behind that reject unhandled instead of reaching
 * the caller, so `assert.rejects` cannot see it.
 */
export async function refusalOf(build: () => void): Promise<string> {
    let message = "constructed without an error";
    await runComponents(() => {
        try {
            build();
        } catch (error) {
            message = error instanceof Error ? error.message : String(error);
        }
    });
    return message;
}

/** An output's value: under the mocks every output resolves. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise<T>((resolve) => output.apply(resolve));
}
