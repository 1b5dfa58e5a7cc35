/**
 * Another team's program reading the estate's stack outputs. It depends on the published
 * contract only: `estate-outputs.ts` is generated from docs/outputs.schema.json, and every
 * output is read with `requireOutput`, so a missing output fails the preview by name instead
 * of deploying `undefined`.
 *
 *     pulumi config set estateStack acme/estate/prod
 *
 * Needs read access to that stack (Pulumi Cloud: the stack "read" permission, from a team or a
 * token), nothing more: outputs carry secret names, never secret values.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONTRACT_VERSION, type EstateOutputs } from "./estate-outputs";

const config = new pulumi.Config();
const estate = new pulumi.StackReference(config.require("estateStack"));

/** One output of the contract, typed as the schema describes it. */
function contract<K extends keyof EstateOutputs>(name: K): pulumi.Output<EstateOutputs[K]> {
    return estate.requireOutput(name) as pulumi.Output<EstateOutputs[K]>;
}

/** Fails with the output path when a field this program relies on is absent. */
function present<T>(value: T | undefined, at: string): T {
    if (value === undefined || value === null || value === "") throw new Error(`the estate exports no ${at}`);
    return value;
}

// The major version first: under another one any output may have moved or changed type.
const version = contract("contractVersion").apply((v) => {
    if (v !== CONTRACT_VERSION) {
        throw new Error(`estate outputs contract v${String(v)}; this program reads v${CONTRACT_VERSION}`);
    }
    return v;
});
const services = pulumi.all([version, contract("services")]).apply(([, s]) => s);
const secretNames = pulumi.all([version, contract("secretNames")]).apply(([, names]) => names);

export const apiUrl = services.apply((s) => s.api.url ?? present(s.api.internalUrl, "services.api.internalUrl"));
export const apiReadinessUrl = services.apply((s) => s.api.readinessUrl);
export const apiImage = services.apply((s) => present(s.api.image, "services.api.image"));
/** A name in the estate's secret store: this program reads the value from the store itself, with its own identity. */
export const jwtSecretName = secretNames.apply((names) => present(names["jwt-secret"], "secretNames.jwt-secret"));
