import type { PolicyConfigSchema, ReportViolation } from "@pulumi/policy";
import { k8sContainers, podTemplateOf, WORKLOAD_TYPES, type PodSpec } from "./k8s";
import { CatalogEntry, configWithDefaults, field, isRecord, list, quoteList, text } from "./lib";

// The Pod Security Standards baseline controls beside the restricted ones `pod-security-restricted`
// checks, as kubernetes/pod-security-admission policy/check_*.go define them
// (https://kubernetes.io/docs/concepts/security/pod-security-standards/).

/** policy/check_sysctls.go: the safe set (1.32). */
const SAFE_SYSCTLS = new Set([
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
]);
/** policy/check_seLinuxOptions.go: the types a pod may ask for. */
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

type Report = (message: string) => void;

function checkSecurityContext(sc: unknown, where: string, report: Report): void {
    const seccomp = text(sc, "seccompProfile", "type");
    if (seccomp === "Unconfined") report(`Set seccompProfile.type: RuntimeDefault on ${where} (it is Unconfined).`);
    const apparmor = text(sc, "appArmorProfile", "type");
    if (apparmor !== undefined && apparmor !== "RuntimeDefault" && apparmor !== "Localhost")
        report(`Set appArmorProfile.type: RuntimeDefault on ${where} (it is ${apparmor}).`);
    const se = field(sc, "seLinuxOptions");
    if (isRecord(se)) {
        const type = text(se, "type") ?? "";
        if (!SELINUX_TYPES.has(type)) report(`Remove seLinuxOptions.type "${type}" from ${where}.`);
        for (const key of ["user", "role"] as const)
            if (text(se, key)) report(`Remove seLinuxOptions.${key} from ${where}.`);
    }
    if (field(sc, "windowsOptions", "hostProcess") === true)
        report(`Remove windowsOptions.hostProcess: true from ${where}.`);
    const procMount = text(sc, "procMount");
    if (procMount !== undefined && procMount !== "Default")
        report(`Remove procMount: ${procMount} from ${where} (only Default is allowed).`);
}

/** Every baseline control over one pod spec, with the path that leads to it in the message. */
export function baselineFindings(pod: PodSpec, annotations: Record<string, string> = {}): string[] {
    const out: string[] = [];
    const report = (m: string) => out.push(m);
    const hostPaths = (pod.volumes ?? []).filter((v) => v.hostPath !== undefined).map((v) => v.name);
    if (hostPaths.length > 0) report(`Replace hostPath volume(s) ${quoteList(hostPaths)} with an emptyDir or a PVC.`);
    const sysctls = list(pod.securityContext, "sysctls")
        .map((s) => text(s, "name") ?? "")
        .filter((n) => !SAFE_SYSCTLS.has(n));
    if (sysctls.length > 0) report(`Remove the unsafe sysctl(s) ${quoteList(sysctls)} from the pod securityContext.`);
    checkSecurityContext(pod.securityContext, "the pod securityContext", report);
    for (const { c, view } of k8sContainers(pod)) {
        const who = `${view.init ? "init container" : "container"} "${view.name}"`;
        const ports = (c.ports ?? []).filter((p) => p.hostPort !== undefined && p.hostPort !== 0);
        if (ports.length > 0)
            report(
                `Remove hostPort ${ports.map((p) => p.hostPort).join(", ")} from ${who}; expose it through a Service.`,
            );
        checkSecurityContext(c.securityContext, who, report);
        const legacy = annotations[`${APPARMOR_ANNOTATION}${view.name}`];
        if (legacy !== undefined && legacy !== "runtime/default" && !legacy.startsWith("localhost/"))
            report(`Set the AppArmor annotation of ${who} to runtime/default (it is ${legacy}).`);
    }
    return out;
}

/** Chart values that set a pod or container security context, by the keys common charts use. */
const CHART_POD_CONTEXTS = ["securityContext", "podSecurityContext"];
const CHART_CONTAINER_CONTEXTS = ["containerSecurityContext"];

/** The restricted and baseline fields a chart's values may re-open. */
function chartFindings(values: unknown): string[] {
    const out: string[] = [];
    for (const key of [...CHART_POD_CONTEXTS, ...CHART_CONTAINER_CONTEXTS]) {
        const sc = field(values, key);
        if (!isRecord(sc)) continue;
        const where = `values.${key}`;
        checkSecurityContext(sc, where, (m) => out.push(m));
        if (sc.runAsNonRoot === false) out.push(`Set ${where}.runAsNonRoot: true.`);
        if (sc.runAsUser === 0) out.push(`Set ${where}.runAsUser to a non-zero uid.`);
        if (sc.privileged === true) out.push(`Set ${where}.privileged: false.`);
        if (CHART_CONTAINER_CONTEXTS.includes(key)) {
            if (sc.allowPrivilegeEscalation !== false) out.push(`Set ${where}.allowPrivilegeEscalation: false.`);
            if (!list(sc, "capabilities", "drop").includes("ALL")) out.push(`Set ${where}.capabilities.drop: ["ALL"].`);
        }
    }
    return out;
}

export const podSecurityBaseline: CatalogEntry = {
    policy: {
        name: "pod-security-baseline",
        description:
            "Kubernetes pods and chart values meet the Pod Security Standards baseline controls (volumes, host ports, sysctls, AppArmor, SELinux, procMount, seccomp, HostProcess).",
        enforcementLevel: "mandatory",
        severity: "high",
        validateResource: (args, report: ReportViolation) => {
            if (args.type === "kubernetes:helm.sh/v3:Release") {
                for (const m of chartFindings(field(args.props, "values"))) report(m);
                return;
            }
            if (!WORKLOAD_TYPES.includes(args.type)) return;
            const template = podTemplateOf(args.type, args.props);
            if (!template?.spec) return;
            for (const m of baselineFindings(template.spec, template.metadata?.annotations ?? {})) report(m);
        },
    },
    meta: {
        requirements: ["GA-LEAST-PRIVILEGE"],
        checks: [
            "PSS baseline: HostPath Volumes, Host Ports, AppArmor, SELinux, /proc Mount Type, Seccomp, Sysctls, HostProcess",
            "Checkov CKV_K8S_25",
            "Checkov CKV_K8S_31",
            "Kyverno disallow-host-path",
            "Kyverno disallow-host-ports",
            "Kyverno restrict-sysctls",
            "Kyverno restrict-apparmor-profiles",
            "Kyverno disallow-selinux",
            "Kyverno disallow-proc-mount",
        ],
    },
};

const namespaceSchema: PolicyConfigSchema = {
    properties: {
        level: {
            type: "string",
            enum: ["restricted", "baseline"],
            default: "restricted",
            description: "The Pod Security Admission level every namespace must enforce.",
        },
    },
};
const PSA = "pod-security.kubernetes.io/";
const RANK: Record<string, number> = { privileged: 0, baseline: 1, restricted: 2 };

export const namespacePodSecurity: CatalogEntry = {
    policy: {
        name: "namespace-pod-security",
        description: "Namespaces enforce a Pod Security Admission level (restricted by default) on the latest version.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: namespaceSchema,
        validateResource: (args, report) => {
            if (args.type !== "kubernetes:core/v1:Namespace") return;
            const { level } = configWithDefaults<{ level: string }>(namespaceSchema, args);
            const labels = field(args.props, "metadata", "labels");
            const enforce = text(labels, `${PSA}enforce`);
            if (enforce === undefined) {
                report(`Label the namespace ${PSA}enforce: ${level}.`);
            } else if ((RANK[enforce] ?? -1) < RANK[level]!) {
                report(`Set the namespace label ${PSA}enforce to ${level} (it is ${enforce}).`);
            }
        },
    },
    meta: {
        requirements: ["GA-LEAST-PRIVILEGE"],
        checks: ["PSS admission labels", "Kyverno psa/add-psa-labels", "CIS GKE 4.2.1"],
    },
};

export const podSecurityPolicies: readonly CatalogEntry[] = [podSecurityBaseline, namespacePodSecurity];
