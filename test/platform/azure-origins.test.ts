// CORS on Azure follows the hosts browsers really use: custom domains are not bound, so the ui is
// served from its Container App FQDN (`ui.<environment default domain>`), which the api and the
// gateway must allow besides the configured `https://app.<domain>`.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { ProgramCapture } from "../../tools/lib/mock-run";
import { inputsOf, outputsOf, plan, resource, stacks } from "../support/program";

const DEFAULT_DOMAIN = "offline-env.westeurope.azurecontainerapps.io";

for (const stack of stacks) {
    describe(`CORS origins on azure (${stack})`, () => {
        let capture: ProgramCapture;
        before(async () => {
            capture = await plan(stack, { platform: "azure" });
        });

        it("allows the ui's real FQDN beside the configured origin, at ingress and in ALLOWED_ORIGINS", () => {
            // The stack files' origins (staging also allows a local ui), then the ui's FQDN.
            const configured =
                stack === "prod"
                    ? ["https://app.estate.example.com"]
                    : ["https://app.staging.estate.example.com", "http://localhost:3000"];
            const ui = `https://ui.${DEFAULT_DOMAIN}`;
            // The ui's URL in the outputs is the origin the browser sends.
            assert.equal(outputsOf(capture).services.ui?.url, ui);
            for (const service of ["api", "gateway"]) {
                const app = inputsOf(resource(capture, "azure-native:app:ContainerApp", `${service}-app`));
                assert.deepEqual(app.configuration.ingress.corsPolicy.allowedOrigins, [...configured, ui], service);
                const env = app.template.containers[0].env.find((e: { name: string }) => e.name === "ALLOWED_ORIGINS");
                assert.equal(env.value, [...configured, ui].join(","), service);
            }
        });
    });
}
