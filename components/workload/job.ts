import type * as pulumi from "@pulumi/pulumi";
import type { SecretRef } from "./service";

/** What a run-to-completion job is for; policies and the plan tell them apart by it. */
export type JobPurpose = "migration" | "bootstrap";

/** The defaults of the optional job settings, written once for every platform. */
export const JOB_DEFAULTS = { timeoutSeconds: 900, retries: 1 } as const;

/** Platform-neutral description of a job that runs once per declaration (not on a schedule). */
export interface JobArgs {
    readonly purpose: JobPurpose;
    /** Name the platform gives the job object (Kubernetes Job / Container Apps job); see `migrationJobName`. */
    readonly jobName: string;
    /** Full immutable image reference; the schema owner's own image for migrations and seeding. */
    readonly image: string;
    /** Command and arguments, e.g. `["alembic", "upgrade", "head"]`. */
    readonly command: readonly string[];
    /** Plain (non-secret) environment. */
    readonly env: Readonly<Record<string, pulumi.Input<string>>>;
    /** Secret environment, by reference into the secret store; values are never inlined. */
    readonly secretEnv: Readonly<Record<string, SecretRef>>;
    /** In-estate dependencies the job reaches (network policy peers). @default none */
    readonly dependencies?: readonly string[];
    /** Resources that must exist (and, on Kubernetes, jobs that must have completed) first. @default none */
    readonly dependsOn?: readonly pulumi.Resource[];
    /**
     * Run once for the life of the stack: later changes (a new image tag) do not re-run it. Use
     * for seeding, which is idempotent but need not repeat on every deploy. @default false
     */
    readonly runOnce?: boolean;
    /** Seconds before a run is killed. @default 900 */
    readonly timeoutSeconds?: number;
    /** Retries after a failed run. @default 1 */
    readonly retries?: number;
    /** CPU request; memory and limits follow the service sizing rules. @default "250m" / "512Mi" */
    readonly cpu?: string;
    readonly memory?: string;
}

/** What the estate builds on: the job's platform name and the resource to order others after. */
export interface JobOutputs {
    readonly jobName: pulumi.Output<string>;
    /** The custom resource (Kubernetes Job, Container Apps job): pass it to `dependsOn`. */
    readonly resource: pulumi.Resource;
    /**
     * What exists only once this declaration's run succeeded: the Kubernetes Job itself (Pulumi
     * awaits its completion), the command that started and awaited a Container Apps execution.
     * Order whatever needs the job's effect (the schema owner's new revision) after it.
     */
    readonly completed: pulumi.Resource;
}

/** The mutable part of an image reference: the tag, or the first 12 hex digits of a digest. */
export function imageVersionOf(imageRef: string): string {
    const digest = /@sha256:([0-9a-f]{64})$/.exec(imageRef);
    if (digest) return digest[1].slice(0, 12);
    const lastSegment = imageRef.slice(imageRef.lastIndexOf("/") + 1);
    const colon = lastSegment.lastIndexOf(":");
    if (colon < 0) throw new Error(`\`image\` must carry a tag or a digest, got "${imageRef}"`);
    return lastSegment.slice(colon + 1);
}

/**
 * `<service>-migrate-<version>`: a new image tag names a new job, so each tag's migration runs
 * exactly once. Lower-case DNS label, at most 32 characters (the Container Apps job limit).
 */
export function migrationJobName(service: string, imageRef: string): string {
    const version = imageVersionOf(imageRef)
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "");
    const name = `${service}-migrate-${version}`.slice(0, 32).replace(/-+$/, "");
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`\`service\` must be a lower-case name, got "${service}"`);
    return name;
}

/** The Alembic command the migration job runs (runbooks 000, 001: `alembic upgrade head`). */
export const MIGRATION_COMMAND: readonly string[] = ["alembic", "upgrade", "head"];

/** Env vars a job reaching PostgreSQL may read; everything else the service holds stays with it. */
export const DATABASE_ENV: readonly string[] = [
    "DATABASE_URL",
    "POSTGRES_DSN_PROD",
    "DB_HOST",
    "DB_PORT",
    "DB_NAME",
    "DB_USER",
    "DB_PASSWORD",
];

/** Env vars the seeding job reads besides the database (runbook 000 rollout checklist). */
export const BOOTSTRAP_ENV: readonly string[] = [
    "BOOTSTRAP_ADMIN_EMAIL",
    "BOOTSTRAP_ADMIN_PASSWORD",
    "BOOTSTRAP_ADMIN_API_KEY",
];

/** The subset of `refs` whose env names are listed, in `names` order. */
export function pickSecretEnv(
    refs: Readonly<Record<string, SecretRef>>,
    names: readonly string[],
): Record<string, SecretRef> {
    return Object.fromEntries(names.flatMap((n) => (refs[n] ? [[n, refs[n]]] : [])));
}
