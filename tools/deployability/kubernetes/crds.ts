/** Custom resources need their CustomResourceDefinition registered before the API server accepts them. */
import type { CapturedResource } from "../../lib/mock-run";
import type { DeployabilityFinding, DeployabilityRule } from "../rule";
import { waitsForTransitively } from "./await";
import { asObj } from "./objects";

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** API groups whose CRDs a chart installs, from its values (the charts' templates at the pinned versions). */
const CHART_CRDS: Record<string, (values: Record<string, unknown>) => string[]> = {
    // charts/cloudnative-pg/templates/crds/crds.yaml, behind crds.create (default true).
    "cloudnative-pg": (v) => (asObj(v["crds"])["create"] === false ? [] : ["postgresql.cnpg.io"]),
    // cloudnative-pg/charts charts/plugin-barman-cloud/templates/crds/crds.yaml, behind crds.create (default true).
    "plugin-barman-cloud": (v) => (asObj(v["crds"])["create"] === false ? [] : ["barmancloud.cnpg.io"]),
    // charts/kube-prometheus-stack/charts/crds, behind crds.enabled (default true).
    "kube-prometheus-stack": (v) => (asObj(v["crds"])["enabled"] === false ? [] : ["monitoring.coreos.com"]),
};

/** API groups of the custom resources a chart renders, from its values. */
const CHART_RENDERS: Record<string, (values: Record<string, unknown>) => string[]> = {
    "prometheus-pushgateway": (v) => (asObj(v["serviceMonitor"])["enabled"] === true ? ["monitoring.coreos.com"] : []),
    "cloudnative-pg": (v) => (asObj(v["monitoring"])["podMonitorEnabled"] === true ? ["monitoring.coreos.com"] : []),
};

/** The API group of a custom resource type token (`kubernetes:<group>/<version>:<Kind>`), if it is one. */
function groupOf(type: string): string | undefined {
    const match = /^kubernetes:([^/:]+\.[^/:]+)\/[^:]+:[A-Za-z]+$/.exec(type);
    if (!match || match[1] === "helm.sh" || match[1]!.endsWith(".k8s.io")) return undefined;
    return match[1];
}

export const customResourceAfterCrdRule: DeployabilityRule = {
    id: "kubernetes-custom-resource-after-crd",
    source:
        "Kubernetes API server: a kind whose CustomResourceDefinition is not registered has no REST mapping (`no matches for kind`), " +
        "so pulumi-kubernetes and Helm refuse the object; Helm docs https://helm.sh/docs/chart_best_practices/custom_resource_definitions/ (install CRDs before their resources)",
    description:
        "a custom resource, or a chart rendering one, that does not wait for the release installing its CRD fails on a fresh cluster",
    check(plan) {
        const providers = new Map<string, CapturedResource>();
        for (const release of plan.ofType(HELM_RELEASE)) {
            const inputs = plan.inputs(release);
            for (const group of CHART_CRDS[String(inputs["chart"])]?.(asObj(inputs["values"])) ?? [])
                providers.set(group, release);
        }
        const findings: DeployabilityFinding[] = [];
        const consumers: Array<[CapturedResource, string[], string]> = [];
        for (const r of plan.resources) {
            const group = groupOf(r.type);
            if (group) consumers.push([r, [group], "dependsOn"]);
        }
        for (const release of plan.ofType(HELM_RELEASE)) {
            const inputs = plan.inputs(release);
            const groups = CHART_RENDERS[String(inputs["chart"])]?.(asObj(inputs["values"])) ?? [];
            if (groups.length > 0) consumers.push([release, groups, "dependsOn"]);
        }
        for (const [consumer, groups, property] of consumers) {
            const waits = waitsForTransitively(plan, consumer);
            for (const group of groups) {
                const provider = providers.get(group);
                if (!provider || provider.urn === consumer.urn || waits.has(provider.urn)) continue;
                findings.push({
                    rule: this.id,
                    urn: consumer.urn,
                    property,
                    value: provider.name,
                    fix: `Make it depend on Helm release ${provider.name}, which installs the ${group} CRDs.`,
                });
            }
        }
        return findings;
    },
};
