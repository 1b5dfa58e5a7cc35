import type * as pulumi from "@pulumi/pulumi";
import type { EstatePlatform } from "../components/platform/platform";
import {
    BOOTSTRAP_ENV,
    DATABASE_ENV,
    MIGRATION_COMMAND,
    migrationJobName,
    pickSecretEnv,
} from "../components/workload/job";
import type { SecretRef } from "../components/workload/service";
import type { EstateConfig, ServiceConfig } from "./config";

/** What the schema owner's jobs need from the service they belong to. */
export interface SchemaJobsInput {
    readonly service: ServiceConfig;
    /** The service's plain environment (ENVIRONMENT, LOG_LEVEL, …): the app's settings module reads it. */
    readonly env: Readonly<Record<string, pulumi.Input<string>>>;
    /** The service's secret references; each job takes only the ones it needs. */
    readonly secretEnv: Readonly<Record<string, SecretRef>>;
    /** Resources the jobs wait for, e.g. the database they migrate. @default none */
    readonly after?: readonly pulumi.Resource[];
}

/** The jobs of the service that owns the schema, and the resource its workload must wait for. */
export interface SchemaJobs {
    readonly migrationJobName: pulumi.Output<string>;
    readonly bootstrapJobName: pulumi.Output<string>;
    /** Pass to the service's `dependsOn`: the workload rolls only after this tag's migration succeeded. */
    readonly migration: readonly pulumi.Resource[];
}

/**
 * Migrations before traffic (runbook 000: "Run Alembic migrations to `head` before switching
 * traffic") and the one-time seeding (runbook 000: "Run the seeding procedure once").
 * `alembic upgrade head` runs once per image tag; seeding runs once for the stack, after it.
 */
/** Component names (`app.kubernetes.io/name`) of the schema owner's jobs: the database admits their pods. */
export function schemaJobComponents(service: string): string[] {
    return [`${service}-migrate`, `${service}-bootstrap`];
}

export function schemaJobs(platform: EstatePlatform, config: EstateConfig, input: SchemaJobsInput): SchemaJobs {
    const { service } = input;
    const databaseEnv = pickSecretEnv(input.secretEnv, DATABASE_ENV);
    const [migrateName, bootstrapName] = schemaJobComponents(service.name) as [string, string];
    const migration = platform.job(migrateName, {
        purpose: "migration",
        jobName: migrationJobName(service.name, service.imageRef),
        image: service.imageRef,
        command: MIGRATION_COMMAND,
        env: input.env,
        secretEnv: databaseEnv,
        dependencies: ["postgres"],
        dependsOn: [...(input.after ?? [])],
    });
    const bootstrap = platform.job(bootstrapName, {
        purpose: "bootstrap",
        jobName: `${service.name}-bootstrap`,
        image: service.imageRef,
        command: config.bootstrap.command,
        env: input.env,
        secretEnv: { ...databaseEnv, ...pickSecretEnv(input.secretEnv, BOOTSTRAP_ENV) },
        dependencies: ["postgres"],
        dependsOn: [migration.completed],
        // Idempotent, but seeding belongs to the first deploy, not to every new tag.
        runOnce: true,
    });
    return {
        migrationJobName: migration.jobName,
        bootstrapJobName: bootstrap.jobName,
        // The job itself (the policy sees the workload depend on a migration job) and its awaited run.
        migration: [...new Set([migration.resource, migration.completed])],
    };
}
