import * as pulumi from "@pulumi/pulumi";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import type { SecretEntry, SecretStore } from "../secret-store";
import type { SecretRef } from "../../workload/service";
import { entriesVersion } from "../secret-version";

export interface KubernetesSecretStoreArgs {
    readonly namespace: pulumi.Input<string>;
    readonly entries: readonly SecretEntry[];
}

/**
 * Secrets kept as one Kubernetes Secret; workloads read keys by `secretKeyRef`. The Secret's name
 * carries a digest of its values: a rotation creates a new immutable Secret, every reader rolls onto
 * it, and the old one is deleted once they have.
 */
export class KubernetesSecretStore extends pulumi.ComponentResource implements SecretStore {
    readonly refs: Readonly<Record<string, SecretRef>>;
    readonly secretNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: KubernetesSecretStoreArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:secrets:KubernetesSecretStore", name, {}, opts);
        // Not protected: protection would forbid the replacement a rotation is. The values are kept
        // by their sources (the random passwords and stack config, protected in prod).
        const secret = new corev1.Secret(
            `${name}-secret`,
            {
                metadata: {
                    name: pulumi.interpolate`${name}-${entriesVersion(args.entries)}`,
                    namespace: args.namespace,
                    labels: { "app.kubernetes.io/part-of": "estate" },
                },
                type: "Opaque",
                immutable: true,
                stringData: pulumi.secret(pulumi.all(Object.fromEntries(args.entries.map((e) => [e.id, e.value])))),
            },
            { parent: this },
        );
        this.refs = Object.fromEntries(
            args.entries.map((e) => [
                e.id,
                { kind: "kubernetes-secret" as const, secretName: secret.metadata.name, key: e.id },
            ]),
        );
        this.secretNames = pulumi.output(Object.fromEntries(args.entries.map((e) => [e.id, `${name}/${e.id}`])));
        this.registerOutputs({ secretNames: this.secretNames });
    }
}
