/** One measured run in a fresh process, so each figure includes loading the SDKs. Prints JSON last. */
import { performance } from "node:perf_hooks";
import { Progress } from "./progress";

async function synthetic(services: number): Promise<number> {
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const { KubernetesPlatform } =
        require("../../components/platform/kubernetes/platform") as typeof import("../../components/platform/kubernetes/platform");
    const { parseStackConfig } = require("../../stacks/config") as typeof import("../../stacks/config");
    const { platformCommon } = require("../../stacks/platforms") as typeof import("../../stacks/platforms");
    const { computedOutputs } = require("./mock-outputs") as typeof import("./mock-outputs");
    const { PROJECT_ROOT, readStackConfig } = require("./mock-run") as typeof import("./mock-run");
    const { values, secretKeys } = readStackConfig(PROJECT_ROOT, "prod");
    const config = parseStackConfig("prod", values, new Set(secretKeys));
    if (config.platform !== "kubernetes") throw new Error("the synthetic bench plans the prod stack on kubernetes");
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
        const platform = new KubernetesPlatform(config.kubernetes, platformCommon(config), root);
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
    const [mode, ...rest] = process.argv.slice(2);
    const start = performance.now();
    let resources: number | undefined;
    let exitCode = 0;
    if (mode === "synthetic") resources = await synthetic(Number(rest[0]));
    else if (mode === "stack") {
        const { runProgram } = require("./mock-run") as typeof import("./mock-run");
        const capture = await runProgram({ stack: rest[0]!, overrides: { platform: rest[1]! } });
        resources = capture.resources.length;
    } else if (mode === "plan") {
        // Exactly `npm run plan -- <rest>`, the report sent to stdout as a person would see it.
        const { main } = require("../plan") as typeof import("../plan");
        exitCode = await main(rest, Progress.silent());
    } else throw new Error(`unknown bench mode ${mode}`);
    console.log(
        JSON.stringify({
            ...(resources !== undefined ? { resources } : {}),
            exitCode,
            innerMs: Math.round(performance.now() - start),
            maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        }),
    );
    process.exit(0);
})();
