import type * as pulumi from "@pulumi/pulumi";
import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import type * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import { dnsEgress, metadataServerEgress, namespacePeer, publicHttpsEgress } from "../../platform/kubernetes/network";
import {
    containerEnv,
    JOB_PURPOSE_LABEL,
    memoryTmp,
    restrictedContainerSecurityContext,
    restrictedPodSecurityContext,
    secretKeyRefOf,
    workloadLabels,
} from "../../platform/kubernetes/pod";
import { resourceSizing, type SecretRef } from "../../workload/service";
import { AGE_IDENTITY_DIR, AGE_IDENTITY_FILE, BACKUP_SCRIPTS_PATH, type BackupJobSpec } from "../backups";
import { backupScriptCommand } from "../scripts";

/** The backup tools' scratch space, in memory like every workload's `/tmp` (the root filesystem is read-only). */
const BACKUP_TMP = memoryTmp("256Mi");

/**
 * One backup or restore-drill job as a restricted CronJob: the repository's scripts mounted read
 * only, a disk for the ciphertext, and for a drill the age identity as a file only its user reads.
 */
export function backupCronJob(
    job: BackupJobSpec,
    image: string,
    namespace: pulumi.Input<string>,
    ksa: corev1.ServiceAccount,
    scripts: corev1.ConfigMap,
    identity: SecretRef | undefined,
    parent: pulumi.Resource,
): batchv1.CronJob {
    const labels = {
        ...workloadLabels(job.name, "job", "job"),
        [JOB_PURPOSE_LABEL]: job.purpose,
        "estate.io/store": job.store,
    };
    // The age private key is a file from the synced Secret, readable by the job's user only.
    const key = identity ? secretKeyRefOf("BACKUP_AGE_IDENTITY_FILE", identity, parent) : undefined;
    const identityVolume = key
        ? [
              {
                  name: "age-identity",
                  secret: {
                      secretName: key.name,
                      items: [{ key: key.key, path: AGE_IDENTITY_FILE }],
                      defaultMode: 0o400,
                  },
              },
          ]
        : [];
    return new batchv1.CronJob(
        `${job.name}-cronjob`,
        {
            metadata: { name: job.name, namespace, labels },
            spec: {
                schedule: job.schedule,
                timeZone: "Etc/UTC",
                concurrencyPolicy: "Forbid",
                startingDeadlineSeconds: 3600,
                successfulJobsHistoryLimit: 3,
                failedJobsHistoryLimit: 3,
                jobTemplate: {
                    metadata: { labels },
                    spec: {
                        backoffLimit: 1,
                        activeDeadlineSeconds: job.purpose === "restore-drill" ? 6 * 3600 : 3 * 3600,
                        template: {
                            metadata: { labels },
                            spec: {
                                restartPolicy: "Never",
                                serviceAccountName: ksa.metadata.name,
                                automountServiceAccountToken: false,
                                securityContext: restrictedPodSecurityContext,
                                containers: [
                                    {
                                        name: job.purpose,
                                        image,
                                        imagePullPolicy: "IfNotPresent",
                                        command: backupScriptCommand(job.script, BACKUP_SCRIPTS_PATH),
                                        env: containerEnv(job.env, job.secretEnv, parent),
                                        resources: resourceSizing(job.size.cpu, job.size.memory),
                                        securityContext: restrictedContainerSecurityContext,
                                        volumeMounts: [
                                            { name: "scripts", mountPath: BACKUP_SCRIPTS_PATH, readOnly: true },
                                            { name: "work", mountPath: "/work" },
                                            BACKUP_TMP.mount,
                                            ...(identity
                                                ? [
                                                      {
                                                          name: "age-identity",
                                                          mountPath: AGE_IDENTITY_DIR,
                                                          readOnly: true,
                                                      },
                                                  ]
                                                : []),
                                        ],
                                    },
                                ],
                                volumes: [
                                    {
                                        name: "scripts",
                                        configMap: { name: scripts.metadata.name, defaultMode: 0o444 },
                                    },
                                    // Ciphertext is staged here before upload: on disk, sized for a dump.
                                    { name: "work", emptyDir: { sizeLimit: "20Gi" } },
                                    // The Neo4j drill's JVM writes its temporary files here too.
                                    BACKUP_TMP.volume,
                                    ...identityVolume,
                                ],
                            },
                        },
                    },
                },
            },
        },
        { parent },
    );
}

/** A job reaches DNS, its store, the Pushgateway, the metadata server and Google APIs; nothing reaches it. */
export function backupJobNetworkPolicy(
    job: BackupJobSpec,
    namespace: pulumi.Input<string>,
    monitoringNamespace: string,
    parent: pulumi.Resource,
): networkingv1.NetworkPolicy {
    return new networkingv1.NetworkPolicy(
        `${job.name}-netpol`,
        {
            metadata: { name: job.name, namespace, labels: workloadLabels(job.name, "job", "job") },
            spec: {
                podSelector: { matchLabels: { "app.kubernetes.io/name": job.name } },
                policyTypes: ["Ingress", "Egress"],
                ingress: [],
                egress: [
                    dnsEgress,
                    ...(job.dependency
                        ? [{ to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": job.dependency } } }] }]
                        : []),
                    { to: [namespacePeer(monitoringNamespace)], ports: [{ protocol: "TCP", port: 9091 }] },
                    // The GKE metadata server hands out the Workload Identity token.
                    metadataServerEgress,
                    // Google APIs (GCS), only over TLS.
                    publicHttpsEgress(),
                ],
            },
        },
        { parent },
    );
}
