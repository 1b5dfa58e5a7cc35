import * as pulumi from "@pulumi/pulumi";
import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as helm from "@pulumi/kubernetes/helm/v3";
import { secretValuesVersion } from "../../secrets/secret-version";
import { resourceSizing } from "../../workload/service";
import {
    restrictedContainerSecurityContext,
    restrictedPodSecurityContext,
    workloadLabels,
} from "../../platform/kubernetes/pod";
import {
    NEO4J_BOLT_PORT,
    NEO4J_HTTP_PORT,
    NEO4J_IMAGE,
    NEO4J_USER,
    NEO4J_VERSION,
    neo4jAuth,
    neo4jUri,
    type Neo4jArgs,
    NEO4J_APOC_PLUGINS,
    type Neo4jOutputs,
} from "../neo4j";
import { dnsEgress } from "../../platform/kubernetes/network";
import { publicStoreService, storeNetworkPolicy } from "./network";

/**
 * The official Neo4j chart, released per Neo4j version: the chart of the image every platform runs
 * (a literal for Renovate; the component refuses a chart that differs from `NEO4J_VERSION`).
 */
export const NEO4J_CHART = { chart: "neo4j", version: "5.26.28", repo: "https://helm.neo4j.com/neo4j" } as const;

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
        // The same image as on every other platform, by digest, rather than the chart's moving default tag.
        image: { customImage: NEO4J_IMAGE },
        // One member: any budget that keeps it up forbids every eviction and a node drain never ends.
        // The graph is down while it reschedules; the StatefulSet brings it back on its volume.
        podDisruptionBudget: { enabled: false },
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

/**
 * The password rotation Job's script. Neo4j reads NEO4J_AUTH only when it initialises an empty
 * database (neo4j docker entrypoint, `set-initial-password`), so a new password must be set through
 * Cypher, authenticated with the one in effect: the last password this Job applied, kept in its
 * own Secret. Passwords go through the environment (cypher-shell reads NEO4J_PASSWORD), never argv.
 */
export function neo4jPasswordRotationScript(address: string): string {
    return [
        "set -eu",
        'new="${NEO4J_AUTH#neo4j/}"',
        'old="${APPLIED_PASSWORD:-}"',
        `accepts() { NEO4J_PASSWORD="$1" cypher-shell --non-interactive -a '${address}' -u neo4j -d system 'SHOW CURRENT USER' >/dev/null 2>&1; }`,
        // Neo4j may still be starting; the first install has no applied password yet.
        "for attempt in $(seq 1 30); do",
        '  if accepts "$new"; then echo "the current password is in effect"; exit 0; fi',
        '  if [ -n "$old" ] && accepts "$old"; then break; fi',
        "  sleep 10",
        "done",
        'if [ -z "$old" ] || ! accepts "$old"; then echo "Neo4j accepts neither the new password nor the last applied one" >&2; exit 1; fi',
        `NEO4J_PASSWORD="$old" cypher-shell --non-interactive -a '${address}' -u neo4j -d system -P "{old: '$old', new: '$new'}" 'ALTER CURRENT USER SET PASSWORD FROM $old TO $new'`,
        'accepts "$new"',
        'echo "password rotated"',
    ].join("\n");
}

/** Neo4j from the official chart: auth on, persistent, reachable only from its clients, its password rotatable. */
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
        if (NEO4J_CHART.version !== NEO4J_VERSION)
            throw new pulumi.ResourceError(
                `the Neo4j chart ${NEO4J_CHART.version} does not match the image ${NEO4J_VERSION}: bump both together`,
                this,
            );

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
                    neo4jChartValues({ name, authSecret, storageGb: args.storageGb, labels }),
                ),
            },
            // The release owns the data volume's StatefulSet: keep it through deletes in prod.
            { parent: this, protect, retainOnDelete: protect, dependsOn: [auth] },
        );

        const rotation = this.passwordRotation(name, namespace, auth, this.release, args.password);

        storeNetworkPolicy(
            `${name}-netpol`,
            {
                namespace,
                labels,
                podSelector: selector,
                clients: args.clients ?? [],
                jobClients: [rotation, ...(args.jobClients ?? [])],
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

    /**
     * A Job per password (its name carries the password's digest) that makes Neo4j use it, then the
     * Secret recording the applied password, written only after the Job succeeded. Returns the Job's name label.
     */
    private passwordRotation(
        name: string,
        namespace: pulumi.Input<string>,
        auth: corev1.Secret,
        release: helm.Release,
        password: pulumi.Input<string>,
    ): string {
        const job = `${name}-password-rotation`;
        const jobLabels = workloadLabels(job, "job", "job");
        const appliedName = `${name}-auth-applied`;
        const version = pulumi.unsecret(pulumi.output(password).apply((p) => secretValuesVersion({ password: p })));
        storeNetworkPolicy(
            `${job}-netpol`,
            {
                namespace,
                labels: jobLabels,
                podSelector: { "app.kubernetes.io/name": job },
                clients: [],
                jobClients: [],
                ports: [],
                egress: [
                    dnsEgress,
                    {
                        to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": name } } }],
                        ports: [{ protocol: "TCP", port: NEO4J_BOLT_PORT }],
                    },
                ],
            },
            { parent: this },
        );
        const address = pulumi.interpolate`neo4j://${name}.${namespace}.svc.cluster.local:${NEO4J_BOLT_PORT}`;
        const rotate = new batchv1.Job(
            `${job}-job`,
            {
                metadata: { name: pulumi.interpolate`${name}-password-${version}`, namespace, labels: jobLabels },
                spec: {
                    backoffLimit: 3,
                    activeDeadlineSeconds: 600,
                    template: {
                        metadata: { labels: jobLabels },
                        spec: {
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            securityContext: restrictedPodSecurityContext,
                            containers: [
                                {
                                    name: "rotate",
                                    image: NEO4J_IMAGE,
                                    command: ["/bin/bash", "-c", address.apply(neo4jPasswordRotationScript)],
                                    env: [
                                        {
                                            name: "NEO4J_AUTH",
                                            valueFrom: {
                                                secretKeyRef: { name: auth.metadata.name, key: "NEO4J_AUTH" },
                                            },
                                        },
                                        // Absent on the first install: there is nothing to rotate from.
                                        {
                                            name: "APPLIED_PASSWORD",
                                            valueFrom: {
                                                secretKeyRef: { name: appliedName, key: "password", optional: true },
                                            },
                                        },
                                        // cypher-shell keeps its history under $HOME; the root filesystem is read-only.
                                        { name: "HOME", value: "/tmp" },
                                    ],
                                    resources: resourceSizing("100m", "256Mi"),
                                    securityContext: restrictedContainerSecurityContext,
                                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                                },
                            ],
                            volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
                        },
                    },
                },
            },
            { parent: this, dependsOn: [release] },
        );
        // Only a successful rotation moves the record on; a failed one leaves the password in effect recorded.
        new corev1.Secret(
            `${name}-auth-applied`,
            {
                metadata: { name: appliedName, namespace, labels: jobLabels },
                type: "Opaque",
                stringData: { password: pulumi.secret(password) },
            },
            { parent: this, dependsOn: [rotate] },
        );
        return job;
    }
}
