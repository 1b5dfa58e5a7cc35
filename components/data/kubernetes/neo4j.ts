import * as pulumi from "@pulumi/pulumi";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as helm from "@pulumi/kubernetes/helm/v3";
import { workloadLabels } from "../../workload/kubernetes/security";
import {
    NEO4J_BOLT_PORT,
    NEO4J_HTTP_PORT,
    NEO4J_USER,
    neo4jAuth,
    neo4jUri,
    type Neo4jArgs,
    NEO4J_APOC_PLUGINS,
    type Neo4jOutputs,
} from "../neo4j";
import { dnsEgress, publicStoreService, storeNetworkPolicy } from "./network";

/** The official Neo4j chart, pinned; bump deliberately. */
export const NEO4J_CHART = { chart: "neo4j", version: "5.26.0", repo: "https://helm.neo4j.com/neo4j" } as const;

export interface KubernetesNeo4jArgs extends Neo4jArgs {
    readonly namespace: pulumi.Input<string>;
}

/** Chart values: auth from a Secret, persistent data, PDB, no LoadBalancer, restricted pod. Pure for tests. */
export function neo4jChartValues(a: {
    name: string;
    authSecret: string;
    storageGb: number;
    labels: Record<string, string>;
}): Record<string, unknown> {
    return {
        neo4j: {
            name: a.name,
            edition: "community",
            passwordFromSecret: a.authSecret,
            resources: { cpu: "1000m", memory: "2Gi" },
            labels: a.labels,
        },
        volumes: {
            data: {
                mode: "defaultStorageClass",
                defaultStorageClass: { accessModes: ["ReadWriteOnce"], requests: { storage: `${a.storageGb}Gi` } },
            },
        },
        // The chart's LoadBalancer would publish bolt and the browser; the release's ClusterIP service stays.
        services: { neo4j: { enabled: false } },
        // One member: a node drain must wait rather than take the graph down mid-write.
        podDisruptionBudget: { enabled: true, minAvailable: 1 },
        securityContext: {
            runAsNonRoot: true,
            runAsUser: 7474,
            runAsGroup: 7474,
            fsGroup: 7474,
            fsGroupChangePolicy: "Always",
            seccompProfile: { type: "RuntimeDefault" },
        },
        containerSecurityContext: {
            runAsNonRoot: true,
            runAsUser: 7474,
            runAsGroup: 7474,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
        },
        config: { "dbms.security.auth_enabled": "true" },
        // APOC core (bundled in the image) for the online backup: apoc.export.cypher.all with stream: true.
        env: { NEO4J_PLUGINS: NEO4J_APOC_PLUGINS },
        logInitialPassword: false,
        podSpec: { loadbalancer: "exclude" },
    };
}

/** Neo4j from the official chart: auth on, persistent, PDB, reachable only from its clients. */
export class KubernetesNeo4j extends pulumi.ComponentResource implements Neo4jOutputs {
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly uri: pulumi.Output<string>;
    readonly user: pulumi.Output<string>;
    readonly password: pulumi.Output<string>;
    readonly release: helm.Release;

    constructor(name: string, args: KubernetesNeo4jArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:data:KubernetesNeo4j", name, {}, opts);
        const protect = args.protect ?? false;
        const namespace = args.namespace;
        const labels = workloadLabels(name, "data", "graph");
        const selector = { "app.kubernetes.io/name": name };

        const auth = new corev1.Secret(
            `${name}-auth`,
            {
                metadata: { name: `${name}-auth`, namespace, labels },
                type: "Opaque",
                stringData: { NEO4J_AUTH: pulumi.secret(pulumi.output(args.password).apply(neo4jAuth)) },
            },
            { parent: this },
        );

        this.release = new helm.Release(
            `${name}-release`,
            {
                name,
                chart: NEO4J_CHART.chart,
                version: NEO4J_CHART.version,
                repositoryOpts: { repo: NEO4J_CHART.repo },
                namespace,
                atomic: true,
                values: auth.metadata.name.apply((authSecret) =>
                    neo4jChartValues({ name, authSecret, storageGb: args.storageGb ?? 20, labels }),
                ),
            },
            // The release owns the data volume's StatefulSet: keep it through deletes in prod.
            { parent: this, protect, retainOnDelete: protect, dependsOn: [auth] },
        );

        storeNetworkPolicy(
            `${name}-netpol`,
            {
                namespace,
                labels,
                podSelector: selector,
                clients: args.clients ?? [],
                jobClients: args.jobClients ?? [],
                ports: [
                    { protocol: "TCP", port: NEO4J_BOLT_PORT },
                    { protocol: "TCP", port: NEO4J_HTTP_PORT },
                ],
                egress: [dnsEgress],
            },
            { parent: this },
        );
        if (args.publicAccess ?? false) {
            publicStoreService(
                `${name}-public`,
                { namespace, labels, selector, port: NEO4J_BOLT_PORT },
                { parent: this, dependsOn: [this.release] },
            );
        }

        // The chart's ClusterIP service carries the release name.
        this.host = pulumi.interpolate`${name}.${namespace}.svc.cluster.local`;
        this.port = pulumi.output(NEO4J_BOLT_PORT);
        this.uri = this.host.apply((host) => neo4jUri(host, NEO4J_BOLT_PORT, false));
        this.user = pulumi.output(NEO4J_USER);
        this.password = pulumi.secret(args.password);
        this.registerOutputs({ host: this.host, port: this.port, uri: this.uri, user: this.user });
    }
}
