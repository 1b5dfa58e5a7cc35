import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { catalog } from "../../policies/catalog";
import { configWithDefaults, schemaDefaults } from "../../policies/lib";
import { healthProbes } from "../../policies/workload";
import {
    DEFAULT_PACK_DIR,
    effectiveConfig,
    loadConfigFile,
    PolicyConfigError,
    PolicyDescriptor,
} from "../../tools/lib/analyzer";
import { api, estate } from "./cases";

// What GetAnalyzerInfo reports for each policy.
const descriptors: PolicyDescriptor[] = catalog.map((e) => ({
    name: e.policy.name,
    enforcementLevel: e.policy.enforcementLevel ?? "mandatory",
    ...(e.policy.configSchema
        ? {
              schema: {
                  properties: e.policy.configSchema.properties as NonNullable<PolicyDescriptor["schema"]>["properties"],
              },
          }
        : {}),
}));

class NotApplicable extends Error {}

/** Runs one policy's validations the way the SDK does, with the given `getConfig()` result. */
async function run(
    validations: ResourceValidation[],
    type: string,
    props: Record<string, unknown>,
    config: object,
): Promise<string[]> {
    const messages: string[] = [];
    for (const validate of validations) {
        const args = {
            type,
            props,
            urn: `urn:pulumi:prod::estate::${type}::x`,
            name: "x",
            opts: {
                protect: false,
                ignoreChanges: [],
                aliases: [],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
                additionalSecretOutputs: [],
            },
            stackTags: new Map<string, string>(),
            isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === type,
            asType: () => undefined,
            getConfig: <T extends object>() => config as T,
            notApplicable: (): never => {
                throw new NotApplicable();
            },
        } as unknown as ResourceValidationArgs;
        try {
            await validate(args, (m) => messages.push(m));
        } catch (e) {
            if (!(e instanceof NotApplicable)) throw e;
        }
    }
    return messages;
}

describe("policy config", () => {
    it("applies schema defaults when the engine sent no config", () => {
        const schema = {
            properties: {
                a: { type: "string" as const, default: "x" },
                b: { type: "array" as const, default: [1] },
                c: { type: "string" as const },
            },
        };
        assert.deepEqual(schemaDefaults(schema), { a: "x", b: [1] });
        assert.deepEqual(configWithDefaults(schema, { getConfig: <T extends object>() => ({}) as T }), {
            a: "x",
            b: [1],
        });
        assert.deepEqual(
            configWithDefaults(schema, { getConfig: <T extends object>() => ({ a: "y", c: "z", b: null }) as T }),
            { a: "y", b: [1], c: "z" },
        );
    });

    it("lets a policy's config change its verdict", async () => {
        const rs = estate();
        api(rs).readinessProbe.httpGet.path = "/health/ready";
        const deployment = rs[0];
        const validations = (healthProbes.policy as ResourceValidationPolicy).validateResource as ResourceValidation[];
        assert.deepEqual(await run(validations, deployment.type, deployment.inputs, {}), [
            'Container "api" readiness probe must be an HTTP GET of `/readyz` (it is "/health/ready").',
        ]);
        assert.deepEqual(
            await run(validations, deployment.type, deployment.inputs, {
                readinessPaths: ["/readyz", "/health/ready"],
            }),
            [],
        );
    });

    it("prod makes every policy mandatory with ENVIRONMENT=prod enforced", () => {
        const prod = effectiveConfig(descriptors, loadConfigFile(DEFAULT_PACK_DIR, "prod"));
        assert.deepEqual(
            Object.entries(prod).filter(([, c]) => c.enforcementLevel !== "mandatory"),
            [],
        );
        assert.deepEqual(prod["environment-prod"].properties, { stackEnvironment: "prod" });
        assert.deepEqual(prod["health-probes"].properties, {
            livenessPaths: ["/healthz"],
            readinessPaths: ["/readyz"],
        });
        assert.deepEqual(prod["data-backup-retention"].properties, {
            minRetentionDays: 14,
            requireScheduledBackup: true,
        });
        assert.equal(prod["data-protected-in-prod"].properties.stackEnvironment, "prod");
        assert.equal(prod["data-replication-prod"].properties.stackEnvironment, "prod");
        assert.equal(Object.keys(prod).length, catalog.length);
    });

    it("staging is advisory only where a runbook allows it", () => {
        const staging = effectiveConfig(descriptors, loadConfigFile(DEFAULT_PACK_DIR, "staging"));
        const advisory = Object.entries(staging)
            .filter(([, c]) => c.enforcementLevel === "advisory")
            .map(([n]) => n)
            .sort();
        // Staging does not protect its stores: the check is off there and could never block.
        assert.deepEqual(advisory, [
            "cors-restricted",
            "data-protected-in-prod",
            "outbound-allow-list",
            "rate-limits-set",
        ]);
        for (const prodOnly of ["environment-prod", "data-replication-prod", "data-protected-in-prod"]) {
            assert.equal(staging[prodOnly].properties.stackEnvironment, "staging", prodOnly);
        }
        assert.equal(staging["data-backup-retention"].properties.minRetentionDays, 7);
    });

    it("rejects config the CLI would reject", () => {
        assert.throws(
            () => effectiveConfig(descriptors, { "no-such-policy": "advisory" }),
            /unknown policy "no-such-policy"/,
        );
        assert.throws(
            () => effectiveConfig(descriptors, { "cors-restricetd": "advisory" }, "policies/config/prod.json"),
            (error: Error) => {
                assert.ok(error instanceof PolicyConfigError, "reported as a config error, not a crash");
                assert.equal(
                    error.message,
                    'policies/config/prod.json names unknown policy "cors-restricetd"; did you mean "cors-restricted"? Fix: rename the key to "cors-restricted" in policies/config/prod.json.',
                );
                return true;
            },
        );
        assert.throws(() => effectiveConfig(descriptors, { all: "strict" }), /"all" must be one of/);
        assert.throws(
            () => effectiveConfig(descriptors, { "health-probes": { readinessPaths: "/readyz" } }),
            /policy "health-probes" config is invalid: data\/readinessPaths must be array/,
        );
        assert.throws(
            () => effectiveConfig(descriptors, { "environment-prod": { stackEnvironment: "production" } }),
            /must be equal to one of the allowed values/,
        );
        assert.throws(() => effectiveConfig(descriptors, { "ingress-tls": { strict: true } }), /takes no config/);
    });

    it("lets a policy's own entry win over all", () => {
        const cfg = effectiveConfig(descriptors, {
            all: "advisory",
            "ingress-tls": "disabled",
            "health-probes": { enforcementLevel: "mandatory" },
        });
        assert.equal(cfg["ingress-tls"].enforcementLevel, "disabled");
        assert.equal(cfg["health-probes"].enforcementLevel, "mandatory");
        assert.equal(cfg["cors-restricted"].enforcementLevel, "advisory");
    });
});
