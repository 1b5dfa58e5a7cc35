import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseStackConfig } from "../../stacks/config";
import { PROJECT_ROOT, readStackConfig } from "../../tools/lib/mock-run";

function stackValues(stack: string, overrides: Record<string, string> = {}) {
    const { values, secretKeys } = readStackConfig(PROJECT_ROOT, stack);
    return { values: { ...values, ...overrides }, secretKeys: new Set(secretKeys) };
}

function parse(stack: string, overrides: Record<string, string> = {}, drop: string[] = []) {
    const { values, secretKeys } = stackValues(stack, overrides);
    for (const key of drop) delete values[key];
    return parseStackConfig(stack, values, secretKeys);
}

function problemsOf(stack: string, overrides: Record<string, string>, drop: string[] = []): string[] {
    try {
        parse(stack, overrides, drop);
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return [...error.problems];
    }
    assert.fail("expected the config to be rejected");
}

describe("stack config", () => {
    it("parses both stack files into a frozen, typed config with the runbooks' defaults", () => {
        const staging = parse("staging");
        const prod = parse("prod");
        assert.ok(Object.isFrozen(prod) && Object.isFrozen(prod.services) && Object.isFrozen(prod.probes));
        assert.deepEqual(prod.probes, {
            livenessPath: "/healthz",
            readinessPath: "/readyz",
            periodSeconds: 15,
            timeoutSeconds: 5,
            failureThreshold: 3,
            startupFailureThreshold: 30,
        });
        assert.equal(prod.environment, "prod");
        assert.equal(prod.isProd, true);
        assert.equal(staging.isProd, false);
        assert.equal(prod.platform, "kubernetes");
        assert.equal(prod.platform === "kubernetes" && prod.kubernetes.secretStore, "gcp-secret-manager");
        assert.deepEqual(prod.platform === "kubernetes" && prod.kubernetes.gcp.replicaLocations, [
            "europe-west1",
            "europe-west4",
        ]);
        assert.deepEqual(prod.cors.allowedOrigins, ["https://app.estate.example.com"]);
        assert.deepEqual(
            prod.services.map((s) => [s.name, s.imageRef, s.previousImageRef, s.minReplicas, s.maxReplicas, s.host]),
            [
                [
                    "api",
                    "ghcr.io/acme/estate-api:9c1b7e2a4d6f",
                    "ghcr.io/acme/estate-api:51e0a7c3b2d9",
                    3,
                    12,
                    "api.estate.example.com",
                ],
                [
                    "gateway",
                    "ghcr.io/acme/estate-gateway:9c1b7e2a4d6f",
                    "ghcr.io/acme/estate-gateway:51e0a7c3b2d9",
                    3,
                    12,
                    "gateway.estate.example.com",
                ],
                [
                    "ui",
                    "ghcr.io/acme/estate-ui:9c1b7e2a4d6f",
                    "ghcr.io/acme/estate-ui:51e0a7c3b2d9",
                    3,
                    12,
                    "app.estate.example.com",
                ],
                [
                    "worker",
                    "ghcr.io/acme/estate-worker:9c1b7e2a4d6f",
                    "ghcr.io/acme/estate-worker:51e0a7c3b2d9",
                    3,
                    12,
                    undefined,
                ],
            ],
        );
        assert.deepEqual(
            {
                min: staging.services[0]!.minReplicas,
                max: staging.services[0]!.maxReplicas,
                perMinute: staging.rateLimits.perMinute,
            },
            { min: 2, max: 4, perMinute: 120 },
        );
    });

    it("accepts a sha256 digest and renders it as repo@digest", () => {
        const digest = `sha256:${"a".repeat(64)}`;
        const config = parse("staging", { "estate:apiTag": digest });
        assert.equal(config.services[0]!.imageRef, `ghcr.io/acme/estate-api@${digest}`);
    });

    it("derives the secret store from the platform and keeps the OIDC client secret a Pulumi secret", async () => {
        const config = parse("prod", { "estate:platform": "azure" });
        assert.equal(config.platform === "azure" && config.azure.secretStore, "key-vault");
        assert.equal(await (config.oidc.clientSecret as unknown as { isSecret: Promise<boolean> }).isSecret, true);
        assert.ok(pulumi.Output.isInstance(config.oidc.clientSecret));
    });

    it("reads each platform's settings only on that platform, the other platform's keys ignored", () => {
        const kubernetes = parse("prod", { "estate:azureLocation": "northeurope" });
        const azure = parse("prod", { "estate:platform": "azure", "estate:kubernetesNamespace": "other" });
        assert.ok(kubernetes.platform === "kubernetes" && azure.platform === "azure");
        assert.equal("azure" in kubernetes, false);
        assert.equal("kubernetes" in azure, false);
        assert.equal(kubernetes.kubernetes.gcp.project, "acme-estate-prod");
        assert.deepEqual(kubernetes.kubernetes.smtp, {
            smarthost: "smtp-relay.gmail.com:587",
            from: "alerts@estate.example.com",
        });
        assert.deepEqual(azure.azure, {
            location: "westeurope",
            secretStore: "key-vault",
            postgres: { sku: "Standard_D2ds_v5" },
            redis: { replicas: 0 },
            zone: "1",
            neo4j: { vmSize: "Standard_D4s_v5" },
        });
    });

    it("parses the rotation knob into generations", () => {
        assert.deepEqual(parse("staging", { "estate:secretRotation": '["jwt-secret=3"]' }).secretRotation, {
            "jwt-secret": 3,
        });
    });

    const badConfig: Array<[string, Record<string, string>, string[], string[]]> = [
        [
            "a mutable tag",
            { "estate:apiTag": "latest" },
            [],
            [
                'estate:apiTag = "latest": apiTag must be immutable: a commit SHA (7–40 lowercase hex), "sha-<sha>" or "sha256:<64 hex>" — never "latest" or a moving version. Fix: `pulumi config set estate:apiTag <value> --stack prod`.',
            ],
        ],
        [
            "an unknown platform",
            { "estate:platform": "nomad" },
            [],
            [
                'estate:platform = "nomad": Invalid option: expected one of "kubernetes"|"azure". Allowed: kubernetes | azure. Fix: `pulumi config set estate:platform <value> --stack prod`.',
            ],
        ],
        [
            "a Neo4j VM size without premium storage on azure",
            { "estate:platform": "azure", "estate:neo4jVmSize": "Standard_D4_v5" },
            [],
            [
                'estate:neo4jVmSize = "Standard_D4_v5": must be a VM size with premium storage (an `s` in its capabilities, e.g. Standard_D4s_v5): the data disk is a Premium SSD. Fix: `pulumi config set estate:neo4jVmSize <value> --stack prod`.',
            ],
        ],
        [
            "an availability zone the region has not",
            { "estate:platform": "azure", "estate:azureZone": "4" },
            [],
            [
                'estate:azureZone = "4": an availability zone of the region: 1, 2 or 3. Allowed: 1 | 2 | 3. Fix: `pulumi config set estate:azureZone <value> --stack prod`.',
            ],
        ],
        [
            "a typo in a key",
            { "estate:rateLimitPerMinut": "10" },
            [],
            [
                'estate:rateLimitPerMinut = "10": unknown key; did you mean estate:rateLimitPerMinute? Fix: `pulumi config rm estate:rateLimitPerMinut --stack prod` and set estate:rateLimitPerMinute.',
            ],
        ],
        [
            "a missing required key",
            {},
            ["estate:domain"],
            ["estate:domain = (not set): is required. Fix: `pulumi config set estate:domain <value> --stack prod`."],
        ],
        [
            "a non-integer replica count",
            { "estate:apiMinReplicas": "three" },
            [],
            [
                'estate:apiMinReplicas = "three": Invalid input: expected number, received string. Fix: `pulumi config set estate:apiMinReplicas <value> --stack prod`.',
            ],
        ],
        [
            "one replica in prod",
            { "estate:apiMinReplicas": "1" },
            [],
            [
                'estate:apiMinReplicas = "1": must be at least 2 in prod so a rollout or node loss keeps the service up. Fix: `pulumi config set estate:apiMinReplicas <value> --stack prod`.',
            ],
        ],
        [
            "plain-http OTEL endpoint",
            { "estate:otelTracesEndpoint": "http://otel.example.com" },
            [],
            [
                'estate:otelTracesEndpoint = "http://otel.example.com": must be an https:// URL. Fix: `pulumi config set estate:otelTracesEndpoint <value> --stack prod`.',
            ],
        ],
        [
            "Key Vault on Kubernetes",
            { "estate:secretStore": "key-vault" },
            [],
            [
                'estate:secretStore = "key-vault": key-vault references work only on azure; use gcp-secret-manager or kubernetes. Allowed: gcp-secret-manager | kubernetes | key-vault. Fix: `pulumi config set estate:secretStore <value> --stack prod`.',
            ],
        ],
        [
            "no outbound allow-list in prod",
            { "estate:outboundAllowedHosts": "[]" },
            [],
            [
                "estate:outboundAllowedHosts = \"[]\": must list the trusted upstream hosts in prod (runbook 002 security checklist). Fix: `pulumi config set --path 'estate:outboundAllowedHosts[0]' <value> --stack prod`, one per item ([0], [1], …).",
            ],
        ],
        [
            "ticket e-mail without an SMTP relay on Kubernetes",
            {},
            ["estate:alertSmtpSmarthost"],
            [
                "estate:alertSmtpSmarthost = (not set): required on kubernetes with alertOnCallEmails: Alertmanager sends the ticket e-mail. Fix: `pulumi config set estate:alertSmtpSmarthost <value> --stack prod`.",
            ],
        ],
        [
            "no GCP project on Kubernetes (its settings require it)",
            {},
            ["estate:gcpProject"],
            [
                "estate:gcpProject = (not set): required on kubernetes: Secret Manager secrets (gcp-secret-manager) and the PostgreSQL WAL archives and backups live in this GCP project. Fix: `pulumi config set estate:gcpProject <value> --stack prod`.",
            ],
        ],
        [
            "a Kubernetes secret store on Azure",
            { "estate:platform": "azure", "estate:secretStore": "kubernetes" },
            [],
            [
                'estate:secretStore = "kubernetes": Container Apps reference secrets from Key Vault; use key-vault (or leave unset). Allowed: gcp-secret-manager | kubernetes | key-vault. Fix: `pulumi config set estate:secretStore <value> --stack prod`.',
            ],
        ],
        [
            "a Kubernetes key with a bad value, even on Azure (one stack file serves both platforms)",
            { "estate:platform": "azure", "estate:kubernetesNamespace": "Estate" },
            [],
            [
                'estate:kubernetesNamespace = "Estate": Invalid string: must match pattern /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/. Fix: `pulumi config set estate:kubernetesNamespace <value> --stack prod`.',
            ],
        ],
        [
            "a PITR window shorter than the runbook's week",
            { "estate:postgresBackupRetentionDays": "6" },
            [],
            [
                'estate:postgresBackupRetentionDays = "6": Too small: expected number to be >=7. Fix: `pulumi config set estate:postgresBackupRetentionDays <value> --stack prod`.',
                // Below the schema's bound and, in prod, below the config floor too.
                'estate:postgresBackupRetentionDays = "6": must be at least 14 in prod (backups the restore drill and an incident can still reach), or record an exception in estate:configExceptions. Fix: `pulumi config set estate:postgresBackupRetentionDays <value> --stack prod`.',
            ],
        ],
    ];
    for (const [what, overrides, drop, expected] of badConfig) {
        it(`rejects ${what} with a message naming stack, key, value and fix`, () => {
            assert.deepEqual(problemsOf("prod", overrides, drop), expected);
        });
    }

    it("lists every problem at once, with the stack in the headline", () => {
        const { values, secretKeys } = stackValues("prod", { "estate:apiTag": "latest", "estate:platform": "nomad" });
        assert.throws(
            () => parseStackConfig("prod", values, secretKeys),
            (error: Error) => {
                assert.match(
                    error.message,
                    /^Stack "prod" has 2 invalid configuration values; nothing was declared\.\n {2}- estate:platform/,
                );
                return true;
            },
        );
    });

    it("refuses a secret key stored in plaintext, without echoing it", () => {
        const { values, secretKeys } = stackValues("prod", { "estate:oidcClientSecret": "hunter2-plaintext" });
        secretKeys.delete("estate:oidcClientSecret");
        assert.throws(
            () => parseStackConfig("prod", values, secretKeys),
            (error: ConfigError) => {
                assert.deepEqual(error.problems, [
                    "estate:oidcClientSecret = [secret]: stored in plaintext; secrets must be encrypted. Fix: `pulumi config set --secret estate:oidcClientSecret <value> --stack prod`.",
                ]);
                assert.doesNotMatch(error.message, /hunter2/);
                return true;
            },
        );
    });

    it("tells how to set a list-typed key item by item, since `pulumi config set` stores a plain string", () => {
        assert.deepEqual(problemsOf("prod", { "estate:corsAllowedOrigins": "https://app.example.com" }), [
            "estate:corsAllowedOrigins = \"https://app.example.com\": Invalid input: expected array, received string. Fix: `pulumi config set --path 'estate:corsAllowedOrigins[0]' <value> --stack prod`, one per item ([0], [1], …).",
        ]);
    });

    it("points the fix of a -c value at the -c flag, not at the stack file", () => {
        const rejected = (overrides: Record<string, string>) => {
            try {
                parse("prod", overrides);
            } catch (error) {
                assert.ok(error instanceof ConfigError);
                return error.withOverrides(Object.keys(overrides)).problems;
            }
            assert.fail("expected the config to be rejected");
        };
        assert.deepEqual(rejected({ "estate:apiTgg": "0a1b2c3" }), [
            'estate:apiTgg = "0a1b2c3": unknown key; did you mean estate:apiTag? Fix: pass `-c estate:apiTag=0a1b2c3` instead of `-c estate:apiTgg=0a1b2c3`.',
        ]);
        assert.deepEqual(rejected({ "estate:zzzz": "1" }), [
            'estate:zzzz = "1": unknown key. Fix: drop `-c estate:zzzz=1`.',
        ]);
        assert.deepEqual(rejected({ "estate:corsAllowedOrigins": "https://app.example.com" }), [
            'estate:corsAllowedOrigins = "https://app.example.com": Invalid input: expected array, received string. Fix: `-c \'estate:corsAllowedOrigins=["<value>", ...]\'` (a JSON list).',
        ]);
        assert.deepEqual(rejected({ "estate:apiTag": "latest" })[0]?.split(" Fix: ")[1], "`-c estate:apiTag=<value>`.");
    });
});

describe("stack config: probe bounds both platforms accept", () => {
    // Container Apps: period 1-240 s, failure threshold 1-10 (ContainerAppProbe in @pulumi/azure-native).
    for (const [key, value, max] of [
        ["estate:probePeriodSeconds", "241", 240],
        ["estate:probeFailureThreshold", "11", 10],
        ["estate:startupFailureThreshold", "31", 30],
    ] as const) {
        it(`rejects ${key} = ${value}`, () => {
            assert.deepEqual(problemsOf("prod", { [key]: value }), [
                `${key} = "${value}": Too big: expected number to be <=${max}. Fix: \`pulumi config set ${key} <value> --stack prod\`.`,
            ]);
        });
    }

    it("accepts the largest values", () => {
        const config = parse("prod", {
            "estate:probePeriodSeconds": "240",
            "estate:probeFailureThreshold": "10",
            "estate:startupFailureThreshold": "30",
        });
        assert.deepEqual(
            [config.probes.periodSeconds, config.probes.failureThreshold, config.probes.startupFailureThreshold],
            [240, 10, 30],
        );
    });
});
