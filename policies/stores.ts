// Type tokens and readers for the data stores' own resources (servers, caches, operators' custom
// resources, Helm releases), shared by the data and network policies.
import { field, list, type Props, text } from "./lib";

export const CNPG_CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";
export const CNPG_SCHEDULED_BACKUP = "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup";
/** The Barman Cloud plugin's object store (CloudNativePG 1.26+ archives WAL through it). */
export const BARMAN_OBJECT_STORE = "kubernetes:barmancloud.cnpg.io/v1:ObjectStore";
export const BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io";
export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
export const HELM_CHART = "kubernetes:helm.sh/v4:Chart";
export const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
export const FLEXIBLE_SERVER = "azure-native:dbforpostgresql:Server";
export const FLEXIBLE_SERVER_CONFIGURATION = "azure-native:dbforpostgresql:Configuration";
// Redis moved from the `cache` to the `redis` module; the old token is still an alias.
export const REDIS_TYPES: readonly string[] = ["azure-native:redis:Redis", "azure-native:cache:Redis"];
export const REDIS_ENTERPRISE = "azure-native:redisenterprise:RedisEnterprise";
export const REDIS_ENTERPRISE_DATABASE = "azure-native:redisenterprise:Database";
export const STORAGE_ACCOUNT = "azure-native:storage:StorageAccount";
export const FILE_SHARE = "azure-native:storage:FileShare";
export const BLOB_CONTAINER = "azure-native:storage:BlobContainer";
export const KEY_VAULT = "azure-native:keyvault:Vault";
export const GCS_BUCKET = "gcp:storage/bucket:Bucket";
export const GCP_SECRET = "gcp:secretmanager/secret:Secret";

/** Resources whose deletion loses data (or, for the secret stores, every credential). */
export const STATEFUL_TYPES: readonly string[] = [
    PVC,
    "kubernetes:apps/v1:StatefulSet",
    CNPG_CLUSTER,
    GCS_BUCKET,
    GCP_SECRET,
    FLEXIBLE_SERVER,
    ...REDIS_TYPES,
    REDIS_ENTERPRISE,
    STORAGE_ACCOUNT,
    FILE_SHARE,
    BLOB_CONTAINER,
    KEY_VAULT,
];

/** Charts that install a data store (the CloudNativePG operator chart is `cloudnative-pg`, not one). */
export const STORE_CHART = "^(neo4j|redis|valkey|postgres|postgresql)(-|$)";

/** The chart's own name: `neo4j` from `neo4j`, `neo4j/neo4j` or `oci://registry/charts/neo4j`. */
export function chartName(props: Props): string {
    const chart = String(field(props, "chart") ?? field(props, "name") ?? "");
    return chart.split("/").pop()!.toLowerCase();
}

export function isHelmType(type: string): boolean {
    return type === HELM_RELEASE || type === HELM_CHART;
}

export function isNeo4jChart(type: string, props: Props): boolean {
    return isHelmType(type) && /^neo4j(-|$)/.test(chartName(props));
}

/** A Flexible Server that follows another (read replica): it inherits backup and HA from its primary. */
export function isReplicaServer(props: Props): boolean {
    return (
        field(props, "createMode") === "Replica" ||
        ["AsyncReplica", "GeoAsyncReplica"].includes(text(props, "replicationRole") ?? "")
    );
}

/** Days a CloudNativePG retention policy (`14d`, `2w`, `1m`) keeps at least; undefined when malformed. */
export function retentionDays(policy: unknown): number | undefined {
    const m = /^([1-9][0-9]*)([dwm])$/.exec(String(policy ?? ""));
    if (!m) return undefined;
    // A month is counted as its shortest, so "1m" never passes for more than it guarantees.
    return Number(m[1]) * { d: 1, w: 7, m: 28 }[m[2] as "d" | "w" | "m"];
}

export const REDIS_IMAGE = /(^|\/)(redis|redis-stack|redis-stack-server|valkey)(:|@|$)/;
export const NEO4J_IMAGE = /(^|\/)neo4j(:|@|$)/;
export const POSTGRES_IMAGE = /(^|\/)(postgres|postgresql)(:|@|$)/;

export function imageIs(pattern: RegExp, image: string | undefined): boolean {
    return image !== undefined && pattern.test(image.toLowerCase());
}

export function cnpgName(props: Props): string {
    return text(props, "metadata", "name") ?? "(unnamed)";
}

/** pg_hba lines as CloudNativePG takes them: `spec.postgresql.pg_hba`, one rule per string. */
export function pgHba(props: Props): string[] {
    return list(props, "spec", "postgresql", "pg_hba").map((l) => String(l).trim().replace(/\s+/g, " "));
}
