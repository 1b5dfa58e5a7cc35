/**
 * The cloud-init user data of Neo4j's VM: the data disk, the Neo4j package at the estate's
 * version with APOC core, Bolt with TLS required, and the boot unit that brings the secrets from
 * Key Vault. Rendered as JSON after `#cloud-config` (JSON is YAML, and cloud-init reads YAML);
 * checked against cloud-init's own schema in the tests (vendor/cloud-init).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NEO4J_BOLT_PORT, NEO4J_VERSION } from "../neo4j";

export const NEO4J_VM_HOME = "/var/lib/neo4j";
/**
 * The data disk at LUN 0 by the udev name Azure's Linux agent gives SCSI data disks (the path
 * learn.microsoft.com/azure/virtual-machines/linux/using-cloud-init-to-format-disks uses; NVMe-only
 * sizes name their disks differently, which is why the size is a premium SCSI one).
 */
export const NEO4J_DATA_DEVICE = "/dev/disk/azure/scsi1/lun0";
export const NEO4J_DATA_LUN = 0;
const SECRETS_SCRIPT = "/usr/local/sbin/estate-neo4j-secrets";
const SECRETS_ENV = "/etc/estate/neo4j-secrets.env";

export const neo4jVmSecretsScript = readFileSync(join(__dirname, "scripts", "neo4j-vm-secrets.sh"), "utf8");

export interface Neo4jCloudInitArgs {
    /** Client id of the user-assigned identity the VM reads its secrets as. */
    readonly identityClientId: string;
    /** Versionless Key Vault secret URIs. */
    readonly passwordSecretUri: string;
    readonly tlsKeySecretUri: string;
    readonly tlsCertSecretUri: string;
}

/**
 * Settings appended to the package's neo4j.conf (Neo4j 5 configuration reference). Only Bolt
 * listens, on every address, and only with TLS; HTTP is off (nothing in the estate uses it).
 */
export const NEO4J_VM_SETTINGS: Readonly<Record<string, string>> = {
    "server.default_listen_address": "0.0.0.0",
    "server.bolt.listen_address": `:${NEO4J_BOLT_PORT}`,
    "server.bolt.tls_level": "REQUIRED",
    "server.http.enabled": "false",
    "server.https.enabled": "false",
    "dbms.ssl.policy.bolt.enabled": "true",
    // Absolute, whatever the package's home directory; the boot unit gets it as BOLT_CERT_DIR.
    "dbms.ssl.policy.bolt.base_directory": `${NEO4J_VM_HOME}/certificates/bolt`,
    "dbms.ssl.policy.bolt.private_key": "private.key",
    "dbms.ssl.policy.bolt.public_certificate": "public.crt",
    "dbms.ssl.policy.bolt.client_auth": "NONE",
};

/** `#cloud-config` for the VM; nothing in it is secret (the secrets are read at boot). */
export function neo4jCloudInit(args: Neo4jCloudInitArgs): string {
    const conf = Object.entries(NEO4J_VM_SETTINGS)
        .map(([k, v]) => `${k}=${v}`)
        .join("\n");
    const env = [
        `IDENTITY_CLIENT_ID=${args.identityClientId}`,
        `PASSWORD_SECRET_URI=${args.passwordSecretUri}`,
        `TLS_KEY_SECRET_URI=${args.tlsKeySecretUri}`,
        `TLS_CERT_SECRET_URI=${args.tlsCertSecretUri}`,
        `NEO4J_HOME=${NEO4J_VM_HOME}`,
        // One place for the directory: the unit writes where the SSL policy reads.
        `BOLT_CERT_DIR=${NEO4J_VM_SETTINGS["dbms.ssl.policy.bolt.base_directory"]}`,
    ].join("\n");
    const config = {
        // The data disk: partitioned and formatted once (never overwritten), mounted by label.
        disk_setup: { [NEO4J_DATA_DEVICE]: { table_type: "gpt", layout: true, overwrite: false } },
        fs_setup: [
            {
                device: NEO4J_DATA_DEVICE,
                // The first partition without a filesystem of this label; an existing one is kept.
                partition: "auto",
                filesystem: "ext4",
                label: "neo4j-data",
                overwrite: false,
            },
        ],
        mounts: [["LABEL=neo4j-data", `${NEO4J_VM_HOME}/data`, "ext4", "defaults,noatime,nofail", "0", "2"]],
        package_update: true,
        packages: ["curl", "python3", "gnupg"],
        write_files: [
            { path: SECRETS_SCRIPT, permissions: "0755", owner: "root:root", content: neo4jVmSecretsScript },
            { path: SECRETS_ENV, permissions: "0644", owner: "root:root", content: `${env}\n` },
            { path: "/etc/estate/neo4j.conf", permissions: "0644", owner: "root:root", content: `${conf}\n` },
            {
                path: "/etc/systemd/system/estate-neo4j-secrets.service",
                permissions: "0644",
                owner: "root:root",
                content: unit({
                    Unit: {
                        Description: "Neo4j secrets from Key Vault",
                        Before: "neo4j.service",
                        Wants: "network-online.target",
                        After: "network-online.target",
                    },
                    Service: {
                        Type: "oneshot",
                        EnvironmentFile: SECRETS_ENV,
                        // A later run restarts a running server when its certificate changed; --no-block:
                        // at boot neo4j.service waits for this unit, which must not wait for it in turn.
                        Environment: '"NEO4J_RESTART=systemctl --no-block try-restart neo4j.service"',
                        ExecStart: SECRETS_SCRIPT,
                    },
                    Install: { RequiredBy: "neo4j.service" },
                }),
            },
            {
                path: "/etc/systemd/system/estate-neo4j-secrets.timer",
                permissions: "0644",
                owner: "root:root",
                // A renewed certificate reaches the server within a day.
                content: unit({
                    Unit: { Description: "Refresh Neo4j's secrets daily" },
                    Timer: { OnCalendar: "daily", RandomizedDelaySec: "1h", Persistent: "true" },
                    Install: { WantedBy: "timers.target" },
                }),
            },
        ],
        runcmd: [
            // Neo4j's Debian repository (Neo4j operations manual, "Debian-based distributions").
            [
                "sh",
                "-c",
                "curl -fsSL https://debian.neo4j.com/neotechnology.gpg.key | gpg --dearmor -o /usr/share/keyrings/neo4j.gpg",
            ],
            [
                "sh",
                "-c",
                "echo 'deb [signed-by=/usr/share/keyrings/neo4j.gpg] https://debian.neo4j.com stable 5' > /etc/apt/sources.list.d/neo4j.list",
            ],
            ["apt-get", "update"],
            // No service starts while packages install (Debian's policy-rc.d): a Neo4j started now
            // would initialise its system database with the default password before ours is set.
            [
                "sh",
                "-c",
                "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d",
            ],
            // The estate's one Neo4j version; the package's epoch is 1.
            ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", `neo4j=1:${NEO4J_VERSION}`],
            ["rm", "-f", "/usr/sbin/policy-rc.d"],
            ["apt-mark", "hold", "neo4j"],
            // APOC core ships with the package under labs/: the backup's export needs it.
            ["sh", "-c", `cp ${NEO4J_VM_HOME}/labs/apoc-*-core.jar ${NEO4J_VM_HOME}/plugins/`],
            ["sh", "-c", "cat /etc/estate/neo4j.conf >> /etc/neo4j/neo4j.conf"],
            // Heap and page cache as neo4j-admin recommends for this VM's memory.
            [
                "sh",
                "-c",
                "neo4j-admin server memory-recommendation | grep -E '^server\\.memory\\.' >> /etc/neo4j/neo4j.conf",
            ],
            ["chown", "-R", "neo4j:neo4j", `${NEO4J_VM_HOME}/data`, `${NEO4J_VM_HOME}/plugins`],
            ["systemctl", "daemon-reload"],
            ["systemctl", "enable", "estate-neo4j-secrets.service", "estate-neo4j-secrets.timer", "neo4j.service"],
            ["systemctl", "start", "estate-neo4j-secrets.timer", "neo4j.service"],
        ],
    };
    return `#cloud-config\n${JSON.stringify(config, null, 2)}\n`;
}

/** A systemd unit file from its sections. */
function unit(sections: Readonly<Record<string, Readonly<Record<string, string>>>>): string {
    return Object.entries(sections)
        .map(
            ([section, keys]) =>
                `[${section}]\n${Object.entries(keys)
                    .map(([k, v]) => `${k}=${v}`)
                    .join("\n")}\n`,
        )
        .join("\n");
}
