import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { GcpSecretManagerStore, type GcpSecretManagerStoreArgs } from "../../components/secrets/gcp/secret-manager";
import { secretValuesVersion } from "../../components/secrets/secret-version";
import { runComponents, SECRET_SIG, SECRET_VALUE } from "../../tools/lib/mock-run";
import type { CustomResourceInputs } from "../support/inputs";
import { inputsOf, resource, resourcesOfType } from "../support/program";

const value = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));

/** Two secrets in a prod-like project; each test changes one thing. */
function args(overrides: Partial<GcpSecretManagerStoreArgs> = {}): GcpSecretManagerStoreArgs {
    return {
        project: "estate-prod-1234",
        prefix: "estate-prod",
        entries: [
            { id: "jwt-secret", value: pulumi.secret("j") },
            { id: "db-password", value: pulumi.secret("pw") },
        ],
        namespace: "estate",
        protect: true,
        ...overrides,
    };
}

async function declare(overrides: Partial<GcpSecretManagerStoreArgs> = {}) {
    let store!: GcpSecretManagerStore;
    const capture = await runComponents(() => {
        store = new GcpSecretManagerStore("app-secrets", args(overrides));
    });
    const ref = store.refs["jwt-secret"];
    assert.ok(ref?.kind === "kubernetes-secret");
    return {
        capture,
        ref: { secretName: await value(pulumi.output(ref.secretName)), key: ref.key },
        secretNames: await value(store.secretNames),
        names: capture.resources.filter((r) => r.custom).map((r) => `${r.type} ${r.name}`),
    };
}

const SECRET = "gcp:secretmanager/secret:Secret";
const VERSION = "gcp:secretmanager/secretVersion:SecretVersion";
const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";

describe("GcpSecretManagerStore (component)", () => {
    it("declares a secret, its version and its reader binding per entry, one reader identity and the External Secrets pair", async () => {
        assert.deepEqual(
            (await declare()).names.sort(),
            [
                "gcp:secretmanager/secret:Secret app-secrets-db-password",
                "gcp:secretmanager/secret:Secret app-secrets-jwt-secret",
                "gcp:secretmanager/secretIamMember:SecretIamMember app-secrets-db-password-reader",
                "gcp:secretmanager/secretIamMember:SecretIamMember app-secrets-jwt-secret-reader",
                "gcp:secretmanager/secretVersion:SecretVersion app-secrets-db-password-version",
                "gcp:secretmanager/secretVersion:SecretVersion app-secrets-jwt-secret-version",
                "gcp:serviceaccount/account:Account app-secrets-reader",
                "gcp:serviceaccount/iAMMember:IAMMember app-secrets-workload-identity",
                "kubernetes:core/v1:ServiceAccount app-secrets-ksa",
                `${EXTERNAL_SECRET} app-secrets-sync`,
                "kubernetes:external-secrets.io/v1:SecretStore app-secrets-store",
            ].sort(),
        );
    });

    it("names each secret by the prefix, replicates automatically unless regions are given, and protects it when asked", async () => {
        const { capture } = await declare();
        const jwt = resource(capture, SECRET, "app-secrets-jwt-secret");
        assert.deepEqual(inputsOf(jwt), {
            project: "estate-prod-1234",
            secretId: "estate-prod-jwt-secret",
            replication: { auto: {} },
            labels: { "part-of": "estate", "managed-by": "pulumi" },
        });
        assert.equal(jwt.options.protect, true);
        assert.equal(resource(capture, VERSION, "app-secrets-jwt-secret-version").options.protect, true);
        const regional = await declare({ replicaLocations: ["europe-west1", "europe-west4"], protect: undefined });
        const secret = resource(regional.capture, SECRET, "app-secrets-jwt-secret");
        assert.deepEqual(inputsOf(secret).replication, {
            userManaged: { replicas: [{ location: "europe-west1" }, { location: "europe-west4" }] },
        });
        assert.equal(secret.options.protect, false);
    });

    it("keeps each value secret in its version", async () => {
        const { capture } = await declare();
        const version = resource(capture, VERSION, "app-secrets-db-password-version");
        assert.deepEqual(version.inputs.secretData, { [SECRET_SIG]: SECRET_VALUE, value: "pw" });
        assert.equal(inputsOf(version).secret, "app-secrets-db-password-id");
    });

    it("lets one reader account access exactly these secrets, through Workload Identity from the namespace", async () => {
        const { capture } = await declare();
        const email = "estate-prod-secrets@estate-prod-1234.iam.gserviceaccount.com";
        const bindings = resourcesOfType(capture, "gcp:secretmanager/secretIamMember:SecretIamMember").map(inputsOf);
        assert.deepEqual(
            bindings.map((b) => [b.secretId, b.role, b.member]),
            [
                ["estate-prod-jwt-secret", "roles/secretmanager.secretAccessor", `serviceAccount:${email}`],
                ["estate-prod-db-password", "roles/secretmanager.secretAccessor", `serviceAccount:${email}`],
            ],
        );
        const ksa = inputsOf(resource(capture, "kubernetes:core/v1:ServiceAccount", "app-secrets-ksa"));
        assert.deepEqual(ksa.metadata, {
            name: "app-secrets-reader",
            namespace: "estate",
            annotations: { "iam.gke.io/gcp-service-account": email },
        });
        assert.equal(ksa.automountServiceAccountToken, false);
        const identity = inputsOf(
            resource(capture, "gcp:serviceaccount/iAMMember:IAMMember", "app-secrets-workload-identity"),
        );
        assert.deepEqual(identity, {
            serviceAccountId: "projects/estate-prod-1234/serviceAccounts/estate-prod-secrets",
            role: "roles/iam.workloadIdentityUser",
            member: "serviceAccount:estate-prod-1234.svc.id.goog[estate/app-secrets-reader]",
        });
        const store = inputsOf(resource(capture, "kubernetes:external-secrets.io/v1:SecretStore", "app-secrets-store"));
        assert.deepEqual(store.spec.provider.gcpsm, {
            projectID: "estate-prod-1234",
            auth: { workloadIdentity: { serviceAccountRef: { name: "app-secrets-reader" } } },
        });
    });

    it("caps the reader's account id at GCP's 30 characters", async () => {
        const { capture } = await declare({ prefix: "estate-a-very-long-prefix-name" });
        const account = inputsOf(resource(capture, "gcp:serviceaccount/account:Account", "app-secrets-reader"));
        assert.equal(account.accountId, "estate-a-very-long-prefix-name");
        assert.equal(account.accountId.length, 30);
    });

    it("syncs every entry at `latest` into a Secret named by the values' digest, after the versions, waiting for Ready", async () => {
        const { capture, ref, secretNames } = await declare();
        const digest = secretValuesVersion({ "jwt-secret": "j", "db-password": "pw" });
        const sync = resource(capture, EXTERNAL_SECRET, "app-secrets-sync");
        const inputs = inputsOf(sync) as CustomResourceInputs;
        assert.deepEqual(inputs.metadata, {
            name: `app-secrets-${digest}`,
            namespace: "estate",
            annotations: { "pulumi.com/waitFor": "condition=Ready" },
        });
        assert.deepEqual(inputs.spec, {
            refreshInterval: "1h",
            secretStoreRef: { kind: "SecretStore", name: "app-secrets" },
            target: { name: `app-secrets-synced-${digest}`, creationPolicy: "Owner" },
            data: [
                { secretKey: "jwt-secret", remoteRef: { key: "estate-prod-jwt-secret", version: "latest" } },
                { secretKey: "db-password", remoteRef: { key: "estate-prod-db-password", version: "latest" } },
            ],
        });
        for (const v of resourcesOfType(capture, VERSION))
            assert.ok(sync.dependencies.includes(v.urn), `the sync must wait for ${v.name}`);
        assert.deepEqual(ref, { secretName: `app-secrets-synced-${digest}`, key: "jwt-secret" });
        assert.deepEqual(secretNames, {
            "jwt-secret": "projects/estate-prod-1234/secrets/estate-prod-jwt-secret",
            "db-password": "projects/estate-prod-1234/secrets/estate-prod-db-password",
        });
    });

    it("renames the synced Secret when a value changes, and re-reads on the interval it is given", async () => {
        const before = (await declare()).ref.secretName;
        const rotated = await declare({
            entries: [
                { id: "jwt-secret", value: pulumi.secret("j2") },
                { id: "db-password", value: pulumi.secret("pw") },
            ],
            refreshInterval: "5m",
        });
        assert.notEqual(rotated.ref.secretName, before);
        const spec = (inputsOf(resource(rotated.capture, EXTERNAL_SECRET, "app-secrets-sync")) as CustomResourceInputs)
            .spec;
        assert.equal(spec.refreshInterval, "5m");
    });
});
