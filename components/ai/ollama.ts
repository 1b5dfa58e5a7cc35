import type * as pulumi from "@pulumi/pulumi";

/** What every platform's Ollama runtime takes. */
export interface OllamaArgs {
    /** Chat model pulled before any service uses it (runbook 000). */
    readonly chatModel: string;
    /** Embeddings model pulled before any service uses it (runbook 000). */
    readonly embeddingModel: string;
    /** Models volume size in GiB. */
    readonly storageGb: number;
    /** Run on a GPU. */
    readonly gpu: boolean;
    /** Services that call Ollama; it admits only them and job pods. @default none */
    readonly clients?: readonly string[];
    /** Job workloads (migrations, backups, drills, by `app.kubernetes.io/name`) that connect. @default none */
    readonly jobClients?: readonly string[];
    /** Give Ollama a public endpoint. Break-glass only: the policy pack refuses it. @default false */
    readonly publicAccess?: boolean;
    /** Protect the models volume against deletion, and keep it on delete (prod). @default false */
    readonly protect?: boolean;
}

export interface OllamaOutputs {
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    /** Base URL services put in OLLAMA_BASE_URL. */
    readonly url: pulumi.Output<string>;
    /** The step that pulls both models; a service using Ollama depends on it. */
    readonly modelsReady: pulumi.Resource;
}

export const OLLAMA_PORT = 11434;
/** Official Ollama image, pinned by digest, the same on every platform; bump deliberately. */
export const OLLAMA_IMAGE =
    "docker.io/ollama/ollama@sha256:4dea9fb511947e24a84237bb636b0203abcb2ff0d3fbc7b4ff865deb91362131";
/** Where the models volume is mounted in the runtime. */
export const OLLAMA_MODELS_PATH = "/models";

/** Models to pull, chat first, without duplicates. */
export function ollamaModels(args: Pick<OllamaArgs, "chatModel" | "embeddingModel">): string[] {
    return [...new Set([args.chatModel, args.embeddingModel])];
}

/** Runtime env of the Ollama server itself (not of its clients). */
export function ollamaServerEnv(port = OLLAMA_PORT): Record<string, string> {
    return {
        OLLAMA_HOST: `0.0.0.0:${port}`,
        OLLAMA_MODELS: OLLAMA_MODELS_PATH,
        // Keep models loaded between requests; reloading a model costs seconds per call.
        OLLAMA_KEEP_ALIVE: "24h",
    };
}

/**
 * Shell script of the pull step: waits for the server, then pulls every model through the API
 * and fails if any pull fails, so a dependent service never starts without its models.
 */
export function ollamaPullScript(baseUrl: string, models: readonly string[]): string {
    const pulls = models.map((m) => `ollama pull ${shellQuote(m)}`).join("\n");
    return [
        "set -eu",
        `export OLLAMA_HOST=${shellQuote(baseUrl)}`,
        "for i in $(seq 1 60); do ollama list >/dev/null 2>&1 && break; sleep 5; done",
        pulls,
        "ollama list",
    ].join("\n");
}

function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}
