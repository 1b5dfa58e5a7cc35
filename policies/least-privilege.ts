// Kubernetes pods run with least privilege: the Pod Security Standards restricted profile, a
// read-only root filesystem, and no Kubernetes API token they never use.
import { PolicyConfigSchema, validateResourceOfType } from "@pulumi/policy";
import { ServiceAccount } from "./resource-types";
import { k8sContainers } from "./k8s";
import { CatalogEntry, configWithDefaults, quoteList } from "./lib";
import { containerLabel, onWorkloads } from "./views";

const pssSchema: PolicyConfigSchema = {
    properties: {
        readOnlyRootFilesystem: {
            type: "boolean",
            default: true,
            description: "Also require readOnlyRootFilesystem (beyond Pod Security Standards restricted).",
        },
    },
};

export const podSecurityRestricted: CatalogEntry = {
    policy: {
        name: "pod-security-restricted",
        description:
            "Kubernetes pods meet the Pod Security Standards restricted profile and run with a read-only root filesystem.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: pssSchema,
        validateResource: onWorkloads((w, args, report) => {
            if (w.platform !== "kubernetes") {
                args.notApplicable("Container Apps do not expose a security context");
            }
            const cfg = configWithDefaults<{ readOnlyRootFilesystem: boolean }>(pssSchema, args);
            const pod = w.podSpec ?? { containers: [] };
            const podSc = pod.securityContext ?? {};
            for (const hostField of ["hostNetwork", "hostPID", "hostIPC"] as const) {
                if (pod[hostField] === true) {
                    report(`Remove spec.${hostField}: true from the pod template.`);
                }
            }
            for (const { c, view } of k8sContainers(pod)) {
                const sc = c.securityContext ?? {};
                const who = containerLabel(view);
                if (sc.privileged === true) {
                    report(`Set securityContext.privileged: false on ${who}.`);
                }
                if (sc.allowPrivilegeEscalation !== false) {
                    report(`Set securityContext.allowPrivilegeEscalation: false on ${who}.`);
                }
                const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
                if (nonRoot !== true) {
                    report(`Set securityContext.runAsNonRoot: true on ${who} or on the pod.`);
                }
                if ((sc.runAsUser ?? podSc.runAsUser) === 0) {
                    report(`Run ${who} as a non-zero runAsUser.`);
                }
                const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
                if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
                    report(`Set securityContext.seccompProfile.type: RuntimeDefault on ${who} or on the pod.`);
                }
                if (!(sc.capabilities?.drop ?? []).includes("ALL")) {
                    report(`Set securityContext.capabilities.drop: ["ALL"] on ${who}.`);
                }
                const added = (sc.capabilities?.add ?? []).filter((cap) => cap !== "NET_BIND_SERVICE");
                if (added.length > 0) {
                    report(
                        `Remove capabilities.add ${quoteList(added)} from ${who}; only NET_BIND_SERVICE may be added.`,
                    );
                }
                if (cfg.readOnlyRootFilesystem && sc.readOnlyRootFilesystem !== true) {
                    report(
                        `Set securityContext.readOnlyRootFilesystem: true on ${who} (mount an emptyDir where it writes).`,
                    );
                }
            }
        }),
    },
    meta: {
        requirements: ["GA-LEAST-PRIVILEGE"],
        checks: [
            "PSS restricted: Privilege Escalation, Running as Non-root, Seccomp, Capabilities",
            "PSS baseline: Host Namespaces, Privileged Containers",
            "Checkov CKV_K8S_20",
            "Checkov CKV_K8S_22",
            "Checkov CKV_K8S_23",
            "Checkov CKV_K8S_31",
            "Checkov CKV_K8S_37",
            "Kyverno disallow-privilege-escalation",
            "Kyverno require-run-as-nonroot",
            "Kyverno restrict-seccomp-strict",
            "Kyverno require-drop-all",
            "Kyverno require-ro-rootfs",
        ],
    },
};

const tokenSchema: PolicyConfigSchema = {
    properties: {
        exemptServiceAccounts: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Service accounts whose pods call the Kubernetes API and so need a token.",
        },
    },
};

export const serviceAccountToken: CatalogEntry = {
    policy: {
        name: "service-account-token-not-automounted",
        description: "Pods and service accounts do not automount a Kubernetes API token they never use.",
        enforcementLevel: "mandatory",
        severity: "medium",
        configSchema: tokenSchema,
        validateResource: [
            ...onWorkloads((w, args, report) => {
                if (w.platform !== "kubernetes") {
                    args.notApplicable("Container Apps mount no Kubernetes token");
                }
                const cfg = configWithDefaults<{ exemptServiceAccounts: string[] }>(tokenSchema, args);
                const sa = w.podSpec?.serviceAccountName ?? "default";
                if (!cfg.exemptServiceAccounts.includes(sa) && w.podSpec?.automountServiceAccountToken !== false) {
                    report("Set automountServiceAccountToken: false on the pod template spec.");
                }
            }),
            validateResourceOfType(ServiceAccount, (sa, args, report) => {
                const cfg = configWithDefaults<{ exemptServiceAccounts: string[] }>(tokenSchema, args);
                const name = sa.metadata?.name ?? args.name;
                if (!cfg.exemptServiceAccounts.includes(name) && sa.automountServiceAccountToken !== false) {
                    report("Set automountServiceAccountToken: false on the ServiceAccount.");
                }
            }),
        ],
    },
    meta: {
        requirements: ["GA-LEAST-PRIVILEGE"],
        checks: ["Checkov CKV_K8S_38", "Kyverno restrict-automount-sa-token"],
    },
};
