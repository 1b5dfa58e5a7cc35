import type * as pulumi from "@pulumi/pulumi";
import type { OllamaArgs, OllamaOutputs } from "../ai/ollama";
import type { Neo4jArgs, Neo4jOutputs } from "../data/neo4j";
import type { PostgresArgs, PostgresOutputs } from "../data/postgres";
import type { RedisArgs, RedisOutputs } from "../data/redis";
import type { BackupsArgs, BackupsOutputs } from "../backup/backups";
import type { MonitoringArgs, MonitoringOutputs } from "../observability/monitoring";
import type { SecretEntry, SecretStore } from "../secrets/secret-store";
import type { JobArgs, JobOutputs } from "../workload/job";
import type { ServiceArgs, ServiceOutputs } from "../workload/service";

/** What every platform adapter takes besides its own settings: the stack and the few estate-wide choices it places resources by. */
export interface PlatformCommon {
    readonly project: string;
    readonly stack: string;
    /** Protect stateful resources against deletion (prod). */
    readonly isProd: boolean;
    /** Public DNS zone; seeds globally unique names. */
    readonly domain: string;
    /** TLS at the edge; certificates are issued only when on. */
    readonly tls: boolean;
    /** The model runtime runs on a GPU. */
    readonly gpu: boolean;
    /** Days within which a restore drill must have succeeded: how long the drills' logs are kept. */
    readonly restoreDrillMaxAgeDays: number;
    /** Public host name of each public service, by service name. */
    readonly publicHosts: Readonly<Record<string, string>>;
}

/**
 * What the estate asks of a platform. The estate composes only through this interface; each
 * platform folder implements it once, so adding a platform never touches the estate.
 */
export interface EstatePlatform {
    readonly kind: string;
    /** Places the secrets in the platform's store and returns references for workloads. */
    secretStore(name: string, entries: readonly SecretEntry[]): SecretStore;
    /** One long-running HTTP service. */
    service(name: string, args: ServiceArgs): ServiceOutputs & pulumi.Resource;
    /** Alert rules, on-call routing, dashboards and synthetic checks for the estate's services. */
    monitoring(name: string, args: MonitoringArgs): MonitoringOutputs & pulumi.Resource;
    /** One run-to-completion job (schema migration, seeding), restricted like a service. */
    job(name: string, args: JobArgs): JobOutputs & pulumi.Resource;
    /** Daily encrypted backups of the stores and the monthly restore drill, into private object storage. */
    backups(name: string, args: BackupsArgs): BackupsOutputs & pulumi.Resource;
    /** The relational database (PostgreSQL), private, TLS-only, with PITR. */
    postgres(name: string, args: PostgresArgs): PostgresOutputs & pulumi.Resource;
    /** The cache and queue (Redis), private, password-protected. */
    redis(name: string, args: RedisArgs): RedisOutputs & pulumi.Resource;
    /** The graph database (Neo4j), private, auth on. */
    neo4j(name: string, args: Neo4jArgs): Neo4jOutputs & pulumi.Resource;
    /** The model runtime (Ollama), private, with the configured models pulled. */
    ollama(name: string, args: OllamaArgs): OllamaOutputs & pulumi.Resource;
}
