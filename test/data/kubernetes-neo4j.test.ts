import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { NEO4J_IMAGE, NEO4J_VERSION } from "../../components/data/neo4j";
import { KubernetesNeo4j, NEO4J_CHART, type KubernetesNeo4jArgs } from "../../components/data/kubernetes/neo4j";
import { secretValuesVersion } from "../../components/secrets/secret-version";
import { runComponents, SECRET_SIG, SECRET_VALUE } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";

/** Neo4j the way the Kubernetes platform declares it; each test changes one thing. */
function args(overrides: Partial<KubernetesNeo4jArgs> = {}): KubernetesNeo4jArgs {
    return {
        password: pulumi.secret("g-pass"),
        storageGb: 20,
        clients: ["api"],
        jobClients: ["neo4j-backup"],
        protect: true,
        namespace: "estate",
        ...overrides,
    };
}

const value = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

async function declare(overrides: Partial<KubernetesNeo4jArgs> = {}) {
    let neo4j!: KubernetesNeo4j;
    const capture = await runComponents(() => {
        neo4j = new KubernetesNeo4j("neo4j", args(overrides));
    });
    return {
        capture,
        outputs: {
            host: await value(neo4j.host),
            port: await value(neo4j.port),
            uri: await value(neo4j.uri),
            user: await value(neo4j.user),
            password: await value(neo4j.password),
        },
        release: resource(capture, "kubernetes:helm.sh/v3:Release", "neo4j-release"),
        names: capture.resources.filter((r) => r.custom).map((r) => `${r.type} ${r.name}`),
    };
}

const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe("KubernetesNeo4j (component)", () => {
    it("declares the auth Secret, the chart release, the rotation Job and its record, two network policies, nothing public", async () => {
        assert.deepEqual((await declare()).names.sort(), [
            "kubernetes:batch/v1:Job neo4j-password-rotation-job",
            "kubernetes:core/v1:Secret neo4j-auth",
            "kubernetes:core/v1:Secret neo4j-auth-applied",
            "kubernetes:helm.sh/v3:Release neo4j-release",
            `${NETPOL} neo4j-netpol`,
            `${NETPOL} neo4j-password-rotation-netpol`,
        ]);
        const { capture } = await declare({ publicAccess: true });
        const publicService = inputsOf(resource(capture, "kubernetes:core/v1:Service", "neo4j-public"));
        assert.equal(publicService.spec.type, "LoadBalancer");
        assert.deepEqual(publicService.spec.ports, [{ name: "store", port: 7687, targetPort: 7687 }]);
    });

    it("installs the pinned official chart, atomically, with auth from the Secret and a volume of the given size", async () => {
        const { release } = await declare({ storageGb: 32 });
        const inputs = inputsOf(release);
        assert.deepEqual(
            [inputs.name, inputs.chart, inputs.version, inputs.repositoryOpts, inputs.namespace, inputs.atomic],
            ["neo4j", "neo4j", NEO4J_CHART.version, { repo: "https://helm.neo4j.com/neo4j" }, "estate", true],
        );
        assert.equal(inputs.values.neo4j.passwordFromSecret, "neo4j-auth");
        assert.equal(inputs.values.volumes.data.defaultStorageClass.requests.storage, "32Gi");
        assert.deepEqual(inputs.values.image, { customImage: NEO4J_IMAGE });
        assert.deepEqual(inputs.values.services, { neo4j: { enabled: false } });
        assert.equal(inputs.values.logInitialPassword, false);
    });

    it("keeps the release through deletes only when protected", async () => {
        const protectedRelease = (await declare()).release;
        assert.deepEqual([protectedRelease.options.protect, protectedRelease.options.retainOnDelete], [true, true]);
        const plain = (await declare({ protect: undefined })).release;
        assert.deepEqual([plain.options.protect, plain.options.retainOnDelete], [false, false]);
    });

    it("keeps the password secret in NEO4J_AUTH and hands out the in-cluster Bolt address", async () => {
        const { capture, outputs } = await declare();
        const auth = resource(capture, "kubernetes:core/v1:Secret", "neo4j-auth");
        // The secret marks the whole stringData on the wire.
        assert.deepEqual(auth.inputs.stringData, { [SECRET_SIG]: SECRET_VALUE, value: { NEO4J_AUTH: "neo4j/g-pass" } });
        assert.deepEqual(outputs, {
            host: "neo4j.estate.svc.cluster.local",
            port: 7687,
            uri: "neo4j://neo4j.estate.svc.cluster.local:7687",
            user: "neo4j",
            password: "g-pass",
        });
    });

    it("names the rotation Job by the password's digest and records the password only after it", async () => {
        const { capture } = await declare();
        const job = resource(capture, "kubernetes:batch/v1:Job", "neo4j-password-rotation-job");
        const inputs = inputsOf(job);
        assert.equal(inputs.metadata.name, `neo4j-password-${secretValuesVersion({ password: "g-pass" })}`);
        const pod = inputs.spec.template.spec;
        assert.deepEqual([pod.restartPolicy, pod.automountServiceAccountToken], ["Never", false]);
        assert.deepEqual(
            pod.containers[0].env.map((e: { name: string }) => e.name),
            ["NEO4J_AUTH", "APPLIED_PASSWORD", "HOME"],
        );
        assert.equal(pod.containers[0].env[1].valueFrom.secretKeyRef.optional, true);
        assert.ok(job.dependencies.includes(resource(capture, "kubernetes:helm.sh/v3:Release", "neo4j-release").urn));
        const applied = resource(capture, "kubernetes:core/v1:Secret", "neo4j-auth-applied");
        assert.ok(applied.dependencies.includes(job.urn), "the record must wait for the rotation");
        assert.equal(inputsOf(applied).stringData.password, "g-pass");
    });

    it("admits its clients, its jobs and the rotation Job on Bolt and HTTP; the Job reaches only Bolt", async () => {
        const { capture } = await declare();
        const store = inputsOf(resource(capture, NETPOL, "neo4j-netpol"));
        assert.equal(
            store.metadata.annotations["estate.io/allowed-clients"],
            "api,neo4j-password-rotation,neo4j-backup",
        );
        assert.deepEqual(store.spec.ingress[0].ports, [
            { protocol: "TCP", port: 7687 },
            { protocol: "TCP", port: 7474 },
        ]);
        const rotation = inputsOf(resource(capture, NETPOL, "neo4j-password-rotation-netpol"));
        assert.deepEqual(rotation.spec.ingress, []);
        assert.deepEqual(rotation.spec.egress[1], {
            to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "neo4j" } } }],
            ports: [{ protocol: "TCP", port: 7687 }],
        });
    });

    it("refuses a chart that does not match the image's Neo4j version", async () => {
        const chart = NEO4J_CHART as { version: string };
        const pinned = chart.version;
        chart.version = "5.0.0";
        let message = "";
        try {
            await runComponents(() => {
                try {
                    new KubernetesNeo4j("neo4j", args());
                } catch (error) {
                    assert.ok(error instanceof pulumi.ResourceError, String(error));
                    message = error.message;
                }
            });
        } finally {
            chart.version = pinned;
        }
        assert.equal(message, `the Neo4j chart 5.0.0 does not match the image ${NEO4J_VERSION}: bump both together`);
    });
});
