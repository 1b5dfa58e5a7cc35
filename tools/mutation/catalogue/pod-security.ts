/**
 * Pod Security Standards controls (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
 * baseline and restricted, each applied to every kind of workload the prod plan declares, plus the
 * namespace's Pod Security Admission labels. Checkov ids from its Kubernetes checks
 * (https://www.checkov.io/5.Policy%20Index/kubernetes.html).
 */
import { sourceIn, type Change, type ResourceMutation, type Source } from "../mutation";

const K8S = "kubernetes:";
/** One workload of each kind the plan declares, with where its pod spec sits. */
export const WORKLOADS: ReadonlyArray<{ type: string; name: string; pod: string }> = [
    { type: `${K8S}apps/v1:Deployment`, name: "api-deployment", pod: "spec.template.spec" },
    { type: `${K8S}apps/v1:Deployment`, name: "worker-deployment", pod: "spec.template.spec" },
    { type: `${K8S}apps/v1:Deployment`, name: "gateway-deployment", pod: "spec.template.spec" },
    { type: `${K8S}apps/v1:Deployment`, name: "ollama-deployment", pod: "spec.template.spec" },
    { type: `${K8S}apps/v1:StatefulSet`, name: "redis-statefulset", pod: "spec.template.spec" },
    { type: `${K8S}batch/v1:CronJob`, name: "pg-backup-estate-cronjob", pod: "spec.jobTemplate.spec.template.spec" },
    { type: `${K8S}batch/v1:Job`, name: "api-migrate-job", pod: "spec.template.spec" },
];

interface Control {
    readonly id: string;
    readonly source: Source;
    readonly description: string;
    readonly changes: (pod: string) => Change[];
}

const pss = sourceIn("PSS");
const c0 = (pod: string) => `${pod}.containers.0.securityContext`;

const CONTROLS: readonly Control[] = [
    {
        id: "host-network",
        source: pss("baseline/host-namespaces"),
        description: "hostNetwork: true",
        changes: (p) => [{ set: `${p}.hostNetwork`, value: true }],
    },
    {
        id: "host-pid",
        source: pss("baseline/host-namespaces"),
        description: "hostPID: true",
        changes: (p) => [{ set: `${p}.hostPID`, value: true }],
    },
    {
        id: "host-ipc",
        source: pss("baseline/host-namespaces"),
        description: "hostIPC: true",
        changes: (p) => [{ set: `${p}.hostIPC`, value: true }],
    },
    {
        id: "privileged",
        source: pss("baseline/privileged-containers"),
        description: "privileged container",
        changes: (p) => [{ set: `${c0(p)}.privileged`, value: true }],
    },
    {
        id: "cap-sys-admin",
        source: pss("baseline/capabilities"),
        description: "adds CAP_SYS_ADMIN",
        changes: (p) => [{ set: `${c0(p)}.capabilities.add`, value: ["SYS_ADMIN"] }],
    },
    {
        id: "cap-net-raw",
        source: { catalogue: "Checkov", id: "CKV_K8S_28" },
        description: "adds NET_RAW",
        changes: (p) => [{ set: `${c0(p)}.capabilities.add`, value: ["NET_RAW"] }],
    },
    {
        id: "host-path",
        source: pss("baseline/hostpath-volumes"),
        description: "mounts a hostPath volume",
        changes: (p) => [{ append: `${p}.volumes`, value: { name: "host", hostPath: { path: "/var/run" } } }],
    },
    {
        id: "host-port",
        source: pss("baseline/host-ports"),
        description: "binds a hostPort",
        changes: (p) => [{ append: `${p}.containers.0.ports`, value: { containerPort: 9100, hostPort: 9100 } }],
    },
    {
        id: "apparmor-unconfined",
        source: pss("baseline/apparmor"),
        description: "AppArmor unconfined",
        changes: (p) => [{ set: `${c0(p)}.appArmorProfile`, value: { type: "Unconfined" } }],
    },
    {
        id: "selinux-type",
        source: pss("baseline/selinux"),
        description: "SELinux type spc_t",
        changes: (p) => [{ set: `${p}.securityContext.seLinuxOptions`, value: { type: "spc_t" } }],
    },
    {
        id: "proc-mount",
        source: pss("baseline/proc-mount-type"),
        description: "procMount: Unmasked",
        changes: (p) => [{ set: `${c0(p)}.procMount`, value: "Unmasked" }],
    },
    {
        id: "pod-seccomp",
        source: pss("baseline/seccomp"),
        description: "pod seccomp Unconfined",
        changes: (p) => [{ set: `${p}.securityContext.seccompProfile.type`, value: "Unconfined" }],
    },
    {
        id: "container-seccomp",
        source: pss("baseline/seccomp"),
        description: "container seccomp Unconfined",
        changes: (p) => [{ set: `${c0(p)}.seccompProfile.type`, value: "Unconfined" }],
    },
    {
        id: "sysctl",
        source: pss("baseline/sysctls"),
        description: "an unsafe sysctl",
        changes: (p) => [{ append: `${p}.securityContext.sysctls`, value: { name: "kernel.msgmax", value: "65536" } }],
    },
    {
        id: "host-process",
        source: pss("baseline/hostprocess"),
        description: "Windows HostProcess",
        changes: (p) => [{ set: `${p}.securityContext.windowsOptions`, value: { hostProcess: true } }],
    },
    {
        id: "privilege-escalation",
        source: pss("restricted/privilege-escalation"),
        description: "allowPrivilegeEscalation: true",
        changes: (p) => [{ set: `${c0(p)}.allowPrivilegeEscalation`, value: true }],
    },
    {
        id: "run-as-root",
        source: pss("restricted/running-as-non-root"),
        description: "runAsNonRoot: false",
        changes: (p) => [{ set: `${c0(p)}.runAsNonRoot`, value: false }],
    },
    {
        id: "run-as-uid-0",
        source: pss("restricted/running-as-non-root-user"),
        description: "runAsUser: 0",
        changes: (p) => [{ set: `${c0(p)}.runAsUser`, value: 0 }],
    },
    {
        id: "keeps-capabilities",
        source: pss("restricted/capabilities"),
        description: "stops dropping ALL",
        changes: (p) => [{ delete: `${c0(p)}.capabilities.drop` }],
    },
    {
        id: "writable-root",
        source: { catalogue: "Checkov", id: "CKV_K8S_22" },
        description: "readOnlyRootFilesystem: false",
        changes: (p) => [{ set: `${c0(p)}.readOnlyRootFilesystem`, value: false }],
    },
    {
        id: "sa-token",
        source: { catalogue: "Checkov", id: "CKV_K8S_38" },
        description: "mounts the service account token",
        changes: (p) => [{ set: `${p}.automountServiceAccountToken`, value: true }],
    },
];

export const podSecurityMutations: ResourceMutation[] = WORKLOADS.flatMap((w) =>
    CONTROLS.map((c) => ({
        id: `pss-${c.id}-${w.name}`,
        category: "pod-security" as const,
        source: c.source,
        platforms: ["kubernetes" as const],
        description: `${w.name}: ${c.description}`,
        target: { type: w.type, name: w.name },
        changes: c.changes(w.pod),
    })),
);

const NAMESPACE = { type: `${K8S}core/v1:Namespace`, name: "foundation-namespace" };
const psa = (id: string, description: string, changes: Change[]): ResourceMutation => ({
    id: `psa-${id}`,
    category: "pod-security",
    source: { catalogue: "Kyverno", id: "psa/require-pod-security-labels" },
    platforms: ["kubernetes"],
    description,
    target: NAMESPACE,
    changes,
});

export const namespaceMutations: ResourceMutation[] = [
    psa("enforce-removed", "namespace without enforce label", [
        { delete: "metadata.labels.pod-security\\.kubernetes\\.io/enforce" },
    ]),
    psa("enforce-privileged", "namespace enforces privileged", [
        { set: "metadata.labels.pod-security\\.kubernetes\\.io/enforce", value: "privileged" },
    ]),
    psa("enforce-baseline", "namespace enforces baseline only", [
        { set: "metadata.labels.pod-security\\.kubernetes\\.io/enforce", value: "baseline" },
    ]),
];
