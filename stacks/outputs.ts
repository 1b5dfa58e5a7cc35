import type * as pulumi from "@pulumi/pulumi";

/** Bumped on any breaking change to the shape below; consumers pin the major version they read. */
export const OUTPUTS_CONTRACT_VERSION = "1";

/** One service as other teams see it. */
export interface ServiceEndpoint {
    /** Public https URL; absent for internal services. */
    readonly url: pulumi.Output<string | undefined>;
    /** Liveness endpoint (`/healthz`), public when the service is. */
    readonly healthUrl: pulumi.Output<string | undefined>;
    /** Readiness endpoint (`/readyz`): 503 while a dependency it covers is down. */
    readonly readinessUrl: pulumi.Output<string | undefined>;
    /** Dependencies the readiness check covers. */
    readonly readinessCovers: readonly string[];
    /** URL inside the estate. */
    readonly internalUrl: pulumi.Output<string>;
    readonly image: pulumi.Output<string>;
    /** Image to roll back to. */
    readonly previousImage: pulumi.Output<string>;
}

/** One data store as other teams see it: where it answers and the names of its secrets, never values. */
export interface DataStoreEndpoint {
    /** Host inside the estate's private network. */
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    /** True only when config made the store public (refused by policy). */
    readonly public: boolean;
    /** Secret id → its name in the store, for the store's connection settings and credentials. */
    readonly secretNames: pulumi.Output<Record<string, string>>;
}

export interface DataOutputs {
    readonly postgres: DataStoreEndpoint & {
        /** Host serving read-only queries (a replica, or the primary when there are none). */
        readonly readHost: pulumi.Output<string>;
        readonly databaseName: pulumi.Output<string>;
    };
    readonly redis: DataStoreEndpoint;
    readonly neo4j: DataStoreEndpoint;
    readonly ollama: DataStoreEndpoint & {
        /** Models pulled before any service uses them (chat, embeddings). */
        readonly models: readonly string[];
    };
}

/**
 * The stack-outputs contract other teams build on (via StackReference). Same shape on every
 * platform; secret *names* only, never values.
 */
export interface EstateOutputs {
    readonly contractVersion: string;
    readonly platform: string;
    readonly environment: string;
    readonly services: Readonly<Record<string, ServiceEndpoint>>;
    /** Secret id → its name in the store (GCP resource name, Key Vault secret or Kubernetes Secret key). */
    readonly secretNames: pulumi.Output<Record<string, string>>;
    /** The data stores and the model runtime. */
    readonly data: DataOutputs;
}
