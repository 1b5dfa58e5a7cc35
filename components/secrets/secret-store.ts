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

/** Every secret store a platform offers; each platform's settings accept only its own. */
export const secretStoreNames = ["gcp-secret-manager", "kubernetes", "key-vault"] as const;
export type SecretStoreKind = (typeof secretStoreNames)[number];

/** The `estate:secretStore` key's description, one text for the platforms that share the key. */
export const SECRET_STORE_KEY_DESCRIPTION =
    "Secret store: gcp-secret-manager or kubernetes on kubernetes, key-vault on azure (default: gcp-secret-manager / key-vault).";
