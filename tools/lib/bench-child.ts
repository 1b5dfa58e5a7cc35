/** One measured run in a fresh process, so each figure includes loading the SDKs. Prints JSON. */
import * as pulumi from "@pulumi/pulumi";
import { KubernetesPlatform } from "../../components/platform/kubernetes/platform";
import { parseStackConfig } from "../../stacks/config";
import { analyze } from "./analyzer";
import { computedOutputs } from "./mock-outputs";
import { PROJECT_ROOT, readStackConfig, runProgram } from "./mock-run";

async function synthetic(services: number): Promise<number> {
    const { values, secretKeys } = readStackConfig(PROJECT_ROOT, "prod");
    const config = parseStackConfig("prod", values, new Set(secretKeys));
    let registered = 0;
    await pulumi.runtime.setMocks(
        {
            newResource: (a) => (
                registered++,
                { id: `${a.name}-id`, state: { ...a.inputs, ...computedOutputs(a.type, a.name, a.inputs) } }
            ),
            call: (a) => a.inputs,
        },
        "estate",
        "bench",
        false,
    );
    await pulumi.runtime.runInPulumiStack(async () => {
        const root = new pulumi.ComponentResource("estate:bench:Root", "bench");
        const platform = new KubernetesPlatform(config, root);
        const api = config.services[0]!;
        for (let i = 0; i < services; i++) {
            platform.service(`svc-${i}`, {
                image: api.imageRef,
                previousImage: api.previousImageRef,
                port: 8000,
                host: `svc-${i}.${config.domain}`,
                minReplicas: 2,
                maxReplicas: 4,
                probes: config.probes,
                env: { ENVIRONMENT: "prod" },
                secretEnv: {},
            });
        }
        return {};
    });
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return registered;
}

(async () => {
    const [mode, a, b] = process.argv.slice(2);
    const start = performance.now();
    let resources: number;
    let policyMs: number | undefined;
    if (mode === "synthetic") resources = await synthetic(Number(a));
    else {
        const capture = await runProgram({ stack: a!, overrides: { platform: b! } });
        resources = capture.resources.length;
        if (mode === "policy") {
            const policyStart = performance.now();
            await analyze(capture, { stack: a! });
            policyMs = performance.now() - policyStart;
        }
    }
    const totalMs = performance.now() - start;
    console.log(
        JSON.stringify({
            resources,
            programMs: Math.round(totalMs - (policyMs ?? 0)),
            policyMs: policyMs && Math.round(policyMs),
            maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        }),
    );
    process.exit(0);
})();
