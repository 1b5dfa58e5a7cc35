// The backups as the real program declares them, per stack and platform, and what the policy
// pack says when config switches encryption or the drill off.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { ProgramCapture } from "../../tools/lib/mock-run";
import { allPolicies } from "../../policies/catalog";
import { kubernetesManifest } from "../../tools/lib/plan-artefacts";
import { validateKubernetesObject } from "../support/kubernetes-schema";
import { inputsOf, outputsOf, plan, resource, syncedSecret } from "../support/program";
import { runPolicy } from "../support/policy-cli";

const retention = { staging: 14, prod: 35 } as const;
const recipients = {
    staging: "age102ugtmc9c7xjk75p0sfhfaqc5t5krv54fel8wqdjzeqag5y0aqtstpuull",
    prod: "age1rpumrhk5y0l252r20c3tr6cxdmqyw54mwz4mz3wkz30nls22udrqxmvtsd",
} as const;

/** Every store's backup and drill, the same on both platforms. */
const STORE_SCHEDULES = {
    postgres: { "pg-backup-estate": "15 2 * * *", "pg-restore-drill": "30 4 1 * *" },
    redis: { "redis-backup": "15 2 * * *", "redis-restore-drill": "30 4 1 * *" },
    neo4j: { "neo4j-backup": "15 2 * * *", "neo4j-restore-drill": "30 4 1 * *" },
} as const;
const SCHEDULES: Record<string, string> = Object.assign({}, ...Object.values(STORE_SCHEDULES));

type Env = Array<{ name: string; value?: string; valueFrom?: unknown; secretRef?: string }>;
const envOf = (e: Env) => Object.fromEntries(e.map((x) => [x.name, x.value ?? x.valueFrom ?? x.secretRef]));

for (const stack of ["staging", "prod"] as const) {
    describe(`backups in the kubernetes plan (${stack})`, () => {
        let capture: ProgramCapture;
        before(async () => {
            capture = await plan(stack, { platform: "kubernetes" });
        });

        it("declares each store's backup and the drill under the backups component, on the exact schedules", () => {
            const parent = resource(capture, "estate:backup:KubernetesBackups", "backups").urn;
            const crons = capture.resources.filter((r) => r.type === "kubernetes:batch/v1:CronJob");
            assert.deepEqual(
                Object.fromEntries(crons.map((r) => [inputsOf(r).metadata.name, inputsOf(r).spec.schedule])),
                SCHEDULES,
            );
            for (const r of crons) assert.equal(r.parent, parent, r.name);
        });

        it("enables APOC core in the Neo4j release, which the online export needs", () => {
            const release = inputsOf(resource(capture, "kubernetes:helm.sh/v3:Release", "neo4j-release"));
            assert.deepEqual(release.values.env, { NEO4J_PLUGINS: '["apoc"]' });
        });

        it("keeps the bucket for the stack's retention, protected in prod", () => {
            const bucket = resource(capture, "gcp:storage/bucket:Bucket", "backups-bucket");
            const b = inputsOf(bucket);
            assert.equal(b.name, `acme-estate-${stack}-estate-${stack}-backups`);
            assert.equal(b.retentionPolicy.retentionPeriod, String(retention[stack] * 86400));
            assert.deepEqual(b.lifecycleRules, [
                { action: { type: "Delete" }, condition: { age: retention[stack] + 1 } },
            ]);
            assert.equal(bucket.options.protect, stack === "prod");
            assert.equal(bucket.options.retainOnDelete, stack === "prod");
        });

        it("reads every credential by reference from the store and encrypts to the stack's key", () => {
            const pod = inputsOf(resource(capture, "kubernetes:batch/v1:CronJob", "pg-backup-estate-cronjob")).spec
                .jobTemplate.spec.template;
            const env = envOf(pod.spec.containers[0].env);
            assert.equal(env.BACKUP_AGE_RECIPIENT, recipients[stack]);
            for (const [name, key] of [
                ["PGHOST", "db-host"],
                ["PGPORT", "db-port"],
                ["PGDATABASE", "db-name"],
                ["PGUSER", "db-user"],
                ["PGPASSWORD", "db-password"],
            ]) {
                assert.deepEqual(env[name], { secretKeyRef: { name: syncedSecret(capture), key } }, name);
            }
            const drill = inputsOf(resource(capture, "kubernetes:batch/v1:CronJob", "pg-restore-drill-cronjob")).spec
                .jobTemplate.spec.template;
            assert.deepEqual(drill.spec.volumes.at(-1).secret.items, [
                { key: "backup-age-identity", path: "identity.txt" },
            ]);
            // No credential literal anywhere in the backup objects.
            const text = JSON.stringify(
                capture.resources.filter((r) => r.parent?.includes("KubernetesBackups")).map((r) => r.inputs),
            );
            assert.doesNotMatch(text, /offline-(generated|placeholder)/);
        });

        it("declares objects the Kubernetes schema accepts", () => {
            const mine = capture.resources.filter(
                (r) => r.parent === resource(capture, "estate:backup:KubernetesBackups", "backups").urn,
            );
            const manifests = mine.flatMap((r) => (kubernetesManifest(r) ? [kubernetesManifest(r)!] : []));
            assert.ok(manifests.length >= 10, `only ${manifests.length} manifests`);
            for (const m of manifests) assert.equal(validateKubernetesObject(m), "valid", String(m.kind));
        });

        it("exports the storage and schedules in the outputs contract", () => {
            const outputs = outputsOf(capture);
            assert.deepEqual(outputs.backups, {
                storageName: `acme-estate-${stack}-estate-${stack}-backups`,
                storageUrl: `gs://acme-estate-${stack}-estate-${stack}-backups`,
                schedules: SCHEDULES,
                storeSchedules: STORE_SCHEDULES,
                drillSchedule: "30 4 1 * *",
            });
        });
    });

    describe(`backups in the azure plan (${stack})`, () => {
        let capture: ProgramCapture;
        before(async () => {
            capture = await plan(stack, { platform: "azure" });
        });

        it("declares scheduled jobs under the backups component and an immutable container", () => {
            const parent = resource(capture, "estate:backup:AzureBackups", "backups").urn;
            const jobs = capture.resources.filter((r) => r.type === "azure-native:app:Job" && r.parent === parent);
            assert.deepEqual(
                Object.fromEntries(
                    jobs.map((r) => [
                        inputsOf(r).jobName,
                        inputsOf(r).configuration.scheduleTriggerConfig.cronExpression,
                    ]),
                ),
                SCHEDULES,
            );
            assert.deepEqual(outputsOf(capture).backups.storeSchedules, STORE_SCHEDULES);
            assert.equal(
                inputsOf(
                    resource(capture, "azure-native:storage:BlobContainerImmutabilityPolicy", "backups-immutability"),
                ).immutabilityPeriodSinceCreationInDays,
                retention[stack],
            );
            const account = resource(capture, "azure-native:storage:StorageAccount", "backups-account");
            // Storage account names are global: a readable prefix and a hash of project, stack and domain.
            assert.match(inputsOf(account).accountName, new RegExp(`^${stack}backups[0-9a-f]+$`));
            assert.ok(inputsOf(account).accountName.length <= 24);
            assert.equal(account.options.protect, stack === "prod");
            const envOfJob = (name: string) =>
                envOf(inputsOf(jobs.find((j) => inputsOf(j).jobName === name)!).template.containers[0].env);
            const env = envOfJob("pg-backup-estate");
            assert.equal(env.BACKUP_AGE_RECIPIENT, recipients[stack]);
            assert.equal(env.PGPASSWORD, "db-password");
            // Redis and Neo4j connect with the same Key Vault secrets the services use.
            assert.equal(envOfJob("redis-backup").REDIS_URL, "redis-url");
            assert.equal(envOfJob("redis-backup").BACKUP_AGE_RECIPIENT, recipients[stack]);
            assert.equal(envOfJob("neo4j-backup").NEO4J_PASSWORD, "neo4j-password");
            const graph = inputsOf(resource(capture, "azure-native:compute:VirtualMachine", "neo4j-vm"));
            const cloudInit = Buffer.from(graph.osProfile.customData as string, "base64").toString("utf8");
            assert.match(cloudInit, /labs\/apoc-\*-core\.jar/, "APOC core for the export");
        });
    });
}

describe("switching backups off through config", () => {
    const policy = async (...config: string[]) => {
        const result = runPolicy("prod", config);
        return { code: result.status, stdout: result.stdout };
    };

    it("passes with the stack's own config", async () => {
        assert.equal((await policy()).code, 0);
    });

    it("refuses unencrypted backups: npm run policy exits 2", async () => {
        const { code, stdout } = await policy("backupEncryption=false");
        assert.equal(code, 2);
        assert.match(
            stdout,
            /backups-encrypted {2}\(urn:pulumi:prod::estate::\S*estate:backup:KubernetesBackups\$kubernetes:batch\/v1:CronJob::pg-backup-estate-cronjob\)\n {10}Set BACKUP_AGE_RECIPIENT on container "backup" to an age public key/,
        );
        // Every policy of the pack ran, however many it has today.
        assert.match(
            stdout,
            new RegExp(
                `Stack prod: ${allPolicies.length} policies over \\d+ resources in \\d+ ms: 3 mandatory, 0 advisory violations\\.`,
            ),
        );
    });

    it("refuses a stack without a restore drill: npm run policy exits 2", async () => {
        const { code, stdout } = await policy("restoreDrillEnabled=false");
        assert.equal(code, 2);
        assert.match(
            stdout,
            /restore-drill-scheduled {2}\(stack\)\n {10}No restore drill covers Cluster "postgres-cluster"/,
        );
        assert.match(stdout, /: 1 mandatory, 0 advisory violations\./);
    });
});
