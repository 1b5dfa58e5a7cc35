// Secret rotation on Kubernetes: raising a generation (estate:secretRotation) must reach every
// reader. Pods read secrets into their environment once, at start, so each reader must roll, and
// each store must apply the new credential the way it can.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { neo4jPasswordRotationScript } from "../../components/data/kubernetes/neo4j";
import { secretValuesVersion } from "../../components/secrets/secret-version";
import type { ProgramCapture } from "../../tools/lib/mock-run";
import { inputsOf, plan, resource, stacks } from "../support/program";

const SYNC = "kubernetes:external-secrets.io/v1:ExternalSecret";
const STS = "kubernetes:apps/v1:StatefulSet";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const JOB = "kubernetes:batch/v1:Job";

/** Names of the Secrets a Deployment's containers read keys from. */
function secretsReadBy(capture: ProgramCapture, name: string): string[] {
    const pod = inputsOf(resource(capture, DEPLOYMENT, `${name}-deployment`)).spec.template.spec;
    const names = pod.containers.flatMap((c: { env?: { valueFrom?: { secretKeyRef?: { name: string } } }[] }) =>
        (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.name] : [])),
    );
    return [...new Set<string>(names)];
}

describe("secretValuesVersion", () => {
    it("changes with any value, not with the order of the ids", () => {
        const base = secretValuesVersion({ a: "1", b: "2" });
        assert.match(base, /^[0-9a-f]{10}$/);
        assert.equal(secretValuesVersion({ b: "2", a: "1" }), base);
        assert.notEqual(secretValuesVersion({ a: "1", b: "3" }), base);
        // The separator keeps ids and values apart: moving a character across them is a change.
        assert.notEqual(secretValuesVersion({ a: "12", b: "" }), secretValuesVersion({ a: "1", b: "2" }));
    });
});

describe("the Neo4j password rotation script", () => {
    const script = neo4jPasswordRotationScript("neo4j://neo4j.estate.svc.cluster.local:7687");
    it("changes the password through Cypher, authenticated with the last applied one, passwords never in argv", () => {
        assert.match(
            script,
            /NEO4J_PASSWORD="\$old" cypher-shell --non-interactive -a 'neo4j:\/\/neo4j\.estate\.svc\.cluster\.local:7687' -u neo4j -d system -P "\{old: '\$old', new: '\$new'\}" 'ALTER CURRENT USER SET PASSWORD FROM \$old TO \$new'/,
        );
        assert.doesNotMatch(script, / -p /, "no password on the command line");
        assert.match(script, /if accepts "\$new"; then echo "the current password is in effect"; exit 0; fi/);
        assert.match(script, /exit 1; fi\n/, "fails when neither password works");
    });
});

for (const stack of stacks) {
    describe(`secret rotation on kubernetes (${stack})`, () => {
        let before1: ProgramCapture;
        let rotated: ProgramCapture;
        before(async () => {
            before1 = await plan(stack);
            rotated = await plan(stack, {
                secretRotation: JSON.stringify([
                    "jwt-secret=2",
                    "redis-password=2",
                    "neo4j-password=2",
                    "db-password=2",
                ]),
            });
        });

        it("syncs the store into a Secret named after its values, awaited before readers roll", () => {
            const sync = inputsOf(resource(before1, SYNC, "app-secrets-sync"));
            const [, version] = /^app-secrets-([0-9a-f]{10})$/.exec(sync.metadata.name) ?? [];
            assert.ok(version, sync.metadata.name);
            assert.equal(sync.spec.target.name, `app-secrets-synced-${version}`);
            assert.equal(sync.metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
            const versions = before1.resources
                .filter((r) => r.type === "gcp:secretmanager/secretVersion:SecretVersion")
                .map((r) => r.urn);
            assert.equal(versions.length, 22);
            const dependencies = resource(before1, SYNC, "app-secrets-sync").dependencies;
            for (const urn of versions) assert.ok(dependencies.includes(urn), `the sync waits for ${urn}`);
            for (const service of ["api", "worker"])
                assert.deepEqual(secretsReadBy(before1, service), [`app-secrets-synced-${version}`], service);
        });

        it("rolls every reader onto the new Secret when a generation is raised", () => {
            const was = inputsOf(resource(before1, SYNC, "app-secrets-sync")).spec.target.name;
            const now = inputsOf(resource(rotated, SYNC, "app-secrets-sync")).spec.target.name;
            assert.notEqual(now, was);
            for (const service of ["api", "gateway", "worker"])
                assert.deepEqual(secretsReadBy(rotated, service), [now]);
        });

        it("restarts Redis on a new password, since requirepass is read only at start", () => {
            const annotation = (c: ProgramCapture) =>
                inputsOf(resource(c, STS, "redis-statefulset")).spec.template.metadata.annotations[
                    "estate.io/password-version"
                ];
            assert.match(annotation(before1), /^[0-9a-f]{10}$/);
            assert.notEqual(annotation(rotated), annotation(before1));
            // Not the password itself, nor marked secret: a digest.
            assert.doesNotMatch(JSON.stringify(resource(before1, STS, "redis-statefulset").inputs), /not-a-secret/);
        });

        it("sets a new Neo4j password with a Job per password, and records it only after the Job succeeded", () => {
            const job = (c: ProgramCapture) => inputsOf(resource(c, JOB, "neo4j-password-rotation-job"));
            assert.match(job(before1).metadata.name, /^neo4j-password-[0-9a-f]{10}$/);
            assert.notEqual(job(rotated).metadata.name, job(before1).metadata.name);
            const [container] = job(before1).spec.template.spec.containers;
            assert.deepEqual(container.env.slice(0, 2), [
                { name: "NEO4J_AUTH", valueFrom: { secretKeyRef: { name: "neo4j-auth", key: "NEO4J_AUTH" } } },
                {
                    name: "APPLIED_PASSWORD",
                    valueFrom: { secretKeyRef: { name: "neo4j-auth-applied", key: "password", optional: true } },
                },
            ]);
            const rotation = resource(before1, JOB, "neo4j-password-rotation-job");
            const release = resource(before1, "kubernetes:helm.sh/v3:Release", "neo4j-release");
            assert.ok(rotation.dependencies.includes(release.urn), "runs once Neo4j is up");
            const applied = resource(before1, "kubernetes:core/v1:Secret", "neo4j-auth-applied");
            assert.ok(applied.dependencies.includes(rotation.urn), "the record moves only after the Job");
            // The store admits the Job, and the Job may reach only DNS and the bolt port.
            const netpol = inputsOf(resource(before1, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "neo4j-netpol"));
            assert.match(netpol.metadata.annotations["estate.io/allowed-clients"], /neo4j-password-rotation/);
        });

        it("hands CloudNativePG the new password in the Secret it reconciles the owner's password from", () => {
            const password = (c: ProgramCapture) =>
                inputsOf(resource(c, "kubernetes:core/v1:Secret", "postgres-credentials")).stringData.password;
            assert.notEqual(password(rotated), password(before1));
            const cluster = inputsOf(resource(rotated, "kubernetes:postgresql.cnpg.io/v1:Cluster", "postgres-cluster"));
            assert.deepEqual(cluster.spec.bootstrap.initdb.secret, { name: "postgres-app-credentials" });
        });

        it("rolls the services only after the stores applied the new credentials", () => {
            const api = resource(rotated, DEPLOYMENT, "api-deployment").dependencies;
            assert.ok(
                api.includes(resource(rotated, JOB, "neo4j-password-rotation-job").urn),
                "after Neo4j's rotation",
            );
            assert.ok(api.includes(resource(rotated, STS, "redis-statefulset").urn), "after Redis restarted");
            assert.ok(
                api.includes(resource(rotated, "kubernetes:postgresql.cnpg.io/v1:Cluster", "postgres-cluster").urn),
                "after CloudNativePG took the new password",
            );
        });
    });
}
