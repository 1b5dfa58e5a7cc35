/**
 * CloudNativePG as this estate runs it: the pinned operator and Barman Cloud plugin charts, the
 * operand images, and the pure builders of the `Cluster` and `ObjectStore` specs and of the
 * traffic the cluster's pods need.
 */
import type * as k8stypes from "@pulumi/kubernetes/types/input";
import {
    controlPlaneEgress,
    dnsEgress,
    metadataServerEgress,
    publicHttpsEgress,
} from "../../platform/kubernetes/network";
import { POSTGRES_PORT } from "../postgres";

type NetworkPolicyIngressRule = k8stypes.networking.v1.NetworkPolicyIngressRule;
type NetworkPolicyEgressRule = k8stypes.networking.v1.NetworkPolicyEgressRule;

/** CloudNativePG chart and operand images, pinned; bump deliberately. */
export const CNPG_CHART = {
    chart: "cloudnative-pg",
    version: "0.27.0",
    repo: "https://cloudnative-pg.github.io/charts",
} as const;
export const CNPG_NAMESPACE = "cnpg-system";
/**
 * Barman Cloud plugin (CNPG-I), which replaces the in-tree `barmanObjectStore` deprecated in
 * CloudNativePG 1.26. Its chart lives beside the operator's (cloudnative-pg/charts
 * `charts/plugin-barman-cloud`, tag plugin-barman-cloud-v0.7.0 = plugin v0.13.0); it must run in the
 * operator's namespace and needs cert-manager for its TLS certificates (plugin docs, installation).
 */
export const BARMAN_PLUGIN_CHART = {
    chart: "plugin-barman-cloud",
    version: "0.7.0",
    repo: "https://cloudnative-pg.github.io/charts",
} as const;
export const BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io";
/**
 * Operand images by digest, from CloudNativePG's signed catalog `catalog-standard-trixie.yaml`
 * (cloudnative-pg/artifacts `image-catalogs/`, date label 20260817): Debian trixie "standard"
 * images, not the deprecated bullseye "system" tags. Digests read from the catalog, not a registry.
 */
export const POSTGRES_IMAGES: Readonly<Record<string, string>> = {
    "15": "ghcr.io/cloudnative-pg/postgresql:15.19-202608170814-standard-trixie@sha256:613c7a0417887cd2626a2bfb31fa4e1d86c3088e575fd66bc227007dc69a5487",
    "16": "ghcr.io/cloudnative-pg/postgresql:16.15-202608170814-standard-trixie@sha256:3df9103d7f89c8abc2870463d4d446944c81b5f1f4b707c590895dc003ecbb65",
    "17": "ghcr.io/cloudnative-pg/postgresql:17.11-202608170816-standard-trixie@sha256:91e0de662d53895a45f1396f4ee1a75daeb0c26fc87853afc9c8f43e01fdaa21",
};
/** Ports of the operand pods the monitoring and the operator reach. */
export const METRICS_PORT = 9187;
export const INSTANCE_MANAGER_PORT = 8000;

/**
 * What the provider waits for after creating the `Cluster`: without it a custom resource counts as
 * ready at once (pulumi-kubernetes `provider/pkg/metadata/overrides.go` ReadyCondition), and a Job
 * ordered after it would run while CloudNativePG is still initialising the database.
 */
export const CNPG_CLUSTER_WAIT_FOR = "condition=Ready";

/** The CloudNativePG `Cluster` spec: pure, so its shape is tested without mocks. */
export function cnpgClusterSpec(a: {
    instances: number;
    version: string;
    databaseName: string;
    owner: string;
    credentialsSecret: string;
    storageGb: number;
    highAvailability: boolean;
    strictZoneSpread: boolean;
    objectStore: string;
    backupServiceAccountEmail: string;
    labels: Record<string, string>;
}): Record<string, unknown> {
    const imageName = POSTGRES_IMAGES[a.version];
    if (imageName === undefined)
        throw new Error(`\`version\` must be one of ${Object.keys(POSTGRES_IMAGES).join(", ")}, got "${a.version}"`);
    return {
        instances: a.instances,
        imageName,
        primaryUpdateStrategy: "unsupervised",
        enableSuperuserAccess: false,
        postgresql: {
            // CloudNativePG serves TLS (minimum TLSv1.3 by default); refusing non-TLS connections makes it the only way in.
            pg_hba: ["hostnossl all all all reject"],
            parameters: { log_connections: "on", log_disconnections: "on" },
            // `required` blocks writes while no synchronous standby is up, e.g. when a standby cannot be
            // scheduled in its own zone (cloudnative-pg api/v1/cluster_types.go, DataDurabilityLevel).
            ...(a.highAvailability
                ? {
                      synchronous: {
                          method: "any",
                          number: 1,
                          dataDurability: a.strictZoneSpread ? "required" : "preferred",
                      },
                  }
                : {}),
        },
        bootstrap: {
            initdb: {
                database: a.databaseName,
                owner: a.owner,
                secret: { name: a.credentialsSecret },
                // The restore drill restores into a scratch database beside the real one; with superuser access off, the owner needs CREATEDB.
                postInitSQL: [`ALTER ROLE "${a.owner}" CREATEDB`],
            },
        },
        storage: { size: `${a.storageGb}Gi` },
        resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } },
        affinity: {
            enablePodAntiAffinity: true,
            topologyKey: "topology.kubernetes.io/zone",
            // `required` leaves a standby Pending for ever when there are fewer zones than instances.
            podAntiAffinityType: a.strictZoneSpread ? "required" : "preferred",
        },
        // The operator's PDB on a lone primary forbids evicting it, so a node drain never completes.
        enablePDB: a.instances > 1,
        inheritedMetadata: { labels: a.labels },
        // CloudNativePG names the pods' service account after the cluster; Workload Identity maps it to the backup writer.
        serviceAccountTemplate: {
            metadata: { annotations: { "iam.gke.io/gcp-service-account": a.backupServiceAccountEmail } },
        },
        // WAL archiving and base backups through the Barman Cloud plugin's sidecar (plugin docs, usage).
        plugins: [{ name: BARMAN_PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: a.objectStore } }],
    };
}

/** The Barman Cloud plugin's `ObjectStore` spec: the GCS bucket under Workload Identity, and the PITR window. */
export function barmanObjectStoreSpec(a: { bucket: string; retentionDays: number }): Record<string, unknown> {
    return {
        // The plugin prunes obsolete base backups and WAL itself (plugin docs, retention).
        retentionPolicy: `${a.retentionDays}d`,
        configuration: {
            destinationPath: `gs://${a.bucket}/`,
            googleCredentials: { gkeEnvironment: true },
            wal: { compression: "gzip", maxParallel: 2 },
            data: { compression: "gzip" },
        },
    };
}

/**
 * The traffic a CloudNativePG cluster's pods need beside their clients': replication and status
 * checks between its own pods, the operator's calls to the instance manager, Prometheus' scrape,
 * and out to DNS, the metadata server (Workload Identity), the API server and GCS (barman-cloud).
 */
export function cnpgNetworkRules(a: {
    podSelector: Record<string, string>;
    monitoringNamespace: string;
    /** Private control plane's CIDR; unset when the API server is public. */
    controlPlaneCidr?: string;
}): { extraIngress: NetworkPolicyIngressRule[]; egress: NetworkPolicyEgressRule[] } {
    return {
        extraIngress: [
            // Streaming replication and the operator's status checks between the cluster's own pods.
            {
                from: [{ podSelector: { matchLabels: a.podSelector } }],
                ports: [
                    { protocol: "TCP", port: POSTGRES_PORT },
                    { protocol: "TCP", port: INSTANCE_MANAGER_PORT },
                ],
            },
            {
                from: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": CNPG_NAMESPACE } },
                        podSelector: { matchLabels: { "app.kubernetes.io/name": "cloudnative-pg" } },
                    },
                ],
                ports: [{ protocol: "TCP", port: INSTANCE_MANAGER_PORT }],
            },
            {
                from: [
                    {
                        namespaceSelector: {
                            matchLabels: { "kubernetes.io/metadata.name": a.monitoringNamespace },
                        },
                        podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
                    },
                ],
                ports: [{ protocol: "TCP", port: METRICS_PORT }],
            },
        ],
        egress: [
            dnsEgress,
            {
                to: [{ podSelector: { matchLabels: a.podSelector } }],
                ports: [
                    { protocol: "TCP", port: POSTGRES_PORT },
                    { protocol: "TCP", port: INSTANCE_MANAGER_PORT },
                ],
            },
            // barman-cloud gets its Workload Identity token here before each WAL or base-backup upload.
            metadataServerEgress,
            // The instance manager watches its Cluster through the API server.
            controlPlaneEgress(a.controlPlaneCidr),
            // barman-cloud writes to GCS.
            publicHttpsEgress(),
        ],
    };
}
