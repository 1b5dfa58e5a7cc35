import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OLLAMA_IMAGE, OllamaContainerApp, type OllamaContainerAppArgs } from "../../components/ai/azure/ollama";
import { runComponents } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";
import { valueOf } from "../support/components";

/** Ollama the way the Azure platform declares it, on CPU; each test changes one thing. */
function args(overrides: Partial<OllamaContainerAppArgs> = {}): OllamaContainerAppArgs {
    return {
        chatModel: "llama3.2:3b",
        embeddingModel: "nomic-embed-text",
        storageGb: 50,
        gpu: false,
        resourceGroupName: "rg-estate",
        location: "westeurope",
        environmentId: "/environments/estate",
        environmentName: "estate-env",
        appsSubnetId: "/subnets/apps",
        ...overrides,
    };
}

async function declare(overrides: Partial<OllamaContainerAppArgs> = {}) {
    let ollama!: OllamaContainerApp;
    const capture = await runComponents(() => {
        ollama = new OllamaContainerApp("ollama", args(overrides));
    });
    const app = resource(capture, "azure-native:app:ContainerApp", "ollama-app");
    return { capture, ollama, app, appInputs: inputsOf(app) };
}

const SERVER_ENV = [
    { name: "OLLAMA_HOST", value: "0.0.0.0:11434" },
    { name: "OLLAMA_MODELS", value: "/models" },
    { name: "OLLAMA_KEEP_ALIVE", value: "24h" },
];

describe("OllamaContainerApp (component)", () => {
    it("declares its models volume and one Container App under the component", async () => {
        const { capture } = await declare();
        const component = capture.resources.find((r) => r.type === "estate:ai:OllamaContainerApp");
        const children = capture.resources.filter((r) => r.parent === component?.urn).map((r) => `${r.type} ${r.name}`);
        assert.deepEqual(children.sort(), [
            "azure-native:app:ContainerApp ollama-app",
            "estate:data:AzureFilesVolume ollama-models",
        ]);
    });

    it("is one replica on TCP ingress internal to the environment, reached by its name", async () => {
        const { appInputs, ollama } = await declare();
        assert.deepEqual(appInputs.configuration, {
            activeRevisionsMode: "Single",
            ingress: { external: false, transport: "tcp", targetPort: 11434, exposedPort: 11434, allowInsecure: false },
        });
        assert.deepEqual(appInputs.template.scale, { minReplicas: 1, maxReplicas: 1 });
        assert.equal(appInputs.workloadProfileName, undefined);
        assert.deepEqual(await Promise.all([valueOf(ollama.host), valueOf(ollama.port), valueOf(ollama.url)]), [
            "ollama",
            11434,
            "http://ollama:11434",
        ]);
    });

    it("pulls both models in an init container before the server serves, both on the models share", async () => {
        const { appInputs, ollama, app } = await declare();
        const [pull] = appInputs.template.initContainers;
        assert.deepEqual(
            [pull.name, pull.image, pull.command, pull.env, pull.resources],
            ["pull-models", OLLAMA_IMAGE, ["/bin/sh", "-c"], SERVER_ENV, { cpu: 0.5, memory: "1Gi" }],
        );
        assert.match(pull.args[0], /^ollama serve >\/tmp\/ollama-serve\.log 2>&1 &\n/);
        for (const model of ["llama3.2:3b", "nomic-embed-text"]) assert.ok(pull.args[0].includes(model), model);
        const mounts = [{ volumeName: "models", mountPath: "/models" }];
        assert.deepEqual(pull.volumeMounts, mounts);
        assert.deepEqual(appInputs.template.containers[0].volumeMounts, mounts);
        assert.deepEqual(appInputs.template.volumes, [
            { name: "models", storageType: "AzureFile", storageName: "ollama-models" },
        ]);
        // Whatever needs the models waits for the app, whose revision serves only after the pull.
        assert.equal(await valueOf(ollama.modelsReady.urn), app.urn);
    });

    it("runs the pinned image, probing /api/version with a start-up budget of 10 × 30 s", async () => {
        const [server] = (await declare()).appInputs.template.containers;
        assert.deepEqual(
            [server.name, server.image, server.env, server.resources],
            ["ollama", OLLAMA_IMAGE, SERVER_ENV, { cpu: 3.5, memory: "7Gi" }],
        );
        const http = { httpGet: { path: "/api/version", port: 11434, scheme: "HTTP" }, timeoutSeconds: 5 };
        assert.deepEqual(server.probes, [
            { type: "Startup", ...http, periodSeconds: 30, failureThreshold: 10 },
            { type: "Liveness", ...http, periodSeconds: 10, failureThreshold: 3 },
            { type: "Readiness", ...http, periodSeconds: 10, failureThreshold: 3 },
        ]);
    });

    it("runs on the GPU profile with its sizes when asked", async () => {
        const { appInputs } = await declare({ gpu: true });
        assert.equal(appInputs.workloadProfileName, "gpu");
        assert.deepEqual(
            [appInputs.template.containers[0].resources, appInputs.template.initContainers[0].resources],
            [
                { cpu: 7.5, memory: "52Gi" },
                { cpu: 0.5, memory: "4Gi" },
            ],
        );
    });

    it("sizes the share and protects it only when asked", async () => {
        const share = resource((await declare()).capture, "azure-native:storage:FileShare", "ollama-models-share");
        assert.deepEqual([inputsOf(share).shareQuota, share.options.protect], [50, false]);
        const kept = resource(
            (await declare({ protect: true })).capture,
            "azure-native:storage:FileShare",
            "ollama-models-share",
        );
        assert.deepEqual([kept.options.protect, kept.options.retainOnDelete], [true, true]);
    });
});
