// One backup or restore-drill job as a scheduled Container Apps job: the repository's scripts run
// as the job's own identity, with its secrets bound to it and, for a drill, the age identity as a file.
import type * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import { keyVaultSecrets } from "../../workload/azure/job";
import { containerAppSize, type SecretRef } from "../../workload/service";
import { AGE_IDENTITY_DIR, AGE_IDENTITY_FILE, BACKUP_SCRIPTS_PATH, type BackupJobSpec } from "../backups";
import type { AzureBackupsArgs } from "./backups";

/** What of the component's args a job reads. */
export type BackupJobArgs = Pick<
    AzureBackupsArgs,
    "resourceGroupName" | "environmentId" | "image" | "bindSecrets" | "pullFor"
>;

const cores = (cpu: string) => (cpu.endsWith("m") ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu));

/**
 * The job of one spec, running as `runAs` (whose blob-writer grant it waits for); `identity` is
 * the age identity a restore drill decrypts with.
 */
export function backupJob(
    spec: BackupJobSpec,
    args: BackupJobArgs,
    runAs: {
        id: pulumi.Output<string>;
        principalId: pulumi.Output<string>;
        clientId: pulumi.Output<string>;
        writer: pulumi.Resource;
    },
    identity: SecretRef | undefined,
    parent: pulumi.Resource,
): app.Job {
    const wanted = identity ? { ...spec.secretEnv, BACKUP_AGE_IDENTITY: identity } : spec.secretEnv;
    const bound = args.bindSecrets(spec.name, runAs, wanted);
    const pull = args.pullFor?.(spec.name, runAs) ?? { registries: [], readiness: [] };
    const { secrets, env } = keyVaultSecrets(bound.secretEnv, parent);
    // pg_dump or redis-cli plus age and the az upload need more than the 0.25-core minimum.
    const size = containerAppSize(cores(spec.size.cpu) < 0.5 ? "500m" : spec.size.cpu);
    const identitySecret = identity && identity.kind === "key-vault" ? identity.name : undefined;
    return new app.Job(
        `${spec.name}-job`,
        {
            jobName: spec.name,
            resourceGroupName: args.resourceGroupName,
            environmentId: args.environmentId,
            identity: { type: "UserAssigned", userAssignedIdentities: [runAs.id] },
            tags: {
                "estate-tier": "job",
                "estate-component": "job",
                "estate-name": spec.name,
                "estate-job": spec.purpose,
                "estate-store": spec.store,
            },
            configuration: {
                triggerType: "Schedule",
                scheduleTriggerConfig: { cronExpression: spec.schedule, parallelism: 1, replicaCompletionCount: 1 },
                replicaTimeout: spec.purpose === "restore-drill" ? 6 * 3600 : 3 * 3600,
                replicaRetryLimit: 1,
                secrets,
                ...(pull.registries.length ? { registries: pull.registries.map((r) => ({ ...r })) } : {}),
            },
            template: {
                containers: [
                    {
                        name: spec.purpose,
                        image: args.image,
                        // The scripts call `az storage blob --auth-mode login`: log in as the job's identity first.
                        command: [
                            "bash",
                            "-c",
                            `az login --identity --client-id "$AZURE_CLIENT_ID" --output none && exec bash ${BACKUP_SCRIPTS_PATH}/${spec.script}`,
                        ],
                        resources: { cpu: size.cpu, memory: size.memory },
                        env: [
                            ...Object.entries(spec.env).map(([envName, value]) => ({ name: envName, value })),
                            // `az login --identity` as this job's own identity.
                            { name: "AZURE_CLIENT_ID", value: runAs.clientId },
                            // The drill reads the key from a file; the env copy exists only to declare the secret.
                            ...env.filter((e) => e.name !== "BACKUP_AGE_IDENTITY"),
                        ],
                        ...(identitySecret
                            ? { volumeMounts: [{ volumeName: "age-identity", mountPath: AGE_IDENTITY_DIR }] }
                            : {}),
                    },
                ],
                ...(identitySecret
                    ? {
                          volumes: [
                              {
                                  name: "age-identity",
                                  storageType: "Secret",
                                  secrets: [{ secretRef: identitySecret, path: AGE_IDENTITY_FILE }],
                              },
                          ],
                      }
                    : {}),
            },
        },
        // Key Vault references and blob writes need the grants to exist (RBAC propagates first).
        { parent, dependsOn: [...bound.readiness, ...pull.readiness, runAs.writer] },
    );
}
