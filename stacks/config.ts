import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { CacheTtls } from "../components/data/redis";
import type { ProbeSettings } from "../components/workload/service";
import { parseAlertThresholds, type AlertThresholds } from "../components/observability/catalogue";
import { alertConfigKeys, configKeyDeclarations, rawConfigSchema, type RawConfig } from "./config-schema";
import { closestMatch } from "./suggest";
import {
    serviceBlueprints,
    serviceNames,
    type DependencyName,
    type ServiceBlueprint,
    type ServiceName,
} from "./services";

export const PROJECT = "estate";

export type Platform = RawConfig["platform"];
export type SecretStoreKind = NonNullable<RawConfig["secretStore"]>;

export interface ServiceConfig extends ServiceBlueprint {
    readonly name: ServiceName;
    readonly image: string;
    readonly tag: string;
    readonly previousTag: string;
    /** Full reference of the current image: `repo:tag` or `repo@sha256:…`. */
    readonly imageRef: string;
    /** Full reference of the image to roll back to. */
    readonly previousImageRef: string;
    readonly minReplicas: number;
    readonly maxReplicas: number;
    /** Public host name, present when the service is public. */
    readonly host?: string;
}

/** The typed, frozen stack configuration every component is built from. */
export interface EstateConfig {
    readonly project: string;
    readonly stack: string;
    readonly platform: Platform;
    readonly environment: RawConfig["environment"];
    readonly isProd: boolean;
    readonly domain: string;
    readonly tls: { readonly enabled: boolean; readonly clusterIssuer: string };
    readonly kubernetes: {
        readonly namespace: string;
        readonly ingressClassName: string;
        /** kubeconfig context; absent: the kubeconfig's current context. */
        readonly context?: string;
        /** kubeconfig contents (secret); absent: the ambient kubeconfig. */
        readonly kubeconfig?: pulumi.Output<string>;
        /** Private control plane's CIDR; undefined when the API server is public. */
        readonly controlPlaneCidr?: string;
    };
    readonly azure: {
        readonly location: string;
        /** ARM id of the Azure Container Registry private images are pulled from; undefined: public images. */
        readonly containerRegistryId?: string;
    };
    readonly secretStore: SecretStoreKind;
    readonly gcp: { readonly project?: string; readonly replicaLocations: readonly string[] };
    /** Generation per secret id; raising one regenerates that secret. */
    readonly secretRotation: Readonly<Record<string, number>>;
    readonly services: readonly ServiceConfig[];
    readonly probes: ProbeSettings;
    readonly autoscaling: { readonly targetCpuPercent: number };
    readonly rateLimits: {
        readonly perMinute: number;
        readonly max: number;
        readonly windowMs: number;
        readonly aiMaxRequests: number;
        readonly backgroundMaxRequests: number;
    };
    readonly cors: { readonly allowedOrigins: readonly string[] };
    readonly oidc: { readonly issuer: string; readonly clientId: string; readonly clientSecret: pulumi.Output<string> };
    readonly otel: { readonly tracesEndpoint: string; readonly metricsEndpoint: string };
    readonly outbound: { readonly allowedHosts: readonly string[]; readonly redmineBaseUrl?: string };
    readonly tuning: { readonly profile: RawConfig["tuningProfile"] };
    readonly ollama: { readonly chatModel: string; readonly embeddingModel: string; readonly baseUrl?: string };
    readonly logLevel: string;
    readonly aiEnabled: boolean;
    readonly data: DataConfig;
    /** Alert thresholds with the runbook defaults, and the ids switched off. */
    readonly alerts: AlertThresholds;
    readonly onCall: {
        readonly receiver: RawConfig["alertOnCallReceiver"];
        /** Routing key or webhook URL; absent means nothing pages (refused by policy). */
        readonly key?: pulumi.Output<string>;
        readonly emails: readonly string[];
        /** SMTP relay for ticket e-mail where Alertmanager sends it (kubernetes). */
        readonly smtp?: { readonly smarthost: string; readonly from: string };
    };
    readonly monitoring: { readonly installPrometheusStack: boolean; readonly latencyAutoscaling: boolean };
    readonly backups: {
        readonly encryption: boolean;
        /** age public key: not a secret. */
        readonly ageRecipient: string;
        readonly ageIdentity?: pulumi.Output<string>;
        readonly schedule: string;
        readonly retentionDays: number;
        readonly postgresDatabases: readonly string[];
        readonly image: string;
        readonly restoreDrill: { readonly enabled: boolean; readonly schedule: string };
    };
    readonly bootstrap: { readonly command: readonly string[] };
}

/** Sizing, durability and exposure of the data stores and the model runtime. */
export interface DataConfig {
    /** Stores given a public endpoint; the policy pack refuses each one. */
    readonly publicStores: readonly DependencyName[];
    readonly postgres: {
        readonly installOperator: boolean;
        readonly strictZoneSpread: boolean;
        readonly version: string;
        readonly sku: string;
        readonly storageGb: number;
        readonly highAvailability: boolean;
        readonly readReplicas: number;
        readonly backupRetentionDays: number;
        readonly pool: { readonly writeSize: number; readonly readSize: number; readonly maxLifetimeMs: number };
    };
    readonly redis: { readonly persistence: boolean; readonly storageGb: number; readonly replicas: number };
    readonly neo4j: { readonly storageGb: number };
    readonly ollama: { readonly gpu: boolean; readonly storageGb: number };
    /** Runbook 001 cache TTLs in seconds. */
    readonly cacheTtl: CacheTtls;
}

/** Where a config value came from: the stack file, or a `-c key=value` override on the command line. */
export type ConfigOrigin = "stack-file" | "override";

/** What a person should run to fix one problem; rendered for where the value came from. */
export type ConfigFix =
    | {
          readonly kind: "set";
          readonly key: string;
          readonly secret: boolean;
          readonly list: boolean;
          /** How to obtain the value, where `pulumi config set` alone does not say. */
          readonly how?: string;
      }
    | { readonly kind: "remove"; readonly key: string; readonly value: string; readonly suggestion?: string };

/** One invalid value: the key, what is wrong with it, and the fix. */
export interface ConfigProblem {
    readonly key: string;
    readonly statement: string;
    readonly fix: ConfigFix;
}

/**
 * The fix as a command. A list-typed key needs `--path` (`pulumi config set` stores a
 * top-level value as a string: pulumi/pulumi pkg/cmd/pulumi/config/config_set.go, documented
 * on the `pulumi config set` page); a `-c` value is fixed on the command line, not in the stack file.
 */
export function renderFix(fix: ConfigFix, stack: string, origin: ConfigOrigin): string {
    const command = renderFixCommand(fix, stack, origin);
    return fix.kind === "set" && fix.how ? `${command} To get the value, ${fix.how}.` : command;
}

function renderFixCommand(fix: ConfigFix, stack: string, origin: ConfigOrigin): string {
    const full = `${PROJECT}:${fix.key}`;
    if (fix.kind === "remove") {
        const target = fix.suggestion ? `${PROJECT}:${fix.suggestion}` : undefined;
        if (origin === "override")
            return target
                ? `Fix: pass \`-c ${target}=${fix.value}\` instead of \`-c ${full}=${fix.value}\`.`
                : `Fix: drop \`-c ${full}=${fix.value}\`.`;
        return `Fix: \`pulumi config rm ${full} --stack ${stack}\`${target ? ` and set ${target}` : ""}.`;
    }
    if (origin === "override") {
        if (fix.secret)
            return `Fix: a secret cannot be passed with -c; drop it and run \`pulumi config set --secret ${full} <value> --stack ${stack}\`.`;
        return fix.list ? `Fix: \`-c '${full}=["<value>", ...]'\` (a JSON list).` : `Fix: \`-c ${full}=<value>\`.`;
    }
    if (fix.list)
        return `Fix: \`pulumi config set --path '${full}[0]' <value> --stack ${stack}\`, one per item ([0], [1], …).`;
    return `Fix: \`pulumi config set ${fix.secret ? "--secret " : ""}${full} <value> --stack ${stack}\`.`;
}

/** Thrown before any resource is declared; lists every problem at once. */
export class ConfigError extends Error {
    /** One line per problem, each ending in its fix. */
    readonly problems: readonly string[];

    constructor(
        readonly stackName: string,
        readonly details: readonly ConfigProblem[],
        /** Keys (without namespace) given with `-c` rather than read from the stack file. */
        readonly overrideKeys: ReadonlySet<string> = new Set(),
    ) {
        const problems = details.map(
            (p) => `${p.statement} ${renderFix(p.fix, stackName, overrideKeys.has(p.key) ? "override" : "stack-file")}`,
        );
        super(
            `Stack "${stackName}" has ${problems.length} invalid configuration value${problems.length === 1 ? "" : "s"}; nothing was declared.\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.problems = problems;
        this.name = "ConfigError";
    }

    /** The same problems, with the fix of each `-c` key pointing at the command line. */
    withOverrides(keys: Iterable<string>): ConfigError {
        const local = [...keys].map((k) => (k.startsWith(`${PROJECT}:`) ? k.slice(PROJECT.length + 1) : k));
        return new ConfigError(this.stackName, this.details, new Set(local));
    }
}

const declarations = new Map(configKeyDeclarations().map((d) => [d.key, d]));

/** Turns the CLI's string values into the JSON types the schema declares; leaves bad input for zod to report. */
function coerce(key: string, value: string): unknown {
    const type = declarations.get(key)?.valueType;
    if (type === "integer" && /^[-+]?\d+$/.test(value.trim())) return Number(value);
    if (type === "number" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    if (type === "boolean" && (value === "true" || value === "false")) return value === "true";
    if (type === "array" && value.trim().startsWith("[")) {
        try {
            return JSON.parse(value);
        } catch {
            return value;
        }
    }
    return value;
}

function describeIssue(
    issue: z.core.$ZodIssue,
    raw: Record<string, string>,
    secretKeys: ReadonlySet<string>,
): ConfigProblem[] {
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => {
            const hint = closestMatch(key, declarations.keys());
            const shown = secretKeys.has(key) ? "[secret]" : JSON.stringify(raw[key]);
            return {
                key,
                statement: `${PROJECT}:${key} = ${shown}: unknown key${hint ? `; did you mean ${PROJECT}:${hint}?` : "."}`,
                fix: {
                    kind: "remove",
                    key,
                    value: secretKeys.has(key) ? "<value>" : (raw[key] ?? ""),
                    ...(hint ? { suggestion: hint } : {}),
                },
            };
        });
    }
    const key = String(issue.path[0] ?? "");
    const declaration = declarations.get(key);
    const shown =
        raw[key] === undefined
            ? "(not set)"
            : secretKeys.has(key) || declaration?.secret
              ? "[secret]"
              : JSON.stringify(raw[key]);
    const allowed = declaration?.allowed ? ` Allowed: ${declaration.allowed.join(" | ")}.` : "";
    const where = issue.path.length > 1 ? ` (item ${issue.path.slice(1).join(".")})` : "";
    const message = issue.code === "invalid_type" && raw[key] === undefined ? "is required" : issue.message;
    return [
        {
            key,
            statement: `${PROJECT}:${key}${where} = ${shown}: ${message}.${allowed}`,
            fix: {
                kind: "set",
                key,
                secret: declaration?.secret === true,
                list: declaration?.type === "array",
                ...(declaration?.fix ? { how: declaration.fix } : {}),
            },
        },
    ];
}

/**
 * Parses the stack's `estate:*` config (as the CLI hands it over: strings, structured values as
 * JSON) into the typed, frozen `EstateConfig`. Pure: no Pulumi runtime needed except to wrap
 * secrets, so every rule is unit-testable.
 */
export function parseStackConfig(
    stack: string,
    values: Readonly<Record<string, string>>,
    secretKeys: ReadonlySet<string> = new Set(),
): EstateConfig {
    const raw: Record<string, string> = {};
    for (const [fullKey, value] of Object.entries(values)) {
        const [namespace, ...rest] = fullKey.split(":");
        if (namespace === PROJECT && rest.length === 1) raw[rest[0]!] = value;
    }
    const secretLocal = new Set(
        [...secretKeys].filter((k) => k.startsWith(`${PROJECT}:`)).map((k) => k.slice(PROJECT.length + 1)),
    );
    const problems: ConfigProblem[] = [];
    for (const declaration of declarations.values()) {
        if (declaration.secret && raw[declaration.key] !== undefined && !secretLocal.has(declaration.key)) {
            problems.push({
                key: declaration.key,
                statement: `${PROJECT}:${declaration.key} = [secret]: stored in plaintext; secrets must be encrypted.`,
                fix: { kind: "set", key: declaration.key, secret: true, list: false },
            });
        }
    }
    const coerced = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, coerce(k, v)]));
    const result = rawConfigSchema.safeParse(coerced);
    if (!result.success)
        problems.push(...result.error.issues.flatMap((issue) => describeIssue(issue, raw, secretLocal)));
    if (problems.length > 0 || !result.success) throw new ConfigError(stack, problems);
    return deepFreeze(toEstateConfig(stack, result.data));
}

function imageRef(image: string, tag: string): string {
    return tag.startsWith("sha256:") ? `${image}@${tag}` : `${image}:${tag}`;
}

function toEstateConfig(stack: string, c: RawConfig): EstateConfig {
    const isProd = c.environment === "prod";
    const services: ServiceConfig[] = [];
    for (const name of serviceNames) {
        const image = c[`${name}Image`];
        const tag = c[`${name}Tag`];
        const previousTag = c[`${name}PreviousTag`];
        if (image === undefined || tag === undefined || previousTag === undefined) continue;
        const blueprint = serviceBlueprints[name];
        const minReplicas = c[`${name}MinReplicas`] ?? (isProd ? 3 : 2);
        services.push({
            ...blueprint,
            name,
            image,
            tag,
            previousTag,
            imageRef: imageRef(image, tag),
            previousImageRef: imageRef(image, previousTag),
            minReplicas,
            maxReplicas: c[`${name}MaxReplicas`] ?? Math.max(minReplicas, isProd ? 12 : 6),
            ...(blueprint.public ? { host: `${blueprint.hostPrefix}.${c.domain}` } : {}),
        });
    }
    return {
        project: PROJECT,
        stack,
        platform: c.platform,
        environment: c.environment,
        isProd,
        domain: c.domain,
        tls: { enabled: c.tlsEnabled, clusterIssuer: c.clusterIssuer },
        kubernetes: {
            namespace: c.kubernetesNamespace,
            ingressClassName: c.ingressClassName,
            ...(c.kubernetesContext !== undefined ? { context: c.kubernetesContext } : {}),
            ...(c.kubeconfig !== undefined ? { kubeconfig: pulumi.secret(c.kubeconfig) } : {}),
            ...(c.kubernetesControlPlaneCidr ? { controlPlaneCidr: c.kubernetesControlPlaneCidr } : {}),
        },
        azure: {
            location: c.azureLocation,
            ...(c.azureContainerRegistryId !== undefined ? { containerRegistryId: c.azureContainerRegistryId } : {}),
        },
        secretStore: c.secretStore ?? (c.platform === "azure" ? "key-vault" : "gcp-secret-manager"),
        gcp: { ...(c.gcpProject ? { project: c.gcpProject } : {}), replicaLocations: c.secretReplicaLocations },
        secretRotation: Object.fromEntries(
            c.secretRotation.map((entry) => entry.split("=")).map(([id, gen]) => [id!, Number(gen)]),
        ),
        services,
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
        data: {
            publicStores: c.publicDataStores,
            postgres: {
                installOperator: c.postgresOperatorInstall,
                strictZoneSpread: c.postgresStrictZoneSpread,
                version: c.postgresVersion,
                sku: c.postgresSku,
                storageGb: c.postgresStorageGb,
                highAvailability: c.postgresHighAvailability ?? isProd,
                readReplicas: c.postgresReadReplicas,
                backupRetentionDays: c.postgresBackupRetentionDays,
                pool: { writeSize: c.pgWritePoolSize, readSize: c.pgReadPoolSize, maxLifetimeMs: c.pgMaxLifetimeMs },
            },
            redis: { persistence: c.redisPersistence, storageGb: c.redisStorageGb, replicas: c.redisReplicas },
            neo4j: { storageGb: c.neo4jStorageGb },
            ollama: { gpu: c.ollamaGpu, storageGb: c.ollamaStorageGb },
            cacheTtl: {
                short: c.cacheTtlShort,
                medium: c.cacheTtlMedium,
                long: c.cacheTtlLong,
                daily: c.cacheTtlDaily,
                session: c.cacheTtlSession,
                default: c.cacheTtlDefault,
            },
        },
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
            ...(c.alertOnCallKey !== undefined ? { key: pulumi.secret(c.alertOnCallKey) } : {}),
            emails: c.alertOnCallEmails,
            ...(c.alertSmtpSmarthost !== undefined && c.alertSmtpFrom !== undefined
                ? { smtp: { smarthost: c.alertSmtpSmarthost, from: c.alertSmtpFrom } }
                : {}),
        },
        monitoring: { installPrometheusStack: c.prometheusStackInstall, latencyAutoscaling: c.latencyAutoscaling },
        backups: {
            encryption: c.backupEncryption,
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

function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object" && !pulumi.Output.isInstance(value) && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const child of Object.values(value)) deepFreeze(child);
    }
    return value;
}

/**
 * The only reader of Pulumi config in the program: reads the `estate:*` keys the CLI (or the
 * offline runner) set for this stack, with the list of keys that are secret.
 */
export function loadStackConfig(): EstateConfig {
    const values = pulumi.runtime.allConfig();
    const secretKeys = new Set<string>(readSecretKeys());
    return parseStackConfig(pulumi.getStack(), values, secretKeys);
}

/** Secret key names come from the language host (PULUMI_CONFIG_SECRET_KEYS) or setAllConfig; the runtime keeps them internal. */
function readSecretKeys(): string[] {
    const runtime = pulumi.runtime as unknown as { isConfigSecret: (key: string) => boolean };
    return Object.keys(pulumi.runtime.allConfig()).filter((key) => runtime.isConfigSecret(key));
}
