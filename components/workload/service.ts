import type * as pulumi from "@pulumi/pulumi";

/** Where a secret env var comes from; each platform's store hands out the kind its workloads read. */
export type SecretRef =
    | { readonly kind: "kubernetes-secret"; readonly secretName: pulumi.Input<string>; readonly key: string }
    | {
          readonly kind: "key-vault";
          readonly secretUri: pulumi.Input<string>;
          readonly identityId: pulumi.Input<string>;
          readonly name: string;
      };

export interface ProbeSettings {
    /** Liveness path. @default "/healthz" (runbooks 000, 001) */
    readonly livenessPath: string;
    /** Readiness path; 503 while a critical dependency is down. @default "/readyz" */
    readonly readinessPath: string;
    /** Seconds between probes. @default 15 (runbook 001) */
    readonly periodSeconds: number;
    readonly timeoutSeconds: number;
    readonly failureThreshold: number;
    /** Startup budget = periodSeconds × startupFailureThreshold. */
    readonly startupFailureThreshold: number;
}

/** The defaults of the optional service settings, written once for every platform. */
export const SERVICE_DEFAULTS = { tls: true, targetCpuPercent: 70 } as const;

/** Platform-neutral description of one long-running HTTP service. */
export interface ServiceArgs {
    /** Full immutable image reference (`repo:sha` or `repo@sha256:…`). */
    readonly image: string;
    /** Previous image reference, kept so a rollback is one config change. */
    readonly previousImage: string;
    readonly port: number;
    /** Public host name; the service gets a TLS ingress when set. @default internal only */
    readonly host?: string;
    /** Terminate TLS at the edge. @default true */
    readonly tls?: boolean;
    readonly minReplicas: number;
    readonly maxReplicas: number;
    /** Autoscaling CPU target in percent. @default 70 */
    readonly targetCpuPercent?: number;
    readonly probes: ProbeSettings;
    /** Plain (non-secret) environment. */
    readonly env: Readonly<Record<string, pulumi.Input<string>>>;
    /** Secret environment, by reference into the secret store; values are never inlined. */
    readonly secretEnv: Readonly<Record<string, SecretRef>>;
    /** Names of in-estate services allowed to call this one. @default none */
    readonly allowedCallers?: readonly string[];
    /** In-estate dependencies this service calls (its readiness covers them). @default none */
    readonly dependencies?: readonly string[];
    /** CORS origins the edge may allow (Container Apps enforces them at ingress). @default none */
    readonly corsAllowedOrigins?: readonly string[];
    /** CPU request / memory request; limits are twice the request. @default "250m" / "512Mi" */
    readonly cpu?: string;
    readonly memory?: string;
    /**
     * Resources the workload must not roll before: the stores it needs, the model pull, the
     * migration job of its image tag (Pulumi waits for a Kubernetes Job to complete). Set on the Deployment / Container App
     * itself, so the dependency is visible in the graph policies read. @default none
     */
    readonly dependsOn?: readonly pulumi.Resource[];
}

/** What every platform's service exposes to the estate and the outputs contract. */
export interface ServiceOutputs {
    /** Public https URL, or undefined for internal services. */
    readonly url: pulumi.Output<string | undefined>;
    /** URL other workloads in the estate use. */
    readonly internalUrl: pulumi.Output<string>;
    readonly image: pulumi.Output<string>;
    readonly previousImage: pulumi.Output<string>;
}

/** Requests and limits derived from one size so they cannot drift apart; limit = 2 × request. */
export function resourceSizing(cpu = "250m", memory = "512Mi") {
    const doubled = (quantity: string): string => {
        const match = /^(\d+(?:\.\d+)?)(m|Mi|Gi)?$/.exec(quantity);
        if (!match)
            throw new Error(
                `\`cpu\`/\`memory\` must be a Kubernetes quantity such as 250m or 512Mi, got "${quantity}"`,
            );
        return `${Number(match[1]) * 2}${match[2] ?? ""}`;
    };
    return { requests: { cpu, memory }, limits: { cpu: doubled(cpu), memory: doubled(memory) } };
}

/** Azure Container Apps accepts only fixed CPU/memory pairs; map a CPU request onto the nearest one. */
export function containerAppSize(cpu = "250m"): { cpu: number; memory: string } {
    const cores = cpu.endsWith("m") ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
    const sizes = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];
    const chosen = sizes.find((size) => size >= cores) ?? 2;
    return { cpu: chosen, memory: `${chosen * 2}Gi` };
}
