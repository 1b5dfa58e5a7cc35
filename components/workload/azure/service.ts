import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import type * as azureInputs from "@pulumi/azure-native/types/input";
import { azureTags } from "../../platform/azure/tags";
import { keyVaultSecrets } from "./job";
import {
    containerAppSize,
    SERVICE_DEFAULTS,
    type ProbeSettings,
    type ServiceArgs,
    type ServiceOutputs,
} from "../service";

export interface ContainerAppServiceArgs extends ServiceArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    /** Container Apps managed environment (wired to Log Analytics by the platform foundation). */
    readonly environmentId: pulumi.Input<string>;
    /** User-assigned identity that pulls images and reads Key Vault references. */
    readonly identityId: pulumi.Input<string>;
    /** Private registries the image is pulled from, each with the identity that pulls. @default none (public image) */
    readonly registries?: ReadonlyArray<{ readonly server: string; readonly identity: pulumi.Input<string> }>;
    /**
     * Origins allowed besides `corsAllowedOrigins`, e.g. the apps' own FQDNs before custom domains
     * are bound; also appended to the `ALLOWED_ORIGINS` env the service reads. @default none
     */
    readonly extraCorsOrigins?: readonly pulumi.Input<string>[];
    /** Concurrent requests per replica before the HTTP scale rule adds one. @default 50 */
    readonly concurrentRequestsPerReplica?: number;
}

/** Limits of a Container Apps probe (ContainerAppProbe, @pulumi/azure-native types/input.d.ts). */
export const CONTAINER_APP_PROBE_LIMITS = { periodSeconds: 240, failureThreshold: 10, timeoutSeconds: 240 } as const;

export interface ProbeTiming {
    readonly periodSeconds: number;
    readonly failureThreshold: number;
}

/**
 * The start-up probe with the same budget (period × threshold) as on Kubernetes, within Container
 * Apps' limits: a threshold above 10 becomes 10 failures of a proportionally longer period.
 */
export function startupProbeTiming(
    probes: Pick<ProbeSettings, "periodSeconds" | "startupFailureThreshold">,
): ProbeTiming {
    const budget = probes.periodSeconds * probes.startupFailureThreshold;
    const failureThreshold = Math.min(probes.startupFailureThreshold, CONTAINER_APP_PROBE_LIMITS.failureThreshold);
    const periodSeconds = Math.min(Math.ceil(budget / failureThreshold), CONTAINER_APP_PROBE_LIMITS.periodSeconds);
    return { periodSeconds, failureThreshold };
}

/** Tag holding the image a rollback returns to. */
export const PREVIOUS_IMAGE_TAG = "estate-previous-image";

/** Long-running HTTP service on Azure Container Apps: HTTPS-only ingress, probes, scale rules, multi-revision rollback. */
export class ContainerAppService extends pulumi.ComponentResource implements ServiceOutputs {
    readonly url: pulumi.Output<string | undefined>;
    readonly internalUrl: pulumi.Output<string>;
    readonly image: pulumi.Output<string>;
    readonly previousImage: pulumi.Output<string>;
    readonly containerApp: app.ContainerApp;

    constructor(name: string, args: ContainerAppServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:workload:ContainerAppService", name, {}, opts);
        const isPublic = args.host !== undefined;
        const size = containerAppSize(args.cpu);
        const keyVault = keyVaultSecrets(args.secretEnv, this);
        const extraOrigins = [...(args.extraCorsOrigins ?? [])];
        const origins: pulumi.Input<string>[] = [...(args.corsAllowedOrigins ?? []), ...extraOrigins];
        // The service enforces CORS itself too: it reads the same list.
        const env: Record<string, pulumi.Input<string>> = { ...args.env };
        if (extraOrigins.length > 0 && env["ALLOWED_ORIGINS"] !== undefined)
            env["ALLOWED_ORIGINS"] = pulumi
                .all([env["ALLOWED_ORIGINS"], ...extraOrigins])
                .apply((list) => list.filter((o) => o !== "").join(","));
        const probe = (
            type: "Liveness" | "Readiness" | "Startup",
            path: string,
            timing: ProbeTiming,
        ): azureInputs.app.ContainerAppProbeArgs => ({
            type,
            httpGet: { path, port: args.port, scheme: "HTTP" },
            timeoutSeconds: args.probes.timeoutSeconds,
            ...timing,
        });
        const steady = { periodSeconds: args.probes.periodSeconds, failureThreshold: args.probes.failureThreshold };

        this.containerApp = new app.ContainerApp(
            `${name}-app`,
            {
                containerAppName: name,
                resourceGroupName: args.resourceGroupName,
                managedEnvironmentId: args.environmentId,
                identity: { type: "UserAssigned", userAssignedIdentities: [args.identityId] },
                // Azure tag names cannot hold `/`: the Kubernetes keys `estate.io/*` become `estate-*`.
                tags: azureTags({
                    "estate-tier": "app",
                    "estate-name": name,
                    [PREVIOUS_IMAGE_TAG]: args.previousImage,
                }),
                configuration: {
                    // Several revisions stay active so traffic can move back to the previous image.
                    activeRevisionsMode: "Multiple",
                    maxInactiveRevisions: 5,
                    ingress: {
                        external: isPublic,
                        targetPort: args.port,
                        transport: "http",
                        allowInsecure: false,
                        traffic: [{ latestRevision: true, weight: 100, label: "current" }],
                        ...(origins.length > 0
                            ? {
                                  corsPolicy: {
                                      allowedOrigins: origins,
                                      allowedMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                                      allowCredentials: true,
                                  },
                              }
                            : {}),
                    },
                    // Key Vault references only: the value never passes through this program.
                    secrets: keyVault.secrets,
                    ...(args.registries?.length ? { registries: args.registries.map((r) => ({ ...r })) } : {}),
                },
                template: {
                    containers: [
                        {
                            name,
                            image: args.image,
                            resources: { cpu: size.cpu, memory: size.memory },
                            env: [
                                ...Object.entries(env).map(([envName, value]) => ({ name: envName, value })),
                                ...keyVault.env,
                            ],
                            probes: [
                                probe("Startup", args.probes.livenessPath, startupProbeTiming(args.probes)),
                                probe("Liveness", args.probes.livenessPath, steady),
                                probe("Readiness", args.probes.readinessPath, steady),
                            ],
                        },
                    ],
                    scale: {
                        minReplicas: args.minReplicas,
                        maxReplicas: args.maxReplicas,
                        // Scale rules cannot read Application Insights, so no p95-latency rule here (runbook 003
                        // asks for CPU + p95): concurrency and CPU scale, and the p95 alert pages.
                        rules: [
                            {
                                name: "http-concurrency",
                                http: {
                                    metadata: { concurrentRequests: String(args.concurrentRequestsPerReplica ?? 50) },
                                },
                            },
                            {
                                name: "cpu",
                                custom: {
                                    type: "cpu",
                                    metadata: {
                                        type: "Utilization",
                                        value: String(args.targetCpuPercent ?? SERVICE_DEFAULTS.targetCpuPercent),
                                    },
                                },
                            },
                        ],
                    },
                },
            },
            { parent: this, dependsOn: [...(args.dependsOn ?? [])] },
        );

        const fqdn = this.containerApp.configuration.apply((c) => c?.ingress?.fqdn ?? `${name}.internal`);
        this.url = isPublic ? fqdn.apply((host) => `https://${host}`) : pulumi.output(undefined);
        this.internalUrl = pulumi.output(`http://${name}`);
        this.image = pulumi.output(args.image);
        this.previousImage = pulumi.output(args.previousImage);
        this.registerOutputs({
            url: this.url,
            internalUrl: this.internalUrl,
            image: this.image,
            previousImage: this.previousImage,
        });
    }
}
