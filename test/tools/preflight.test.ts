import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";
import { describePrerequisite, prerequisitesOf } from "../../tools/preflight/prerequisites";
import { plan } from "../support/program";

const listed = async (overrides: Record<string, string> = {}) =>
    prerequisitesOf((await plan("prod", overrides)).resources).map(
        (r) => `${describePrerequisite(r.prerequisite)} — ${r.providedBy}`,
    );

const PROMETHEUS = "the Prometheus operator (kube-prometheus-stack), or estate:prometheusStackInstall";
const CLUSTER_OWN = [
    "API cert-manager.io/v1 kind Certificate — cert-manager (the plugin-barman-cloud chart needs it)",
    "API cert-manager.io/v1 kind ClusterIssuer — cert-manager",
    "API cert-manager.io/v1 kind Issuer — cert-manager (the plugin-barman-cloud chart needs it)",
    "API external-secrets.io/v1 kind ExternalSecret — External Secrets Operator",
    "API external-secrets.io/v1 kind SecretStore — External Secrets Operator",
    "API keda.sh/v1alpha1 kind ScaledObject — KEDA",
];

describe("cluster prerequisites", () => {
    it("lists what prod needs from its cluster and the program does not install", async () => {
        assert.deepEqual(await listed(), [
            ...CLUSTER_OWN,
            `API monitoring.coreos.com/v1 kind PodMonitor — ${PROMETHEUS}`,
            `API monitoring.coreos.com/v1 kind Probe — ${PROMETHEUS}`,
            `API monitoring.coreos.com/v1 kind PrometheusRule — ${PROMETHEUS}`,
            `API monitoring.coreos.com/v1 kind ServiceMonitor — ${PROMETHEUS}`,
            `API monitoring.coreos.com/v1alpha1 kind AlertmanagerConfig — ${PROMETHEUS}`,
            "clusterissuer letsencrypt-prod — a cert-manager ClusterIssuer (ACME HTTP-01)",
            "ingressclass nginx — the ingress controller (ingress-nginx)",
            "service monitoring/prometheus-blackbox-exporter — the Prometheus blackbox exporter, or estate:prometheusStackInstall",
        ]);
    });

    it("drops what the program installs behind its switches, and adds what a switched-off install leaves to the cluster", async () => {
        const withStack = await listed({ prometheusStackInstall: "true" });
        assert.ok(
            !withStack.some((l) => l.includes("monitoring.coreos.com") || l.includes("blackbox")),
            withStack.join("\n"),
        );
        const withoutOperator = await listed({ postgresOperatorInstall: "false" });
        assert.ok(
            withoutOperator.includes(
                "API postgresql.cnpg.io/v1 kind Cluster — CloudNativePG, or estate:postgresOperatorInstall",
            ),
        );
        assert.ok(
            withoutOperator.includes(
                "API barmancloud.cnpg.io/v1 kind ObjectStore — the Barman Cloud plugin, or estate:postgresOperatorInstall",
            ),
        );
        assert.ok(!withoutOperator.some((l) => l.includes("kind Certificate")), "no plugin chart, no certificates");
    });
});

/** A stand-in kubectl for the command's own logic; the real cluster is never reached offline. */
function fakeKubectl(served: Record<string, string[]>, objects: string[], reachable = true): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "estate-kubectl-"));
    const file = path.join(dir, "kubectl");
    const discovery = Object.entries(served)
        .map(
            ([gv, kinds]) =>
                `  "/apis/${gv}") echo '${JSON.stringify({ resources: kinds.map((kind) => ({ kind })) })}'; exit 0 ;;`,
        )
        .join("\n");
    fs.writeFileSync(
        file,
        [
            "#!/bin/sh",
            `[ "$1" = version ] && { ${reachable ? "echo '{}'; exit 0" : "echo 'connection refused' >&2; exit 1"}; }`,
            'if [ "$1 $2" = "get --raw" ]; then case "$3" in',
            discovery,
            '  *) echo "the server could not find the requested resource" >&2; exit 1 ;; esac; fi',
            'if [ "$1" = get ]; then case "$2/$3" in',
            ...objects.map((o) => `  "${o}") echo "${o}"; exit 0 ;;`),
            '  *) echo "NotFound" >&2; exit 1 ;; esac; fi',
            "exit 2",
        ].join("\n"),
    );
    fs.chmodSync(file, 0o755);
    return file;
}

function preflight(kubectl: string) {
    return spawnSync(
        process.execPath,
        ["--import", "tsx", path.join(PROJECT_ROOT, "tools/preflight.ts"), "--stack", "prod"],
        {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
            env: { ...process.env, KUBECTL: kubectl },
        },
    );
}

describe("npm run preflight", () => {
    const everything = {
        "cert-manager.io/v1": ["Certificate", "Issuer", "ClusterIssuer"],
        "external-secrets.io/v1": ["ExternalSecret", "SecretStore"],
        "keda.sh/v1alpha1": ["ScaledObject"],
        "monitoring.coreos.com/v1": ["PodMonitor", "Probe", "PrometheusRule", "ServiceMonitor"],
        "monitoring.coreos.com/v1alpha1": ["AlertmanagerConfig"],
    };
    const objects = ["clusterissuer/letsencrypt-prod", "ingressclass/nginx", "service/prometheus-blackbox-exporter"];

    it("exits 0 when the cluster has everything", () => {
        const result = preflight(fakeKubectl(everything, objects));
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /The cluster has every prerequisite of estate\/prod\./);
    });

    it("exits 1 listing exactly what is missing", () => {
        const { "keda.sh/v1alpha1": _keda, ...withoutKeda } = everything;
        const result = preflight(
            fakeKubectl(withoutKeda, ["ingressclass/nginx", "service/prometheus-blackbox-exporter"]),
        );
        assert.equal(result.status, 1);
        assert.match(result.stderr, /The cluster lacks 2 prerequisite\(s\) of estate\/prod:/);
        assert.match(result.stderr, /- API keda\.sh\/v1alpha1 kind ScaledObject: install KEDA/);
        assert.match(result.stderr, /- clusterissuer letsencrypt-prod: install a cert-manager ClusterIssuer/);
    });

    it("exits 1 when kubectl cannot reach the cluster", () => {
        const result = preflight(fakeKubectl(everything, objects, false));
        assert.equal(result.status, 1);
        assert.match(result.stderr, /error: kubectl cannot reach the cluster: connection refused/);
    });
});
