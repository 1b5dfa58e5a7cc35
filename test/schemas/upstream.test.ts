import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { PROJECT_ROOT, type ProgramCapture } from "../../tools/lib/mock-run";
import { kubernetesManifest } from "../../tools/lib/plan-artefacts";
import { parseVendorTable } from "../../tools/lib/vendor";
import { inputsOf, plan } from "../support/program";
import { validateKubernetesObject } from "../support/kubernetes-schema";
import { CHART_FILES, coalesceValues, validateCustomResource, validateHelmValues } from "../support/upstream-schema";

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const vendorTable = parseVendorTable(fs.readFileSync(path.join(PROJECT_ROOT, "vendor", "README.md"), "utf8"));
const vendorRow = (file: string) => {
    const row = vendorTable.find((r) => `vendor/${r.file}` === file);
    assert.ok(row, `vendor/README.md has a row for ${file}`);
    return row;
};

/** The plans that together declare every kind and chart the program can apply. */
const variants: ReadonlyArray<[string, Record<string, string>]> = [
    ["staging", {}],
    ["prod", {}],
    ["staging", { prometheusStackInstall: "true" }],
    ["prod", { kubernetesControlPlaneCidr: "172.16.0.32/28" }],
];

/** Custom resources: Kubernetes objects with no model in kubernetes-models (which covers the core API groups). */
function customResources(capture: ProgramCapture): Array<Record<string, unknown>> {
    return capture.resources
        .filter((r) => r.type.startsWith("kubernetes:") && r.type !== HELM_RELEASE)
        .flatMap((r) => {
            const manifest = kubernetesManifest(r);
            return manifest && validateKubernetesObject(manifest) === undefined ? [manifest] : [];
        });
}

describe("every custom resource and Helm values object against the upstream schema of its pinned version", () => {
    const captures: Array<[string, ProgramCapture]> = [];
    before(async () => {
        for (const [stack, overrides] of variants) {
            captures.push([`${stack} ${JSON.stringify(overrides)}`, await plan(stack, overrides)]);
        }
    });

    it("validates every custom resource, with no field its CRD does not declare", (t) => {
        const kinds = new Set<string>();
        let count = 0;
        for (const [label, capture] of captures) {
            for (const object of customResources(capture)) {
                const id = `${label}: ${String(object["apiVersion"])} ${String(object["kind"])} ${(object["metadata"] as { name: string }).name}`;
                const errors = validateCustomResource(object);
                assert.ok(errors, `${id}: no vendored CRD schema (add its CRD to tools/vendor/sources.ts)`);
                assert.deepEqual(errors, [], id);
                kinds.add(`${String(object["apiVersion"])}/${String(object["kind"])}`);
                count++;
            }
        }
        t.diagnostic(`validated ${count} custom resources of ${kinds.size} kinds: ${[...kinds].sort().join(", ")}`);
        console.log(`upstream schemas: ${count} custom resources validated (${kinds.size} kinds)`);
        for (const kind of [
            "postgresql.cnpg.io/v1/Cluster",
            "postgresql.cnpg.io/v1/ScheduledBackup",
            "monitoring.coreos.com/v1/PodMonitor",
            "monitoring.coreos.com/v1/ServiceMonitor",
            "monitoring.coreos.com/v1/Probe",
            "monitoring.coreos.com/v1/PrometheusRule",
            "monitoring.coreos.com/v1alpha1/AlertmanagerConfig",
            "keda.sh/v1alpha1/ScaledObject",
            "external-secrets.io/v1/SecretStore",
            "external-secrets.io/v1/ExternalSecret",
        ])
            assert.ok(kinds.has(kind), `the plans declare a ${kind}`);
    });

    it("validates every Helm release's values against its chart version", (t) => {
        const charts = new Set<string>();
        let count = 0;
        for (const [label, capture] of captures) {
            for (const release of capture.resources.filter((r) => r.type === HELM_RELEASE)) {
                const inputs = inputsOf(release);
                const chart = `${inputs.chart}@${inputs.version}`;
                // Neo4j's chart ships no values schema and its values.yaml at this tag is not vendored: see README.
                if (inputs.chart === "neo4j") continue;
                const errors = validateHelmValues(inputs.chart, inputs.values);
                assert.ok(errors, `${label}: ${chart}: nothing vendored for this chart`);
                const vendored = vendorRow(CHART_FILES[inputs.chart]!.values);
                assert.match(
                    vendored.ref,
                    new RegExp(`^${inputs.chart}-v?${inputs.version.replaceAll(".", "\\.")}$`),
                    `${chart} is vendored at its pinned version, not ${vendored.ref}`,
                );
                assert.deepEqual(errors, [], `${label}: ${release.name} (${chart})`);
                charts.add(chart);
                count++;
            }
        }
        t.diagnostic(
            `validated ${count} Helm values objects of ${charts.size} charts: ${[...charts].sort().join(", ")}`,
        );
        console.log(`upstream schemas: ${count} Helm values objects validated (${charts.size} charts)`);
        for (const chart of [
            "cloudnative-pg@0.27.0",
            "kube-prometheus-stack@75.15.0",
            "prometheus-blackbox-exporter@11.7.0",
            "prometheus-pushgateway@3.2.0",
        ])
            assert.ok(charts.has(chart), `the plans install ${chart}`);
    });
});

/** The CloudNativePG Cluster manifest, as far as these cases edit it. */
interface ClusterManifest extends Record<string, unknown> {
    spec: Record<string, unknown> & { storage: Record<string, unknown> };
}

describe("the schemas refuse what the API server or Helm would refuse or drop", () => {
    let cluster: ClusterManifest;
    before(async () => {
        const capture = await plan("prod");
        cluster = kubernetesManifest(capture.resources.find((r) => r.name === "postgres-cluster")!) as ClusterManifest;
    });

    it("an unknown field, at the top of spec or deep inside, is an error (the API server would prune it)", () => {
        assert.deepEqual(validateCustomResource(cluster), []);
        assert.deepEqual(validateCustomResource({ ...cluster, spec: { ...cluster.spec, instancess: 3 } }), [
            '/spec: unknown field "instancess"',
        ]);
        const typo = structuredClone(cluster);
        typo.spec.storage.sise = "32Gi";
        assert.deepEqual(validateCustomResource(typo), ['/spec/storage: unknown field "sise"']);
    });

    it("a wrong type or enum value is an error", () => {
        const wrong = structuredClone(cluster);
        wrong.spec.instances = "three";
        wrong.spec.primaryUpdateStrategy = "whenever";
        assert.deepEqual(validateCustomResource(wrong), [
            "/spec/instances: must be integer",
            "/spec/primaryUpdateStrategy: must be equal to one of the allowed values",
        ]);
    });

    it("a kind without a vendored schema is reported, not passed", () => {
        assert.equal(validateCustomResource({ apiVersion: "example.com/v1", kind: "Widget", spec: {} }), undefined);
    });

    it("Helm values: unknown keys and schema violations are errors, free-form maps take anything", () => {
        assert.deepEqual(validateHelmValues("cloudnative-pg", { crds: { create: true } }), []);
        assert.deepEqual(validateHelmValues("cloudnative-pg", { crds: { creat: true } }), [
            '/crds: unknown field "creat" (not in the chart\'s values.yaml)',
            '/crds: unknown field "creat"',
        ]);
        assert.deepEqual(validateHelmValues("cloudnative-pg", { replicaCount: "two" }), [
            "/replicaCount: must be integer",
        ]);
        assert.deepEqual(
            validateHelmValues("prometheus-pushgateway", { serviceMonitor: { additionalLabels: { a: "b" } } }),
            [],
        );
        assert.deepEqual(validateHelmValues("prometheus-pushgateway", { serviceMonitr: {} }), [
            '/: unknown field "serviceMonitr" (not in the chart\'s values.yaml)',
        ]);
        assert.equal(validateHelmValues("some-chart", {}), undefined);
    });

    it("coalesces values over defaults as Helm does", () => {
        assert.deepEqual(coalesceValues({ a: { b: 1, c: 2 }, d: [1] }, { a: { b: 3 }, d: [2], e: null }), {
            a: { b: 3, c: 2 },
            d: [2],
        });
        assert.deepEqual(coalesceValues({ a: 1, b: 2 }, { b: null }), { a: 1 });
    });
});
