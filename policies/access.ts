import { CatalogEntry, list, text } from "./lib";

// Identity and access: who may read the estate's secrets and backups. Every kind that grants
// access is read: GCP IAM members on secrets, buckets and service accounts, Azure role
// assignments, Kubernetes RBAC roles and bindings.

const GCP_MEMBER_TYPES = [
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    "gcp:storage/bucketIAMBinding:BucketIAMBinding",
    "gcp:secretmanager/secretIamMember:SecretIamMember",
    "gcp:secretmanager/secretIamBinding:SecretIamBinding",
    "gcp:serviceaccount/iAMMember:IAMMember",
    "gcp:serviceaccount/iAMBinding:IAMBinding",
    "gcp:projects/iAMMember:IAMMember",
    "gcp:projects/iAMBinding:IAMBinding",
];
const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"];
/** Roles that administer, own or impersonate: never granted by the estate (CIS GCP 1.5, 1.6). */
const BROAD_GCP_ROLE = /^roles\/(owner|editor|[a-z]+\.admin|iam\.serviceAccountTokenCreator|iam\.serviceAccountUser)$/;
/** Workload Identity members name one Kubernetes service account, never the namespace's default one. */
const DEFAULT_KSA = /\.svc\.id\.goog\[[^/]+\/default\]$/;

export const gcpIamLeastPrivilege: CatalogEntry = {
    policy: {
        name: "gcp-iam-least-privilege",
        description:
            "GCP IAM grants on secrets, buckets, service accounts and the project name one identity and a narrow role.",
        enforcementLevel: "mandatory",
        severity: "critical",
        validateResource: (args, report) => {
            if (!GCP_MEMBER_TYPES.includes(args.type)) return;
            const members = [text(args.props, "member"), ...list(args.props, "members")].filter(
                (m): m is string => typeof m === "string",
            );
            for (const m of members) {
                if (PUBLIC_MEMBERS.includes(m))
                    report(`Remove member ${m}: grant the one service account that needs it.`);
                if (DEFAULT_KSA.test(m))
                    report(`Bind Workload Identity to the workload's own Kubernetes service account, not ${m}.`);
            }
            const role = text(args.props, "role") ?? "";
            if (BROAD_GCP_ROLE.test(role))
                report(
                    `Grant a narrower role than ${role} (an accessor, viewer, creator or workloadIdentityUser role).`,
                );
        },
    },
    meta: {
        requirements: ["GA-LEAST-PRIVILEGE", "GA-SECURE-STORAGE"],
        checks: ["Checkov CKV_GCP_28", "Checkov CKV_GCP_122", "CIS GCP 1.5", "CIS GCP 1.6", "CIS GKE 5.2.2"],
    },
};

/** Built-in role definition ids (learn.microsoft.com azure/role-based-access-control/built-in-roles). */
const PRIVILEGED_AZURE_ROLES: Record<string, string> = {
    "8e3af657-a8ff-443c-a83c-c1de0d7c2f75": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382a6cd7": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
    "17d1049b-9a84-46fb-8f53-869881c3d3ab": "Storage Account Contributor",
};
const BROAD_SCOPE = /^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?\/?$/i;

export const azureRoleAssignmentsScoped: CatalogEntry = {
    policy: {
        name: "azure-role-assignments-scoped",
        description:
            "Azure role assignments grant a data-plane role on one resource, never an administrative role or a whole subscription or resource group.",
        enforcementLevel: "mandatory",
        severity: "critical",
        validateResource: (args, report) => {
            if (args.type !== "azure-native:authorization:RoleAssignment") return;
            const roleId = (text(args.props, "roleDefinitionId") ?? "").split("/").pop()!.toLowerCase();
            const role = PRIVILEGED_AZURE_ROLES[roleId];
            if (role)
                report(
                    `Assign a data-plane role (e.g. Storage Blob Data Contributor, Key Vault Secrets User) instead of ${role}.`,
                );
            const scope = text(args.props, "scope") ?? "";
            if (BROAD_SCOPE.test(scope)) report(`Scope the assignment to the one resource it is for, not ${scope}.`);
        },
    },
    meta: {
        requirements: ["GA-LEAST-PRIVILEGE"],
        checks: ["CIS Azure 1.23", "ASB PA-7", "Checkov CKV_AZURE_39"],
    },
};

const ROLE_TYPES = [
    "kubernetes:rbac.authorization.k8s.io/v1:Role",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
];
const BINDING_TYPES = [
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
];
const ADMIN_ROLES = ["cluster-admin", "admin", "edit"];
const ESCALATING_VERBS = ["bind", "escalate", "impersonate"];

export const kubernetesRbacLeastPrivilege: CatalogEntry = {
    policy: {
        name: "kubernetes-rbac-least-privilege",
        description:
            "Kubernetes roles name their verbs and resources, never read Secrets, bind or escalate; bindings never grant cluster-admin, admin or edit.",
        enforcementLevel: "mandatory",
        severity: "critical",
        validateResource: (args, report) => {
            if (BINDING_TYPES.includes(args.type)) {
                const role = text(args.props, "roleRef", "name") ?? "";
                if (ADMIN_ROLES.includes(role))
                    report(`Bind a Role with the verbs the subject needs instead of ${role}.`);
                return;
            }
            if (!ROLE_TYPES.includes(args.type)) return;
            for (const [i, rule] of list(args.props, "rules").entries()) {
                const verbs = list(rule, "verbs");
                const resources = list(rule, "resources");
                const where = `rules[${i}]`;
                if ([...verbs, ...resources, ...list(rule, "apiGroups")].includes("*"))
                    report(`Replace "*" in ${where} with the API groups, resources and verbs it needs.`);
                if (resources.includes("secrets") && verbs.some((v) => ["get", "list", "watch"].includes(v as string)))
                    report(`Remove read access to secrets from ${where}: mount the one Secret the workload needs.`);
                const escalating = verbs.filter((v) => ESCALATING_VERBS.includes(v as string));
                if (escalating.length > 0) report(`Remove the verbs ${escalating.join(", ")} from ${where}.`);
            }
        },
    },
    meta: {
        requirements: ["GA-LEAST-PRIVILEGE"],
        checks: [
            "Checkov CKV_K8S_49",
            "Checkov CKV_K8S_155",
            "Checkov CKV_K8S_157",
            "Checkov CKV_K8S_158",
            "CIS GKE 4.1.1",
            "CIS GKE 4.1.3",
        ],
    },
};

export const accessPolicies: readonly CatalogEntry[] = [
    gcpIamLeastPrivilege,
    azureRoleAssignmentsScoped,
    kubernetesRbacLeastPrivilege,
];
