import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { SECRET_STORE_KEY_DESCRIPTION } from "../../secrets/secret-store";

/**
 * The `estate:*` keys only the Kubernetes platform reads, each with its description, default and
 * bounds. The config schema joins them with the common keys in its union on `platform`; on
 * another platform they are accepted (Pulumi.yaml's defaults reach every stack) and ignored.
 */
export const kubernetesSettingsShape = {
    clusterIssuer: z
        .string()
        .min(1)
        .default("letsencrypt-prod")
        .meta({ description: "cert-manager ClusterIssuer for ingress certificates (kubernetes)." }),
    ingressClassName: z
        .string()
        .min(1)
        .default("nginx")
        .meta({ description: "IngressClass for public services (kubernetes)." }),
    kubernetesNamespace: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
        .default("estate")
        .meta({ description: "Namespace the estate is deployed to (kubernetes)." }),
    kubernetesContext: z.string().min(1).optional().meta({
        description:
            "kubeconfig context the Kubernetes provider deploys to (kubernetes); unset: the kubeconfig's current context.",
    }),
    kubeconfig: z.string().min(1).optional().meta({
        description:
            "kubeconfig the Kubernetes provider uses, as file contents (kubernetes); set with `pulumi config set --secret`. Unset: the ambient kubeconfig ($KUBECONFIG or ~/.kube/config, as CI's GKE credentials step writes it).",
        secret: true,
    }),
    kubernetesControlPlaneCidr: z
        .string()
        .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, { error: "must be an IPv4 CIDR such as 172.16.0.0/28" })
        .optional()
        .meta({
            description:
                "Control-plane CIDR of a private cluster, admitted for pods that call the API server (kubernetes; unset: a public endpoint).",
        }),
    secretStore: z
        .enum(["gcp-secret-manager", "kubernetes"], {
            error: (issue) =>
                issue.input === "key-vault"
                    ? "key-vault references work only on azure; use gcp-secret-manager or kubernetes"
                    : undefined,
        })
        .optional()
        .meta({ description: SECRET_STORE_KEY_DESCRIPTION }),
    // Required here whatever the secret store: PostgreSQL's WAL archives and the backups go to GCS.
    gcpProject: z
        .string({
            error: (issue) =>
                issue.input === undefined
                    ? "required on kubernetes: Secret Manager secrets (gcp-secret-manager) and the PostgreSQL WAL archives and backups live in this GCP project"
                    : undefined,
        })
        .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, { error: "must be a GCP project id" })
        .meta({
            description: "GCP project holding the Secret Manager secrets (required with gcp-secret-manager).",
        }),
    secretReplicaLocations: z
        .array(z.string().min(1))
        .default([])
        .meta({ description: "Secret Manager user-managed replica regions; empty means automatic replication." }),
    postgresOperatorInstall: z.boolean().default(true).meta({
        description:
            "Install the CloudNativePG operator with the estate (kubernetes); off when the cluster already runs it.",
    }),
    postgresStrictZoneSpread: z.boolean().default(false).meta({
        description:
            "The cluster has a zone per PostgreSQL instance: require one instance per zone and block writes without a synchronous standby (kubernetes). Off, both are preferred.",
    }),
    redisStorageGb: z.int().positive().default(8).meta({ description: "Redis data volume size in GiB (kubernetes)." }),
    alertSmtpSmarthost: z
        .string()
        .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { error: "must be host:port, e.g. smtp-relay.gmail.com:587" })
        .optional()
        .meta({
            description:
                "SMTP relay (host:port, TLS, no credentials) Alertmanager sends ticket e-mail through (kubernetes; required with alertOnCallEmails).",
        }),
    alertSmtpFrom: z.email().optional().meta({
        description: "Sender of Alertmanager's ticket e-mail (kubernetes; required with alertOnCallEmails).",
    }),
    prometheusStackInstall: z.boolean().default(false).meta({
        description:
            "Install kube-prometheus-stack (pinned Helm release); otherwise the operator is assumed present (kubernetes).",
    }),
    latencyAutoscaling: z.boolean().default(false).meta({
        description: "Scale on p95 latency as well as CPU with a KEDA ScaledObject (kubernetes; runbook 003).",
    }),
};

type KubernetesKeys = z.output<z.ZodObject<typeof kubernetesSettingsShape>>;

/** Checks across keys: what the common keys ask of this platform. */
export function checkKubernetesSettings(
    c: KubernetesKeys & { readonly alertOnCallEmails: readonly string[] },
    ctx: z.RefinementCtx,
): void {
    if (c.alertOnCallEmails.length === 0) return;
    for (const key of ["alertSmtpSmarthost", "alertSmtpFrom"] as const) {
        if (c[key] === undefined) {
            ctx.addIssue({
                code: "custom",
                path: [key],
                message: "required on kubernetes with alertOnCallEmails: Alertmanager sends the ticket e-mail",
            });
        }
    }
}

/** The parsed keys as the Kubernetes platform reads them. */
export function kubernetesSettings(c: KubernetesKeys) {
    return {
        namespace: c.kubernetesNamespace,
        ingressClassName: c.ingressClassName,
        clusterIssuer: c.clusterIssuer,
        /** kubeconfig context; absent: the kubeconfig's current context. */
        ...(c.kubernetesContext !== undefined ? { context: c.kubernetesContext } : {}),
        /** kubeconfig contents (secret); absent: the ambient kubeconfig. */
        ...(c.kubeconfig !== undefined ? { kubeconfig: pulumi.secret(c.kubeconfig) } : {}),
        /** Private control plane's CIDR; absent when the API server is public. */
        ...(c.kubernetesControlPlaneCidr ? { controlPlaneCidr: c.kubernetesControlPlaneCidr } : {}),
        secretStore: c.secretStore ?? "gcp-secret-manager",
        gcp: { project: c.gcpProject, replicaLocations: c.secretReplicaLocations },
        postgres: { installOperator: c.postgresOperatorInstall, strictZoneSpread: c.postgresStrictZoneSpread },
        redis: { storageGb: c.redisStorageGb },
        /** SMTP relay Alertmanager sends ticket e-mail through; required with e-mail receivers. */
        ...(c.alertSmtpSmarthost !== undefined && c.alertSmtpFrom !== undefined
            ? { smtp: { smarthost: c.alertSmtpSmarthost, from: c.alertSmtpFrom } }
            : {}),
        monitoring: { installPrometheusStack: c.prometheusStackInstall, latencyAutoscaling: c.latencyAutoscaling },
    } as const;
}

/** The Kubernetes settings schema: the keys above, parsed into what the platform reads. */
export const kubernetesSettingsSchema = z.object(kubernetesSettingsShape).transform(kubernetesSettings);
export type KubernetesSettings = z.output<typeof kubernetesSettingsSchema>;
