import * as pulumi from "@pulumi/pulumi";
import { ollamaModels, type OllamaOutputs } from "../components/ai/ollama";
import { backupJobClients } from "../components/backup/backups";
import type { Neo4jOutputs } from "../components/data/neo4j";
import type { PostgresOutputs } from "../components/data/postgres";
import type { RedisOutputs } from "../components/data/redis";
import type { EstatePlatform } from "../components/platform/platform";
import type { SecretEntry } from "../components/secrets/secret-store";
import type { EstateConfig } from "./config";
import type { DataOutputs } from "./outputs";
import { schemaJobComponents } from "./migrations";
import { storeSecretIds, type DataSecretId } from "./secrets";
import { dependencyNames, serviceBlueprints, type DependencyName } from "./services";

/** The four stores as the estate composes them, and what a service needing each must wait for. */
export interface DataStores {
    readonly postgres: PostgresOutputs & pulumi.Resource;
    readonly redis: RedisOutputs & pulumi.Resource;
    readonly neo4j: Neo4jOutputs & pulumi.Resource;
    readonly ollama: OllamaOutputs & pulumi.Resource;
    /** Resources a service that needs the dependency depends on, so the graph shows its readiness gate. */
    readonly readiness: Readonly<Record<DependencyName, readonly pulumi.Resource[]>>;
}

/** Generated passwords the stores are created with. */
export interface DataCredentials {
    readonly dbPassword: pulumi.Output<string>;
    readonly redisPassword: pulumi.Output<string>;
    readonly neo4jPassword: pulumi.Output<string>;
}

/** Enabled services that need the dependency (stacks/services.ts `needs`): the only clients a store admits. */
export function clientsOf(dependency: DependencyName, config: Pick<EstateConfig, "services">): string[] {
    return config.services.filter((s) => serviceBlueprints[s.name].needs.includes(dependency)).map((s) => s.name);
}

/** Jobs whose pods connect: the schema owner's migration and seeding jobs, and the backups and drill. */
export function jobClientsOf(dependency: DependencyName, config: Pick<EstateConfig, "services" | "backups">): string[] {
    const schema =
        dependency === "postgres"
            ? config.services
                  .filter((s) => serviceBlueprints[s.name].ownsSchema)
                  .flatMap((s) => schemaJobComponents(s.name))
            : [];
    const backups =
        dependency === "ollama"
            ? []
            : backupJobClients(config.backups.postgresDatabases, config.backups.restoreDrill.enabled)[dependency];
    return [...schema, ...backups];
}

/** Declares PostgreSQL, Redis, Neo4j and Ollama through the platform, private unless config says otherwise. */
export function declareDataStores(
    platform: EstatePlatform,
    config: EstateConfig,
    credentials: DataCredentials,
): DataStores {
    const common = (dependency: DependencyName) => ({
        clients: clientsOf(dependency, config),
        jobClients: jobClientsOf(dependency, config),
        publicAccess: config.data.publicStores.includes(dependency),
        protect: config.isProd,
    });
    const pg = config.data.postgres;
    const postgres = platform.postgres("postgres", {
        ...common("postgres"),
        version: pg.version,
        databaseName: "estate",
        owner: "estate",
        ownerPassword: credentials.dbPassword,
        storageGb: pg.storageGb,
        highAvailability: pg.highAvailability,
        readReplicas: pg.readReplicas,
        backupRetentionDays: pg.backupRetentionDays,
    });
    const redis = platform.redis("redis", {
        ...common("redis"),
        password: credentials.redisPassword,
        persistence: config.data.redis.persistence,
    });
    const neo4j = platform.neo4j("neo4j", {
        ...common("neo4j"),
        password: credentials.neo4jPassword,
        storageGb: config.data.neo4j.storageGb,
    });
    const ollama = platform.ollama("ollama", {
        ...common("ollama"),
        chatModel: config.ollama.chatModel,
        embeddingModel: config.ollama.embeddingModel,
        storageGb: config.data.ollama.storageGb,
        gpu: config.data.ollama.gpu,
    });
    return {
        postgres,
        redis,
        neo4j,
        ollama,
        // Ollama is ready for a service only once both models are pulled (runbook 000).
        readiness: { postgres: [postgres], redis: [redis], neo4j: [neo4j], ollama: [ollama, ollama.modelsReady] },
    };
}

/** Connection settings and credentials of the stores, as secret-store entries (ids in stacks/secrets.ts). */
export function dataSecretEntries(stores: DataStores): SecretEntry[] {
    const { postgres, redis, neo4j } = stores;
    const values: Record<DataSecretId, pulumi.Output<string>> = {
        "db-host": postgres.host,
        "db-port": postgres.port.apply(String),
        "db-name": postgres.databaseName,
        "db-user": postgres.user,
        "db-password": postgres.password,
        "database-url": postgres.databaseUrl,
        "database-read-url": postgres.readDatabaseUrl,
        "redis-password": redis.password,
        "redis-url": redis.url,
        "neo4j-uri": neo4j.uri,
        "neo4j-user": neo4j.user,
        "neo4j-password": neo4j.password,
    };
    return Object.entries(values).map(([id, value]) => ({ id, value: pulumi.secret(value) }));
}

/** The `data` section of the outputs contract: where each store answers and the names (never values) of its secrets. */
export function dataOutputs(
    stores: DataStores,
    config: EstateConfig,
    secretNames: pulumi.Output<Record<string, string>>,
): DataOutputs {
    const namesOf = (dependency: Exclude<DependencyName, "ollama">) =>
        secretNames.apply((names) => Object.fromEntries(storeSecretIds[dependency].map((id) => [id, names[id] ?? ""])));
    const endpoint = (
        dependency: Exclude<DependencyName, "ollama">,
        store: { host: pulumi.Output<string>; port: pulumi.Output<number> },
    ) => ({
        host: store.host,
        port: store.port,
        public: config.data.publicStores.includes(dependency),
        secretNames: namesOf(dependency),
    });
    return {
        postgres: {
            ...endpoint("postgres", stores.postgres),
            readHost: stores.postgres.readHost,
            databaseName: stores.postgres.databaseName,
        },
        redis: endpoint("redis", stores.redis),
        neo4j: endpoint("neo4j", stores.neo4j),
        ollama: {
            host: stores.ollama.host,
            port: stores.ollama.port,
            public: config.data.publicStores.includes("ollama"),
            models: ollamaModels(config.ollama),
        },
    };
}

export { dependencyNames };
