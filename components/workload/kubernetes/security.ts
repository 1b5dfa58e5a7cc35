import type * as k8stypes from "@pulumi/kubernetes/types/input";

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
