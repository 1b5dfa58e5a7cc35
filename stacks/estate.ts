import * as pulumi from "@pulumi/pulumi";
import { GeneratedSecrets } from "../components/secrets/generated-secrets";
import type { SecretRef } from "../components/workload/service";
import type { EstateConfig } from "./config";
import { AGE_IDENTITY_SECRET_ID, backupArgs } from "./backups";
import { dataOutputs, dataSecretEntries, declareDataStores } from "./data";
import { serviceEnvironment } from "./environment";
import { monitoringArgs, ON_CALL_KEY_SECRET, type WatchedWorkload } from "./monitoring";
import { OUTPUTS_CONTRACT_VERSION, type EstateOutputs, type ServiceEndpoint } from "./outputs";
import { createPlatform, platformProviders } from "./platforms";
import { schemaJobs } from "./migrations";
import { dataCredentialSpecs, dataSecretIds, generatedSecretSpecs, secretEnvOf, type SecretId } from "./secrets";
import { serviceBlueprints, serviceNames, type ServiceName } from "./services";

/** The whole estate for one stack: config in, outputs contract out. Never branches on the platform. */
export class Estate extends pulumi.ComponentResource {
    readonly outputs: EstateOutputs;

    constructor(name: string, config: EstateConfig, opts: pulumi.ComponentResourceOptions = {}) {
        // The platform's explicit providers (the Kubernetes one) sit beside the estate, and every child inherits them.
        super(
            "estate:stack:Estate",
            name,
            {},
            { ...opts, providers: [...platformProviders(config), ...providerList(opts)] },
        );
        const platform = createPlatform(config, this);

        const secrets = new GeneratedSecrets(
            "secrets",
            {
                secrets: [...generatedSecretSpecs, ...dataCredentialSpecs],
                rotation: config.secretRotation,
                provided: {
                    "oidc-client-secret": config.oidc.clientSecret,
                    "bootstrap-admin-email": pulumi.secret(`admin@${config.domain}`),
                    // Unset key: no secret, no receiver, and the policy pack refuses the stack.
                    ...(config.onCall.key !== undefined ? { [ON_CALL_KEY_SECRET]: config.onCall.key } : {}),
                    // The restore drill decrypts with it; without it the config schema refuses an enabled drill.
                    ...(config.backups.ageIdentity !== undefined
                        ? { [AGE_IDENTITY_SECRET_ID]: config.backups.ageIdentity }
                        : {}),
                },
                protect: config.isProd,
            },
            { parent: this },
        );
        const generated = (id: SecretId) => {
            const entry = secrets.entries.find((e) => e.id === id);
            if (!entry)
                throw new pulumi.ResourceError(`generated secret \`${id}\` is missing from stacks/secrets.ts`, this);
            return entry.value;
        };
        const stores = declareDataStores(platform, config, {
            dbPassword: generated("db-password"),
            redisPassword: generated("redis-password"),
            neo4jPassword: generated("neo4j-password"),
        });
        // Store credentials enter the secret store from the stores' outputs, which may differ from what was generated.
        const derived = new Set<string>(dataSecretIds);
        const store = platform.secretStore("app-secrets", [
            ...secrets.entries.filter((e) => !derived.has(e.id)),
            ...dataSecretEntries(stores),
        ]);
        const enabled = new Set(config.services.map((s) => s.name));
        const services: { [K in ServiceName]?: ServiceEndpoint } = {};
        const workloads: { [K in ServiceName]?: WatchedWorkload } = {};
        for (const service of config.services) {
            const secretEnv: Record<string, SecretRef> = {};
            for (const [envName, secretId] of Object.entries(secretEnvOf(service.name, config.isProd))) {
                const ref = store.refs[secretId];
                if (!ref)
                    throw new pulumi.ResourceError(
                        `secret \`${secretId}\` needed by ${service.name}.${envName} is not in the store`,
                        this,
                    );
                secretEnv[envName] = ref;
            }
            const env = serviceEnvironment(config, service, { ollamaUrl: stores.ollama.url });
            // The schema owner's pods roll only after this tag's `alembic upgrade head` succeeded.
            const schema = service.ownsSchema
                ? schemaJobs(platform, config, { service, env, secretEnv, after: stores.readiness.postgres })
                : undefined;
            const workload = platform.service(service.name, {
                image: service.imageRef,
                previousImage: service.previousImageRef,
                port: service.port,
                ...(service.host !== undefined ? { host: service.host } : {}),
                tls: config.tls.enabled,
                minReplicas: service.minReplicas,
                maxReplicas: service.maxReplicas,
                targetCpuPercent: config.autoscaling.targetCpuPercent,
                probes: config.probes,
                env,
                secretEnv,
                allowedCallers: service.calledBy.filter((caller) => enabled.has(caller)),
                dependencies: [...service.needs, ...calleesOf(service.name, enabled)],
                corsAllowedOrigins: config.cors.allowedOrigins,
                // The stores it needs, and for the schema owner this tag's migration.
                dependsOn: [
                    ...service.needs.flatMap((dependency) => stores.readiness[dependency]),
                    ...(schema ? schema.migration : []),
                ],
            });
            const telemetryName = env["OTEL_SERVICE_NAME"];
            workloads[service.name] = {
                resource: workload,
                ...(typeof telemetryName === "string" ? { telemetryName } : {}),
            };
            const publicUrl = workload.url;
            services[service.name] = {
                url: publicUrl,
                healthUrl: publicUrl.apply((url) => (url ? `${url}${config.probes.livenessPath}` : undefined)),
                readinessUrl: publicUrl.apply((url) => (url ? `${url}${config.probes.readinessPath}` : undefined)),
                readinessCovers: service.needs,
                internalUrl: workload.internalUrl,
                image: workload.image,
                previousImage: workload.previousImage,
            };
        }

        const backups = platform.backups("backups", backupArgs(config, store.refs));
        const alerting = platform.monitoring(
            "monitoring",
            monitoringArgs(config, services, workloads, store, config.onCall.key),
        );

        const { api, ...others } = services;
        if (!api)
            throw new pulumi.ResourceError(
                "the api service is required: set `estate:apiImage` and `estate:apiTag`",
                this,
            );
        this.outputs = {
            contractVersion: OUTPUTS_CONTRACT_VERSION,
            platform: config.platform,
            environment: config.environment,
            services: { api, ...others },
            secretNames: store.secretNames,
            data: dataOutputs(stores, config, store.secretNames),
            alerting: {
                receiverKind: alerting.receiverKind,
                routingIds: alerting.routingIds,
                alertNames: alerting.alertNames,
            },
            backups: {
                storageName: backups.storageName,
                storageUrl: backups.storageUrl,
                schedules: backups.schedules,
                storeSchedules: backups.storeSchedules,
                drillSchedule: backups.drillSchedule,
            },
        };
        this.registerOutputs({ ...this.outputs });
    }
}

/** Enabled services that list `caller` among the services allowed to call them. */
function calleesOf(caller: ServiceName, enabled: ReadonlySet<string>): ServiceName[] {
    return serviceNames.filter((callee) => enabled.has(callee) && serviceBlueprints[callee].calledBy.includes(caller));
}

/** The providers a caller passed, as a list (the option also takes a map by package). */
function providerList(opts: pulumi.ComponentResourceOptions): pulumi.ProviderResource[] {
    const given = opts.providers;
    if (given === undefined) return [];
    return Array.isArray(given) ? given : Object.values(given);
}
