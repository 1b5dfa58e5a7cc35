import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CapturedResource } from "../../tools/lib/analyzer";
import { apiPod, estate, get, type Case } from "./cases";
import { kept, res, urnOf } from "./fixtures";
import { findings } from "./harness";

// The resources the new policies read, as the real prod plans declare them; added to the
// compliant estate of cases.ts so each case is still one change to a compliant estate.
function hardened(): CapturedResource[] {
    return [
        res("kubernetes:core/v1:Namespace", "ns", {
            metadata: { name: "estate", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
        }),
        res("kubernetes:rbac.authorization.k8s.io/v1:Role", "reader", {
            metadata: { name: "reader", namespace: "estate" },
            rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }],
        }),
        res("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "reader", {
            metadata: { name: "reader", namespace: "estate" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
            subjects: [{ kind: "ServiceAccount", name: "api", namespace: "estate" }],
        }),
        res("gcp:storage/bucketIAMMember:BucketIAMMember", "viewer", {
            bucket: "b",
            member: "serviceAccount:backups-jobs@p.iam.gserviceaccount.com",
            role: "roles/storage.objectViewer",
        }),
        res("gcp:secretmanager/secretIamMember:SecretIamMember", "reader", {
            secretId: "s",
            member: "serviceAccount:secrets@p.iam.gserviceaccount.com",
            role: "roles/secretmanager.secretAccessor",
        }),
        res("gcp:serviceaccount/iAMMember:IAMMember", "wi", {
            serviceAccountId: "projects/p/serviceAccounts/backups-jobs",
            member: "serviceAccount:p.svc.id.goog[estate/backups]",
            role: "roles/iam.workloadIdentityUser",
        }),
        res("azure-native:authorization:RoleAssignment", "writer", {
            principalId: "pid",
            roleDefinitionId:
                "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe",
            scope: "backups-container-id",
        }),
        kept(
            res("azure-native:keyvault:Vault", "vault", {
                properties: {
                    enablePurgeProtection: true,
                    enableRbacAuthorization: true,
                    enableSoftDelete: true,
                    softDeleteRetentionInDays: 90,
                    publicNetworkAccess: "Disabled",
                    networkAcls: { bypass: "AzureServices", defaultAction: "Deny" },
                },
            }),
        ),
        res(
            "azure-native:network:PrivateEndpoint",
            "vault-endpoint",
            {
                privateLinkServiceConnections: [
                    { name: "vault", groupIds: ["vault"], privateLinkServiceId: "vault-id" },
                ],
            },
            {
                propertyDependencies: {
                    privateLinkServiceConnections: [urnOf("azure-native:keyvault:Vault", "vault")],
                },
            },
        ),
        res("azure-native:storage:BlobServiceProperties", "blobs", {
            containerDeleteRetentionPolicy: { days: 35, enabled: true },
            deleteRetentionPolicy: { days: 35, enabled: true },
            isVersioningEnabled: true,
        }),
        res("azure-native:storage:ManagementPolicy", "lifecycle", {
            policy: {
                rules: [
                    {
                        name: "expire-backups",
                        definition: {
                            actions: {
                                baseBlob: { delete: { daysAfterModificationGreaterThan: 35 } },
                                version: { delete: { daysAfterCreationGreaterThan: 35 } },
                            },
                        },
                    },
                ],
            },
        }),
        res("kubernetes:helm.sh/v3:Release", "chart", {
            chart: "prometheus-pushgateway",
            values: {
                containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            },
        }),
    ];
}

const of = (rs: CapturedResource[], type: string, name = "") => get(rs, type, name || lastName(rs, type));
const lastName = (rs: CapturedResource[], type: string) => rs.filter((r) => r.type.endsWith(type)).at(-1)!.name;
const vault = (rs: CapturedResource[]) => of(rs, "keyvault:Vault", "vault").properties;

const cases: Case[] = [
    {
        name: "hostPath volume",
        mutate: (rs) =>
            (apiPod(rs).volumes = [...(apiPod(rs).volumes ?? []), { name: "host", hostPath: { path: "/var/run" } }]),
        expect: [["pod-security-baseline", "Replace hostPath volume(s) `host` with an emptyDir or a PVC."]],
    },
    {
        name: "hostPort",
        mutate: (rs) => (apiPod(rs).containers[0].ports = [{ containerPort: 9100, hostPort: 9100 }]),
        expect: [["pod-security-baseline", 'Remove hostPort 9100 from container "api"; expose it through a Service.']],
    },
    {
        name: "unsafe sysctl",
        mutate: (rs) => ((apiPod(rs).securityContext ??= {}).sysctls = [{ name: "kernel.msgmax", value: "1" }]),
        expect: [
            ["pod-security-baseline", "Remove the unsafe sysctl(s) `kernel.msgmax` from the pod securityContext."],
        ],
    },
    {
        name: "pod seccomp Unconfined under a container RuntimeDefault",
        mutate: (rs) => ((apiPod(rs).securityContext ??= {}).seccompProfile = { type: "Unconfined" }),
        expect: [
            [
                "pod-security-baseline",
                "Set seccompProfile.type: RuntimeDefault on the pod securityContext (it is Unconfined).",
            ],
        ],
    },
    {
        name: "procMount Unmasked",
        mutate: (rs) => (apiPod(rs).containers[0].securityContext.procMount = "Unmasked"),
        expect: [
            ["pod-security-baseline", 'Remove procMount: Unmasked from container "api" (only Default is allowed).'],
        ],
    },
    {
        name: "AppArmor unconfined",
        mutate: (rs) => (apiPod(rs).containers[0].securityContext.appArmorProfile = { type: "Unconfined" }),
        expect: [
            [
                "pod-security-baseline",
                'Set appArmorProfile.type: RuntimeDefault on container "api" (it is Unconfined).',
            ],
        ],
    },
    {
        name: "SELinux spc_t",
        mutate: (rs) => ((apiPod(rs).securityContext ??= {}).seLinuxOptions = { type: "spc_t" }),
        expect: [["pod-security-baseline", 'Remove seLinuxOptions.type "spc_t" from the pod securityContext.']],
    },
    {
        name: "HostProcess",
        mutate: (rs) => ((apiPod(rs).securityContext ??= {}).windowsOptions = { hostProcess: true }),
        expect: [["pod-security-baseline", "Remove windowsOptions.hostProcess: true from the pod securityContext."]],
    },
    {
        name: "chart values let the container escalate",
        mutate: (rs) =>
            (of(rs, "helm.sh/v3:Release", "chart").values.containerSecurityContext.allowPrivilegeEscalation = true),
        expect: [["pod-security-baseline", "Set values.containerSecurityContext.allowPrivilegeEscalation: false."]],
    },
    {
        name: "namespace enforces baseline",
        mutate: (rs) =>
            (of(rs, "core/v1:Namespace", "ns").metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline"),
        expect: [
            [
                "namespace-pod-security",
                "Set the namespace label pod-security.kubernetes.io/enforce to restricted (it is baseline).",
            ],
        ],
    },
    {
        name: "namespace without enforce label",
        mutate: (rs) => (of(rs, "core/v1:Namespace", "ns").metadata.labels = {}),
        expect: [["namespace-pod-security", "Label the namespace pod-security.kubernetes.io/enforce: restricted."]],
    },
    {
        name: "binding to cluster-admin",
        mutate: (rs) => (of(rs, "v1:RoleBinding", "reader").roleRef.name = "cluster-admin"),
        expect: [
            [
                "kubernetes-rbac-least-privilege",
                "Bind a Role with the verbs the subject needs instead of cluster-admin.",
            ],
        ],
    },
    {
        name: "role reads secrets",
        mutate: (rs) => (of(rs, "v1:Role", "reader").rules[0].resources = ["secrets"]),
        expect: [
            [
                "kubernetes-rbac-least-privilege",
                "Remove read access to secrets from rules[0]: mount the one Secret the workload needs.",
            ],
        ],
    },
    {
        name: "bucket member allUsers",
        mutate: (rs) => (of(rs, "BucketIAMMember", "viewer").member = "allUsers"),
        expect: [["gcp-iam-least-privilege", "Remove member allUsers: grant the one service account that needs it."]],
    },
    {
        name: "secret reader made admin",
        mutate: (rs) => (of(rs, "SecretIamMember", "reader").role = "roles/secretmanager.admin"),
        expect: [
            [
                "gcp-iam-least-privilege",
                "Grant a narrower role than roles/secretmanager.admin (an accessor, viewer, creator or workloadIdentityUser role).",
            ],
        ],
    },
    {
        name: "workload identity bound to the default KSA",
        mutate: (rs) => (of(rs, "iAMMember:IAMMember", "wi").member = "serviceAccount:p.svc.id.goog[estate/default]"),
        expect: [
            [
                "gcp-iam-least-privilege",
                "Bind Workload Identity to the workload's own Kubernetes service account, not serviceAccount:p.svc.id.goog[estate/default].",
            ],
        ],
    },
    {
        name: "role assignment Owner",
        mutate: (rs) =>
            (of(rs, "RoleAssignment", "writer").roleDefinitionId =
                "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a83c-c1de0d7c2f75"),
        expect: [
            [
                "azure-role-assignments-scoped",
                "Assign a data-plane role (e.g. Storage Blob Data Contributor, Key Vault Secrets User) instead of Owner.",
            ],
        ],
    },
    {
        name: "role assignment on the subscription",
        mutate: (rs) => (of(rs, "RoleAssignment", "writer").scope = "/subscriptions/s"),
        expect: [
            [
                "azure-role-assignments-scoped",
                "Scope the assignment to the one resource it is for, not /subscriptions/s.",
            ],
        ],
    },
    {
        name: "storage account with shared keys",
        mutate: (rs) => (of(rs, "storage:StorageAccount", "backups").allowSharedKeyAccess = true),
        expect: [["azure-storage-account-hardened", "Set allowSharedKeyAccess: false; clients use Entra ID."]],
    },
    {
        name: "storage account network open",
        mutate: (rs) => (of(rs, "storage:StorageAccount", "backups").networkRuleSet = { defaultAction: "Allow" }),
        expect: [
            [
                "azure-storage-account-hardened",
                "Set networkRuleSet.defaultAction: Deny and allow the subnets that need the account.",
            ],
        ],
    },
    {
        name: "blob soft delete off",
        mutate: (rs) => (of(rs, "BlobServiceProperties", "blobs").deleteRetentionPolicy.enabled = false),
        expect: [["azure-backup-blobs-recoverable", "Set deleteRetentionPolicy.enabled: true with days ≥ 14."]],
    },
    {
        name: "blob versioning off",
        mutate: (rs) => (of(rs, "BlobServiceProperties", "blobs").isVersioningEnabled = false),
        expect: [["azure-backup-blobs-recoverable", "Set isVersioningEnabled: true."]],
    },
    {
        name: "lifecycle deletes after a day",
        mutate: (rs) =>
            (of(
                rs,
                "ManagementPolicy",
                "lifecycle",
            ).policy.rules[0].definition.actions.baseBlob.delete.daysAfterModificationGreaterThan = 1),
        expect: [
            [
                "azure-backup-blobs-recoverable",
                'Rule "expire-backups" deletes after 1 days (baseBlob.delete.daysAfterModificationGreaterThan): keep at least 14.',
            ],
        ],
    },
    {
        name: "immutability of a day",
        mutate: (rs) =>
            (of(rs, "BlobContainerImmutabilityPolicy", "backups").immutabilityPeriodSinceCreationInDays = 1),
        expect: [
            ["azure-backup-blobs-recoverable", "Set immutabilityPeriodSinceCreationInDays to at least 14 (it is 1)."],
        ],
    },
    {
        name: "bucket can be force-destroyed",
        mutate: (rs) => (of(rs, "bucket:Bucket", "backups").forceDestroy = true),
        expect: [["gcp-bucket-hardened", "Set forceDestroy: false so a destroy cannot delete the backups with it."]],
    },
    {
        name: "bucket retention of a day",
        mutate: (rs) => (of(rs, "bucket:Bucket", "backups").retentionPolicy.retentionPeriod = "86400"),
        expect: [["gcp-bucket-hardened", "Set retentionPolicy.retentionPeriod to at least 1209600 s (it is 86400)."]],
    },
    {
        name: "versioned bucket loses versioning",
        mutate: (rs) => (of(rs, "bucket:Bucket", "pg-backups").versioning.enabled = false),
        expect: [
            [
                "gcp-bucket-hardened",
                "Add retentionPolicy.retentionPeriod of at least 1209600 s (14 days), or enable versioning.",
            ],
        ],
    },
    {
        name: "Key Vault purge protection off",
        mutate: (rs) => (vault(rs).enablePurgeProtection = false),
        expect: [["key-vault-hardened", "Set properties.enablePurgeProtection: true."]],
    },
    {
        name: "Key Vault access policies",
        mutate: (rs) => (vault(rs).enableRbacAuthorization = false),
        expect: [["key-vault-hardened", "Set properties.enableRbacAuthorization: true (no access policies)."]],
    },
    {
        name: "Key Vault public",
        mutate: (rs) => (vault(rs).publicNetworkAccess = "Enabled"),
        expect: [
            ["key-vault-hardened", "Set properties.publicNetworkAccess: Disabled; clients use the private endpoint."],
        ],
    },
    {
        name: "Key Vault soft delete of 7 days",
        mutate: (rs) => (vault(rs).softDeleteRetentionInDays = 7),
        expect: [["key-vault-hardened", "Set properties.softDeleteRetentionInDays to at least 90 (it is 7)."]],
    },
];

describe("estate hardening policies", () => {
    it("the compliant estate with these resources has no finding", async () => {
        assert.deepEqual(await findings([...estate(), ...hardened()]), []);
    });
    for (const c of cases) {
        it(c.name, async () => {
            const rs = [...estate(), ...hardened()];
            c.mutate(rs);
            assert.deepEqual(await findings(rs), c.expect);
        });
    }
});
