import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { aca, acaContainer, api, Case, estate, get, itReportsEachCase, setEnv } from "./cases";
import { violations } from "./harness";

const cronContainer = (rs: Parameters<typeof get>[0]) =>
    get(rs, ":CronJob", "pg-backup").spec.jobTemplate.spec.template.spec.containers[0];

const cases: Case[] = [
    {
        name: "JWT secret as a literal",
        mutate: (rs) => setEnv(api(rs), "JWT_SECRET", { value: "literal-jwt" }),
        expect: [
            [
                "credentials-by-reference",
                'Container "api" sets JWT_SECRET without a secret reference: use valueFrom.secretKeyRef pointing at a Kubernetes Secret.',
            ],
        ],
    },
    {
        name: "DATABASE_URL from a ConfigMap is no secret reference",
        mutate: (rs) => setEnv(api(rs), "DATABASE_URL", { valueFrom: { configMapKeyRef: { name: "cfg", key: "db" } } }),
        expect: [
            [
                "credentials-by-reference",
                'Container "api" sets DATABASE_URL without a secret reference: use valueFrom.secretKeyRef pointing at a Kubernetes Secret.',
            ],
        ],
    },
    {
        name: "ops DSN as a literal in a CronJob",
        mutate: (rs) => setEnv(cronContainer(rs), "POSTGRES_DSN_PROD", { value: "postgres://u:p@db/estate" }),
        expect: [
            [
                "credentials-by-reference",
                'Container "backup" sets POSTGRES_DSN_PROD without a secret reference: use valueFrom.secretKeyRef pointing at a Kubernetes Secret.',
            ],
        ],
    },
    {
        name: "Container App credential as a literal",
        mutate: (rs) => setEnv(acaContainer(rs), "JWT_SECRET", { value: "literal-jwt" }),
        expect: [
            [
                "credentials-by-reference",
                'Container "api" sets JWT_SECRET without a secret reference: use secretRef naming a configuration.secrets entry backed by Key Vault.',
            ],
        ],
    },
    {
        name: "key file paths are no credentials",
        mutate: (rs) => setEnv(api(rs), "TLS_KEY_PATH", { value: "/etc/tls/tls.key" }),
        expect: [],
    },
    {
        name: "Container App secret with an inline value",
        mutate: (rs) => (aca(rs).configuration.secrets = [{ name: "jwt-secret", value: "inline" }]),
        expect: [
            [
                "container-app-secrets-from-key-vault",
                'Secret "jwt-secret" has an inline value: remove value and set keyVaultUrl and identity.',
            ],
        ],
    },
    {
        name: "Key Vault secret without an identity",
        mutate: (rs) => delete aca(rs).configuration.secrets[0].identity,
        expect: [
            [
                "container-app-secrets-from-key-vault",
                'Secret "jwt-secret" must set both keyVaultUrl and identity (a managed identity with get access to the vault).',
            ],
        ],
    },
    {
        name: "GCP secret without replication",
        mutate: (rs) => delete get(rs, "secretmanager/secret:Secret", "jwt-secret").replication,
        expect: [
            [
                "gcp-secret-replication",
                "Set replication.auto {} or replication.userManaged.replicas with at least one location.",
            ],
        ],
    },
    {
        name: "Ingress without TLS",
        mutate: (rs) => delete get(rs, ":Ingress", "api").spec.tls,
        expect: [["ingress-tls", "Add spec.tls with the Ingress hosts and a certificate secretName."]],
    },
    {
        name: "Ingress host not covered by TLS",
        mutate: (rs) => get(rs, ":Ingress", "api").spec.rules.push({ host: "admin.example.com" }),
        expect: [["ingress-tls", "Add host admin.example.com to spec.tls[].hosts."]],
    },
    {
        name: "wildcard certificate covers one level of subdomain",
        mutate: (rs) => {
            const ing = get(rs, ":Ingress", "api");
            ing.spec.tls[0].hosts = ["*.example.com"];
            ing.spec.rules.push({ host: "deep.admin.example.com" });
        },
        expect: [["ingress-tls", "Add host deep.admin.example.com to spec.tls[].hosts."]],
    },
    {
        name: "TLS without a certificate secret",
        mutate: (rs) => delete get(rs, ":Ingress", "api").spec.tls[0].secretName,
        expect: [["ingress-tls", "Set spec.tls[0].secretName to the certificate Secret."]],
    },
    {
        name: "Container Apps ingress allowing HTTP",
        mutate: (rs) => (aca(rs).configuration.ingress.allowInsecure = true),
        expect: [["container-app-https-only", "Set configuration.ingress.allowInsecure: false."]],
    },
    {
        name: "image tagged latest",
        mutate: (rs) => (api(rs).image = "registry.example.com/estate/api:latest"),
        expect: [
            [
                "immutable-images",
                'Pin the image of container "api" to a commit-SHA tag or @sha256 digest (it has tag "latest").',
            ],
        ],
    },
    {
        name: "image without a tag, on a registry with a port",
        mutate: (rs) => (acaContainer(rs).image = "registry.example.com:5000/estate/api"),
        expect: [
            [
                "immutable-images",
                'Pin the image of container "api" to a commit-SHA tag or @sha256 digest (it has no tag (defaults to latest)).',
            ],
        ],
    },
    {
        name: "semver tag in Helm values",
        mutate: (rs) => (get(rs, "helm.sh/v3:Release", "monitoring").values.grafana.image.tag = "10.4.1"),
        expect: [
            [
                "immutable-images",
                'Pin values.grafana.image to a commit-SHA tag or @sha256 digest (it has tag "10.4.1").',
            ],
        ],
    },
];

describe("secret, TLS and image policies", () => {
    itReportsEachCase(cases);

    it("never echo a credential value, even though policies see plaintext", async () => {
        const rs = estate();
        const value = "pl41ntext-credential-7d1f";
        setEnv(api(rs), "JWT_SECRET", { value });
        setEnv(api(rs), "REDIS_PASSWORD", { value });
        aca(rs).configuration.secrets = [{ name: "db", value }];
        const vs = await violations(rs);
        assert.equal(vs.length, 3);
        for (const v of vs) assert.ok(!v.message.includes(value), v.message);
    });
});
