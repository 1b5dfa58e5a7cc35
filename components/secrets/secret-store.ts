import type * as pulumi from "@pulumi/pulumi";
import type { SecretRef } from "../workload/service";

/** One secret the estate keeps: its id in the store and its value (always a Pulumi secret). */
export interface SecretEntry {
    readonly id: string;
    readonly value: pulumi.Output<string>;
}

/** What every secret store hands to the estate: references for workloads, names for the outputs contract. */
export interface SecretStore {
    /** Reference per secret id, in the form this platform's workloads read. */
    readonly refs: Readonly<Record<string, SecretRef>>;
    /** Name or id of each secret in the store (never the value). */
    readonly secretNames: pulumi.Output<Record<string, string>>;
}
