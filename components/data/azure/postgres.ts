import * as pulumi from "@pulumi/pulumi";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import { diagnosticsToWorkspace } from "../../platform/azure/diagnostics";
import { linkedPrivateZone } from "../../platform/azure/network";
import { estateTags } from "../../platform/azure/tags";
import { POSTGRES_PORT, postgresUrl, type PostgresArgs, type PostgresOutputs } from "../postgres";

export interface FlexiblePostgresArgs extends PostgresArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    /** Compute SKU, General Purpose tier, e.g. `Standard_D2ds_v5`. */
    readonly sku: string;
    /** Subnet delegated to `Microsoft.DBforPostgreSQL/flexibleServers` (private access). */
    readonly delegatedSubnetId: pulumi.Input<string>;
    /** VNet the server's private DNS zone is linked to. */
    readonly vnetId: pulumi.Input<string>;
    /** Log Analytics workspace every server's logs (connections, errors, slow statements) go to. */
    readonly workspaceId: pulumi.Input<string>;
}

/** Server parameters that make TLS mandatory, applied one after another (the server takes one change at a time). */
export const POSTGRES_TLS_PARAMETERS = [
    ["require_secure_transport", "on"],
    ["ssl_min_protocol_version", "TLSv1.2"],
] as const;

/**
 * PostgreSQL Flexible Server with private access only: a delegated subnet and a private DNS zone
 * linked to the estate's VNet, TLS enforced, point-in-time restore, zone-redundant HA and
 * geo-redundant backups when highly available, and read replicas.
 */
export class FlexiblePostgres extends pulumi.ComponentResource implements PostgresOutputs {
    readonly host: pulumi.Output<string>;
    readonly readHost: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly databaseName: pulumi.Output<string>;
    readonly user: pulumi.Output<string>;
    readonly password: pulumi.Output<string>;
    readonly databaseUrl: pulumi.Output<string>;
    readonly readDatabaseUrl: pulumi.Output<string>;
    readonly server: dbforpostgresql.Server;
    readonly replicas: readonly dbforpostgresql.Server[];

    constructor(name: string, args: FlexiblePostgresArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:data:FlexiblePostgres", name, {}, opts);
        const protect = args.protect ?? false;
        const { highAvailability: ha, readReplicas, databaseName, owner } = args;
        const stateful = { parent: this, protect, retainOnDelete: protect };
        const tags = estateTags("database", "postgres");

        // Private access puts the server in the subnet; public access (break-glass, refused by policy) cannot have one.
        const { zone, link } = linkedPrivateZone(
            name,
            {
                resourceGroupName: args.resourceGroupName,
                zoneName: `${name}.private.postgres.database.azure.com`,
                vnetId: args.vnetId,
            },
            this,
        );
        const network: dbforpostgresql.ServerArgs["network"] = args.publicAccess
            ? { publicNetworkAccess: "Enabled" }
            : {
                  publicNetworkAccess: "Disabled",
                  delegatedSubnetResourceId: args.delegatedSubnetId,
                  privateDnsZoneArmResourceId: zone.id,
              };
        const common = {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            sku: { name: args.sku, tier: "GeneralPurpose" },
            storage: { storageSizeGB: args.storageGb, autoGrow: "Enabled" },
            network,
            tags,
        };

        // The administrator is the owner the services connect as: on Azure it is not a superuser (azure_pg_admin).
        this.server = new dbforpostgresql.Server(
            `${name}-server`,
            {
                ...common,
                version: args.version,
                administratorLogin: owner,
                administratorLoginPassword: pulumi.secret(args.ownerPassword),
                authConfig: { passwordAuth: "Enabled", activeDirectoryAuth: "Disabled" },
                backup: {
                    backupRetentionDays: args.backupRetentionDays,
                    geoRedundantBackup: ha ? "Enabled" : "Disabled",
                },
                highAvailability: { mode: ha ? "ZoneRedundant" : "Disabled" },
            },
            { ...stateful, dependsOn: [link] },
        );

        let previous: pulumi.Resource = this.server;
        for (const [parameter, value] of POSTGRES_TLS_PARAMETERS) {
            previous = new dbforpostgresql.Configuration(
                `${name}-${parameter.replace(/_/g, "-")}`,
                {
                    resourceGroupName: args.resourceGroupName,
                    serverName: this.server.name,
                    configurationName: parameter,
                    value,
                    source: "user-override",
                },
                { parent: this, dependsOn: [previous] },
            );
        }
        const database = new dbforpostgresql.Database(
            `${name}-db`,
            {
                resourceGroupName: args.resourceGroupName,
                serverName: this.server.name,
                databaseName,
                charset: "UTF8",
                collation: "en_US.utf8",
            },
            { ...stateful, dependsOn: [previous] },
        );

        this.replicas = Array.from(
            { length: readReplicas },
            (_, i) =>
                new dbforpostgresql.Server(
                    `${name}-replica-${i + 1}`,
                    { ...common, createMode: "Replica", sourceServerResourceId: this.server.id },
                    // Replicas copy the source's parameters, so they start TLS-only too. Creating a replica
                    // puts the primary in an updating state, refusing the database create: replicas come last.
                    { ...stateful, dependsOn: [database] },
                ),
        );

        diagnosticsToWorkspace(`${name}-server-logs`, "postgres", this.server.id, args.workspaceId, this);
        this.replicas.forEach((replica, i) =>
            diagnosticsToWorkspace(`${name}-replica-${i + 1}-logs`, "postgres", replica.id, args.workspaceId, this),
        );

        this.host = this.server.fullyQualifiedDomainName;
        this.readHost = this.replicas[0]?.fullyQualifiedDomainName ?? this.host;
        this.port = pulumi.output(POSTGRES_PORT);
        this.databaseName = database.name.apply(() => databaseName);
        this.user = pulumi.output(owner);
        this.password = pulumi.secret(args.ownerPassword);
        const url = (host: pulumi.Output<string>) =>
            pulumi.secret(
                pulumi
                    .all([host, this.password])
                    .apply(([h, password]) =>
                        postgresUrl({ host: h, port: POSTGRES_PORT, database: databaseName, user: owner, password }),
                    ),
            );
        this.databaseUrl = url(this.host);
        this.readDatabaseUrl = url(this.readHost);
        this.registerOutputs({
            host: this.host,
            readHost: this.readHost,
            port: this.port,
            databaseName: this.databaseName,
            user: this.user,
            databaseUrl: this.databaseUrl,
        });
    }
}
