/** Whether the cluster's Prometheus picks up the monitors and rules the plan declares. */
import type { CapturedResource } from "../../lib/mock-run";
import type { DeployabilityFinding, DeployabilityRule, PlanView } from "../rule";
import {
    asObj,
    CNPG_CLUSTER,
    metadataOf,
    nameOf,
    namespaceLabels,
    namespaceOf,
    selects,
    type LabelSelector,
} from "./objects";

/** Monitor kinds and the kube-prometheus-stack `prometheusSpec` key prefix of their selectors. */
const KINDS: Record<string, string> = {
    ServiceMonitor: "serviceMonitor",
    PodMonitor: "podMonitor",
    Probe: "probe",
    PrometheusRule: "rule",
};

interface Monitor {
    /** The resource that declares it: the custom resource, or the Helm release that renders it. */
    source: CapturedResource;
    property: string;
    kind: string;
    name: string;
    namespace: string;
    labels: Record<string, string>;
}

interface PrometheusSelectors {
    release: string;
    /** Per kind: the monitor selector and the namespace selector. */
    selectors: Record<string, { monitors: LabelSelector; namespaces: LabelSelector }>;
}

/**
 * The selectors kube-prometheus-stack renders into its Prometheus (templates/prometheus/prometheus.yaml):
 * `<kind>Selector` when set, else `release: <release name>` while `<kind>SelectorNilUsesHelmValues` is true
 * (the default), else everything; namespace selectors default to every namespace.
 */
export function kubePrometheusStackSelectors(release: string, values: Record<string, unknown>): PrometheusSelectors {
    const spec = asObj(asObj(values["prometheus"])["prometheusSpec"]);
    const selectors: PrometheusSelectors["selectors"] = {};
    for (const [kind, key] of Object.entries(KINDS)) {
        const explicit = asObj(spec[`${key}Selector`]);
        const nilUsesHelmValues = spec[`${key}SelectorNilUsesHelmValues`] !== false;
        selectors[kind] = {
            monitors:
                Object.keys(explicit).length > 0
                    ? (explicit as LabelSelector)
                    : nilUsesHelmValues
                      ? { matchLabels: { release } }
                      : {},
            namespaces: asObj(spec[`${key}NamespaceSelector`]) as LabelSelector,
        };
    }
    return { release, selectors };
}

/** Monitors Helm charts in the plan render, from their values (the charts' templates at the pinned versions). */
function chartMonitors(plan: PlanView, release: CapturedResource): Monitor[] {
    const inputs = plan.inputs(release);
    const values = asObj(inputs["values"]);
    const namespace = String(inputs["namespace"] ?? "default");
    const name = String(inputs["name"] ?? release.name);
    switch (inputs["chart"]) {
        case "prometheus-pushgateway": {
            // templates/servicemonitor.yaml: the chart's default labels plus serviceMonitor.additionalLabels.
            const sm = asObj(values["serviceMonitor"]);
            if (sm["enabled"] !== true) return [];
            return [
                {
                    source: release,
                    property: "values.serviceMonitor.additionalLabels",
                    kind: "ServiceMonitor",
                    name,
                    namespace: String(sm["namespace"] ?? namespace),
                    labels: {
                        ...(asObj(values["podLabels"]) as Record<string, string>),
                        ...(asObj(sm["additionalLabels"]) as Record<string, string>),
                    },
                },
            ];
        }
        case "cloudnative-pg": {
            // templates/podmonitor.yaml: monitoring.podMonitorAdditionalLabels.
            const monitoring = asObj(values["monitoring"]);
            if (monitoring["podMonitorEnabled"] !== true) return [];
            return [
                {
                    source: release,
                    property: "values.monitoring.podMonitorAdditionalLabels",
                    kind: "PodMonitor",
                    name,
                    namespace,
                    labels: asObj(monitoring["podMonitorAdditionalLabels"]) as Record<string, string>,
                },
            ];
        }
        default:
            return [];
    }
}

function declaredMonitors(plan: PlanView): Monitor[] {
    const crs = plan.resources
        .filter((r) => /^kubernetes:monitoring\.coreos\.com\/v1:/.test(r.type))
        .filter((r) => r.type.split(":").pop()! in KINDS)
        .map((r) => {
            const inputs = plan.inputs(r);
            return {
                source: r,
                property: "metadata.labels",
                kind: r.type.split(":").pop()!,
                name: nameOf(inputs),
                namespace: namespaceOf(inputs),
                labels: asObj(metadataOf(inputs)["labels"]) as Record<string, string>,
            };
        });
    return [...crs, ...plan.ofType("kubernetes:helm.sh/v3:Release").flatMap((r) => chartMonitors(plan, r))];
}

/**
 * Factory: the Prometheus is the kube-prometheus-stack release the plan installs, else one already on
 * the cluster, assumed installed with the chart's defaults under `externalRelease`.
 */
export function monitorsSelectableRule(externalRelease = "kube-prometheus-stack"): DeployabilityRule {
    return {
        id: "kubernetes-monitor-selectable",
        source:
            "prometheus-community/helm-charts charts/kube-prometheus-stack/templates/prometheus/prometheus.yaml (selectors default to release: <name>); " +
            "prometheus-operator Documentation/developer/troubleshooting.md (a ServiceMonitor the Prometheus does not select is never scraped)",
        description:
            "a ServiceMonitor, PodMonitor, Probe or PrometheusRule the configured Prometheus does not select is silently ignored",
        check(plan) {
            const installed = plan
                .ofType("kubernetes:helm.sh/v3:Release")
                .map((r) => plan.inputs(r))
                .find((r) => r["chart"] === "kube-prometheus-stack");
            const prometheus = installed
                ? kubePrometheusStackSelectors(String(installed["name"]), asObj(installed["values"]))
                : kubePrometheusStackSelectors(externalRelease, {});
            const findings: DeployabilityFinding[] = [];
            for (const monitor of declaredMonitors(plan)) {
                const selector = prometheus.selectors[monitor.kind]!;
                const inNamespace = selects(selector.namespaces, namespaceLabels(plan, monitor.namespace));
                if (inNamespace && selects(selector.monitors, monitor.labels)) continue;
                findings.push({
                    rule: this.id,
                    urn: monitor.source.urn,
                    property: monitor.property,
                    value: monitor.labels,
                    fix: inNamespace
                        ? `${monitor.kind} ${monitor.name} is not selected by Prometheus release ${prometheus.release}: add labels ${JSON.stringify(selector.monitors.matchLabels ?? {})}.`
                        : `${monitor.kind} ${monitor.name} lives in namespace ${monitor.namespace}, which Prometheus release ${prometheus.release} does not watch.`,
                });
            }
            return findings;
        },
    };
}

export const cnpgExplicitPodMonitorRule: DeployabilityRule = {
    id: "cnpg-explicit-pod-monitor",
    source:
        "cloudnative-pg api/v1/cluster_types.go MonitoringConfiguration.EnablePodMonitor (Deprecated: create a PodMonitor manually); " +
        "pkg/specs/podmonitor.go BuildPodMonitor (its labels carry no release label a Prometheus selects)",
    description: "CloudNativePG's own PodMonitor is deprecated and carries labels no default Prometheus selects",
    check(plan) {
        return plan
            .ofType(CNPG_CLUSTER)
            .filter((r) => asObj(asObj(plan.inputs(r)["spec"])["monitoring"])["enablePodMonitor"] === true)
            .map((r) => ({
                rule: this.id,
                urn: r.urn,
                property: "spec.monitoring.enablePodMonitor",
                value: true,
                fix: "Remove spec.monitoring.enablePodMonitor and declare a monitoring.coreos.com/v1 PodMonitor selecting cnpg.io/cluster, labelled for the Prometheus.",
            }));
    },
};
