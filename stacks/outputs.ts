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
    readonly alerting: AlertingOutputs;
}

/** Where alerts go and which exist; never the receiver's key. */
export interface AlertingOutputs {
    /** `pagerduty` or `webhook`. */
    readonly receiverKind: pulumi.Output<string>;
    /** AlertmanagerConfig (`namespace/name`) or Azure action group id(s) the alerts route through. */
    readonly routingIds: pulumi.Output<string[]>;
    /** Alert names per service; backup alerts under `backup`. */
    readonly alertNames: pulumi.Output<Record<string, string[]>>;
}
