import type * as pulumi from "@pulumi/pulumi";

/** What every platform's Neo4j takes. */
export interface Neo4jArgs {
    /** Password of the `neo4j` user; auth is always on. */
    readonly password: pulumi.Input<string>;
    /** Data volume size in GiB. */
    readonly storageGb: number;
    /** Services that connect; the store admits only them and job pods. @default none */
    readonly clients?: readonly string[];
    /** Job workloads (migrations, backups, drills, by `app.kubernetes.io/name`) that connect. @default none */
    readonly jobClients?: readonly string[];
    /** Give the graph a public endpoint. Break-glass only: the policy pack refuses it. @default false */
    readonly publicAccess?: boolean;
    /** Protect the graph's volumes against deletion, and keep them on delete (prod). @default false */
    readonly protect?: boolean;
}

export interface Neo4jOutputs {
    readonly host: pulumi.Output<string>;
    /** Bolt port. */
    readonly port: pulumi.Output<number>;
    /** Bolt URI the drivers take (`neo4j://host:7687`, `neo4j+s://` with TLS). */
    readonly uri: pulumi.Output<string>;
    readonly user: pulumi.Output<string>;
    /** Secret. */
    readonly password: pulumi.Output<string>;
}

/**
 * Neo4j 5 LTS, Community edition: one version on every platform, pinned by its multi-platform index
 * digest (docker-library/repo-info `repos/neo4j/remote/5.26.28-community.md`, not read from the registry).
 */
export const NEO4J_IMAGE =
    "docker.io/library/neo4j:5.26.28-community@sha256:362542416de6c09a971484d1893878016cc3b5cdec166e54b1c824a220ecd6b9";
/** The Neo4j version of that image, which the Kubernetes chart must match. */
export const NEO4J_VERSION = /:(\d+\.\d+\.\d+)-/.exec(NEO4J_IMAGE)![1]!;

export const NEO4J_BOLT_PORT = 7687;
export const NEO4J_HTTP_PORT = 7474;
/** The official image's plugin switch: installs the APOC core jar it bundles (the backup's export needs it). */
export const NEO4J_APOC_PLUGINS = '["apoc"]';
/** Neo4j's built-in admin user; NEO4J_AUTH sets its password. */
export const NEO4J_USER = "neo4j";

/**
 * Driver URI (Neo4j driver manual, "Connection URI"): `neo4j+s` when the bolt connector serves TLS
 * with a certificate the client trusts, `neo4j+ssc` for a self-signed one, `neo4j` in plain text.
 */
export function neo4jUri(host: string, port: number, tls: boolean | "self-signed"): string {
    const scheme = tls === "self-signed" ? "neo4j+ssc" : tls ? "neo4j+s" : "neo4j";
    return `${scheme}://${host}:${port}`;
}

/** NEO4J_AUTH as the official image and chart read it. */
export function neo4jAuth(password: string): string {
    return `${NEO4J_USER}/${password}`;
}
