/**
 * Upstream machine-readable schemas the tests validate the plan against, at the versions the estate
 * pins (chart versions in components/) or, for operators the cluster provides, the version its
 * manifests are written for. `npm run vendor` refreshes vendor/ from these; vendor/README.md lists them.
 */

export interface CrdSource {
    readonly kind: "crd";
    /** CRD YAML files; every version of every CRD in them is written out. */
    readonly paths: readonly string[];
}
export interface ChartSource {
    readonly kind: "chart";
    readonly chart: string;
    readonly version: string;
    /** The chart folder in the repository. */
    readonly path: string;
    /** Whether the chart ships a `values.schema.json` (else only its default values are known). */
    readonly valuesSchema: boolean;
}

export interface VendorSource {
    readonly repository: string;
    readonly tag: string;
    readonly license: string;
    /** What the version follows: the pinned chart, or the operator version the cluster runs. */
    readonly pinnedBy: string;
    readonly content: CrdSource | ChartSource;
}

const crdBases = (dir: string, names: readonly string[]) => names.map((n) => `${dir}/${n}.yaml`);

export const VENDOR_SOURCES: readonly VendorSource[] = [
    {
        repository: "cloudnative-pg/cloudnative-pg",
        tag: "v1.28.0",
        license: "Apache-2.0",
        pinnedBy: "appVersion of chart cloudnative-pg 0.27.0 (CNPG_CHART)",
        content: {
            kind: "crd",
            paths: crdBases("config/crd/bases", [
                "postgresql.cnpg.io_clusters",
                "postgresql.cnpg.io_scheduledbackups",
                "postgresql.cnpg.io_poolers",
                "postgresql.cnpg.io_backups",
            ]),
        },
    },
    {
        repository: "cloudnative-pg/plugin-barman-cloud",
        tag: "v0.14.0",
        license: "Apache-2.0",
        pinnedBy: "the Barman Cloud plugin release the cluster runs",
        content: { kind: "crd", paths: ["config/crd/bases/barmancloud.cnpg.io_objectstores.yaml"] },
    },
    {
        repository: "external-secrets/external-secrets",
        tag: "v1.3.2",
        license: "Apache-2.0",
        pinnedBy: "the External Secrets Operator release the cluster runs",
        content: {
            kind: "crd",
            paths: crdBases("config/crds/bases", [
                "external-secrets.io_externalsecrets",
                "external-secrets.io_secretstores",
                "external-secrets.io_clustersecretstores",
            ]),
        },
    },
    {
        repository: "kedacore/keda",
        tag: "v2.19.0",
        license: "Apache-2.0",
        pinnedBy: "the KEDA release the cluster runs",
        content: {
            kind: "crd",
            paths: crdBases("config/crd/bases", ["keda.sh_scaledobjects", "keda.sh_triggerauthentications"]),
        },
    },
    {
        repository: "prometheus-community/helm-charts",
        tag: "kube-prometheus-stack-75.15.0",
        license: "Apache-2.0",
        pinnedBy: "chart kube-prometheus-stack 75.15.0 (PROMETHEUS_STACK_CHART; prometheus-operator v0.83.0)",
        content: {
            kind: "crd",
            paths: crdBases("charts/kube-prometheus-stack/charts/crds/crds", [
                "crd-servicemonitors",
                "crd-podmonitors",
                "crd-probes",
                "crd-prometheusrules",
                "crd-alertmanagerconfigs",
            ]),
        },
    },
    {
        repository: "cloudnative-pg/charts",
        tag: "cloudnative-pg-v0.27.0",
        license: "Apache-2.0",
        pinnedBy: "CNPG_CHART",
        content: {
            kind: "chart",
            chart: "cloudnative-pg",
            version: "0.27.0",
            path: "charts/cloudnative-pg",
            valuesSchema: true,
        },
    },
    {
        repository: "prometheus-community/helm-charts",
        tag: "kube-prometheus-stack-75.15.0",
        license: "Apache-2.0",
        pinnedBy: "PROMETHEUS_STACK_CHART",
        content: {
            kind: "chart",
            chart: "kube-prometheus-stack",
            version: "75.15.0",
            path: "charts/kube-prometheus-stack",
            valuesSchema: false,
        },
    },
    {
        repository: "prometheus-community/helm-charts",
        tag: "prometheus-blackbox-exporter-11.7.0",
        license: "Apache-2.0",
        pinnedBy: "BLACKBOX_EXPORTER_CHART",
        content: {
            kind: "chart",
            chart: "prometheus-blackbox-exporter",
            version: "11.7.0",
            path: "charts/prometheus-blackbox-exporter",
            valuesSchema: false,
        },
    },
    {
        repository: "prometheus-community/helm-charts",
        tag: "prometheus-pushgateway-3.2.0",
        license: "Apache-2.0",
        pinnedBy: "PUSHGATEWAY_CHART",
        content: {
            kind: "chart",
            chart: "prometheus-pushgateway",
            version: "3.2.0",
            path: "charts/prometheus-pushgateway",
            valuesSchema: false,
        },
    },
];

/** Where a CRD version's schema is vendored. */
export function crdSchemaPath(group: string, version: string, kind: string): string {
    return `vendor/crds/${group}/${version}/${kind}.json`;
}

/** Where a chart's values schema (`values.schema.json`) and default values (from `values.yaml`) are vendored. */
export function chartFiles(chart: string, version: string): { schema: string; defaults: string } {
    return {
        schema: `vendor/charts/${chart}/${version}/values.schema.json`,
        defaults: `vendor/charts/${chart}/${version}/values.defaults.json`,
    };
}
