import * as pulumi from "@pulumi/pulumi";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import type { SecretEntry, SecretStore } from "../secret-store";
import type { SecretRef } from "../../workload/service";

export interface KubernetesSecretStoreArgs {
    readonly namespace: pulumi.Input<string>;
    readonly entries: readonly SecretEntry[];
    /** Keep the Secret through accidental deletes (prod). @default false */
    readonly protect?: boolean;
}

/** Secrets kept as one Kubernetes Secret; workloads read keys by `secretKeyRef`. */
export class KubernetesSecretStore extends pulumi.ComponentResource implements SecretStore {
    readonly refs: Readonly<Record<string, SecretRef>>;
    readonly secretNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: KubernetesSecretStoreArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:secrets:KubernetesSecretStore", name, {}, opts);
        const secret = new corev1.Secret(
            `${name}-secret`,
            {
                metadata: { name, namespace: args.namespace, labels: { "app.kubernetes.io/part-of": "estate" } },
                type: "Opaque",
                stringData: pulumi.secret(pulumi.all(Object.fromEntries(args.entries.map((e) => [e.id, e.value])))),
            },
            { parent: this, protect: args.protect ?? false },
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
