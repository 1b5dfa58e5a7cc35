// The backup components standalone, under Pulumi mocks, with explicit args.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { AzureBackups } from "../../components/backup/azure/backups";
import type { BackupsArgs } from "../../components/backup/backups";
import { KubernetesBackups } from "../../components/backup/kubernetes/backups";
import { readBackupScripts } from "../../components/backup/scripts";
import type { SecretRef } from "../../components/workload/service";
import { runComponents, type ProgramCapture } from "../../tools/lib/mock-run";
import { kubernetesManifest } from "../../tools/lib/plan-artefacts";
import { validateKubernetesObject } from "../support/kubernetes-schema";
import { inputsOf, resource, resourcesOfType } from "../support/program";

const RECIPIENT = "age1rpumrhk5y0l252r20c3tr6cxdmqyw54mwz4mz3wkz30nls22udrqxmvtsd";
const k8sRef = (key: string): SecretRef => ({ kind: "kubernetes-secret", secretName: "app-secrets-synced", key });
const kvRef = (name: string): SecretRef => ({
    kind: "key-vault",
    secretUri: `https://estate-kv.vault.azure.net/secrets/${name}`,
    identityId: "/subscriptions/s/identity",
    name,
});

function args(ref: (id: string) => SecretRef, overrides: Partial<BackupsArgs> = {}): BackupsArgs {
    return {
        postgres: {
            databases: ["estate", "audit_log"],
            env: { PGSSLMODE: "require" },
            secretEnv: {
                PGHOST: ref("db-host"),
                PGPORT: ref("db-port"),
                PGDATABASE: ref("db-name"),
                PGUSER: ref("db-user"),
                PGPASSWORD: ref("db-password"),
            },
        },
        redis: { secretEnv: { REDIS_URL: ref("redis-url") } },
        neo4j: {
            secretEnv: {
                NEO4J_URI: ref("neo4j-uri"),
                NEO4J_USERNAME: ref("neo4j-user"),
                NEO4J_PASSWORD: ref("neo4j-password"),
            },
        },
        schedule: "15 2 * * *",
        retentionDays: 35,
        ageRecipient: RECIPIENT,
        restoreDrill: { enabled: true, schedule: "30 4 1 * *", ageIdentity: ref("backup-age-identity") },
        image: `ghcr.io/acme/estate-backup@sha256:${"4b".repeat(32)}`,
        scripts: readBackupScripts(),
        env: { ENVIRONMENT: "prod" },
        protect: true,
        ...overrides,
    };
}

const STORE_SCHEDULES = {
    postgres: {
        "pg-backup-estate": "15 2 * * *",
        "pg-backup-audit-log": "15 2 * * *",
        "pg-restore-drill": "30 4 1 * *",
    },
    redis: { "redis-backup": "15 2 * * *", "redis-restore-drill": "30 4 1 * *" },
    neo4j: { "neo4j-backup": "15 2 * * *", "neo4j-restore-drill": "30 4 1 * *" },
};

function resolve<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((r) => o.apply(r));
}

type Env = Array<{
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef: { name: string; key: string } };
    secretRef?: string;
}>;
const env = (e: Env) => Object.fromEntries(e.map((x) => [x.name, x.value ?? x.valueFrom ?? x.secretRef]));

async function k8s(overrides: Partial<BackupsArgs> = {}, monitoringNamespace = "monitoring") {
    let outputs!: KubernetesBackups;
    const capture = await runComponents(() => {
        outputs = new KubernetesBackups("backups", {
            ...args(k8sRef, overrides),
            namespace: "estate",
            gcpProject: "acme-estate-prod",
            bucketName: "acme-estate-prod-estate-prod-backups",
            monitoringNamespace,
        });
    });
    return { capture, outputs };
}

const cron = (c: ProgramCapture, name: string) =>
    inputsOf(resource(c, "kubernetes:batch/v1:CronJob", `${name}-cronjob`));
const podOf = (c: ProgramCapture, name: string) => cron(c, name).spec.jobTemplate.spec.template;

describe("backups on kubernetes (component)", () => {
    it("keeps artefacts in a private GCS bucket with a retention lock and a lifecycle rule, protected", async () => {
        const { capture, outputs } = await k8s();
        const bucket = resource(capture, "gcp:storage/bucket:Bucket", "backups-bucket");
        assert.deepEqual(inputsOf(bucket), {
            name: "acme-estate-prod-estate-prod-backups",
            project: "acme-estate-prod",
            location: "EU",
            storageClass: "STANDARD",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            retentionPolicy: { retentionPeriod: String(35 * 86400), isLocked: false },
            lifecycleRules: [{ action: { type: "Delete" }, condition: { age: 36 } }],
            forceDestroy: false,
            labels: { "estate-component": "backup" },
        });
        assert.equal(bucket.options.protect, true);
        assert.equal(bucket.options.retainOnDelete, true);
        assert.equal(await resolve(outputs.storageUrl), "gs://acme-estate-prod-estate-prod-backups");
    });

    it("grants the jobs' GCP account object create and read on the bucket through Workload Identity", async () => {
        const { capture } = await k8s();
        const roles = capture.resources
            .filter((r) => r.type === "gcp:storage/bucketIAMMember:BucketIAMMember")
            .map((r) => inputsOf(r));
        assert.deepEqual(
            roles.map((r) => [r.role, r.member]),
            [
                ["roles/storage.objectCreator", "serviceAccount:backups-jobs@acme-estate-prod.iam.gserviceaccount.com"],
                ["roles/storage.objectViewer", "serviceAccount:backups-jobs@acme-estate-prod.iam.gserviceaccount.com"],
            ],
        );
        const ksa = inputsOf(resource(capture, "kubernetes:core/v1:ServiceAccount", "backups-ksa"));
        assert.equal(
            ksa.metadata.annotations["iam.gke.io/gcp-service-account"],
            "backups-jobs@acme-estate-prod.iam.gserviceaccount.com",
        );
        assert.equal(ksa.automountServiceAccountToken, false);
        const wi = inputsOf(resource(capture, "gcp:serviceaccount/iAMMember:IAMMember", "backups-workload-identity"));
        assert.deepEqual(
            [wi.role, wi.member],
            ["roles/iam.workloadIdentityUser", "serviceAccount:acme-estate-prod.svc.id.goog[estate/backups]"],
        );
    });

    it("mounts the repository's script files from a ConfigMap", async () => {
        const { capture } = await k8s();
        assert.deepEqual(
            inputsOf(resource(capture, "kubernetes:core/v1:ConfigMap", "backups-scripts")).data,
            readBackupScripts(),
        );
        const pod = podOf(capture, "pg-backup-estate");
        assert.deepEqual(pod.spec.containers[0].command, ["bash", "/opt/estate/backup/pg-backup.sh"]);
        assert.deepEqual(pod.spec.volumes[0], {
            name: "scripts",
            configMap: { name: "backups-scripts", defaultMode: 0o444 },
        });
    });

    it("schedules one daily dump per database, the Redis snapshot, the Neo4j export and a monthly drill of each store", async () => {
        const { capture, outputs } = await k8s();
        const schedules = Object.fromEntries(
            capture.resources
                .filter((r) => r.type === "kubernetes:batch/v1:CronJob")
                .map((r) => [inputsOf(r).metadata.name, inputsOf(r).spec.schedule]),
        );
        const expected = {
            "pg-backup-estate": "15 2 * * *",
            "pg-backup-audit-log": "15 2 * * *",
            "pg-restore-drill": "30 4 1 * *",
            "redis-backup": "15 2 * * *",
            "redis-restore-drill": "30 4 1 * *",
            "neo4j-backup": "15 2 * * *",
            "neo4j-restore-drill": "30 4 1 * *",
        };
        assert.deepEqual(schedules, expected);
        assert.deepEqual(await resolve(outputs.schedules), expected);
        assert.deepEqual(await resolve(outputs.storeSchedules), STORE_SCHEDULES);
        assert.equal(await resolve(outputs.drillSchedule), "30 4 1 * *");
        for (const name of Object.keys(expected)) {
            const spec = cron(capture, name).spec;
            assert.equal(spec.concurrencyPolicy, "Forbid", name);
            assert.equal(spec.timeZone, "Etc/UTC", name);
        }
    });

    it("runs every job pod restricted, labelled as a job, with credentials by reference and the encryption key", async () => {
        const { capture } = await k8s();
        for (const name of ["pg-backup-estate", "redis-backup", "neo4j-backup", "pg-restore-drill"]) {
            const pod = podOf(capture, name);
            assert.equal(pod.metadata.labels["estate.io/tier"], "job");
            assert.equal(pod.metadata.labels["app.kubernetes.io/component"], "job");
            assert.equal(pod.metadata.labels["app.kubernetes.io/name"], name);
            assert.equal(pod.spec.automountServiceAccountToken, false);
            assert.equal(pod.spec.serviceAccountName, "backups");
            assert.deepEqual(pod.spec.securityContext, {
                runAsNonRoot: true,
                runAsUser: 10001,
                runAsGroup: 10001,
                fsGroup: 10001,
                seccompProfile: { type: "RuntimeDefault" },
            });
            assert.deepEqual(pod.spec.containers[0].securityContext, {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
            });
            for (const e of pod.spec.containers[0].env as Env) {
                assert.ok(
                    !/PASSWORD|AUTH$|IDENTITY$/.test(e.name) || e.value === undefined,
                    `${name}.${e.name} is a literal`,
                );
            }
        }
        const pg = env(podOf(capture, "pg-backup-audit-log").spec.containers[0].env);
        assert.equal(pg.PGDATABASES, "audit_log");
        assert.equal(pg.ENVIRONMENT, "prod");
        assert.equal(pg.BACKUP_AGE_RECIPIENT, RECIPIENT);
        assert.equal(pg.BACKUP_DEST, "gs://acme-estate-prod-estate-prod-backups");
        assert.equal(pg.PUSHGATEWAY_URL, "http://prometheus-pushgateway.monitoring.svc.cluster.local:9091");
        assert.deepEqual(pg.PGPASSWORD, { secretKeyRef: { name: "app-secrets-synced", key: "db-password" } });
        assert.deepEqual(env(podOf(capture, "redis-backup").spec.containers[0].env).REDIS_URL, {
            secretKeyRef: { name: "app-secrets-synced", key: "redis-url" },
        });
        assert.deepEqual(env(podOf(capture, "neo4j-backup").spec.containers[0].env).NEO4J_PASSWORD, {
            secretKeyRef: { name: "app-secrets-synced", key: "neo4j-password" },
        });
    });

    it("lets each backup reach only its store, and the Redis and Neo4j drills no store at all", async () => {
        const { capture } = await k8s();
        const peers = (job: string) =>
            inputsOf(resource(capture, "kubernetes:networking.k8s.io/v1:NetworkPolicy", `${job}-netpol`))
                .spec.egress.flatMap(
                    (rule: { to?: Array<{ podSelector?: { matchLabels: Record<string, string> } }> }) =>
                        (rule.to ?? []).flatMap((peer) =>
                            peer.podSelector ? [peer.podSelector.matchLabels["app.kubernetes.io/name"]] : [],
                        ),
                )
                .filter((name: string | undefined) => name !== undefined); // the DNS rule selects kube-dns by another label
        assert.deepEqual(peers("redis-backup"), ["redis"]);
        assert.deepEqual(peers("neo4j-backup"), ["neo4j"]);
        assert.deepEqual(peers("pg-restore-drill"), ["postgres"]);
        assert.deepEqual(peers("redis-restore-drill"), []);
        assert.deepEqual(peers("neo4j-restore-drill"), []);
        assert.deepEqual(podOf(capture, "neo4j-restore-drill").spec.containers[0].resources, {
            requests: { cpu: "1", memory: "2Gi" },
            limits: { cpu: "2", memory: "4Gi" },
        });
    });

    it("pushes to the Pushgateway in the monitoring namespace it is given, and lets only that egress through", async () => {
        const { capture } = await k8s({}, "observability");
        const pg = env(podOf(capture, "pg-backup-audit-log").spec.containers[0].env);
        assert.equal(pg.PUSHGATEWAY_URL, "http://prometheus-pushgateway.observability.svc.cluster.local:9091");
        type Peer = { namespaceSelector?: { matchLabels?: Record<string, string> } };
        const netpol = inputsOf(
            resource(capture, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "redis-backup-netpol"),
        );
        const namespaces = (netpol.spec.egress as Array<{ to?: Peer[] }>).flatMap((rule) =>
            (rule.to ?? []).flatMap(
                (peer) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] ?? [],
            ),
        );
        assert.deepEqual(namespaces, ["observability"]);
    });

    it("gives the drill the age identity as a file from the Secret, and every database to check", async () => {
        const { capture } = await k8s();
        const pod = podOf(capture, "pg-restore-drill");
        const drillEnv = env(pod.spec.containers[0].env);
        assert.equal(drillEnv.BACKUP_AGE_IDENTITY_FILE, "/var/run/secrets/estate-age/identity.txt");
        assert.equal(drillEnv.PGDATABASES, "estate audit_log");
        assert.equal(drillEnv.BACKUP_AGE_RECIPIENT, undefined);
        assert.deepEqual(pod.spec.volumes.at(-1), {
            name: "age-identity",
            secret: {
                secretName: "app-secrets-synced",
                items: [{ key: "backup-age-identity", path: "identity.txt" }],
                defaultMode: 0o400,
            },
        });
        assert.equal(pod.metadata.labels["estate.io/job"], "restore-drill");
    });

    it("installs a persistent Pushgateway from a pinned chart, scraped with honor_labels by the release's Prometheus", async () => {
        const { capture } = await k8s();
        const release = inputsOf(resource(capture, "kubernetes:helm.sh/v3:Release", "backups-pushgateway"));
        assert.deepEqual(
            [release.name, release.chart, release.version, release.namespace],
            ["prometheus-pushgateway", "prometheus-pushgateway", "3.2.0", "monitoring"],
        );
        assert.deepEqual(release.values.serviceMonitor, {
            enabled: true,
            namespace: "monitoring",
            honorLabels: true,
            additionalLabels: { release: "kube-prometheus-stack" },
        });
        assert.deepEqual(release.values.extraArgs, [
            "--persistence.file=/data/pushgateway.data",
            "--persistence.interval=1m",
        ]);
        // The jobs push to that release's Service.
        assert.equal(
            env(podOf(capture, "pg-backup-estate").spec.containers[0].env).PUSHGATEWAY_URL,
            "http://prometheus-pushgateway.monitoring.svc.cluster.local:9091",
        );
    });

    it("declares objects the Kubernetes schema accepts", async () => {
        const { capture } = await k8s();
        const manifests = capture.resources.flatMap((r) => (kubernetesManifest(r) ? [kubernetesManifest(r)!] : []));
        // ServiceAccount, ConfigMap, and a CronJob plus a NetworkPolicy per job (7).
        assert.equal(manifests.length, 16);
        for (const m of manifests) assert.equal(validateKubernetesObject(m), "valid", `${String(m.kind)}`);
    });

    it("drops the recipient when encryption is off, and the drill when it is disabled", async () => {
        const { capture, outputs } = await k8s({
            ageRecipient: undefined,
            restoreDrill: { enabled: false, schedule: "30 4 1 * *" },
        });
        assert.equal(env(podOf(capture, "pg-backup-estate").spec.containers[0].env).BACKUP_AGE_RECIPIENT, undefined);
        assert.equal(capture.resources.filter((r) => r.name === "pg-restore-drill-cronjob").length, 0);
        assert.equal(await resolve(outputs.drillSchedule), undefined);
    });

    it("refuses an enabled drill without the age identity that decrypts the backup, on the component", async () => {
        let refusal: unknown;
        // Caught inside the program: a throw escaping it surfaces as an unhandled rejection, not here.
        await runComponents(() => {
            try {
                new KubernetesBackups("backups", {
                    ...args(k8sRef, { restoreDrill: { enabled: true, schedule: "30 4 1 * *" } }),
                    namespace: "estate",
                    gcpProject: "acme-estate-prod",
                    bucketName: "acme-estate-prod-estate-prod-backups",
                    monitoringNamespace: "monitoring",
                });
            } catch (error) {
                refusal = error;
            }
        });
        assert.ok(refusal instanceof pulumi.ResourceError, "a ResourceError, so the CLI names the resource");
        assert.equal(
            refusal.message,
            "`restoreDrill.ageIdentity` is required while the drill is enabled: it decrypts the backup",
        );
        const owner = refusal.resource!;
        const urn = await new Promise<string>((resolve) => owner.urn.apply(resolve));
        assert.match(urn, /[:$]estate:backup:KubernetesBackups::backups$/);
    });
});

/** What each job asked the platform to grant: job name → env var → secret. */
type Grants = Record<string, Record<string, string>>;

async function azure(overrides: Partial<BackupsArgs> = {}) {
    let outputs!: AzureBackups;
    const grants: Grants = {};
    const capture = await runComponents(() => {
        outputs = new AzureBackups("backups", {
            ...args(kvRef, overrides),
            resourceGroupName: "estate-rg",
            location: "westeurope",
            subscriptionId: "00000000-0000-0000-0000-000000000002",
            accountName: "estateprodbackups",
            environmentId: "/subscriptions/s/managedEnvironments/estate",
            workspaceId: "/subscriptions/s/workspaces/estate-logs",
            allowedSubnetId: "/subscriptions/s/subnets/apps",
            // The platform's binder, reduced to its contract: refs rebound to the job's identity.
            bindSecrets: (workload, identity, secretEnv) => {
                grants[workload] = Object.fromEntries(
                    Object.entries(secretEnv).map(([envName, ref]) => [envName, (ref as { name: string }).name]),
                );
                return {
                    secretEnv: Object.fromEntries(
                        Object.entries(secretEnv).map(([envName, ref]) => [
                            envName,
                            { ...ref, identityId: identity.id },
                        ]),
                    ) as Record<string, SecretRef>,
                    readiness: [],
                };
            },
        });
    });
    return { capture, outputs, grants };
}

const acaJob = (c: ProgramCapture, name: string) => inputsOf(resource(c, "azure-native:app:Job", `${name}-job`));

describe("backups on azure (component)", () => {
    it("keeps artefacts in a storage account without public or key access, under immutability and lifecycle", async () => {
        const { capture, outputs } = await azure();
        const account = resource(capture, "azure-native:storage:StorageAccount", "backups-account");
        const a = inputsOf(account);
        assert.deepEqual(
            [
                a.allowBlobPublicAccess,
                a.enableHttpsTrafficOnly,
                a.minimumTlsVersion,
                a.allowSharedKeyAccess,
                a.defaultToOAuthAuthentication,
            ],
            [false, true, "TLS1_2", false, true],
        );
        assert.deepEqual([account.options.protect, account.options.retainOnDelete], [true, true]);
        assert.equal(
            inputsOf(resource(capture, "azure-native:storage:BlobContainer", "backups-container")).publicAccess,
            "None",
        );
        assert.equal(
            inputsOf(resource(capture, "azure-native:storage:BlobServiceProperties", "backups-blob-service"))
                .isVersioningEnabled,
            true,
        );
        assert.equal(
            inputsOf(resource(capture, "azure-native:storage:BlobContainerImmutabilityPolicy", "backups-immutability"))
                .immutabilityPeriodSinceCreationInDays,
            35,
        );
        const rule = inputsOf(resource(capture, "azure-native:storage:ManagementPolicy", "backups-lifecycle")).policy
            .rules[0];
        assert.deepEqual(rule.definition.actions, {
            baseBlob: { delete: { daysAfterModificationGreaterThan: 35 } },
            version: { delete: { daysAfterCreationGreaterThan: 35 } },
        });
        assert.equal(await resolve(outputs.storageName), "estateprodbackups/backups");
        const role = inputsOf(
            resource(capture, "azure-native:authorization:RoleAssignment", "pg-backup-estate-blob-writer"),
        );
        assert.equal(
            role.roleDefinitionId,
            "/subscriptions/00000000-0000-0000-0000-000000000002/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        );
        assert.deepEqual(
            [role.principalId, role.scope],
            ["pg-backup-estate-identity-principal-id", "backups-container-id"],
        );
    });

    it("runs each job as an identity of its own; only the drills are granted the age identity", async () => {
        const { capture, grants } = await azure();
        const jobs = resourcesOfType(capture, "azure-native:app:Job");
        assert.ok(jobs.length >= 6);
        for (const r of jobs) {
            const job = inputsOf(r);
            const name = job.jobName as string;
            const identity = `${name}-identity-id`;
            assert.deepEqual(job.identity.userAssignedIdentities, [identity]);
            assert.equal(env(job.template.containers[0].env).AZURE_CLIENT_ID, `${name}-identity-client-id`);
            for (const s of job.configuration.secrets) assert.equal(s.identity, identity, `${name}: ${s.name}`);
            const writer = resource(capture, "azure-native:authorization:RoleAssignment", `${name}-blob-writer`);
            assert.ok(r.dependencies.includes(writer.urn), `${name} waits for its blob role`);
            const readsAgeIdentity = Object.values(grants[name] ?? {}).includes("backup-age-identity");
            assert.equal(readsAgeIdentity, job.tags["estate-job"] === "restore-drill", name);
        }
    });

    it("schedules Container Apps jobs that log in with the managed identity and read secrets from Key Vault", async () => {
        const { capture, outputs } = await azure();
        assert.deepEqual(await resolve(outputs.storeSchedules), STORE_SCHEDULES);
        assert.deepEqual(
            await resolve(outputs.schedules),
            Object.assign({}, ...Object.values(STORE_SCHEDULES)) as Record<string, string>,
        );
        const job = acaJob(capture, "pg-backup-estate");
        assert.equal(job.configuration.triggerType, "Schedule");
        assert.equal(job.configuration.scheduleTriggerConfig.cronExpression, "15 2 * * *");
        assert.deepEqual(job.tags, {
            "estate-tier": "job",
            "estate-component": "job",
            "estate-name": "pg-backup-estate",
            "estate-job": "backup",
            "estate-store": "postgres",
        });
        const [container] = job.template.containers;
        assert.deepEqual(container.command, [
            "bash",
            "-c",
            'az login --identity --client-id "$AZURE_CLIENT_ID" --output none && exec bash /opt/estate/backup/pg-backup.sh',
        ]);
        const e = env(container.env);
        assert.equal(e.BACKUP_DEST, "https://estateprodbackups.blob.core.windows.net/backups");
        assert.equal(e.BACKUP_AGE_RECIPIENT, RECIPIENT);
        assert.equal(e.PGPASSWORD, "db-password");
        for (const s of job.configuration.secrets)
            assert.deepEqual(Object.keys(s).sort(), ["identity", "keyVaultUrl", "name"]);
    });

    it("backs up Redis over rediss:// and Neo4j over Bolt from Key Vault references, and sizes the drills for their scratch servers", async () => {
        const { capture } = await azure();
        const redis = acaJob(capture, "redis-backup").template.containers[0];
        assert.equal(env(redis.env).REDIS_URL, "redis-url");
        assert.equal(env(redis.env).REDIS_NAME, "redis");
        assert.match(redis.command[2], /exec bash \/opt\/estate\/backup\/redis-backup\.sh$/);
        const neo4j = env(acaJob(capture, "neo4j-backup").template.containers[0].env);
        assert.deepEqual(
            [neo4j.NEO4J_URI, neo4j.NEO4J_USERNAME, neo4j.NEO4J_PASSWORD, neo4j.NEO4J_DATABASES],
            ["neo4j-uri", "neo4j-user", "neo4j-password", "neo4j"],
        );
        assert.deepEqual(acaJob(capture, "neo4j-restore-drill").template.containers[0].resources, {
            cpu: 1,
            memory: "2Gi",
        });
        assert.deepEqual(acaJob(capture, "redis-restore-drill").template.containers[0].resources, {
            cpu: 0.5,
            memory: "1Gi",
        });
        for (const drill of ["redis-restore-drill", "neo4j-restore-drill"]) {
            const job = acaJob(capture, drill);
            assert.equal(
                env(job.template.containers[0].env).BACKUP_AGE_IDENTITY_FILE,
                "/var/run/secrets/estate-age/identity.txt",
            );
            assert.equal(job.template.volumes[0].secrets[0].secretRef, "backup-age-identity", drill);
            assert.equal(job.configuration.replicaTimeout, 6 * 3600, drill);
        }
    });

    it("mounts the drill's age identity from a Key Vault secret as a file", async () => {
        const { capture } = await azure();
        const drill = acaJob(capture, "pg-restore-drill");
        assert.deepEqual(drill.template.volumes, [
            {
                name: "age-identity",
                storageType: "Secret",
                secrets: [{ secretRef: "backup-age-identity", path: "identity.txt" }],
            },
        ]);
        assert.ok(drill.configuration.secrets.some((s: { name: string }) => s.name === "backup-age-identity"));
        assert.equal(env(drill.template.containers[0].env).BACKUP_AGE_IDENTITY, undefined);
    });
});
