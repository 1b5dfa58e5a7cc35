import { PolicyConfigSchema, PolicyResource } from "@pulumi/policy";
import { CONTAINER_APP, CONTAINER_APP_JOB, NAME_TAG } from "./azure";
import { JOB, LONG_RUNNING_TYPES, NAME_LABEL, podTemplateOf } from "./k8s";
import { CatalogEntry, configWithDefaults } from "./lib";

/** Label (Kubernetes) and tag (Azure) naming what a job is for: migration, bootstrap, backup, restore-drill. */
export const JOB_PURPOSE_LABEL = "estate.io/job";
export const JOB_PURPOSE_TAG = "estate-job";

/** The purpose of a Kubernetes Job/CronJob (pod template label) or Container Apps job (tag). */
export function jobPurposeOf(r: PolicyResource): string | undefined {
    if (r.type === CONTAINER_APP_JOB) return r.props.tags?.[JOB_PURPOSE_TAG];
    const template = podTemplateOf(r.type, r.props);
    return template?.metadata?.labels?.[JOB_PURPOSE_LABEL] ?? r.props.metadata?.labels?.[JOB_PURPOSE_LABEL];
}

/** The app name a long-running workload serves under, as the schema-owner list names it. */
function appNameOf(r: PolicyResource): string | undefined {
    if (r.type === CONTAINER_APP) return r.props.tags?.[NAME_TAG] ?? r.props.containerAppName ?? r.name;
    return podTemplateOf(r.type, r.props)?.metadata?.labels?.[NAME_LABEL];
}

const schema: PolicyConfigSchema = {
    properties: {
        schemaOwners: {
            type: "array",
            items: { type: "string" },
            default: ["api"],
            description:
                "Workloads (app name) that own the database schema and so must roll after their migration job.",
        },
    },
};

export const migrationsBeforeTraffic: CatalogEntry = {
    policy: {
        name: "migrations-before-traffic",
        description:
            "The workload that owns the schema depends on a migration job, so it rolls only after `alembic upgrade head`.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: schema,
        validateStack: (args, report) => {
            const cfg = configWithDefaults<{ schemaOwners: string[] }>(schema, args);
            const owners = args.resources.filter(
                (r) =>
                    (LONG_RUNNING_TYPES.includes(r.type) || r.type === CONTAINER_APP) &&
                    cfg.schemaOwners.includes(appNameOf(r) ?? ""),
            );
            if (owners.length === 0) {
                args.notApplicable("no schema-owning workload");
            }
            for (const owner of owners) {
                const migrations = owner.dependencies.filter(
                    (d) => (d.type === JOB || d.type === CONTAINER_APP_JOB) && jobPurposeOf(d) === "migration",
                );
                const what = `${owner.type.split(":").pop()} "${owner.name}"`;
                if (migrations.length === 0) {
                    report(
                        `${what} owns the schema but does not depend on a migration job: add a Job labelled ${JOB_PURPOSE_LABEL}=migration (tag ${JOB_PURPOSE_TAG}=migration on Azure) running \`alembic upgrade head\` and list it in the workload's dependsOn.`,
                        owner.urn,
                    );
                }
            }
        },
    },
    meta: {
        requirements: ["UA-MIGRATE-FIRST", "CA-MIGRATIONS-IN-PIPELINE"],
        checks: [],
    },
};

export const migrationPolicies: readonly CatalogEntry[] = [migrationsBeforeTraffic];
