import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesSecretStore } from "../../components/secrets/kubernetes/secrets";
import { runComponents } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";

const value = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply((v) => resolve(v as T)));

async function declare(jwt: string) {
    let store!: KubernetesSecretStore;
    const capture = await runComponents(() => {
        store = new KubernetesSecretStore("app-secrets", {
            namespace: "estate",
            entries: [
                { id: "jwt-secret", value: pulumi.secret(jwt) },
                { id: "db-password", value: pulumi.secret("pw") },
            ],
        });
    });
    const secret = resource(capture, "kubernetes:core/v1:Secret", "app-secrets-secret");
    const ref = store.refs["jwt-secret"];
    assert.ok(ref?.kind === "kubernetes-secret");
    return {
        capture,
        secret: inputsOf(secret),
        refName: await value(pulumi.output(ref.secretName)),
        refKey: ref.key,
        names: await value(store.secretNames),
    };
}

describe("KubernetesSecretStore (component)", () => {
    it("keeps every entry in one immutable Opaque Secret, unprotected so a rotation can replace it", async () => {
        const { capture, secret } = await declare("a");
        assert.equal(capture.resources.filter((r) => r.custom).length, 1);
        assert.equal(secret.type, "Opaque");
        assert.equal(secret.immutable, true);
        assert.deepEqual(secret.stringData, { "jwt-secret": "a", "db-password": "pw" });
        assert.equal(resource(capture, "kubernetes:core/v1:Secret", "app-secrets-secret").options.protect, false);
    });

    it("hands out references by key into that Secret, and names (never values) for the outputs", async () => {
        const { secret, refName, refKey, names } = await declare("a");
        assert.equal(refName, secret.metadata.name);
        assert.equal(refKey, "jwt-secret");
        assert.deepEqual(names, { "jwt-secret": "app-secrets/jwt-secret", "db-password": "app-secrets/db-password" });
    });

    it("renames the Secret when a value changes, so every reader rolls onto the new one", async () => {
        const before = (await declare("a")).secret.metadata.name;
        const after = (await declare("b")).secret.metadata.name;
        assert.match(before, /^app-secrets-[0-9a-f]+$/);
        assert.notEqual(before, after);
    });
});
