import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";

/**
 * Resource-log categories sent to Log Analytics, per kind of resource, from Azure Monitor's
 * "Supported logs" reference (learn.microsoft.com/azure/azure-monitor/reference/supported-logs/…):
 * Key Vault's AuditEvent is every data-plane call, secret reads included (runbook 003: "enable
 * audit logging on secret reads"); the blob service logs reads, writes and deletes of the backups; the
 * database and the cache send every category they have (the `allLogs` category group).
 */
export const DIAGNOSTIC_LOGS = {
    keyVault: [{ category: "AuditEvent", enabled: true }],
    blobService: [
        { category: "StorageRead", enabled: true },
        { category: "StorageWrite", enabled: true },
        { category: "StorageDelete", enabled: true },
    ],
    postgres: [{ categoryGroup: "allLogs", enabled: true }],
    redis: [{ categoryGroup: "allLogs", enabled: true }],
} as const;

export type DiagnosticKind = keyof typeof DIAGNOSTIC_LOGS;

/** Name of the setting on each resource (one per destination; Azure allows five per resource). */
export const DIAGNOSTIC_SETTING_NAME = "to-log-analytics";

/** Sends one resource's logs of `kind` to the estate's Log Analytics workspace. */
export function diagnosticsToWorkspace(
    name: string,
    kind: DiagnosticKind,
    resourceUri: pulumi.Input<string>,
    workspaceId: pulumi.Input<string>,
    parent: pulumi.Resource,
): monitor.DiagnosticSetting {
    return new monitor.DiagnosticSetting(
        name,
        {
            name: DIAGNOSTIC_SETTING_NAME,
            resourceUri,
            workspaceId,
            logs: DIAGNOSTIC_LOGS[kind].map((log) => ({ ...log })),
        },
        { parent },
    );
}
