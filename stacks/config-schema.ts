import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { parseAlertThresholds } from "../components/observability/thresholds";
import { azureSettings } from "../components/platform/azure/settings";
import { checkKubernetesSettings, kubernetesSettings } from "../components/platform/kubernetes/settings";
import { refuseBelowFloors } from "./config-floors";
import { alertConfigKeys, commonConfigShape, platformKey, platformSettingsShapes, type Platform } from "./config-keys";
import { serviceBlueprints, serviceNames } from "./services";

/**
 * The stack configuration schema: a union on `platform` of the common keys (stacks/config-keys.ts)
 * and each platform's settings (components/platform/<platform>/settings.ts). Its output is the
 * typed config the estate is built from; `EstateConfig` is inferred from it.
 */

type Shape = Readonly<Record<string, z.ZodType>>;

/** Another platform's keys in a member: checked when given (a stack file serves both platforms), then ignored. */
function tolerated<S extends Shape>(shape: S): { [K in keyof S]: z.ZodOptional<S[K]> } {
    return Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, s.optional()])) as {
        [K in keyof S]: z.ZodOptional<S[K]>;
    };
}

type CommonKeys = z.output<z.ZodObject<typeof commonConfigShape>>;

/** Checks across the common keys. */
function checkCommon(c: CommonKeys, ctx: z.RefinementCtx): void {
    refuseBelowFloors(c, ctx);
    for (const svc of serviceNames) {
        const image = c[`${svc}Image`];
        for (const key of [`${svc}Tag`, `${svc}PreviousTag`] as const) {
            if (image !== undefined && c[key] === undefined) {
                ctx.addIssue({ code: "custom", path: [key], message: `required when ${svc}Image is set` });
            }
        }
        const min = c[`${svc}MinReplicas`];
        const max = c[`${svc}MaxReplicas`];
        if (min !== undefined && max !== undefined && min > max) {
            ctx.addIssue({
                code: "custom",
                path: [`${svc}MaxReplicas`],
                message: `must be at least ${svc}MinReplicas (${min})`,
            });
        }
        if (c.environment === "prod" && min !== undefined && min < 2) {
            ctx.addIssue({
                code: "custom",
                path: [`${svc}MinReplicas`],
                message: "must be at least 2 in prod so a rollout or node loss keeps the service up",
            });
        }
    }
    if (c.restoreDrillEnabled && c.backupAgeIdentity === undefined) {
        ctx.addIssue({
            code: "custom",
            path: ["backupAgeIdentity"],
            message: "required while restoreDrillEnabled is true: the drill decrypts with it",
        });
    }
    if (c.environment === "prod" && c.outboundAllowedHosts.length === 0) {
        ctx.addIssue({
            code: "custom",
            path: ["outboundAllowedHosts"],
            message: "must list the trusted upstream hosts in prod (runbook 002 security checklist)",
        });
    }
}

const kubernetesMember = z
    .strictObject({
        platform: z.literal("kubernetes"),
        ...commonConfigShape,
        ...tolerated(platformSettingsShapes.azure),
        ...platformSettingsShapes.kubernetes,
    })
    .superRefine((c, ctx) => {
        checkCommon(c, ctx);
        checkKubernetesSettings(c, ctx);
    });

const azureMember = z
    .strictObject({
        platform: z.literal("azure"),
        ...commonConfigShape,
        ...tolerated(platformSettingsShapes.kubernetes),
        ...platformSettingsShapes.azure,
    })
    .superRefine(checkCommon);

/** Every key with no platform chosen: reports the other problems of a config whose `platform` is invalid. */
const anyPlatform = z
    .strictObject({
        platform: platformKey,
        ...commonConfigShape,
        ...tolerated(platformSettingsShapes.kubernetes),
        ...tolerated(platformSettingsShapes.azure),
    })
    .superRefine(checkCommon);

function imageRef(image: string, tag: string): string {
    return tag.startsWith("sha256:") ? `${image}@${tag}` : `${image}:${tag}`;
}

function servicesOf(c: CommonKeys, isProd: boolean) {
    return serviceNames.flatMap((name) => {
        const image = c[`${name}Image`];
        const tag = c[`${name}Tag`];
        const previousTag = c[`${name}PreviousTag`];
        if (image === undefined || tag === undefined || previousTag === undefined) return [];
        const blueprint = serviceBlueprints[name];
        const minReplicas = c[`${name}MinReplicas`] ?? (isProd ? 3 : 2);
        return [
            {
                ...blueprint,
                name,
                image,
                tag,
                previousTag,
                /** Full reference of the current image: `repo:tag` or `repo@sha256:…`. */
                imageRef: imageRef(image, tag),
                /** Full reference of the image to roll back to. */
                previousImageRef: imageRef(image, previousTag),
                minReplicas,
                maxReplicas: c[`${name}MaxReplicas`] ?? Math.max(minReplicas, isProd ? 12 : 6),
                /** Public host name, present when the service is public. */
                ...(blueprint.public ? { host: `${blueprint.hostPrefix}.${c.domain}` } : {}),
            },
        ];
    });
}

/** The common keys, grouped by concern as the estate reads them. */
function commonConfig(c: CommonKeys) {
    const isProd = c.environment === "prod";
    return {
        environment: c.environment,
        isProd,
        domain: c.domain,
        tls: { enabled: c.tlsEnabled },
        /** Generation per secret id; raising one regenerates that secret. */
        secretRotation: Object.fromEntries(
            c.secretRotation.map((entry) => entry.split("=")).map(([id, gen]) => [id!, Number(gen)]),
        ) as Readonly<Record<string, number>>,
        services: servicesOf(c, isProd),
        probes: {
            livenessPath: c.livenessPath,
            readinessPath: c.readinessPath,
            periodSeconds: c.probePeriodSeconds,
            timeoutSeconds: c.probeTimeoutSeconds,
            failureThreshold: c.probeFailureThreshold,
            startupFailureThreshold: c.startupFailureThreshold,
        },
        autoscaling: { targetCpuPercent: c.targetCpuPercent },
        rateLimits: {
            perMinute: c.rateLimitPerMinute,
            max: c.rateLimitMax,
            windowMs: c.rateLimitWindowMs,
            aiMaxRequests: c.aiRateLimitMaxRequests,
            backgroundMaxRequests: c.backgroundRateLimitMaxRequests,
        },
        cors: { allowedOrigins: c.corsAllowedOrigins },
        oidc: { issuer: c.oidcIssuer, clientId: c.oidcClientId, clientSecret: pulumi.secret(c.oidcClientSecret) },
        otel: { tracesEndpoint: c.otelTracesEndpoint, metricsEndpoint: c.otelMetricsEndpoint },
        outbound: {
            allowedHosts: c.outboundAllowedHosts,
            ...(c.redmineBaseUrl ? { redmineBaseUrl: c.redmineBaseUrl } : {}),
        },
        tuning: { profile: c.tuningProfile },
        ollama: {
            chatModel: c.ollamaChatModel,
            embeddingModel: c.ollamaEmbeddingModel,
            ...(c.ollamaBaseUrl ? { baseUrl: c.ollamaBaseUrl } : {}),
        },
        logLevel: c.logLevel,
        aiEnabled: c.aiEnabled,
        /** Sizing, durability and exposure of the data stores and the model runtime. */
        data: {
            /** Stores given a public endpoint; the policy pack refuses each one. */
            publicStores: c.publicDataStores,
            postgres: {
                version: c.postgresVersion,
                storageGb: c.postgresStorageGb,
                highAvailability: c.postgresHighAvailability ?? isProd,
                readReplicas: c.postgresReadReplicas,
                backupRetentionDays: c.postgresBackupRetentionDays,
                pool: { writeSize: c.pgWritePoolSize, readSize: c.pgReadPoolSize, maxLifetimeMs: c.pgMaxLifetimeMs },
            },
            redis: { persistence: c.redisPersistence },
            neo4j: { storageGb: c.neo4jStorageGb },
            ollama: { gpu: c.ollamaGpu, storageGb: c.ollamaStorageGb },
            /** Runbook 001 cache TTLs in seconds. */
            cacheTtl: {
                short: c.cacheTtlShort,
                medium: c.cacheTtlMedium,
                long: c.cacheTtlLong,
                daily: c.cacheTtlDaily,
                session: c.cacheTtlSession,
                default: c.cacheTtlDefault,
            },
        },
        /** Alert thresholds with the runbook defaults, and the ids switched off. */
        alerts: parseAlertThresholds({
            ...Object.fromEntries(
                Object.entries(alertConfigKeys).flatMap(([flat, field]) =>
                    (c as Record<string, unknown>)[flat] === undefined
                        ? []
                        : [[field, (c as Record<string, unknown>)[flat]]],
                ),
            ),
            disabled: c.alertsDisabled,
            runbookBaseUrl: c.alertRunbookBaseUrl,
        }),
        onCall: {
            receiver: c.alertOnCallReceiver,
            /** Routing key or webhook URL; absent means nothing pages (refused by policy). */
            ...(c.alertOnCallKey !== undefined ? { key: pulumi.secret(c.alertOnCallKey) } : {}),
            emails: c.alertOnCallEmails,
        },
        backups: {
            encryption: c.backupEncryption,
            /** age public key: not a secret. */
            ageRecipient: c.backupAgeRecipient,
            ...(c.backupAgeIdentity !== undefined ? { ageIdentity: pulumi.secret(c.backupAgeIdentity) } : {}),
            schedule: c.backupSchedule,
            retentionDays: c.backupRetentionDays,
            postgresDatabases: c.backupPostgresDatabases,
            image: c.backupImage,
            restoreDrill: { enabled: c.restoreDrillEnabled, schedule: c.restoreDrillSchedule },
        },
        bootstrap: { command: c.bootstrapCommand },
    };
}

/** The config schema: the keys as given in, the typed config (common concerns plus the platform's settings) out. */
export const configSchema = z
    .discriminatedUnion("platform", [kubernetesMember, azureMember])
    .transform((c) =>
        c.platform === "kubernetes"
            ? { ...commonConfig(c), platform: c.platform, kubernetes: kubernetesSettings(c) }
            : { ...commonConfig(c), platform: c.platform, azure: azureSettings(c) },
    );

export type ParsedConfig = z.output<typeof configSchema>;

/** Parses the keys; with an invalid `platform`, still reports every other problem of the common keys. */
export function safeParseConfig(
    input: Readonly<Record<string, unknown>>,
): { success: true; data: ParsedConfig } | { success: false; issues: readonly z.core.$ZodIssue[] } {
    const chosen = platformKey.safeParse(input["platform"]);
    const result = chosen.success ? configSchema.safeParse(input) : anyPlatform.safeParse(input);
    if (result.success && chosen.success) return { success: true, data: result.data as ParsedConfig };
    return { success: false, issues: result.error?.issues ?? [] };
}

export type { Platform };
