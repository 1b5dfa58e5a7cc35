import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { GeneratedSecrets, type GeneratedSecretsArgs } from "../../components/secrets/generated-secrets";
import { runComponents } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";

const SPECS = [
    { id: "jwt-secret", length: 64 },
    { id: "bootstrap-admin-password", length: 32, special: true },
    { id: "api-key" },
];

async function declare(overrides: Partial<GeneratedSecretsArgs> = {}) {
    let secrets!: GeneratedSecrets;
    const capture = await runComponents(() => {
        secrets = new GeneratedSecrets("secrets", { secrets: SPECS, protect: true, ...overrides });
    });
    const isSecret = await Promise.all(
        secrets.entries.map((e) => (e.value as unknown as { isSecret: Promise<boolean> }).isSecret),
    );
    return { capture, ids: secrets.entries.map((e) => e.id), isSecret };
}

const password = (capture: Awaited<ReturnType<typeof declare>>["capture"], id: string) =>
    resource(capture, "random:index/randomPassword:RandomPassword", `secrets-${id}`);

describe("GeneratedSecrets (component)", () => {
    it("generates one protected RandomPassword per spec, sized as asked (48, no punctuation by default)", async () => {
        const { capture, ids } = await declare();
        assert.deepEqual(ids, ["jwt-secret", "bootstrap-admin-password", "api-key"]);
        assert.equal(capture.resources.filter((r) => r.custom).length, 3);
        assert.deepEqual(
            SPECS.map((s) => {
                const inputs = inputsOf(password(capture, s.id));
                return [inputs.length, inputs.special, inputs.keepers.generation];
            }),
            [
                [64, false, "1"],
                [32, true, "1"],
                [48, false, "1"],
            ],
        );
        assert.equal(password(capture, "jwt-secret").options.protect, true);
    });

    it("raises only the rotated secret's generation, and appends provided values after the generated ones, all secret", async () => {
        const { capture, ids, isSecret } = await declare({
            rotation: { "jwt-secret": 3 },
            provided: { "oidc-client-secret": pulumi.output("from-config") },
        });
        assert.equal(inputsOf(password(capture, "jwt-secret")).keepers.generation, "3");
        assert.equal(inputsOf(password(capture, "api-key")).keepers.generation, "1");
        assert.deepEqual(ids, ["jwt-secret", "bootstrap-admin-password", "api-key", "oidc-client-secret"]);
        assert.deepEqual(isSecret, [true, true, true, true]);
    });

    it("refuses a rotation of a secret it does not hold, listing the known ids", async () => {
        let thrown: unknown;
        await runComponents(() => {
            try {
                new GeneratedSecrets("secrets", { secrets: SPECS, rotation: { "jwt-secert": 2 } });
            } catch (error) {
                thrown = error;
            }
        });
        assert.ok(thrown instanceof pulumi.ResourceError, String(thrown));
        assert.equal(
            thrown.message,
            '`rotation` names unknown secret "jwt-secert"; known: jwt-secret, bootstrap-admin-password, api-key',
        );
    });
});
