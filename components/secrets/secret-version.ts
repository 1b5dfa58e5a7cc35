import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { SecretEntry } from "./secret-store";

/**
 * A short digest of a set of secret values, for the name of the Kubernetes Secret that carries
 * them: any rotation yields a new name, so every pod that reads one rolls onto the new values and
 * never keeps a stale copy in its environment (the kustomize secretGenerator pattern). 40 bits of a
 * SHA-256 over high-entropy values reveal nothing about them.
 */
export function secretValuesVersion(values: Readonly<Record<string, string>>): string {
    const hash = createHash("sha256");
    for (const id of Object.keys(values).sort()) hash.update(`${id}\u0000${values[id]}\u0000`);
    return hash.digest("hex").slice(0, 10);
}

/** `secretValuesVersion` of a store's entries, as a plain (non-secret) output. */
export function entriesVersion(entries: readonly SecretEntry[]): pulumi.Output<string> {
    return pulumi.unsecret(
        pulumi.all(Object.fromEntries(entries.map((e) => [e.id, e.value]))).apply(secretValuesVersion),
    );
}
