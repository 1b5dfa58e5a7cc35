import * as pulumi from "@pulumi/pulumi";
import type * as k8stypes from "@pulumi/kubernetes/types/input";
import type { SecretRef } from "../../workload/service";

/**
 * The pod building blocks every Kubernetes workload of the estate shares (services, jobs, backups,
 * data stores, the model runtime): restricted security contexts, labels, env and scratch space.
 */

/** Pod Security Standards "restricted" at pod level: non-root, fixed UID/GID, RuntimeDefault seccomp. */
export const restrictedPodSecurityContext: k8stypes.core.v1.PodSecurityContext = {
    runAsNonRoot: true,
    runAsUser: 10001,
    runAsGroup: 10001,
    fsGroup: 10001,
    seccompProfile: { type: "RuntimeDefault" },
};

/** Pod Security Standards "restricted" at container level, plus a read-only root filesystem. */
export const restrictedContainerSecurityContext: k8stypes.core.v1.SecurityContext = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/** Recommended labels; `estate.io/tier` tells policies apps from data stores. */
export function workloadLabels(name: string, tier: "app" | "data" | "job", component?: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/part-of": "estate",
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/component": component ?? (tier === "app" ? "service" : tier),
        "estate.io/tier": tier,
    };
}

/** Label telling migration, seeding and backup jobs apart (policies key on it). */
export const JOB_PURPOSE_LABEL = "estate.io/job";

/** Maps a secret reference onto a Kubernetes `secretKeyRef`; Key Vault references cannot be read here. */
export function secretKeyRefOf(
    envName: string,
    ref: SecretRef,
    owner: pulumi.Resource,
): { name: pulumi.Input<string>; key: string } {
    if (ref.kind !== "kubernetes-secret") {
        throw new pulumi.ResourceError(
            `\`secretEnv.${envName}\` is a ${ref.kind} reference; Kubernetes workloads read Kubernetes Secrets synced from the store`,
            owner,
        );
    }
    return { name: ref.secretName, key: ref.key };
}

/** A container's env: plain values first, then each secret by `secretKeyRef` (values are never inlined). */
export function containerEnv(
    env: Readonly<Record<string, pulumi.Input<string>>>,
    secretEnv: Readonly<Record<string, SecretRef>>,
    owner: pulumi.Resource,
): k8stypes.core.v1.EnvVar[] {
    return [
        ...Object.entries(env).map(([name, value]) => ({ name, value })),
        ...Object.entries(secretEnv).map(([name, ref]) => ({
            name,
            valueFrom: { secretKeyRef: secretKeyRefOf(name, ref, owner) },
        })),
    ];
}

/** `/tmp` in memory: the root filesystem is read-only, so scratch space is an emptyDir of this size. */
export function memoryTmp(sizeLimit = "64Mi"): {
    volume: k8stypes.core.v1.Volume;
    mount: k8stypes.core.v1.VolumeMount;
} {
    return {
        volume: { name: "tmp", emptyDir: { medium: "Memory", sizeLimit } },
        mount: { name: "tmp", mountPath: "/tmp" },
    };
}
