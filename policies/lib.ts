import type { PolicyConfigSchema, ResourceValidationPolicy, Severity, StackValidationPolicy } from "@pulumi/policy";

/** What a reviewer needs to trace a policy back to its requirement and to public checks. */
export interface PolicyMeta {
    /**
     * Ids of the requirements the policy enforces, from the estate's requirements register
     * (tools/traceability/register.ts, rendered in docs/traceability.md with the runbook line of each).
     */
    readonly requirements: readonly string[];
    /** Public check ids: Pod Security Standards control, Checkov, KICS, Kyverno. */
    readonly checks: readonly string[];
}

export type EstatePolicy = (ResourceValidationPolicy | StackValidationPolicy) & { readonly severity: Severity };

/** The metadata table row: the policy's own severity plus its trace. */
export interface PolicyInfo extends PolicyMeta {
    readonly severity: Severity;
}

export interface CatalogEntry {
    readonly policy: EstatePolicy;
    readonly meta: PolicyMeta;
}

/** The `default` of every property of a policy's config schema. */
export function schemaDefaults(schema: PolicyConfigSchema | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, prop] of Object.entries(schema?.properties ?? {})) {
        if (prop.default !== undefined) {
            out[key] = prop.default;
        }
    }
    return out;
}

/**
 * The policy's effective config: schema defaults overlaid with what `Configure` sent. The
 * analyzer SDK returns `{}` when the engine sent nothing, so defaults must be applied here.
 */
export function configWithDefaults<T extends object>(
    schema: PolicyConfigSchema,
    args: { getConfig<U extends object>(): U },
): T {
    const given = args.getConfig<Record<string, unknown>>();
    const merged: Record<string, unknown> = { ...schemaDefaults(schema) };
    for (const [key, value] of Object.entries(given)) {
        if (value !== undefined && value !== null) {
            merged[key] = value;
        }
    }
    return merged as T;
}

/** A name–value env entry as both Kubernetes and Container Apps declare it. */
export interface EnvEntry {
    readonly name: string;
    readonly value?: string;
    /** True when the value comes from a secret store reference instead of a literal. */
    readonly byReference: boolean;
}

/** A probe, reduced to what the runbooks ask about. */
export interface ProbeView {
    /** Path of an HTTP GET probe; undefined for exec/TCP/gRPC probes. */
    readonly httpPath?: string;
}

export interface ContainerView {
    readonly name: string;
    readonly image?: string;
    readonly init: boolean;
    readonly env: readonly EnvEntry[];
    /** `command` then `args`, as the runtime joins them. */
    readonly argv: readonly string[];
    readonly liveness?: ProbeView;
    readonly readiness?: ProbeView;
    readonly startup?: ProbeView;
}

export function envValue(c: ContainerView, name: string): string | undefined {
    return c.env.find((e) => e.name === name)?.value;
}

/**
 * The `stackEnvironment` property every prod-only policy takes; `config/<stack>.json` sets it
 * per stack (the engine hands a policy only its own config, so each policy carries the key).
 */
export const stackEnvironmentProperty: PolicyConfigSchema["properties"][string] = {
    type: "string",
    enum: ["prod", "staging", "dev"],
    default: "prod",
    description: "Which environment the stack deploys; the check applies only to prod.",
};

/** Data-store roles, as carried by `app.kubernetes.io/component` (or the Azure tag `estate-component`). */
export const DATA_COMPONENTS: readonly string[] = ["database", "cache", "graph", "ai-runtime"];

const STORE_IMAGE = /(^|\/)(postgres|postgresql|redis|redis-stack|neo4j|ollama|valkey)(:|@|$)/;

/** True for images of PostgreSQL, Redis, Neo4j or Ollama, in case a store is missing its labels. */
export function isStoreImage(image: string | undefined): boolean {
    return image !== undefined && STORE_IMAGE.test(image.toLowerCase());
}

export function quoteList(items: readonly string[]): string {
    return items.map((i) => `\`${i}\``).join(", ");
}

/**
 * Resource properties as the engine sends them to a policy: JSON with no declared shape (or a
 * provider's input type, which says nothing the engine guarantees). Read them with field, list, text.
 */
export type Props = object;

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value at `keys` under `value`, or undefined where a step is not an object. */
export function field(value: unknown, ...keys: readonly string[]): unknown {
    let current = value;
    for (const key of keys) {
        if (!isRecord(current)) return undefined;
        current = current[key];
    }
    return current;
}

/** The array at `keys` under `value`; empty when it is missing or not an array. */
export function list(value: unknown, ...keys: readonly string[]): readonly unknown[] {
    const found = field(value, ...keys);
    return Array.isArray(found) ? found : [];
}

/** The string at `keys` under `value`, or undefined when it is missing or not a string. */
export function text(value: unknown, ...keys: readonly string[]): string | undefined {
    const found = field(value, ...keys);
    return typeof found === "string" ? found : undefined;
}

/** A value as the engine may send it, with Pulumi's secret wrapper (`{ [sig]: secretSig, value }`) removed. */
export function revealed(value: unknown): unknown {
    return isRecord(value) && "4dabf18193072939515e22adb298388d" in value ? value.value : value;
}
