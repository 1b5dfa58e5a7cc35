import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import { AzureFilesVolume } from "../../data/azure/files";
import { GPU_WORKLOAD_PROFILE } from "../../platform/azure/foundation";
import { estateTags } from "../../platform/azure/tags";
import {
    OLLAMA_IMAGE,
    OLLAMA_MODELS_PATH,
    OLLAMA_PORT,
    ollamaModels,
    ollamaPullScript,
    ollamaServerEnv,
    type OllamaArgs,
    type OllamaOutputs,
} from "../ollama";

export { OLLAMA_IMAGE };

/**
 * CPU and memory of the server and of the pull step. Container Apps counts init containers in
 * the app's total, which must equal a size the profile offers: 4 vCPU / 8 GiB on Consumption,
 * 8 vCPU / 56 GiB on the serverless T4 GPU profile.
 */
export function ollamaSizes(gpu: boolean) {
    return gpu
        ? { server: { cpu: 7.5, memory: "52Gi" }, pull: { cpu: 0.5, memory: "4Gi" } }
        : { server: { cpu: 3.5, memory: "7Gi" }, pull: { cpu: 0.5, memory: "1Gi" } };
}

export interface OllamaContainerAppArgs extends OllamaArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    readonly environmentId: pulumi.Input<string>;
    readonly environmentName: pulumi.Input<string>;
    readonly appsSubnetId: pulumi.Input<string>;
}

/**
 * Ollama as a single-replica Container App with TCP ingress on 11434, internal to the environment,
 * models on an Azure Files share. The pull step is an init container: Container Apps jobs do not
 * run when they are created, whereas an init container runs before every revision serves, so the
 * server never answers without both models (pulls of models already on the share are no-ops).
 */
export class OllamaContainerApp extends pulumi.ComponentResource implements OllamaOutputs {
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly url: pulumi.Output<string>;
    readonly modelsReady: pulumi.Resource;
    readonly containerApp: app.ContainerApp;

    constructor(name: string, args: OllamaContainerAppArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:ai:OllamaContainerApp", name, {}, opts);
        const gpu = args.gpu;
        const sizes = ollamaSizes(gpu);
        const tags = estateTags("ai-runtime", "ollama");
        const models = new AzureFilesVolume(
            `${name}-models`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                environmentName: args.environmentName,
                appsSubnetId: args.appsSubnetId,
                quotaGb: args.storageGb,
                tags,
                protect: args.protect ?? false,
            },
            { parent: this },
        );
        const env = Object.entries(ollamaServerEnv()).map(([envName, value]) => ({ name: envName, value }));
        const volumeMounts = [{ volumeName: "models", mountPath: OLLAMA_MODELS_PATH }];
        const httpProbe = (
            type: "Startup" | "Liveness" | "Readiness",
            failureThreshold: number,
            periodSeconds = 10,
        ) => ({
            type,
            httpGet: { path: "/api/version", port: OLLAMA_PORT, scheme: "HTTP" },
            periodSeconds,
            timeoutSeconds: 5,
            // Container Apps allows at most 10 failures: the 5-minute start-up budget is 10 × 30 s.
            failureThreshold,
        });
        // A local server for the pull step only; it ends with the init container.
        const pull = `ollama serve >/tmp/ollama-serve.log 2>&1 &\n${ollamaPullScript(`http://127.0.0.1:${OLLAMA_PORT}`, ollamaModels(args))}`;

        this.containerApp = new app.ContainerApp(
            `${name}-app`,
            {
                containerAppName: name,
                resourceGroupName: args.resourceGroupName,
                managedEnvironmentId: args.environmentId,
                ...(gpu ? { workloadProfileName: GPU_WORKLOAD_PROFILE.name } : {}),
                tags,
                configuration: {
                    activeRevisionsMode: "Single",
                    ingress: {
                        external: args.publicAccess ?? false,
                        transport: "tcp",
                        targetPort: OLLAMA_PORT,
                        exposedPort: OLLAMA_PORT,
                        allowInsecure: false,
                    },
                },
                template: {
                    initContainers: [
                        {
                            name: "pull-models",
                            image: OLLAMA_IMAGE,
                            command: ["/bin/sh", "-c"],
                            args: [pull],
                            env,
                            resources: sizes.pull,
                            volumeMounts,
                        },
                    ],
                    containers: [
                        {
                            name,
                            image: OLLAMA_IMAGE,
                            env,
                            resources: sizes.server,
                            volumeMounts,
                            probes: [httpProbe("Startup", 10, 30), httpProbe("Liveness", 3), httpProbe("Readiness", 3)],
                        },
                    ],
                    volumes: [{ name: "models", storageType: "AzureFile", storageName: models.storageName }],
                    scale: { minReplicas: 1, maxReplicas: 1 },
                },
            },
            { parent: this },
        );

        // Apps in the environment reach a TCP app by name on its exposed port.
        this.host = this.containerApp.name.apply(() => name);
        this.port = pulumi.output(OLLAMA_PORT);
        this.url = this.host.apply((host) => `http://${host}:${OLLAMA_PORT}`);
        this.modelsReady = this.containerApp;
        this.registerOutputs({ host: this.host, port: this.port, url: this.url });
    }
}
