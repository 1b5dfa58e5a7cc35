// Data stores survive failures and mistakes: point-in-time restore with enough retention,
// replication in prod, and `protect` on everything stateful in prod.
import { PolicyConfigSchema, PolicyResource, ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { CatalogEntry, configWithDefaults, field, list, stackEnvironmentProperty, text } from "./lib";
import {
    BARMAN_OBJECT_STORE,
    BARMAN_PLUGIN,
    chartName,
    CNPG_CLUSTER,
    CNPG_SCHEDULED_BACKUP,
    cnpgName,
    FLEXIBLE_SERVER,
    isHelmType,
    isReplicaServer,
    REDIS_ENTERPRISE,
    REDIS_TYPES,
    retentionDays,
    STATEFUL_TYPES,
    STORE_CHART,
} from "./stores";
import { MIN_PITR_RETENTION_DAYS } from "./runbook-minimums";

function namespaceOf(r: PolicyResource): string {
    return r.props.metadata?.namespace ?? "default";
}

interface BackupConfig {
    minRetentionDays: number;
    requireScheduledBackup: boolean;
}

const backupSchema: PolicyConfigSchema = {
    properties: {
        minRetentionDays: {
            type: "integer",
            minimum: 1,
            default: MIN_PITR_RETENTION_DAYS,
            description: "Shortest point-in-time restore window, in days, for Flexible Server and CloudNativePG.",
        },
        requireScheduledBackup: {
            type: "boolean",
            default: true,
            description: "Each CloudNativePG Cluster has a ScheduledBackup: PITR replays WAL onto a base backup.",
        },
    },
};

/** WAL archive destination and retention of a CloudNativePG Cluster, through the plugin's ObjectStore or in-tree Barman. */
function cnpgArchive(
    cluster: PolicyResource,
    resources: PolicyResource[],
    report: ReportViolation,
): { retention?: unknown; where: string } | undefined {
    const name = cnpgName(cluster.props);
    const plugin = list(cluster.props, "spec", "plugins").find(
        (p) => text(p, "name") === BARMAN_PLUGIN && field(p, "isWALArchiver") !== false,
    );
    if (plugin !== undefined) {
        const storeName = text(plugin, "parameters", "barmanObjectName");
        const store = resources.find(
            (r) =>
                r.type === BARMAN_OBJECT_STORE &&
                r.props.metadata?.name === storeName &&
                namespaceOf(r) === namespaceOf(cluster),
        );
        if (store === undefined) {
            report(
                `Cluster "${name}" archives WAL to ObjectStore "${storeName}", which this stack does not declare: add it (barmancloud.cnpg.io/v1) in namespace "${namespaceOf(cluster)}".`,
                cluster.urn,
            );
            return undefined;
        }
        return {
            retention: store.props.spec?.retentionPolicy,
            where: `spec.retentionPolicy of ObjectStore "${storeName}"`,
        };
    }
    const barman = cluster.props.spec?.backup?.barmanObjectStore;
    if (!barman?.destinationPath) {
        report(
            `Cluster "${name}" archives no WAL: set spec.backup.barmanObjectStore.destinationPath (with credentials) or the ${BARMAN_PLUGIN} plugin, so point-in-time restore is possible.`,
            cluster.urn,
        );
        return undefined;
    }
    return {
        retention: cluster.props.spec?.backup?.retentionPolicy,
        where: `spec.backup.retentionPolicy of Cluster "${name}"`,
    };
}

function checkCnpgBackups(resources: PolicyResource[], cfg: BackupConfig, report: ReportViolation): void {
    for (const cluster of resources.filter((r) => r.type === CNPG_CLUSTER)) {
        const name = cnpgName(cluster.props);
        const archive = cnpgArchive(cluster, resources, report);
        if (archive !== undefined) {
            const days = retentionDays(archive.retention);
            if (days === undefined || days < cfg.minRetentionDays) {
                const found = archive.retention === undefined ? "it is unset" : `it is "${archive.retention}"`;
                report(`Set ${archive.where} to "${cfg.minRetentionDays}d" or more (${found}).`, cluster.urn);
            }
        }
        const scheduled = resources.some(
            (r) =>
                r.type === CNPG_SCHEDULED_BACKUP &&
                r.props.spec?.cluster?.name === name &&
                namespaceOf(r) === namespaceOf(cluster),
        );
        if (cfg.requireScheduledBackup && !scheduled) {
            report(
                `Cluster "${name}" has no base backups: add a postgresql.cnpg.io/v1 ScheduledBackup with spec.cluster.name "${name}".`,
                cluster.urn,
            );
        }
    }
}

export const dataBackupRetention: CatalogEntry = {
    policy: {
        name: "data-backup-retention",
        description:
            "PostgreSQL keeps point-in-time restore for at least the configured number of days: Flexible Server backup retention, or CloudNativePG WAL archiving to object storage with a retention policy and scheduled base backups.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: backupSchema,
        validateStack: (args, report) => {
            const cfg = configWithDefaults<BackupConfig>(backupSchema, args);
            for (const server of args.resources.filter(
                (r) => r.type === FLEXIBLE_SERVER && !isReplicaServer(r.props),
            )) {
                const days = server.props.backup?.backupRetentionDays;
                if (typeof days !== "number" || days < cfg.minRetentionDays) {
                    const found = days === undefined ? "it is unset" : `it is ${days}`;
                    report(
                        `Set backup.backupRetentionDays on Flexible Server "${server.name}" to at least ${cfg.minRetentionDays} (${found}).`,
                        server.urn,
                    );
                }
            }
            checkCnpgBackups(args.resources, cfg, report);
        },
    },
    meta: {
        requirements: ["UA-BACKUPS-TESTED", "GA-BACKUPS"],
        checks: [],
    },
};

function prodOnly(schema: PolicyConfigSchema, args: ResourceValidationArgs): void {
    const cfg = configWithDefaults<{ stackEnvironment: string }>(schema, args);
    if (cfg.stackEnvironment !== "prod") {
        args.notApplicable(`stack environment is ${cfg.stackEnvironment}`);
    }
}

const replicationSchema: PolicyConfigSchema = {
    properties: {
        stackEnvironment: stackEnvironmentProperty,
        minInstances: {
            type: "integer",
            minimum: 2,
            default: 2,
            description: "Fewest CloudNativePG instances (a primary and its synchronous-capable standbys) in prod.",
        },
    },
};

function checkReplication(args: ResourceValidationArgs, report: ReportViolation): void {
    prodOnly(replicationSchema, args);
    const p = args.props;
    if (args.type === FLEXIBLE_SERVER && !isReplicaServer(p)) {
        if (p.highAvailability?.mode !== "ZoneRedundant") {
            report(
                `Set highAvailability.mode: "ZoneRedundant" on this Flexible Server (it is ${JSON.stringify(p.highAvailability?.mode ?? "unset")}).`,
            );
        }
        if (p.backup?.geoRedundantBackup !== "Enabled") {
            report(
                'Set backup.geoRedundantBackup: "Enabled" on this Flexible Server (it can only be chosen at creation).',
            );
        }
    } else if (args.type === CNPG_CLUSTER) {
        const { minInstances } = configWithDefaults<{ minInstances: number }>(replicationSchema, args);
        const instances = p.spec?.instances ?? 1;
        if (instances < minInstances) {
            report(
                `Set spec.instances on Cluster "${cnpgName(p)}" to at least ${minInstances} (it is ${instances}), so a standby takes over when the primary fails.`,
            );
        }
        // cloudnative-pg api/v1/cluster_types.go AffinityConfiguration: enablePodAntiAffinity defaults
        // to true; false lets the scheduler put the primary and its standbys on one node.
        if (field(p, "spec", "affinity", "enablePodAntiAffinity") === false) {
            report(
                `Remove spec.affinity.enablePodAntiAffinity: false from Cluster "${cnpgName(p)}" (with topologyKey topology.kubernetes.io/zone), so its instances never share a node or zone.`,
            );
        }
    } else if (REDIS_TYPES.includes(args.type) && p.sku?.name === "Basic") {
        report('Set sku.name to "Standard" or "Premium" on this cache: Basic is a single node with no replica.');
    } else if (
        REDIS_TYPES.includes(args.type) &&
        typeof p.replicasPerPrimary === "number" &&
        p.replicasPerPrimary < 1
    ) {
        // Microsoft.Cache redis `replicasPerPrimary` (Premium): unset means one replica; 0 leaves the primary alone.
        report(`Set replicasPerPrimary on this cache to at least 1 (it is ${p.replicasPerPrimary}).`);
    } else if (args.type === REDIS_ENTERPRISE && p.highAvailability === "Disabled") {
        report('Set highAvailability: "Enabled" on this Redis Enterprise cluster.');
    }
}

export const dataReplicationProd: CatalogEntry = {
    policy: {
        name: "data-replication-prod",
        description:
            "In prod, PostgreSQL survives the loss of a node or zone (Flexible Server zone-redundant HA with geo-redundant backup; CloudNativePG with a standby instance and pod anti-affinity) and Azure Cache for Redis is replicated (Standard or Premium, never Basic, with a replica per primary). Zone redundancy is not required of the cache: it holds rebuildable data and the services fall back without it (runbook 001).",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: replicationSchema,
        validateResource: checkReplication,
    },
    meta: {
        requirements: ["GA-HA-CACHE", "UA-BACKUPS-TESTED"],
        checks: ["Checkov CKV_AZURE_136", "Prowler postgresql_flexible_server_high_availability_enabled"],
    },
};

const protectSchema: PolicyConfigSchema = {
    properties: {
        stackEnvironment: stackEnvironmentProperty,
        statefulTypes: {
            type: "array",
            items: { type: "string" },
            default: [...STATEFUL_TYPES],
            description: "Resource types whose deletion loses data.",
        },
        statefulCharts: {
            type: "string",
            default: STORE_CHART,
            description: "Regular expression of Helm chart names that install a data store.",
        },
    },
};

export const dataProtectedInProd: CatalogEntry = {
    policy: {
        name: "data-protected-in-prod",
        description:
            "In prod, every stateful resource (volumes, StatefulSets, database clusters and servers, caches, data-store Helm releases, buckets, storage accounts and shares, secret stores) has the protect resource option, so no update or destroy can delete its data.",
        enforcementLevel: "mandatory",
        severity: "critical",
        configSchema: protectSchema,
        validateResource: (args, report) => {
            prodOnly(protectSchema, args);
            const cfg = configWithDefaults<{ statefulTypes: string[]; statefulCharts: string }>(protectSchema, args);
            const chart = isHelmType(args.type) ? chartName(args.props) : undefined;
            const stateful =
                cfg.statefulTypes.includes(args.type) ||
                (chart !== undefined && new RegExp(cfg.statefulCharts).test(chart));
            if (stateful && !args.opts.protect) {
                const what = chart !== undefined ? `Helm release of chart "${chart}"` : args.type.split(":").pop();
                report(
                    `Set the resource option protect: true on this ${what} in prod (and retainOnDelete: true where the provider supports it).`,
                );
            }
        },
    },
    meta: {
        requirements: ["UA-DB-REACHABLE", "GA-BACKUPS"],
        checks: [],
    },
};

export const dataDurabilityPolicies: readonly CatalogEntry[] = [
    dataBackupRetention,
    dataReplicationProd,
    dataProtectedInProd,
];
