import * as pulumi from "@pulumi/pulumi";
import * as secretmanager from "@pulumi/gcp/secretmanager";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as apiextensions from "@pulumi/kubernetes/apiextensions";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import type { SecretEntry, SecretStore } from "../secret-store";
import type { SecretRef } from "../../workload/service";
import { entriesVersion } from "../secret-version";

export interface GcpSecretManagerStoreArgs {
    readonly project: string;
    /** Prefix of every secret id, e.g. `estate-prod`. */
    readonly prefix: string;
    readonly entries: readonly SecretEntry[];
    /** User-managed replica regions. @default [] (automatic replication) */
    readonly replicaLocations?: readonly string[];
    /** Namespace whose workloads read the secrets (through External Secrets Operator). */
    readonly namespace: pulumi.Input<string>;
    /** Keep secrets through accidental deletes (prod). @default false */
    readonly protect?: boolean;
    /** How often External Secrets re-reads the store, so a rotation reaches pods. @default "1h" */
    readonly refreshInterval?: string;
}

/**
 * Secrets in GCP Secret Manager (runbook 000), synced into the namespace by External Secrets
 * Operator under a Workload Identity that can read exactly these secrets and nothing else.
 */
export class GcpSecretManagerStore extends pulumi.ComponentResource implements SecretStore {
    readonly refs: Readonly<Record<string, SecretRef>>;
    readonly secretNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: GcpSecretManagerStoreArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:secrets:GcpSecretManagerStore", name, {}, opts);
        const replicaLocations = args.replicaLocations ?? [];
        const protect = args.protect ?? false;
        const replication =
            replicaLocations.length > 0
                ? { userManaged: { replicas: replicaLocations.map((location) => ({ location })) } }
                : { auto: {} };

        const reader = new serviceaccount.Account(
            `${name}-reader`,
            {
                project: args.project,
                accountId: `${args.prefix}-secrets`.slice(0, 30),
                displayName: `External Secrets reader for ${args.prefix}`,
            },
            { parent: this },
        );

        const secrets = args.entries.map((entry) => {
            const secret = new secretmanager.Secret(
                `${name}-${entry.id}`,
                {
                    project: args.project,
                    secretId: `${args.prefix}-${entry.id}`,
                    replication,
                    labels: { "part-of": "estate", "managed-by": "pulumi" },
                },
                { parent: this, protect },
            );
            const version = new secretmanager.SecretVersion(
                `${name}-${entry.id}-version`,
                { secret: secret.id, secretData: entry.value },
                { parent: this, protect },
            );
            new secretmanager.SecretIamMember(
                `${name}-${entry.id}-reader`,
                {
                    project: args.project,
                    secretId: secret.secretId,
                    role: "roles/secretmanager.secretAccessor",
                    member: pulumi.interpolate`serviceAccount:${reader.email}`,
                },
                { parent: this },
            );
            return { entry, secret, version };
        });

        const kubernetesReader = new corev1.ServiceAccount(
            `${name}-ksa`,
            {
                metadata: {
                    name: `${name}-reader`,
                    namespace: args.namespace,
                    annotations: { "iam.gke.io/gcp-service-account": reader.email },
                },
                automountServiceAccountToken: false,
            },
            { parent: this },
        );
        new serviceaccount.IAMMember(
            `${name}-workload-identity`,
            {
                serviceAccountId: reader.name,
                role: "roles/iam.workloadIdentityUser",
                member: pulumi.interpolate`serviceAccount:${args.project}.svc.id.goog[${args.namespace}/${kubernetesReader.metadata.name}]`,
            },
            { parent: this },
        );

        const store = new apiextensions.CustomResource(
            `${name}-store`,
            {
                apiVersion: "external-secrets.io/v1",
                kind: "SecretStore",
                metadata: { name, namespace: args.namespace },
                spec: {
                    provider: {
                        gcpsm: {
                            projectID: args.project,
                            auth: { workloadIdentity: { serviceAccountRef: { name: kubernetesReader.metadata.name } } },
                        },
                    },
                },
            },
            { parent: this },
        );

        // The synced Secret's name carries a digest of the values: a rotation makes a new ExternalSecret
        // and Secret, so readers roll only once the new values are in the cluster (they wait for the Secret
        // to appear), never onto a copy External Secrets has not refreshed yet. The old pair goes after them.
        const version = entriesVersion(args.entries);
        const targetName = pulumi.interpolate`${name}-synced-${version}`;
        new apiextensions.CustomResource(
            `${name}-sync`,
            {
                apiVersion: "external-secrets.io/v1",
                kind: "ExternalSecret",
                metadata: {
                    name: pulumi.interpolate`${name}-${version}`,
                    namespace: args.namespace,
                    // The provider then waits for the first sync before anything that reads the Secret rolls
                    // (pulumi-kubernetes 4.18 `pulumi.com/waitFor`; External Secrets sets condition Ready).
                    annotations: { "pulumi.com/waitFor": "condition=Ready" },
                },
                spec: {
                    refreshInterval: args.refreshInterval ?? "1h",
                    secretStoreRef: { kind: "SecretStore", name: store.metadata.name },
                    target: { name: targetName, creationPolicy: "Owner" },
                    data: secrets.map(({ entry, secret }) => ({
                        secretKey: entry.id,
                        remoteRef: { key: secret.secretId, version: "latest" },
                    })),
                },
            },
            // `latest` must already be the new value when External Secrets reads it.
            { parent: this, dependsOn: secrets.map((s) => s.version) },
        );

        this.refs = Object.fromEntries(
            args.entries.map((e) => [e.id, { kind: "kubernetes-secret" as const, secretName: targetName, key: e.id }]),
        );
        this.secretNames = pulumi
            .all(
                secrets.map(({ entry, secret }) =>
                    secret.secretId.apply((id) => [entry.id, `projects/${args.project}/secrets/${id}`] as const),
                ),
            )
            .apply((pairs) => Object.fromEntries(pairs));
        this.registerOutputs({ secretNames: this.secretNames });
    }
}
