import type * as pulumi from "@pulumi/pulumi";
import * as helm from "@pulumi/kubernetes/helm/v3";
import { restrictedContainerSecurityContext } from "../../platform/kubernetes/pod";
import { resourceSizing } from "../../workload/service";

/** Pinned chart: an upgrade is a reviewed change. The release name is the Service name. */
export const PUSHGATEWAY_CHART = {
    chart: "prometheus-pushgateway",
    version: "3.2.0",
    repo: "https://prometheus-community.github.io/helm-charts",
} as const;

/** Where backup jobs push `estate_backup_*` gauges; Prometheus scrapes them from there. */
export function pushgatewayUrl(monitoringNamespace: string): string {
    return `http://${PUSHGATEWAY_CHART.chart}.${monitoringNamespace}.svc.cluster.local:9091`;
}

/** Freshness gauges outlive a pod restart (persistence file), so a restart does not page as "backup stale". */
export function pushgateway(
    name: string,
    namespace: string,
    prometheusRelease: string,
    parent: pulumi.Resource,
): helm.Release {
    return new helm.Release(
        `${name}-pushgateway`,
        {
            name: PUSHGATEWAY_CHART.chart,
            chart: PUSHGATEWAY_CHART.chart,
            version: PUSHGATEWAY_CHART.version,
            repositoryOpts: { repo: PUSHGATEWAY_CHART.repo },
            namespace,
            createNamespace: true,
            values: {
                // Without the `release` label a default kube-prometheus-stack never scrapes it, and BackupStale fires for ever.
                serviceMonitor: {
                    enabled: true,
                    namespace,
                    honorLabels: true,
                    additionalLabels: { release: prometheusRelease },
                },
                persistentVolume: { enabled: true, size: "1Gi" },
                extraArgs: ["--persistence.file=/data/pushgateway.data", "--persistence.interval=1m"],
                automountServiceAccountToken: false,
                containerSecurityContext: restrictedContainerSecurityContext,
                resources: resourceSizing("50m", "64Mi"),
            },
        },
        { parent },
    );
}
