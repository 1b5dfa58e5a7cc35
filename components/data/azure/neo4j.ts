import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import { KeyVaultStore, type KeyVaultStoreArgs } from "../../secrets/azure/key-vault";
import {
    NEO4J_APOC_PLUGINS,
    NEO4J_BOLT_PORT,
    NEO4J_IMAGE,
    NEO4J_USER,
    neo4jAuth,
    neo4jUri,
    type Neo4jArgs,
    type Neo4jOutputs,
} from "../neo4j";
import { AzureFilesVolume } from "./files";
import { estateTags } from "../../platform/azure/tags";

export { NEO4J_IMAGE };
/** The image's `neo4j` user: the SMB mount presents the share as owned by it, since SMB cannot chown. */
const NEO4J_UID = 7474;

export interface Neo4jContainerAppArgs
    extends
        Neo4jArgs,
        Pick<
            KeyVaultStoreArgs,
            "nameSeed" | "endpointsSubnetId" | "privateDnsZoneId" | "networkReadiness" | "workspaceId"
        > {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    readonly environmentId: pulumi.Input<string>;
    readonly environmentName: pulumi.Input<string>;
    readonly appsSubnetId: pulumi.Input<string>;
    readonly tenantId: pulumi.Input<string>;
    readonly subscriptionId: pulumi.Input<string>;
    /** Neo4j's own identity: resolves the Key Vault reference of the password, nothing else. */
    readonly identityId: pulumi.Input<string>;
    readonly identityPrincipalId: pulumi.Input<string>;
}

/**
 * Neo4j as a single-replica Container App. Azure has no managed Neo4j (Aura is a separate SaaS
 * outside the VNet), so the graph runs in the estate's environment: TCP ingress on the bolt port,
 * internal to the environment, data on an Azure Files share, the password read from Key Vault.
 */
export class Neo4jContainerApp extends pulumi.ComponentResource implements Neo4jOutputs {
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly uri: pulumi.Output<string>;
    readonly user: pulumi.Output<string>;
    readonly password: pulumi.Output<string>;
    readonly containerApp: app.ContainerApp;

    constructor(name: string, args: Neo4jContainerAppArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:data:Neo4jContainerApp", name, {}, opts);
        const protect = args.protect ?? false;
        const tags = estateTags("graph", "neo4j");
        const data = new AzureFilesVolume(
            `${name}-data`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                environmentName: args.environmentName,
                appsSubnetId: args.appsSubnetId,
                quotaGb: args.storageGb,
                tags,
                protect,
            },
            { parent: this },
        );
        // Container Apps accept secrets only as Key Vault references (policy), so the password gets a vault entry.
        const auth = new KeyVaultStore(
            `${name}-auth`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                tenantId: args.tenantId,
                subscriptionId: args.subscriptionId,
                // NEO4J_AUTH as the official image reads it (`neo4j/<password>`), so the container takes it as is.
                entries: [{ id: "neo4j-auth", value: pulumi.secret(pulumi.output(args.password).apply(neo4jAuth)) }],
                reader: { id: args.identityId, principalId: args.identityPrincipalId },
                nameSeed: args.nameSeed,
                workspaceId: args.workspaceId,
                endpointsSubnetId: args.endpointsSubnetId,
                privateDnsZoneId: args.privateDnsZoneId,
                ...(args.networkReadiness ? { networkReadiness: args.networkReadiness } : {}),
                protect,
            },
            { parent: this },
        );
        const passwordRef = auth.refs["neo4j-auth"]!;
        if (passwordRef.kind !== "key-vault")
            throw new pulumi.ResourceError("the Key Vault store returned a non-Key Vault reference", this);
        const tcpProbe = (
            type: "Startup" | "Liveness" | "Readiness",
            failureThreshold: number,
            periodSeconds = 10,
        ) => ({
            type,
            tcpSocket: { port: NEO4J_BOLT_PORT },
            periodSeconds,
            timeoutSeconds: 5,
            // Container Apps allows at most 10 failures: the 5-minute start-up budget is 10 × 30 s.
            failureThreshold,
        });

        this.containerApp = new app.ContainerApp(
            `${name}-app`,
            {
                containerAppName: name,
                resourceGroupName: args.resourceGroupName,
                managedEnvironmentId: args.environmentId,
                identity: { type: "UserAssigned", userAssignedIdentities: [args.identityId] },
                tags,
                configuration: {
                    // One writer on one store: never two revisions on the same files.
                    activeRevisionsMode: "Single",
                    ingress: {
                        external: args.publicAccess ?? false,
                        transport: "tcp",
                        targetPort: NEO4J_BOLT_PORT,
                        exposedPort: NEO4J_BOLT_PORT,
                        allowInsecure: false,
                    },
                    secrets: [
                        {
                            name: passwordRef.name,
                            keyVaultUrl: passwordRef.secretUri,
                            identity: passwordRef.identityId,
                        },
                    ],
                },
                template: {
                    containers: [
                        {
                            name,
                            image: NEO4J_IMAGE,
                            env: [
                                // A Key Vault reference: the password never appears in the app's definition.
                                { name: "NEO4J_AUTH", secretRef: passwordRef.name },
                                { name: "NEO4J_server_memory_heap_max__size", value: "2G" },
                                { name: "NEO4J_server_memory_pagecache_size", value: "1G" },
                                // APOC core for the online backup (apoc.export.cypher.all, stream: true).
                                { name: "NEO4J_PLUGINS", value: NEO4J_APOC_PLUGINS },
                            ],
                            resources: { cpu: 2, memory: "4Gi" },
                            volumeMounts: [{ volumeName: "data", mountPath: "/data" }],
                            probes: [tcpProbe("Startup", 10, 30), tcpProbe("Liveness", 3), tcpProbe("Readiness", 3)],
                        },
                    ],
                    volumes: [
                        {
                            name: "data",
                            storageType: "AzureFile",
                            storageName: data.storageName,
                            // nobrl: the store lock is held by the one replica; SMB byte-range locks break Neo4j's store files.
                            mountOptions: `uid=${NEO4J_UID},gid=${NEO4J_UID},dir_mode=0750,file_mode=0640,nobrl,mfsymlinks`,
                        },
                    ],
                    scale: { minReplicas: 1, maxReplicas: 1 },
                },
            },
            // The password is a Key Vault reference: wait for the identity's role and the vault's private endpoint.
            { parent: this, dependsOn: [...auth.readiness] },
        );

        // Apps in the environment reach a TCP app by its name on the exposed port (the ingress FQDN does not route TCP internally).
        this.host = this.containerApp.name.apply(() => name);
        this.port = pulumi.output(NEO4J_BOLT_PORT);
        // TCP ingress does not terminate TLS, so the URI is bolt://: the environment's peer traffic
        // encryption (foundation) carries it over mTLS between the apps' proxies. Bolt TLS end to end
        // would need a certificate and key mounted into Neo4j and its CA in every client (README).
        this.uri = this.host.apply((host) => neo4jUri(host, NEO4J_BOLT_PORT, false));
        this.user = pulumi.output(NEO4J_USER);
        this.password = pulumi.secret(args.password);
        this.registerOutputs({ host: this.host, port: this.port, uri: this.uri, user: this.user });
    }
}
