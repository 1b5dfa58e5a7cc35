import * as pulumi from "@pulumi/pulumi";
import { GeneratedSecrets } from "../components/secrets/generated-secrets";
import type { SecretRef } from "../components/workload/service";
import type { EstateConfig } from "./config";
import { serviceEnvironment } from "./environment";
import { monitoringArgs, ON_CALL_KEY_SECRET } from "./monitoring";
import { OUTPUTS_CONTRACT_VERSION, type EstateOutputs, type ServiceEndpoint } from "./outputs";
import { createPlatform } from "./platforms";
import { schemaJobs } from "./migrations";
import { generatedSecretSpecs, secretEnvByService } from "./secrets";
import { serviceBlueprints, serviceNames, type ServiceName } from "./services";

const OLLAMA_PORT = 11434;

/** The whole estate for one stack: config in, outputs contract out. Never branches on the platform. */
export class Estate extends pulumi.ComponentResource {
    readonly outputs: EstateOutputs;

    constructor(name: string, config: EstateConfig, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:stack:Estate", name, {}, opts);
        const platform = createPlatform(config, this);

        const secrets = new GeneratedSecrets(
            "secrets",
            {
                secrets: generatedSecretSpecs,
                rotation: config.secretRotation,
                provided: {
                    "oidc-client-secret": config.oidc.clientSecret,
                    "bootstrap-admin-email": pulumi.secret(`admin@${config.domain}`),
                    // Unset key: no secret, no receiver, and the policy pack refuses the stack.
                    ...(config.onCall.key !== undefined ? { [ON_CALL_KEY_SECRET]: config.onCall.key } : {}),
                },
                protect: config.isProd,
            },
            { parent: this },
        );
        const store = platform.secretStore("app-secrets", secrets.entries);

        const ollamaUrl = platform.internalUrl("ollama", OLLAMA_PORT);
        const enabled = new Set(config.services.map((s) => s.name));
        const services: { [K in ServiceName]?: ServiceEndpoint } = {};
        for (const service of config.services) {
            const secretEnv: Record<string, SecretRef> = {};
            for (const [envName, secretId] of Object.entries(secretEnvByService[service.name])) {
                const ref = store.refs[secretId];
                if (!ref) throw new pulumi.ResourceError(`secret \`${secretId}\` needed by ${service.name}.${envName} is not in the store`, this);
                secretEnv[envName] = ref;
            }
            const env = serviceEnvironment(config, service, { ollamaUrl });
            // The schema owner's pods roll only after this tag's `alembic upgrade head` succeeded.
            const schema = service.ownsSchema ? schemaJobs(platform, config, { service, env, secretEnv }) : undefined;
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
                ...(schema ? { dependsOn: [schema.migration] } : {}),
            });
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

        const alerting = platform.monitoring("monitoring", monitoringArgs(config, services, store, config.onCall.key));

        const { api, ...others } = services;
        if (!api) throw new pulumi.ResourceError("the api service is required: set `estate:apiImage` and `estate:apiTag`", this);
        this.outputs = {
            contractVersion: OUTPUTS_CONTRACT_VERSION,
            platform: config.platform,
            environment: config.environment,
            services: { api, ...others },
            secretNames: store.secretNames,
            alerting: { receiverKind: alerting.receiverKind, routingIds: alerting.routingIds, alertNames: alerting.alertNames },
        };
        this.registerOutputs({ ...this.outputs });
    }
}

/** Enabled services that list `caller` among the services allowed to call them. */
function calleesOf(caller: ServiceName, enabled: ReadonlySet<string>): ServiceName[] {
    return serviceNames.filter((callee) => enabled.has(callee) && serviceBlueprints[callee].calledBy.includes(caller));
}
