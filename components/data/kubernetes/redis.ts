import * as pulumi from "@pulumi/pulumi";
import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import { resourceSizing } from "../../workload/service";
import {
    restrictedContainerSecurityContext,
    restrictedPodSecurityContext,
    workloadLabels,
} from "../../platform/kubernetes/pod";
import { REDIS_PORT, redisUrl, type RedisArgs, type RedisOutputs } from "../redis";
import { secretValuesVersion } from "../../secrets/secret-version";
import { publicStoreService, storeNetworkPolicy } from "./network";

/**
 * Official Redis image, pinned by its multi-platform index digest; bump deliberately. 7.4.11 carries
 * the 7.4 security fixes released after 7.4.2; digest from docker-library/repo-info
 * `repos/redis/remote/7.4.11-alpine.md`, not read from the registry.
 */
export const REDIS_IMAGE =
    "docker.io/library/redis:7.4.11-alpine@sha256:ff02b58f971e7d7d156a1267e283fcbbeee91773b6aa36c49dac28ecfe28eadf";
/** Requests of the Redis container; the limits are twice these (`resourceSizing`). */
export const REDIS_CPU = "250m";
export const REDIS_MEMORY = "512Mi";

/**
 * `maxmemory` for a container memory limit: the dataset must stay well under it, because a fork
 * for an AOF rewrite or RDB save can copy every page it touches, and clients' buffers and
 * allocator fragmentation sit outside `maxmemory` (redis.io docs, "Eviction" and
 * "Diagnosing latency / fork"). Without persistence there is no fork, so the margin is smaller.
 */
export function redisMaxmemory(limit: string, persistence: boolean): string {
    const match = /^(\d+)(Mi|Gi)$/.exec(limit);
    if (!match) throw new Error(`the Redis memory limit must be a quantity in Mi or Gi, got "${limit}"`);
    const mebibytes = Number(match[1]) * (match[2] === "Gi" ? 1024 : 1);
    // Redis reads "mb" as 1024*1024 bytes.
    return `${Math.floor(mebibytes * (persistence ? 0.6 : 0.8))}mb`;
}

export interface KubernetesRedisArgs extends RedisArgs {
    readonly namespace: pulumi.Input<string>;
    /** Data volume size in GiB (the memory ceiling when not persistent). */
    readonly storageGb: number;
}

/**
 * `redis-server` arguments: the password from the environment, AOF when persistent, nothing on
 * disk otherwise, and a memory ceiling under the container limit so Redis evicts before the kernel kills it.
 */
export function redisServerArgs(persistence: boolean, memoryLimit: string): string[] {
    return [
        "--port",
        String(REDIS_PORT),
        // Kubernetes expands $(REDIS_PASSWORD) from the Secret-backed env var; the value never enters the spec.
        "--requirepass",
        "$(REDIS_PASSWORD)",
        "--dir",
        "/data",
        "--maxmemory",
        redisMaxmemory(memoryLimit, persistence),
        // Redis is the cache and the job queue (runbooks 001, 003): cache entries carry TTLs and may go,
        // queue entries have none and must stay, so only keys with an expiry are evicted.
        "--maxmemory-policy",
        "volatile-lru",
        ...(persistence ? ["--appendonly", "yes", "--appendfsync", "everysec"] : ["--appendonly", "no", "--save", ""]),
    ];
}

/** Redis as a restricted single-primary StatefulSet: password required, AOF on a retained volume, private. */
export class KubernetesRedis extends pulumi.ComponentResource implements RedisOutputs {
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly tls: pulumi.Output<boolean>;
    readonly password: pulumi.Output<string>;
    readonly url: pulumi.Output<string>;
    readonly statefulSet: appsv1.StatefulSet;

    constructor(name: string, args: KubernetesRedisArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:data:KubernetesRedis", name, {}, opts);
        const persistence = args.persistence;
        const protect = args.protect ?? false;
        const namespace = args.namespace;
        const labels = workloadLabels(name, "data", "cache");
        const selector = { "app.kubernetes.io/name": name };
        const resources = resourceSizing(REDIS_CPU, REDIS_MEMORY);

        const auth = new corev1.Secret(
            `${name}-auth`,
            {
                metadata: { name: `${name}-auth`, namespace, labels },
                type: "Opaque",
                stringData: { password: pulumi.secret(args.password) },
            },
            { parent: this },
        );
        const passwordEnv = { secretKeyRef: { name: auth.metadata.name, key: "password" } };

        const service = new corev1.Service(
            `${name}-service`,
            {
                metadata: { name, namespace, labels },
                spec: {
                    type: "ClusterIP",
                    selector,
                    ports: [{ name: "redis", port: REDIS_PORT, targetPort: "redis" }],
                },
            },
            { parent: this },
        );

        this.statefulSet = new appsv1.StatefulSet(
            `${name}-statefulset`,
            {
                metadata: { name, namespace, labels },
                spec: {
                    serviceName: service.metadata.name,
                    replicas: 1,
                    selector: { matchLabels: selector },
                    // Deleting or scaling the StatefulSet keeps the data volume.
                    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                    template: {
                        metadata: {
                            labels,
                            // redis-server reads `requirepass` only at start: a new password must restart it.
                            annotations: {
                                "estate.io/password-version": pulumi.unsecret(
                                    pulumi.output(args.password).apply((password) => secretValuesVersion({ password })),
                                ),
                            },
                        },
                        spec: {
                            automountServiceAccountToken: false,
                            securityContext: restrictedPodSecurityContext,
                            containers: [
                                {
                                    name: "redis",
                                    image: REDIS_IMAGE,
                                    command: ["redis-server"],
                                    args: redisServerArgs(persistence, resources.limits.memory),
                                    ports: [{ name: "redis", containerPort: REDIS_PORT }],
                                    env: [
                                        { name: "REDIS_PASSWORD", valueFrom: passwordEnv },
                                        // redis-cli in the readiness probe authenticates from this variable.
                                        { name: "REDISCLI_AUTH", valueFrom: passwordEnv },
                                    ],
                                    resources,
                                    securityContext: restrictedContainerSecurityContext,
                                    startupProbe: {
                                        tcpSocket: { port: "redis" },
                                        periodSeconds: 5,
                                        failureThreshold: 30,
                                    },
                                    livenessProbe: {
                                        tcpSocket: { port: "redis" },
                                        periodSeconds: 15,
                                        timeoutSeconds: 5,
                                        failureThreshold: 3,
                                    },
                                    readinessProbe: {
                                        exec: { command: ["sh", "-c", "redis-cli ping | grep -q PONG"] },
                                        periodSeconds: 10,
                                        timeoutSeconds: 5,
                                        failureThreshold: 3,
                                    },
                                    volumeMounts: [{ name: "data", mountPath: "/data" }],
                                },
                            ],
                            ...(persistence
                                ? {}
                                : { volumes: [{ name: "data", emptyDir: { sizeLimit: `${args.storageGb}Gi` } }] }),
                        },
                    },
                    ...(persistence
                        ? {
                              volumeClaimTemplates: [
                                  {
                                      metadata: { name: "data", labels },
                                      spec: {
                                          accessModes: ["ReadWriteOnce"],
                                          resources: { requests: { storage: `${args.storageGb}Gi` } },
                                      },
                                  },
                              ],
                          }
                        : {}),
                },
            },
            { parent: this, protect, retainOnDelete: protect },
        );

        storeNetworkPolicy(
            `${name}-netpol`,
            {
                namespace,
                labels,
                podSelector: selector,
                clients: args.clients ?? [],
                jobClients: args.jobClients ?? [],
                ports: [{ protocol: "TCP", port: REDIS_PORT }],
            },
            { parent: this },
        );
        if (args.publicAccess ?? false) {
            publicStoreService(`${name}-public`, { namespace, labels, selector, port: REDIS_PORT }, { parent: this });
        }

        this.host = pulumi.interpolate`${service.metadata.name}.${namespace}.svc.cluster.local`;
        this.port = pulumi.output(REDIS_PORT);
        this.tls = pulumi.output(false);
        this.password = pulumi.secret(args.password);
        this.url = pulumi.secret(
            pulumi
                .all([this.host, this.password])
                .apply(([host, password]) => redisUrl({ host, port: REDIS_PORT, password, tls: false })),
        );
        this.registerOutputs({ host: this.host, port: this.port, tls: this.tls, url: this.url });
    }
}
