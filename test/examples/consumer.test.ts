import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT_ROOT, unwrapSecrets } from "../../tools/lib/mock-run";
import { plan } from "../support/program";

const EXAMPLE = path.join(PROJECT_ROOT, "examples", "consumer", "index.ts");

/** Runs examples/consumer against a StackReference that returns `estateOutputs`; resolves its exports. */
async function runConsumer(
    estateOutputs: Record<string, unknown>,
): Promise<{ references: string[]; exports: Record<string, unknown> }> {
    const references: string[] = [];
    pulumi.runtime.setAllConfig({}, []);
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                if (args.type === "pulumi:pulumi:Stack") return { id: "", state: {} };
                if (args.type !== "pulumi:pulumi:StackReference")
                    throw new Error(`the consumer example declared ${args.type}`);
                references.push(String(args.inputs["name"]));
                return {
                    id: String(args.inputs["name"]),
                    state: { ...args.inputs, outputs: estateOutputs, secretOutputNames: [] },
                };
            },
            call: (args) => args.inputs,
        },
        "consumer",
        "dev",
        false,
    );
    delete require.cache[require.resolve(EXAMPLE)];
    // The stack's outputs, resolved: what `pulumi stack output` would show for the consumer.
    const exports = (await pulumi.runtime.runInPulumiStack(async () => require(EXAMPLE))) as Record<string, unknown>;
    return { references, exports: { ...exports } };
}

describe("consumer example (examples/consumer/index.ts)", () => {
    it("reads the real prod outputs through a StackReference and parses them with the contract", async () => {
        const estate = unwrapSecrets((await plan("prod")).outputs) as Record<string, unknown>;
        const { references, exports } = await runConsumer(estate);
        assert.deepEqual(references, ["acme/estate/prod"]);
        assert.deepEqual(exports, {
            apiUrl: "https://api.estate.example.com",
            apiReadinessUrl: "https://api.estate.example.com/readyz",
            apiImage: "ghcr.io/acme/estate-api:9c1b7e2a4d6f",
            jwtSecretName: "projects/acme-estate-prod/secrets/estate-prod-jwt-secret",
        });
    });
});
