/**
 * The stack-outputs contract other teams build on through `pulumi.StackReference`: one zod schema
 * that is at once the program's export type (index.ts cannot export a key it does not declare),
 * the runtime validator consumers parse `getOutput(...)` with, and the source of
 * docs/outputs.schema.json (`npm run gen`). Same shape on every platform. Secrets appear only as
 * their *names* in the secret store (`secretName` below), never as values.
 *
 * Adding an output: add it to `estateOutputsSchema` (with a description, and `secretName` for a
 * store name), export it from the Estate, run `npm run gen`. Renaming or removing a key, or
 * making one optional, is breaking: bump OUTPUTS_CONTRACT_VERSION.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { platformNames } from "./config-keys";
import { dependencyNames, serviceNames, type ServiceName } from "./services";

/** Bumped on any breaking change to the shape below; consumers pin the major version they read. */
export const OUTPUTS_CONTRACT_VERSION = "1";

/** How sensitive a field is; carried into the JSON Schema as `sensitivity`. */
export type Sensitivity = "public" | "secret-name";

/** A secret's name or id in the store (GCP resource name, `<vault>/<secret>`, `<k8s Secret>/<key>`), never its value. */
export const secretName = (description: string) =>
    z
        .string()
        .min(1)
        .meta({ description, sensitivity: "secret-name" satisfies Sensitivity });

/** Secret ids are kebab-case (`jwt-secret`, `database-url`). */
export const secretId = z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: "secret ids are kebab-case, e.g. jwt-secret" });

const httpsUrl = z.url({ protocol: /^https$/, error: "must be an https:// URL" });

export const serviceEndpointSchema = z
    .object({
        url: httpsUrl.optional().meta({ description: "Public https URL; absent for internal services." }),
        healthUrl: httpsUrl
            .optional()
            .meta({ description: "Liveness endpoint (`/healthz`); absent for internal services." }),
        readinessUrl: httpsUrl.optional().meta({
            description:
                "Readiness endpoint (`/readyz`): 503 while a dependency it covers is down; absent for internal services.",
        }),
        readinessCovers: z
            .array(z.enum(dependencyNames))
            .meta({ description: "Dependencies the readiness check covers." }),
        internalUrl: z
            .url()
            .meta({ description: "URL inside the estate (cluster DNS or Container Apps internal name)." }),
        image: z.string().min(1).meta({ description: "Running image, `<repository>:<immutable tag>`." }),
        previousImage: z.string().min(1).meta({ description: "Image to roll back to (`estate:<svc>PreviousTag`)." }),
    })
    .meta({ id: "ServiceEndpoint", description: "One service as other teams see it." });

/** Where one store answers and the names of its secrets; the same fields on every platform. */
const dataStoreShape = {
    host: z.string().min(1).meta({
        description: "Host inside the estate's private network (cluster DNS, private endpoint or internal app name).",
    }),
    port: z.int().min(1).max(65535).meta({ description: "Port clients connect to." }),
    public: z.boolean().meta({
        description:
            "True only when `estate:publicDataStores` gave the store a public endpoint (the policy pack refuses it).",
    }),
    secretNames: z.record(secretId, secretName("Name of the secret in the store.")).meta({
        description: "Secret id → its name in the store, for this store's connection settings and credentials.",
    }),
};

export const dataStoreEndpointSchema = z
    .object(dataStoreShape)
    .meta({ description: "One data store as other teams see it." });

export const dataOutputsSchema = z
    .object({
        postgres: z
            .object({
                ...dataStoreShape,
                readHost: z.string().min(1).meta({
                    description: "Host serving read-only queries: a replica, or the primary when there are none.",
                }),
                databaseName: z.string().min(1).meta({ description: "The application database." }),
            })
            .meta({ description: "PostgreSQL (CloudNativePG on Kubernetes, Flexible Server on Azure)." }),
        redis: dataStoreEndpointSchema,
        neo4j: dataStoreEndpointSchema,
        ollama: z
            .object({
                host: dataStoreShape.host,
                port: dataStoreShape.port,
                public: dataStoreShape.public,
                models: z
                    .array(z.string().min(1))
                    .meta({ description: "Models pulled before any service uses them: chat, then embeddings." }),
            })
            .meta({ description: "The Ollama model runtime (no credentials: it is reachable only from its clients)." }),
    })
    .meta({ description: "The data stores and the model runtime, private by default." });
export const alertingSchema = z
    .object({
        receiverKind: z
            .enum(["pagerduty", "webhook"])
            .meta({ description: "Kind of the on-call receiver that pages (`estate:alertOnCallReceiver`)." }),
        routingIds: z.array(z.string().min(1)).min(1).meta({
            description: "AlertmanagerConfig (`namespace/name`) or Azure action group ids the alerts route through.",
        }),
        alertNames: z
            .record(z.string(), z.array(z.string().min(1)))
            .meta({ description: "Alert names per service, in catalogue order; backup alerts under `backup`." }),
    })
    .meta({ id: "Alerting", description: "Where alerts go and which exist; never the receiver's key." });

export const backupsSchema = z
    .object({
        storageName: z
            .string()
            .min(1)
            .meta({ description: "Backup bucket (GCS) or `<account>/<container>` (Azure Blob)." }),
        storageUrl: z
            .string()
            .min(1)
            .meta({ description: "`gs://bucket` or `https://<account>.blob.core.windows.net/<container>`." }),
        schedules: z
            .record(z.string(), z.string().min(1))
            .meta({ description: "Backup and drill job name → cron schedule (UTC)." }),
        storeSchedules: z
            .partialRecord(z.enum(["postgres", "redis", "neo4j"]), z.record(z.string(), z.string().min(1)))
            .meta({
                description:
                    "The same jobs by store: `postgres`, `redis`, `neo4j` → job name → cron schedule (UTC), backup and drill.",
            }),
        drillSchedule: z
            .string()
            .min(1)
            .optional()
            .meta({ description: "Cron schedule of the monthly restore drill; absent when it is off." }),
    })
    .meta({ description: "Daily encrypted backups and the restore drill." });

/** `api` always runs; the other services are present when their stack deploys them. */
const servicesShape = Object.fromEntries(
    serviceNames.map((name) => [name, name === "api" ? serviceEndpointSchema : serviceEndpointSchema.optional()]),
) as { api: typeof serviceEndpointSchema } & {
    [K in Exclude<ServiceName, "api">]: z.ZodOptional<typeof serviceEndpointSchema>;
};

export const estateOutputsSchema = z
    .object({
        contractVersion: z.literal(OUTPUTS_CONTRACT_VERSION).meta({ description: "Major version of this contract." }),
        platform: z.enum(platformNames).meta({ description: "Where the workloads run." }),
        environment: z.enum(["staging", "prod"]).meta({ description: "Environment of the stack." }),
        services: z.object(servicesShape).meta({ description: "Deployed services by name." }),
        secretNames: z.record(secretId, secretName("Name of the secret in the store.")).meta({
            description:
                "Secret id → its name in the store (GCP resource name, Key Vault secret or Kubernetes Secret key).",
        }),
        data: dataOutputsSchema,
        alerting: alertingSchema,
        backups: backupsSchema,
    })
    .meta({
        title: "estate stack outputs",
        description:
            "The outputs every estate stack exports, read with pulumi.StackReference. Secret names only, never values.",
    });

/** The resolved outputs, as a consumer reads them. */
export type EstateOutputsValue = z.output<typeof estateOutputsSchema>;
export type ServiceEndpointValue = z.output<typeof serviceEndpointSchema>;

/** A value the program may export for `T`: plain, or an Output at any level (not distributed over unions). */
export type Exported<T> = [NonNullable<T>] extends [readonly (infer U)[]]
    ? pulumi.Input<readonly U[] | Extract<T, undefined>>
    : [NonNullable<T>] extends [object]
      ? { readonly [K in keyof NonNullable<T>]: Exported<NonNullable<T>[K]> } | pulumi.Output<T> | Extract<T, undefined>
      : pulumi.Input<T>;

/** What the Estate exports; typed from the schema, so an undeclared or missing key fails to compile. */
export type EstateOutputs = { readonly [K in keyof EstateOutputsValue]: Exported<EstateOutputsValue[K]> };
export type ServiceEndpoint = Exported<ServiceEndpointValue>;
export type DataOutputs = Exported<z.output<typeof dataOutputsSchema>>;

export class OutputsContractError extends Error {}

/**
 * Parses resolved stack outputs; an ill-typed or missing key is an error naming its path.
 * Consumers parse leniently (the default: keys added later are dropped, so an older copy of this
 * schema keeps working); the producer's tests parse with `strict`, which refuses any key the
 * contract does not declare.
 */
export function parseEstateOutputs(value: unknown, options: { strict?: boolean } = {}): EstateOutputsValue {
    const result = estateOutputsSchema.safeParse(value);
    const problems = result.success ? [] : [z.prettifyError(result.error)];
    if (result.success && options.strict)
        problems.push(...undeclaredKeys(value, result.data, "").map((at) => `✖ Undeclared key\n  → at ${at}`));
    if (problems.length > 0)
        throw new OutputsContractError(
            `stack outputs do not match contract v${OUTPUTS_CONTRACT_VERSION}:\n${problems.join("\n")}`,
        );
    return result.data as EstateOutputsValue;
}

type Sections = typeof estateOutputsSchema.shape;

/** Parses one top-level output (`getOutput("services")`) leniently; errors name the full path. */
export function parseOutputSection<K extends keyof Sections>(key: K, value: unknown): z.output<Sections[K]> {
    const result = estateOutputsSchema.shape[key].safeParse(value);
    if (!result.success) {
        const issues = result.error.issues.map((issue) => ({ ...issue, path: [key, ...issue.path] }));
        throw new OutputsContractError(
            `stack output \`${key}\` does not match contract v${OUTPUTS_CONTRACT_VERSION}:\n${z.prettifyError(new z.ZodError(issues))}`,
        );
    }
    return result.data as z.output<Sections[K]>;
}

/** Keys of `input` that parsing dropped: zod objects strip what the schema does not declare. */
function undeclaredKeys(input: unknown, parsed: unknown, at: string): string[] {
    if (Array.isArray(input) && Array.isArray(parsed))
        return input.flatMap((v, i) => undeclaredKeys(v, parsed[i], `${at}[${i}]`));
    if (!input || typeof input !== "object" || !parsed || typeof parsed !== "object") return [];
    const kept = parsed as Record<string, unknown>;
    return Object.entries(input).flatMap(([key, v]) => {
        const path = at ? `${at}.${key}` : key;
        return key in kept ? undeclaredKeys(v, kept[key], path) : [path];
    });
}

/** The contract as JSON Schema (draft 2020-12), for consumers outside TypeScript. */
export function outputsJsonSchema(): Record<string, unknown> {
    const schema = z.toJSONSchema(estateOutputsSchema, { target: "draft-2020-12", io: "output" }) as Record<
        string,
        unknown
    >;
    return {
        ...schema,
        $id: `https://estate.invalid/schemas/outputs/v${OUTPUTS_CONTRACT_VERSION}.json`,
        "x-contract-version": OUTPUTS_CONTRACT_VERSION,
    };
}

/** Dotted paths of the fields that hold secret names (`secretNames.*`): the consumer reads a name, then the store. */
export function secretNamePaths(): string[] {
    const schema = outputsJsonSchema();
    const defs = (schema["$defs"] ?? {}) as Record<string, unknown>;
    const paths: string[] = [];
    const walk = (node: unknown, at: string) => {
        if (!node || typeof node !== "object") return;
        const record = node as Record<string, unknown>;
        const ref = typeof record["$ref"] === "string" ? /^#\/\$defs\/(.+)$/.exec(record["$ref"])?.[1] : undefined;
        if (ref !== undefined) return walk(defs[ref], at);
        if (record["sensitivity"] === "secret-name") paths.push(at);
        for (const [key, child] of Object.entries((record["properties"] as Record<string, unknown>) ?? {}))
            walk(child, at ? `${at}.${key}` : key);
        if (record["additionalProperties"] && typeof record["additionalProperties"] === "object")
            walk(record["additionalProperties"], `${at}.*`);
        for (const option of (record["anyOf"] as unknown[]) ?? []) walk(option, at);
    };
    walk(schema, "");
    return paths;
}
