import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesPostgres, type KubernetesPostgresArgs } from "../../components/data/kubernetes/postgres";
import { runComponents } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";

/** PostgreSQL the way the Kubernetes platform declares it for prod; each test changes one thing. */
function args(overrides: Partial<KubernetesPostgresArgs> = {}): KubernetesPostgresArgs {
    return {
        version: "16",
        databaseName: "estate",
        owner: "estate",
        ownerPassword: pulumi.secret("s3cret"),
        storageGb: 32,
        highAvailability: true,
        readReplicas: 1,
        backupRetentionDays: 35,
        clients: ["api", "worker"],
        jobClients: ["api-migrate"],
        protect: true,
        namespace: "estate",
        installOperator: true,
        strictZoneSpread: false,
        gcpProject: "acme-estate-prod",
        monitoringNamespace: "monitoring",
        ...overrides,
    };
}

async function declare(overrides: Partial<KubernetesPostgresArgs> = {}) {
    let pg!: KubernetesPostgres;
    const capture = await runComponents(() => {
        pg = new KubernetesPostgres("postgres", args(overrides));
    });
    const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
    return {
        capture,
        hosts: [await value(pg.host), await value(pg.readHost)],
        url: await value(pg.databaseUrl),
        types: capture.resources.filter((r) => r.custom).map((r) => `${r.type} ${r.name}`),
    };
}

function refusal(overrides: Partial<KubernetesPostgresArgs>): Promise<string> {
    let message = "";
    return runComponents(() => {
        try {
            new KubernetesPostgres("postgres", args(overrides));
        } catch (error) {
            assert.ok(error instanceof pulumi.ResourceError, String(error));
            message = error.message;
        }
    }).then(() => message);
}

const CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";

describe("KubernetesPostgres (component)", () => {
    it("declares the operator, the plugin, the bucket and its writer, the Cluster, backups, network policy and monitor", async () => {
        assert.deepEqual((await declare()).types.sort(), [
            "gcp:serviceaccount/account:Account postgres-backup-writer",
            "gcp:serviceaccount/iAMMember:IAMMember postgres-workload-identity",
            "gcp:storage/bucket:Bucket postgres-backups",
            "gcp:storage/bucketIAMMember:BucketIAMMember postgres-backup-writer-access",
            "kubernetes:barmancloud.cnpg.io/v1:ObjectStore postgres-object-store",
            "kubernetes:core/v1:Secret postgres-credentials",
            "kubernetes:helm.sh/v3:Release postgres-barman-cloud",
            "kubernetes:helm.sh/v3:Release postgres-operator",
            "kubernetes:monitoring.coreos.com/v1:PodMonitor postgres-podmonitor",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy postgres-netpol",
            "kubernetes:postgresql.cnpg.io/v1:Cluster postgres-cluster",
            "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup postgres-scheduled-backup",
        ]);
    });

    it("runs a primary, a synchronous standby and the read replica, protected and awaited until Ready", async () => {
        const { capture } = await declare();
        const cluster = resource(capture, CLUSTER, "postgres-cluster");
        const spec = inputsOf(cluster).spec;
        assert.equal(spec.instances, 3);
        assert.equal(inputsOf(cluster).metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
        assert.deepEqual([cluster.options.protect, cluster.options.retainOnDelete], [true, true]);
        const single = inputsOf(
            resource(
                (await declare({ highAvailability: false, readReplicas: 0 })).capture,
                CLUSTER,
                "postgres-cluster",
            ),
        );
        assert.equal(single.spec.instances, 1);
    });

    it("keeps the WAL archive as long as the PITR window, in the bucket it declares", async () => {
        const { capture } = await declare();
        const store = inputsOf(
            resource(capture, "kubernetes:barmancloud.cnpg.io/v1:ObjectStore", "postgres-object-store"),
        );
        assert.equal(store.spec.retentionPolicy, "35d");
        assert.equal(
            inputsOf(resource(capture, "gcp:storage/bucket:Bucket", "postgres-backups")).name,
            "acme-estate-prod-postgres-backups",
        );
    });

    it("leaves the operator out when the cluster already runs it", async () => {
        const { types } = await declare({ installOperator: false });
        assert.equal(types.filter((t) => t.startsWith("kubernetes:helm.sh/v3:Release")).length, 0);
    });

    it("answers on the rw service, reads from ro only when there are standbys, with TLS required in the URL", async () => {
        const ha = await declare();
        assert.deepEqual(ha.hosts, ["postgres-rw.estate.svc.cluster.local", "postgres-ro.estate.svc.cluster.local"]);
        assert.equal(
            ha.url,
            "postgresql://estate:s3cret@postgres-rw.estate.svc.cluster.local:5432/estate?sslmode=require",
        );
        const single = await declare({ highAvailability: false, readReplicas: 0 });
        assert.deepEqual(single.hosts, [
            "postgres-rw.estate.svc.cluster.local",
            "postgres-rw.estate.svc.cluster.local",
        ]);
    });

    it("refuses an unknown major and a PITR window outside the runbook's bounds, naming the field", async () => {
        assert.equal(await refusal({ version: "12" }), '`version` must be one of 15, 16, 17, got "12"');
        assert.equal(
            await refusal({ backupRetentionDays: 3 }),
            "`backupRetentionDays` must be 7–35 days (runbook 000: PITR active), got 3",
        );
    });
});
