// The Pulumi CLI's own config checks, as ported in tools/lib/pulumi-cli-*.ts: each rule refuses
// a stack file the CLI refuses, in its words, and the shipped stacks pass all of them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { PROJECT_ROOT, readStackConfig, StackFileError } from "../../tools/lib/mock-run";
import {
    checkStackConfig,
    formatMissingKeys,
    projectConfigOf,
    type StackFile,
} from "../../tools/lib/pulumi-cli-config";
import { validateConfigValue, validateProjectConfig } from "../../tools/lib/pulumi-cli-project";
import { ciphertextError, goBase64DecodedLength, secretsManagerOf } from "../../tools/lib/pulumi-cli-secrets";
import { ciphertextsIn } from "../../tools/lib/pulumi-cli-values";

const read = (file: string) => parseYaml(fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8"));
const FILES = { project: "Pulumi.yaml", stack: "Pulumi.prod.yaml" };

/** A project folder holding the real Pulumi.yaml (or a changed copy) and a changed prod stack file. */
function projectWith(change: {
    stack?: (config: Record<string, unknown>) => void;
    project?: (p: { config: Record<string, Record<string, unknown>> }) => void;
}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "estate-cli-config-"));
    const project = read("Pulumi.yaml");
    change.project?.(project);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), toYaml(project));
    const stack = read("Pulumi.prod.yaml");
    change.stack?.(stack.config);
    fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), toYaml(stack));
    return dir;
}

/** The refusal readStackConfig throws for that folder's prod stack. */
function refusal(dir: string): string {
    try {
        readStackConfig(dir, "prod");
    } catch (error) {
        assert.ok(error instanceof StackFileError, String(error));
        return error.message;
    }
    assert.fail("expected the CLI's checks to refuse the stack");
}

describe("Pulumi CLI config rules (pulumi/pulumi pkg/workspace/config.go mergeConfig)", () => {
    it("reports every missing declared key at once, in the CLI's words", () => {
        const message = refusal(
            projectWith({ stack: (c) => (delete c["estate:domain"], delete c["estate:apiImage"]) }),
        );
        assert.match(message, /^the Pulumi CLI would refuse stack 'prod' before running the program:/);
        assert.match(
            message,
            /error: validating stack config: Stack 'prod' is missing configuration values 'apiImage' and 'domain'\n {4}Fix: set each in Pulumi\.prod\.yaml/,
        );
    });

    it("words one, two and three missing keys as formatMissingKeys does", () => {
        assert.equal(formatMissingKeys(["a"]), "'a'");
        assert.equal(formatMissingKeys(["b", "a"]), "'a' and 'b'");
        assert.equal(formatMissingKeys(["c", "a", "b"]), "'a', 'b' and 'c'");
    });

    for (const [key, value, type] of [
        ["estate:probePeriodSeconds", 1.5, "integer"],
        ["estate:probePeriodSeconds", "15s", "integer"],
        ["estate:tlsEnabled", "yes", "boolean"],
        ["estate:corsAllowedOrigins", "https://app.estate.example.com", "array<string>"],
        ["estate:outboundAllowedHosts", ["redmine.example.com", 443], "array<string>"],
        ["estate:clusterIssuer", ["letsencrypt-prod"], "string"],
    ] as const) {
        it(`refuses ${key}: ${JSON.stringify(value)} as not of type '${type}'`, () => {
            const message = refusal(projectWith({ stack: (c) => (c[key] = value) }));
            const local = key.slice("estate:".length);
            assert.ok(
                message.includes(
                    `error: validating stack config: Stack 'prod' with configuration key '${local}' must be of type '${type}'`,
                ),
                message,
            );
        });
    }

    it("refuses a Pulumi.yaml default of the wrong type when the project loads (Project.Validate)", () => {
        const message = refusal(projectWith({ project: (p) => (p.config.probePeriodSeconds.default = "fifteen") }));
        assert.match(
            message,
            /error: could not unmarshal 'Pulumi\.yaml': The default value specified for configuration key 'probePeriodSeconds' is not of the expected type 'integer'/,
        );
    });

    it("refuses an array declaration without items (Project.Validate)", () => {
        const message = refusal(projectWith({ project: (p) => delete p.config.corsAllowedOrigins.items }));
        assert.match(message, /The configuration key 'corsAllowedOrigins' declares an array but does not specify/);
    });

    it("refuses a secure value that is not Pulumi Cloud ciphertext: base64 decoding fails at byte 2", () => {
        const message = refusal(
            projectWith({ stack: (c) => (c["estate:oidcClientSecret"] = { secure: "v1:placeholder:replace-me" }) }),
        );
        assert.match(
            message,
            /error: validating stack config: illegal base64 data at input byte 2 \(estate:oidcClientSecret in Pulumi\.prod\.yaml is not ciphertext of Pulumi Cloud/,
        );
        assert.match(message, /Fix: `pulumi config set --secret estate:oidcClientSecret --stack <org>\/prod`/);
    });

    it("reads bare values under config: as a default or another namespace's value, and checks those (Project.Validate)", () => {
        const project = projectConfigOf({ name: "estate", config: { size: 3, "aws:region": "eu-west-1" } });
        assert.deepEqual(project.config, { size: { default: 3 }, "aws:region": { value: "eu-west-1" } });
        assert.deepEqual(
            validateProjectConfig(
                projectConfigOf({ name: "estate", config: { "aws:region": { type: "string", value: "x" } } }),
            ).map((p) => p.message),
            [
                "could not unmarshal 'Pulumi.yaml': Configuration key 'aws:region' is not namespaced by the project and should not define a type",
            ],
        );
    });

    it("refuses a key the project declares secret when the stack holds it in plaintext", () => {
        const project = projectConfigOf({ name: "estate", config: { token: { type: "string", secret: true } } });
        const { problems } = checkStackConfig("prod", project, { config: { "estate:token": "plain" } }, FILES);
        assert.deepEqual(
            problems.map((p) => p.message),
            ["validating stack config: Stack 'prod' with configuration key 'token' must be encrypted as it's secret"],
        );
    });

    it("merges Pulumi.yaml defaults into the config the program gets, as createConfigValue does", () => {
        const { values } = readStackConfig(PROJECT_ROOT, "prod");
        assert.equal(values["estate:probePeriodSeconds"], "15");
        assert.equal(values["estate:tlsEnabled"], "true");
        assert.equal(values["estate:alertLatencyP95Seconds"], "2");
        assert.equal(
            values["estate:bootstrapCommand"],
            JSON.stringify(["python", "-m", "app.bootstrap", "--idempotent"]),
        );
        assert.equal(values["estate:backupRetentionDays"], "35", "a stack value wins over the default");
    });

    it("applies -c overrides before the checks, as the real CLI saves them into the stack file first", () => {
        assert.throws(
            () => readStackConfig(PROJECT_ROOT, "prod", { "estate:tlsEnabled": "yes" }),
            /configuration key 'tlsEnabled' must be of type 'boolean'/,
        );
    });
});

describe("ValidateConfigValue (sdk/go/common/workspace/project.go)", () => {
    const cases: Array<[string, { type: string } | undefined, unknown, boolean]> = [
        ["integer", undefined, "42", true],
        ["integer", undefined, "-7", true],
        ["integer", undefined, "+7", true],
        ["integer", undefined, 3, true],
        ["integer", undefined, 3.0, true],
        ["integer", undefined, 3.5, false],
        ["integer", undefined, "3.5", false],
        ["integer", undefined, "9223372036854775808", false],
        ["boolean", undefined, "true", true],
        ["boolean", undefined, false, true],
        ["boolean", undefined, "True", false],
        ["string", undefined, "x", true],
        ["string", undefined, 2, false],
        ["array", { type: "string" }, ["a", "b"], true],
        ["array", { type: "string" }, ["a", 1], false],
        ["array", undefined, ["a"], false],
    ];
    for (const [type, items, value, ok] of cases)
        it(`${type}${items ? `<${items.type}>` : ""} ${ok ? "accepts" : "refuses"} ${JSON.stringify(value)}`, () =>
            assert.equal(validateConfigValue(type, items, value), ok));
});

describe("secure values (pkg/secrets/service/manager.go, sdk/go/common/resource/config/crypt.go)", () => {
    it("decodes standard base64 as Go does, and reports the byte Go reports", () => {
        assert.equal(goBase64DecodedLength("aGVsbG8="), 5);
        assert.equal(goBase64DecodedLength("aGVs\nbG8="), 5);
        assert.equal(goBase64DecodedLength(""), 0);
        for (const [text, at] of [
            ["v1:placeholder:x", 2],
            ["aGVsbG8", 4],
            ["aGVsbG8=x", 8],
            ["a===", 1],
            ["aGVsbA=", 7],
            ["aGVs-G8=", 4],
        ] as const)
            assert.throws(() => goBase64DecodedLength(text), { message: `illegal base64 data at input byte ${at}` });
    });

    it("accepts whatever a standard base64 encoder produces, with its length", () => {
        fc.assert(
            fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
                assert.equal(goBase64DecodedLength(Buffer.from(bytes).toString("base64")), bytes.length);
            }),
        );
    });

    it("picks the secrets manager from the stack file as GetSecretsManager does", () => {
        assert.equal(secretsManagerOf({}), "service");
        assert.equal(secretsManagerOf({ encryptionsalt: "v1:c2FsdA==:x" }), "passphrase");
        assert.equal(
            secretsManagerOf({ secretsprovider: "gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k" }),
            "cloud",
        );
        assert.equal(
            secretsManagerOf({ secretsprovider: "passphrase", encryptionsalt: "v1:c2FsdA==:x" }),
            "passphrase",
        );
    });

    it("checks passphrase and KMS ciphertext as symmetricCrypter.DecryptValue does before the key", () => {
        const nonce = Buffer.alloc(12).toString("base64");
        const sealed = Buffer.alloc(20).toString("base64");
        assert.equal(ciphertextError("passphrase", `v1:${nonce}:${sealed}`), undefined);
        assert.equal(ciphertextError("passphrase", sealed), "bad value");
        assert.equal(ciphertextError("cloud", `v2:${nonce}:${sealed}`), "unknown value version");
        assert.equal(
            ciphertextError("passphrase", `v1:${Buffer.alloc(8).toString("base64")}:${sealed}`),
            "bad value: nonce size is incorrect",
        );
        assert.equal(
            ciphertextError("passphrase", `v1:${nonce}:not*base64`),
            "bad value: illegal base64 data at input byte 3",
        );
        assert.equal(ciphertextError("service", `v1:${nonce}:${sealed}`), "illegal base64 data at input byte 2");
    });

    it("gives a committed ciphertext a stand-in the plan names, registered as secret", () => {
        const dir = projectWith({ stack: (c) => (c["estate:oidcClientSecret"] = { secure: "AAECAwQFBgc=" }) });
        const { values, secretKeys, standIns } = readStackConfig(dir, "prod");
        assert.equal(values["estate:oidcClientSecret"], "offline-placeholder-not-a-secret:estate:oidcClientSecret");
        assert.ok(secretKeys.includes("estate:oidcClientSecret"));
        assert.deepEqual(
            standIns.find((s) => s.key === "estate:oidcClientSecret"),
            {
                key: "estate:oidcClientSecret",
                reason: "encrypted",
            },
        );
    });
});

describe("the shipped stacks pass the CLI's checks", () => {
    const project = projectConfigOf(read("Pulumi.yaml"));
    for (const stack of ["staging", "prod"])
        for (const platform of ["kubernetes", "azure"])
            it(`${stack} on ${platform}: nothing to report`, () => {
                const file = read(`Pulumi.${stack}.yaml`) as StackFile;
                const config = { ...file.config, "estate:platform": platform };
                const { problems } = checkStackConfig(
                    stack,
                    project,
                    { ...file, config },
                    {
                        project: "Pulumi.yaml",
                        stack: `Pulumi.${stack}.yaml`,
                    },
                );
                assert.deepEqual(problems, []);
            });

    it("every committed secure value decodes for the stack's secrets manager (there may be none)", () => {
        for (const stack of ["staging", "prod"]) {
            const file = read(`Pulumi.${stack}.yaml`) as StackFile;
            for (const ciphertext of ciphertextsIn(file.config))
                assert.equal(ciphertextError(secretsManagerOf(file), ciphertext), undefined, `Pulumi.${stack}.yaml`);
        }
    });

    it("finds a committed secure value nested in a list, so the check above can fail", () => {
        assert.deepEqual(ciphertextsIn({ "estate:x": [{ secure: "v1:placeholder" }], "estate:y": "plain" }), [
            "v1:placeholder",
        ]);
    });

    it("unset secrets get named stand-ins, registered as secret, unless asked to stay unset", () => {
        const { values, secretKeys, standIns } = readStackConfig(PROJECT_ROOT, "staging", {}, [
            "estate:alertOnCallKey",
        ]);
        assert.deepEqual(standIns, [
            { key: "estate:oidcClientSecret", reason: "not set" },
            { key: "estate:backupAgeIdentity", reason: "not set" },
        ]);
        assert.ok(secretKeys.includes("estate:oidcClientSecret") && secretKeys.includes("estate:backupAgeIdentity"));
        assert.equal(values["estate:alertOnCallKey"], undefined);
    });
});

describe("npm run plan and the CLI's checks", () => {
    it("exits 1 before the program runs, in the CLI's words, and writes nothing", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "estate-plan-cli-"));
        const result = spawnSync(
            process.execPath,
            ["--import", "tsx", "tools/plan.ts", "--stack", "prod", "-c", "estate:tlsEnabled=yes", "--out", out],
            { cwd: PROJECT_ROOT, encoding: "utf8" },
        );
        assert.equal(result.status, 1, result.stdout);
        assert.match(
            result.stderr,
            /error: the Pulumi CLI would refuse stack 'prod' before running the program:\n {2}error: validating stack config: Stack 'prod' with configuration key 'tlsEnabled' must be of type 'boolean'\n {4}Fix: give estate:tlsEnabled true or false in Pulumi\.prod\.yaml\./,
        );
        assert.doesNotMatch(result.stdout, /Previewing/);
        assert.deepEqual(fs.readdirSync(out), []);
    });
});
