import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import * as command from "@pulumi/command/local";
import type * as azureInputs from "@pulumi/azure-native/types/input";
import { JOB_DEFAULTS, type JobArgs, type JobOutputs } from "../job";
import { azureTags } from "../../platform/azure/tags";
import { containerAppSize, type SecretRef } from "../service";
import { UNBOUND_IDENTITY } from "../../secrets/azure/key-vault";
import { JOB_RUN_SCRIPT, jobRunTimeoutSeconds } from "./job-run";

export interface ContainerAppJobArgs extends JobArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    /** Container Apps managed environment the job runs in. */
    readonly environmentId: pulumi.Input<string>;
    /** User-assigned identity that pulls images and reads Key Vault references. */
    readonly identityId: pulumi.Input<string>;
    /** Private registries the image is pulled from, each with the identity that pulls. @default none (public image) */
    readonly registries?: ReadonlyArray<{ readonly server: string; readonly identity: pulumi.Input<string> }>;
}

/** Tag telling migration, seeding and backup jobs apart (Azure tag names cannot hold `/`). */
export const JOB_PURPOSE_TAG = "estate-job";

/** Key Vault references for a job's secret env: one `configuration.secrets` entry per secret, env by `secretRef`. */
export function keyVaultSecrets(secretEnv: Readonly<Record<string, SecretRef>>, owner: pulumi.Resource) {
    const refs = Object.entries(secretEnv).map(([envName, ref]) => {
        if (ref.kind !== "key-vault") {
            throw new pulumi.ResourceError(
                `\`secretEnv.${envName}\` is a ${ref.kind} reference; Container Apps read secrets as Key Vault references`,
                owner,
            );
        }
        if (ref.identityId === UNBOUND_IDENTITY)
            throw new pulumi.ResourceError(
                `\`secretEnv.${envName}\` is not bound to the workload's identity: grant it with KeyVaultStore.grantRead`,
                owner,
            );
        return { envName, ref };
    });
    const secrets = [
        ...new Map(
            refs.map(({ ref }) => [ref.name, { name: ref.name, keyVaultUrl: ref.secretUri, identity: ref.identityId }]),
        ).values(),
    ];
    const env = refs.map(({ envName, ref }) => ({ name: envName, secretRef: ref.name }));
    return { secrets, env };
}

/**
 * A manually triggered Container Apps job and its run. Creating a `Manual` job does not run it,
 * so a local command starts an execution and waits for it to succeed (`./job-run.ts`), as Pulumi
 * awaits a Kubernetes Job: whatever is ordered after `completed` (the schema owner's app, and with
 * it the new revision) is deployed only after the run succeeded; a failed run fails `pulumi up`
 * and the running revision keeps all traffic (docs/migrations.md). The run is repeated when the
 * job is replaced or its image changes, i.e. once per image tag for the migration.
 */
export class ContainerAppJob extends pulumi.ComponentResource implements JobOutputs {
    readonly jobName: pulumi.Output<string>;
    readonly resource: app.Job;
    /** The command that started an execution of this declaration and saw it succeed. */
    readonly completed: command.Command;

    constructor(name: string, args: ContainerAppJobArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:workload:ContainerAppJob", name, {}, opts);
        const size = containerAppSize(args.cpu);
        const { secrets, env } = keyVaultSecrets(args.secretEnv, this);
        const container: azureInputs.app.ContainerArgs = {
            name: args.purpose,
            image: args.image,
            command: [...args.command],
            resources: { cpu: size.cpu, memory: size.memory },
            env: [...Object.entries(args.env).map(([envName, value]) => ({ name: envName, value })), ...env],
        };

        this.resource = new app.Job(
            `${name}-job`,
            {
                jobName: args.jobName,
                resourceGroupName: args.resourceGroupName,
                environmentId: args.environmentId,
                identity: { type: "UserAssigned", userAssignedIdentities: [args.identityId] },
                tags: azureTags({
                    "estate-tier": "job",
                    "estate-component": "job",
                    "estate-name": name,
                    [JOB_PURPOSE_TAG]: args.purpose,
                }),
                configuration: {
                    triggerType: "Manual",
                    manualTriggerConfig: { parallelism: 1, replicaCompletionCount: 1 },
                    replicaTimeout: args.timeoutSeconds ?? JOB_DEFAULTS.timeoutSeconds,
                    replicaRetryLimit: args.retries ?? JOB_DEFAULTS.retries,
                    secrets,
                    ...(args.registries?.length ? { registries: args.registries.map((r) => ({ ...r })) } : {}),
                },
                template: { containers: [container] },
            },
            {
                parent: this,
                dependsOn: [...(args.dependsOn ?? [])],
                ...(args.runOnce ? { ignoreChanges: ["template", "jobName"] } : {}),
            },
        );

        const replicaTimeout = args.timeoutSeconds ?? JOB_DEFAULTS.timeoutSeconds;
        this.completed = new command.Command(
            `${name}-run`,
            {
                interpreter: ["/bin/bash", "-c"],
                create: JOB_RUN_SCRIPT,
                environment: {
                    // The job's outputs: the run waits for the job to exist.
                    JOB_NAME: this.resource.name,
                    RESOURCE_GROUP: args.resourceGroupName,
                    TIMEOUT_SECONDS: String(jobRunTimeoutSeconds(replicaTimeout, args.retries ?? JOB_DEFAULTS.retries)),
                },
                // A replaced job (a new tag's migration) or a new image runs again; nothing else does.
                triggers: [this.resource.id, args.image],
            },
            { parent: this, ...(args.runOnce ? { ignoreChanges: ["triggers"] } : {}) },
        );

        this.jobName = pulumi.output(args.jobName);
        this.registerOutputs({ jobName: this.jobName });
    }
}
