import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CapturedResource } from "../../tools/lib/analyzer";
import { Case, drop, estate, get, itReportsEachCase } from "./cases";
import { kept, res } from "./fixtures";
import { findings } from "./harness";

const CLUSTER = "postgresql.cnpg.io/v1:Cluster";
const cluster = (rs: CapturedResource[]) => get(rs, CLUSTER, "postgres");
const server = (rs: CapturedResource[]) => get(rs, "dbforpostgresql:Server", "db");
const cache = (rs: CapturedResource[]) => get(rs, "redis:Redis", "cache");

/** The CloudNativePG 1.26+ shape: WAL archived by the Barman Cloud plugin to an ObjectStore. */
function usePlugin(rs: CapturedResource[], store?: Record<string, unknown>): void {
    const spec = cluster(rs).spec;
    delete spec.backup;
    spec.plugins = [
        { name: "barman-cloud.cloudnative-pg.io", isWALArchiver: true, parameters: { barmanObjectName: "gcs" } },
    ];
    if (store) {
        rs.push(
            res("kubernetes:barmancloud.cnpg.io/v1:ObjectStore", "gcs", {
                apiVersion: "barmancloud.cnpg.io/v1",
                kind: "ObjectStore",
                metadata: { name: "gcs", namespace: "estate" },
                spec: store,
            }),
        );
    }
}

const backups: Case[] = [
    {
        name: "Flexible Server without a backup retention",
        mutate: (rs) => delete server(rs).backup.backupRetentionDays,
        expect: [
            [
                "data-backup-retention",
                'Set backup.backupRetentionDays on Flexible Server "db" to at least 7 (it is unset).',
            ],
        ],
    },
    {
        name: "Flexible Server keeping 5 days",
        mutate: (rs) => (server(rs).backup.backupRetentionDays = 5),
        expect: [
            [
                "data-backup-retention",
                'Set backup.backupRetentionDays on Flexible Server "db" to at least 7 (it is 5).',
            ],
        ],
    },
    {
        name: "CloudNativePG without a retention policy",
        mutate: (rs) => delete cluster(rs).spec.backup.retentionPolicy,
        expect: [
            [
                "data-backup-retention",
                'Set spec.backup.retentionPolicy of Cluster "postgres" to "7d" or more (it is unset).',
            ],
        ],
    },
    {
        name: "CloudNativePG keeping 3 days",
        mutate: (rs) => (cluster(rs).spec.backup.retentionPolicy = "3d"),
        expect: [
            [
                "data-backup-retention",
                'Set spec.backup.retentionPolicy of Cluster "postgres" to "7d" or more (it is "3d").',
            ],
        ],
    },
    {
        name: "CloudNativePG retention the operator cannot parse",
        mutate: (rs) => (cluster(rs).spec.backup.retentionPolicy = "two weeks"),
        expect: [
            [
                "data-backup-retention",
                'Set spec.backup.retentionPolicy of Cluster "postgres" to "7d" or more (it is "two weeks").',
            ],
        ],
    },
    {
        name: "CloudNativePG retention in weeks",
        mutate: (rs) => (cluster(rs).spec.backup.retentionPolicy = "1w"),
        expect: [],
    },
    {
        name: "CloudNativePG that archives no WAL",
        mutate: (rs) => delete cluster(rs).spec.backup.barmanObjectStore,
        expect: [
            [
                "data-backup-retention",
                'Cluster "postgres" archives no WAL: set spec.backup.barmanObjectStore.destinationPath (with credentials) or the barman-cloud.cloudnative-pg.io plugin, so point-in-time restore is possible.',
            ],
        ],
    },
    {
        name: "CloudNativePG archiving through the Barman Cloud plugin",
        mutate: (rs) =>
            usePlugin(rs, {
                configuration: { destinationPath: "gs://acme-estate-prod-pg/postgres" },
                retentionPolicy: "30d",
            }),
        expect: [],
    },
    {
        name: "Barman Cloud ObjectStore keeping 3 days",
        mutate: (rs) =>
            usePlugin(rs, {
                configuration: { destinationPath: "gs://acme-estate-prod-pg/postgres" },
                retentionPolicy: "3d",
            }),
        expect: [
            ["data-backup-retention", 'Set spec.retentionPolicy of ObjectStore "gcs" to "7d" or more (it is "3d").'],
        ],
    },
    {
        name: "Barman Cloud plugin pointing at an undeclared ObjectStore",
        mutate: (rs) => usePlugin(rs),
        expect: [
            [
                "data-backup-retention",
                'Cluster "postgres" archives WAL to ObjectStore "gcs", which this stack does not declare: add it (barmancloud.cnpg.io/v1) in namespace "estate".',
            ],
        ],
    },
    {
        name: "CloudNativePG without scheduled base backups",
        mutate: (rs) => drop(rs, "postgresql.cnpg.io/v1:ScheduledBackup", "postgres-daily"),
        expect: [
            [
                "data-backup-retention",
                'Cluster "postgres" has no base backups: add a postgresql.cnpg.io/v1 ScheduledBackup with spec.cluster.name "postgres".',
            ],
        ],
    },
    {
        name: "a ScheduledBackup of another cluster does not count",
        mutate: (rs) =>
            (get(rs, "postgresql.cnpg.io/v1:ScheduledBackup", "postgres-daily").spec.cluster.name = "analytics"),
        expect: [
            [
                "data-backup-retention",
                'Cluster "postgres" has no base backups: add a postgresql.cnpg.io/v1 ScheduledBackup with spec.cluster.name "postgres".',
            ],
        ],
    },
];

const replication: Case[] = [
    {
        name: "Flexible Server without a standby",
        mutate: (rs) => (server(rs).highAvailability.mode = "Disabled"),
        expect: [
            [
                "data-replication-prod",
                'Set highAvailability.mode: "ZoneRedundant" on this Flexible Server (it is "Disabled").',
            ],
        ],
    },
    {
        name: "Flexible Server with a standby in the same zone",
        mutate: (rs) => (server(rs).highAvailability.mode = "SameZone"),
        expect: [
            [
                "data-replication-prod",
                'Set highAvailability.mode: "ZoneRedundant" on this Flexible Server (it is "SameZone").',
            ],
        ],
    },
    {
        name: "Flexible Server with backups in one region",
        mutate: (rs) => (server(rs).backup.geoRedundantBackup = "Disabled"),
        expect: [
            [
                "data-replication-prod",
                'Set backup.geoRedundantBackup: "Enabled" on this Flexible Server (it can only be chosen at creation).',
            ],
        ],
    },
    {
        name: "read replicas follow their primary's backup and HA",
        mutate: (rs) =>
            rs.push(
                kept(
                    res("azure-native:dbforpostgresql:Server", "db-replica-1", {
                        resourceGroupName: "estate",
                        createMode: "Replica",
                        sourceServerResourceId: "/subscriptions/x/flexibleServers/db",
                        network: { publicNetworkAccess: "Disabled" },
                    }),
                ),
            ),
        expect: [],
    },
    {
        name: "CloudNativePG with a single instance",
        mutate: (rs) => (cluster(rs).spec.instances = 1),
        expect: [
            [
                "data-replication-prod",
                'Set spec.instances on Cluster "postgres" to at least 2 (it is 1), so a standby takes over when the primary fails.',
            ],
        ],
    },
    {
        name: "CloudNativePG with the operator's default of one instance",
        mutate: (rs) => delete cluster(rs).spec.instances,
        expect: [
            [
                "data-replication-prod",
                'Set spec.instances on Cluster "postgres" to at least 2 (it is 1), so a standby takes over when the primary fails.',
            ],
        ],
    },
    {
        name: "Basic Azure cache",
        mutate: (rs) => (cache(rs).sku.name = "Basic"),
        expect: [
            [
                "data-replication-prod",
                'Set sku.name to "Standard" or "Premium" on this cache: Basic is a single node with no replica.',
            ],
        ],
    },
];

// Every stateful resource of the compliant estate, and how the message names it.
const stateful: Array<[string, string, string]> = [
    [":StatefulSet", "postgres", "StatefulSet"],
    [CLUSTER, "postgres", "Cluster"],
    [":StatefulSet", "redis", "StatefulSet"],
    ["helm.sh/v3:Release", "neo4j", 'Helm release of chart "neo4j"'],
    ["core/v1:PersistentVolumeClaim", "ollama-models", "PersistentVolumeClaim"],
    ["storage/bucket:Bucket", "pg-backups", "Bucket"],
    ["storage/bucket:Bucket", "backups", "Bucket"],
    ["storage:StorageAccount", "backups", "StorageAccount"],
    ["storage:BlobContainer", "backups", "BlobContainer"],
    ["dbforpostgresql:Server", "db", "Server"],
    ["redis:Redis", "cache", "Redis"],
    ["storage:StorageAccount", "neo4jdata", "StorageAccount"],
    ["storage:FileShare", "neo4j-data", "FileShare"],
    ["secretmanager/secret:Secret", "jwt-secret", "Secret"],
];

describe("data policies: backups, replication, protection", () => {
    itReportsEachCase([...backups, ...replication]);

    for (const [type, name, what] of stateful) {
        it(`unprotected ${what} ${name} in prod`, async () => {
            const rs = estate();
            const r = rs.find((x) => x.type.endsWith(type) && x.name === name)!;
            r.options = { ...r.options, protect: false };
            assert.deepEqual(await findings(rs), [
                [
                    "data-protected-in-prod",
                    `Set the resource option protect: true on this ${what} in prod (and retainOnDelete: true where the provider supports it).`,
                ],
            ]);
        });
    }

    it("leaves stateless resources and non-store charts unprotected", async () => {
        const rs = estate();
        const unprotected = rs.filter((r) => !r.options.protect).map((r) => `${r.type.split(":").pop()} ${r.name}`);
        assert.ok(
            unprotected.includes("Release monitoring") && unprotected.includes("Deployment ollama"),
            unprotected.join(", "),
        );
        assert.deepEqual(await findings(rs), []);
    });
});
