/** What pods behind a default-deny NetworkPolicy still need to reach on GKE, or they fail at runtime. */
import type { DeployabilityFinding, DeployabilityRule, PlanView } from "../rule";
import {
    admits,
    annotationsOf,
    asObj,
    CNPG_CLUSTER,
    isIsolated,
    namespaceOf,
    plannedPods,
    podEndpoint,
    podName,
    type Endpoint,
    type PlannedPod,
} from "./objects";

const NODE_LOCAL_DNS: Endpoint = { kind: "cidr", cidr: "169.254.20.10/32" };
const METADATA_SERVER: Endpoint = { kind: "cidr", cidr: "169.254.169.254/32" };
/** An address outside every private range: where a public control plane or Google API answers. */
const PUBLIC_ADDRESS: Endpoint = { kind: "cidr", cidr: "34.1.2.3/32" };

const finding = (rule: string, pod: PlannedPod, value: unknown, fix: string): DeployabilityFinding => ({
    rule,
    urn: pod.owner.urn,
    property: "egress (NetworkPolicies selecting its pods)",
    value,
    fix,
});

/** Pods isolated for egress, i.e. selected by some NetworkPolicy with an Egress policy type. */
function egressIsolated(plan: PlanView): PlannedPod[] {
    return plannedPods(plan).filter((pod) => isIsolated(plan, pod, "Egress"));
}

export const dnsEgressRule: DeployabilityRule = {
    id: "kubernetes-dns-egress",
    source:
        "GKE docs: https://cloud.google.com/kubernetes-engine/docs/how-to/nodelocal-dns-cache (NodeLocal DNSCache, on by default on Autopilot, answers on the node) " +
        "and https://cloud.google.com/kubernetes-engine/docs/how-to/cloud-dns (Cloud DNS for GKE resolves through the node's metadata server 169.254.169.254); " +
        "kubernetes/kubernetes cluster/addons/dns/nodelocaldns/README.md 'Network policy and DNS connectivity' (169.254.20.10, hostNetwork pods)",
    description:
        "a pod isolated for egress that admits DNS to kube-dns pods but not to NodeLocal DNSCache and the metadata server fails every lookup under those resolvers",
    check(plan) {
        const kubeDns = podEndpoint(plan, "kube-system", { "k8s-app": "kube-dns" });
        const resolvers: Array<[string, Endpoint]> = [
            ["kube-dns pods", kubeDns],
            ["NodeLocal DNSCache 169.254.20.10", NODE_LOCAL_DNS],
            ["the metadata server 169.254.169.254 (Cloud DNS)", METADATA_SERVER],
        ];
        return egressIsolated(plan).flatMap((pod) => {
            const missing = resolvers
                .filter(([, endpoint]) =>
                    (["UDP", "TCP"] as const).some(
                        (protocol) => !admits(plan, pod, "Egress", endpoint, { protocol, port: 53 }),
                    ),
                )
                .map(([label]) => label);
            // A pod admitting no resolver at all does no lookups by design (Redis); one admitting some breaks on the others.
            return missing.length === 0 || missing.length === resolvers.length
                ? []
                : [
                      finding(
                          this.id,
                          pod,
                          missing,
                          `Admit UDP and TCP 53 to ${missing.join(", ")} for pods of ${podName(pod)} (use the shared dnsEgress rule).`,
                      ),
                  ];
        });
    },
};

export const metadataServerEgressRule: DeployabilityRule = {
    id: "kubernetes-metadata-server-egress",
    source:
        "GKE docs: https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity (the GKE metadata server on 169.254.169.254 serves Workload Identity tokens; " +
        "network policies must allow it on TCP 80, and 988 for the GKE metadata server)",
    description:
        "a pod running as a Workload Identity service account that cannot reach the metadata server gets no token: every Google API call fails",
    check(plan) {
        return egressIsolated(plan)
            .filter((pod) => pod.workloadIdentity)
            .flatMap((pod) => {
                const missing = [80, 988].filter(
                    (port) => !admits(plan, pod, "Egress", METADATA_SERVER, { protocol: "TCP", port }),
                );
                return missing.length === 0
                    ? []
                    : [
                          finding(
                              this.id,
                              pod,
                              missing,
                              `Admit TCP ${missing.join(" and ")} to 169.254.169.254/32 for pods of ${podName(pod)} (use the shared metadataServerEgress rule).`,
                          ),
                      ];
            });
    },
};

/**
 * Factory: the control plane's CIDR comes from the stack's config (a private cluster's endpoint is
 * on a private range); without one the API server is assumed public.
 */
export function controlPlaneEgressRule(
    controlPlaneCidr: (plan: PlanView) => string | undefined = (plan) => {
        const value = plan.capture.config["estate:kubernetesControlPlaneCidr"];
        return typeof value === "string" && value !== "" ? value : undefined;
    },
): DeployabilityRule {
    return {
        id: "kubernetes-control-plane-egress",
        source:
            "cloudnative-pg docs: https://cloudnative-pg.io/documentation/current/networking/ (instances talk to the Kubernetes API server); " +
            "GKE docs: https://cloud.google.com/kubernetes-engine/docs/concepts/private-cluster-concept (a private cluster's control plane has a private RFC 1918 endpoint)",
        description:
            "CloudNativePG instance managers isolated for egress that cannot reach the API server never report and never fail over",
        check(plan) {
            const cidr = controlPlaneCidr(plan);
            const target: Endpoint = cidr ? { kind: "cidr", cidr } : PUBLIC_ADDRESS;
            return egressIsolated(plan)
                .filter((pod) => pod.owner.type === CNPG_CLUSTER)
                .filter((pod) => !admits(plan, pod, "Egress", target, { protocol: "TCP", port: 443 }))
                .map((pod) =>
                    finding(
                        this.id,
                        pod,
                        cidr ?? "public endpoint",
                        cidr
                            ? `Admit TCP 443 to the control plane ${cidr} for the instances of ${podName(pod)} (controlPlaneEgress).`
                            : `Admit TCP 443 to the public API server endpoint for the instances of ${podName(pod)}, or set kubernetesControlPlaneCidr for a private cluster.`,
                    ),
                );
        },
    };
}

const ACME_SOLVER_LABELS = { "acme.cert-manager.io/http01-solver": "true" };
const ACME_SOLVER_PORT = 8089;

/** Factory: the namespace the ingress controller runs in (ingress-nginx's default). */
export function acmeSolverIngressRule(ingressControllerNamespace = "ingress-nginx"): DeployabilityRule {
    return {
        id: "kubernetes-acme-solver-ingress",
        source:
            "cert-manager pkg/apis/acme/v1/types.go SolverIdentificationLabelKey and pkg/issuer/acme/http/http.go acmeSolverListenPort (8089): " +
            "cert-manager starts the HTTP-01 solver pods in the Ingress's namespace and the ingress controller forwards the challenge to them",
        description:
            "under default-deny ingress, an Ingress whose certificate cert-manager issues over HTTP-01 never gets one unless its solver pods admit the ingress controller",
        check(plan) {
            const controller = podEndpoint(plan, ingressControllerNamespace, {});
            const namespaces = new Set(
                plan
                    .ofType("kubernetes:networking.k8s.io/v1:Ingress")
                    .map((r) => plan.inputs(r))
                    .filter((ing) => {
                        const annotations = annotationsOf(ing);
                        const tls = (asObj(ing["spec"])["tls"] as unknown[] | undefined) ?? [];
                        return (
                            tls.length > 0 &&
                            ("cert-manager.io/cluster-issuer" in annotations || "cert-manager.io/issuer" in annotations)
                        );
                    })
                    .map(namespaceOf),
            );
            const findings: DeployabilityFinding[] = [];
            for (const namespace of namespaces) {
                const solver = { namespace, labels: ACME_SOLVER_LABELS };
                if (admits(plan, solver, "Ingress", controller, { protocol: "TCP", port: ACME_SOLVER_PORT })) continue;
                const ingress = plan
                    .ofType("kubernetes:networking.k8s.io/v1:Ingress")
                    .find((r) => namespaceOf(plan.inputs(r)) === namespace)!;
                findings.push({
                    rule: this.id,
                    urn: ingress.urn,
                    property: `NetworkPolicies of namespace ${namespace}`,
                    value: "solver pods admit nothing from the ingress controller",
                    fix: `Add a NetworkPolicy in ${namespace} selecting acme.cert-manager.io/http01-solver=true that admits TCP ${ACME_SOLVER_PORT} from namespace ${ingressControllerNamespace}.`,
                });
            }
            return findings;
        },
    };
}
