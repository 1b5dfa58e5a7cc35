import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { OLLAMA_IMAGE, ollamaPullScript } from "../../components/ai/ollama";
import {
    KubernetesOllama,
    MODEL_PULL_DEADLINE_SECONDS,
    type KubernetesOllamaArgs,
} from "../../components/ai/kubernetes/ollama";
import { runComponents } from "../../tools/lib/mock-run";
import type { ContainerInputs, DeploymentInputs, JobInputs, NetworkPolicyInputs } from "../support/inputs";
import { inputsOf, resource } from "../support/program";

/** Ollama the way the Kubernetes platform declares it; each test changes one thing. */
function args(overrides: Partial<KubernetesOllamaArgs> = {}): KubernetesOllamaArgs {
    return {
        chatModel: "llama3.2:3b",
        embeddingModel: "nomic-embed-text",
        storageGb: 40,
        gpu: false,
        clients: ["api"],
        jobClients: ["evals"],
        protect: true,
        namespace: "estate",
        ...overrides,
    };
}

const value = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

async function declare(overrides: Partial<KubernetesOllamaArgs> = {}) {
    let ollama!: KubernetesOllama;
    const capture = await runComponents(() => {
        ollama = new KubernetesOllama("ollama", args(overrides));
    });
    const deployment = resource(capture, "kubernetes:apps/v1:Deployment", "ollama-deployment");
    const job = resource(capture, "kubernetes:batch/v1:Job", "ollama-model-pull-job");
    return {
        capture,
        outputs: { host: await value(ollama.host), port: await value(ollama.port), url: await value(ollama.url) },
        deployment,
        job,
        server: (inputsOf(deployment) as DeploymentInputs).spec!.template.spec!.containers[0] as ContainerInputs,
        names: capture.resources.filter((r) => r.custom).map((r) => `${r.type} ${r.name}`),
    };
}

const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const netpol = (r: Awaited<ReturnType<typeof declare>>, name: string) =>
    inputsOf(resource(r.capture, NETPOL, name)) as NetworkPolicyInputs;

describe("KubernetesOllama (component)", () => {
    it("declares the models volume, the Deployment, its Service, the pull Job and two network policies, nothing public", async () => {
        assert.deepEqual((await declare()).names.sort(), [
            "kubernetes:apps/v1:Deployment ollama-deployment",
            "kubernetes:batch/v1:Job ollama-model-pull-job",
            "kubernetes:core/v1:PersistentVolumeClaim ollama-models",
            "kubernetes:core/v1:Service ollama-service",
            `${NETPOL} ollama-model-pull-netpol`,
            `${NETPOL} ollama-netpol`,
        ]);
        const { capture } = await declare({ publicAccess: true });
        assert.equal(
            inputsOf(resource(capture, "kubernetes:core/v1:Service", "ollama-public")).spec.type,
            "LoadBalancer",
        );
    });

    it("keeps the models on a volume of the given size, retained only when protected", async () => {
        const claim = (r: Awaited<ReturnType<typeof declare>>) =>
            resource(r.capture, "kubernetes:core/v1:PersistentVolumeClaim", "ollama-models");
        const kept = claim(await declare({ storageGb: 64 }));
        assert.equal(inputsOf(kept).spec.resources.requests.storage, "64Gi");
        assert.deepEqual([kept.options.protect, kept.options.retainOnDelete], [true, true]);
        const plain = claim(await declare({ protect: undefined }));
        assert.deepEqual([plain.options.protect, plain.options.retainOnDelete], [false, false]);
    });

    it("runs one pinned, restricted pod that recreates rather than sharing the volume, probed on /api/version", async () => {
        const { deployment, server } = await declare();
        const spec = (inputsOf(deployment) as DeploymentInputs).spec!;
        assert.deepEqual([spec.replicas, spec.strategy], [1, { type: "Recreate" }]);
        assert.equal(spec.template.spec!.automountServiceAccountToken, false);
        assert.equal(server.image, OLLAMA_IMAGE);
        assert.deepEqual(server.env, [
            { name: "OLLAMA_HOST", value: "0.0.0.0:11434" },
            { name: "OLLAMA_MODELS", value: "/models" },
            { name: "OLLAMA_KEEP_ALIVE", value: "24h" },
            { name: "HOME", value: "/tmp" },
        ]);
        assert.deepEqual(server.readinessProbe, {
            httpGet: { path: "/api/version", port: "http" },
            periodSeconds: 15,
            timeoutSeconds: 5,
            failureThreshold: 3,
        });
        assert.deepEqual([server.startupProbe?.periodSeconds, server.startupProbe?.failureThreshold], [5, 60]);
        assert.equal(server.securityContext?.readOnlyRootFilesystem, true);
    });

    it("asks for a GPU and tolerates GPU nodes only when told to", async () => {
        const cpu = await declare();
        assert.equal(cpu.server.resources?.limits?.["nvidia.com/gpu"], undefined);
        assert.deepEqual((inputsOf(cpu.deployment) as DeploymentInputs).spec!.template.spec!.tolerations, []);
        const gpu = await declare({ gpu: true });
        assert.equal(gpu.server.resources?.limits?.["nvidia.com/gpu"], "1");
        assert.deepEqual((inputsOf(gpu.deployment) as DeploymentInputs).spec!.template.spec!.tolerations, [
            { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
        ]);
    });

    it("pulls each model once, after the server, replacing the Job whole and waiting as long as its deadline", async () => {
        const { capture, job, outputs } = await declare({ embeddingModel: "llama3.2:3b" });
        const inputs = inputsOf(job) as JobInputs;
        assert.equal(inputs.metadata!.annotations!["estate.io/models"], "llama3.2:3b");
        assert.equal(inputs.spec!.activeDeadlineSeconds, MODEL_PULL_DEADLINE_SECONDS);
        const pull = inputs.spec!.template.spec!.containers[0]!;
        assert.deepEqual(pull.command, ["/bin/sh", "-c", ollamaPullScript(outputs.url, ["llama3.2:3b"])]);
        assert.equal(job.options.deleteBeforeReplace, true);
        assert.deepEqual(job.options.customTimeouts, {
            create: MODEL_PULL_DEADLINE_SECONDS + 120,
            update: MODEL_PULL_DEADLINE_SECONDS + 120,
        });
        for (const name of ["ollama-deployment", "ollama-service"]) {
            const type = name.endsWith("service") ? "kubernetes:core/v1:Service" : "kubernetes:apps/v1:Deployment";
            assert.ok(job.dependencies.includes(resource(capture, type, name).urn), `the pull must wait for ${name}`);
        }
    });

    it("hands out the in-cluster URL and admits only its clients, its jobs and the pull Job", async () => {
        const declared = await declare();
        assert.deepEqual(declared.outputs, {
            host: "ollama.estate.svc.cluster.local",
            port: 11434,
            url: "http://ollama.estate.svc.cluster.local:11434",
        });
        const server = netpol(declared, "ollama-netpol");
        assert.equal(server.metadata!.annotations!["estate.io/allowed-clients"], "api,ollama-model-pull,evals");
        assert.deepEqual(server.spec!.ingress![0]!.ports, [{ protocol: "TCP", port: 11434 }]);
        const pull = netpol(declared, "ollama-model-pull-netpol");
        assert.deepEqual(pull.spec!.ingress, []);
        assert.deepEqual(pull.spec!.egress![1], {
            to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "ollama" } } }],
            ports: [{ protocol: "TCP", port: 11434 }],
        });
    });
});
