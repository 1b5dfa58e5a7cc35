import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT, runProgram, SECRET_SIG, SECRET_VALUE, type ProgramCapture } from "../../tools/lib/mock-run";
import { plan, stacks } from "../support/program";

const PROVIDER = "pulumi:providers:kubernetes";
const providersOf = (capture: ProgramCapture) => capture.resources.filter((r) => r.type === PROVIDER);
const kubernetesObjects = (capture: ProgramCapture) =>
    capture.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));

describe("the Kubernetes provider", () => {
    for (const stack of stacks) {
        it(`${stack}: one explicit provider, and every Kubernetes object and Helm release is created with it`, async () => {
            const capture = await plan(stack);
            const [provider, ...others] = providersOf(capture);
            assert.ok(provider, "an explicit kubernetes provider");
            assert.deepEqual(others, []);
            // No context and no kubeconfig configured: the ambient kubeconfig, as CI's GKE credentials step writes it.
            assert.deepEqual(provider.inputs, {});
            const objects = kubernetesObjects(capture);
            assert.ok(objects.some((r) => r.type === "kubernetes:helm.sh/v3:Release"));
            const strays = objects.filter((r) => !r.provider?.startsWith(`${provider.urn}::`));
            assert.deepEqual(
                strays.map((r) => `${r.type} ${r.name}`),
                [],
                "created with the default provider instead",
            );
        });
    }

    it("takes the context from config and the kubeconfig as a secret", async () => {
        // A stack file whose kubeconfig is a `secure:` value, as `pulumi config set --secret` writes it.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "estate-kubeconfig-"));
        fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.symlinkSync(path.join(PROJECT_ROOT, "index.ts"), path.join(dir, "index.ts"));
        const stackFile = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.prod.yaml"), "utf8");
        fs.writeFileSync(
            path.join(dir, "Pulumi.prod.yaml"),
            `${stackFile.trimEnd()}\n  estate:kubernetesContext: gke_acme-estate-prod_europe-west1_estate\n  estate:kubeconfig:\n    secure: AAECAwQFBgc=\n`,
        );
        const capture = await runProgram({ stack: "prod", projectRoot: dir });
        const [provider] = providersOf(capture);
        const kubeconfig = provider?.inputs["kubeconfig"] as Record<string, unknown> | undefined;
        assert.equal(provider?.inputs["context"], "gke_acme-estate-prod_europe-west1_estate");
        assert.equal(kubeconfig?.[SECRET_SIG], SECRET_VALUE, "the kubeconfig reaches the provider as a secret");
        assert.equal(typeof kubeconfig?.["value"], "string");
    });

    it("is not declared on azure, which deploys no Kubernetes objects", async () => {
        const capture = await plan("prod", { platform: "azure" });
        assert.deepEqual(providersOf(capture), []);
        assert.deepEqual(kubernetesObjects(capture), []);
    });
});
