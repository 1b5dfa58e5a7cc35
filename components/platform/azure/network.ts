import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";

/** Address plan of the estate's virtual network; each data path has a subnet of its own. */
export const NETWORK_PLAN = {
    addressSpace: "10.40.0.0/16",
    /** Container Apps environment (workload profiles need at least a /27, delegated to Microsoft.App). */
    apps: "10.40.0.0/23",
    /** PostgreSQL Flexible Server private access: a subnet delegated to the service. */
    postgres: "10.40.2.0/24",
    /** Private endpoints (Redis, Key Vault). */
    endpoints: "10.40.3.0/24",
} as const;

export interface AzureNetworkArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
}

/** The private network the data stores live in; only the Container Apps environment reaches them. */
export class AzureNetwork extends pulumi.ComponentResource {
    readonly vnetId: pulumi.Output<string>;
    readonly appsSubnetId: pulumi.Output<string>;
    readonly postgresSubnetId: pulumi.Output<string>;
    readonly endpointsSubnetId: pulumi.Output<string>;
    /** `privatelink.vaultcore.azure.net`, linked to the VNet: one per VNet, shared by every vault's endpoint. */
    readonly keyVaultZoneId: pulumi.Output<string>;
    /** The zone's VNet link: vault host names resolve privately only once it exists. */
    readonly keyVaultZoneLink: pulumi.Resource;

    constructor(name: string, args: AzureNetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:platform:AzureNetwork", name, {}, opts);
        const vnet = new network.VirtualNetwork(
            `${name}-vnet`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                addressSpace: { addressPrefixes: [NETWORK_PLAN.addressSpace] },
            },
            { parent: this },
        );
        const subnet = (
            suffix: string,
            props: Omit<network.SubnetArgs, "resourceGroupName" | "virtualNetworkName">,
            after?: pulumi.Resource,
        ) =>
            new network.Subnet(
                `${name}-${suffix}`,
                {
                    resourceGroupName: args.resourceGroupName,
                    virtualNetworkName: vnet.name,
                    subnetName: suffix,
                    ...props,
                },
                // Azure refuses concurrent subnet changes on one VNet: create them one after another.
                { parent: this, ...(after ? { dependsOn: [after] } : {}) },
            );
        const apps = subnet("apps", {
            addressPrefix: NETWORK_PLAN.apps,
            delegations: [{ name: "container-apps", serviceName: "Microsoft.App/environments" }],
            // Azure Files volumes are mounted over the storage service endpoint, not the internet.
            serviceEndpoints: [{ service: "Microsoft.Storage" }],
        });
        const postgres = subnet(
            "postgres",
            {
                addressPrefix: NETWORK_PLAN.postgres,
                delegations: [{ name: "postgres-flexible", serviceName: "Microsoft.DBforPostgreSQL/flexibleServers" }],
            },
            apps,
        );
        const endpoints = subnet(
            "endpoints",
            { addressPrefix: NETWORK_PLAN.endpoints, privateEndpointNetworkPolicies: "Disabled" },
            postgres,
        );
        const vaultZone = linkedPrivateZone(
            `${name}-vault`,
            { resourceGroupName: args.resourceGroupName, zoneName: "privatelink.vaultcore.azure.net", vnetId: vnet.id },
            this,
        );
        this.keyVaultZoneId = vaultZone.zone.id;
        this.keyVaultZoneLink = vaultZone.link;
        this.vnetId = vnet.id;
        this.appsSubnetId = apps.id;
        this.postgresSubnetId = postgres.id;
        this.endpointsSubnetId = endpoints.id;
        this.registerOutputs({
            vnetId: this.vnetId,
            appsSubnetId: this.appsSubnetId,
            postgresSubnetId: this.postgresSubnetId,
            endpointsSubnetId: this.endpointsSubnetId,
            keyVaultZoneId: this.keyVaultZoneId,
        });
    }
}

export interface LinkedPrivateZoneArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    /** DNS zone, e.g. `privatelink.redis.cache.windows.net`. */
    readonly zoneName: string;
    readonly vnetId: pulumi.Input<string>;
}

/** A private DNS zone linked to the estate's VNet, so store host names resolve to private addresses. */
export function linkedPrivateZone(
    name: string,
    args: LinkedPrivateZoneArgs,
    parent: pulumi.Resource,
): { zone: privatedns.PrivateZone; link: privatedns.VirtualNetworkLink } {
    const zone = new privatedns.PrivateZone(
        `${name}-dns`,
        { resourceGroupName: args.resourceGroupName, privateZoneName: args.zoneName, location: "global" },
        { parent },
    );
    const link = new privatedns.VirtualNetworkLink(
        `${name}-dns-link`,
        {
            resourceGroupName: args.resourceGroupName,
            privateZoneName: zone.name,
            location: "global",
            registrationEnabled: false,
            virtualNetwork: { id: args.vnetId },
        },
        { parent },
    );
    return { zone, link };
}

export interface PrivateEndpointForArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: pulumi.Input<string>;
    /** Subnet the endpoint gets its address in (the VNet's `endpoints` subnet). */
    readonly subnetId: pulumi.Input<string>;
    /** The store the endpoint connects to. */
    readonly targetId: pulumi.Input<string>;
    /** Name of the private link connection: the store's logical name, e.g. `${name}-vault`. */
    readonly connectionName: string;
    /** The store's private link sub-resource, e.g. `vault`, `redisCache`. */
    readonly groupId: string;
    /** The linked `privatelink.*` zone the endpoint's A record is written to. */
    readonly privateDnsZoneId: pulumi.Input<string>;
    /** Name of the zone's entry in the zone group. */
    readonly zoneConfigName: string;
    /** The store's tags, repeated on its endpoint. */
    readonly tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * A private endpoint for one store and its DNS zone group, so the store's host name resolves to
 * the endpoint's address and Azure keeps the A record in step with it (sub-resources and zones
 * per service: learn.microsoft.com/azure/private-link/private-endpoint-dns). The resources are
 * `${name}-endpoint` and `${name}-endpoint-dns`, children of `parent`.
 */
export function privateEndpointFor(
    name: string,
    args: PrivateEndpointForArgs,
    parent: pulumi.Resource,
): { endpoint: network.PrivateEndpoint; dns: network.PrivateDnsZoneGroup } {
    const endpoint = new network.PrivateEndpoint(
        `${name}-endpoint`,
        {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            subnet: { id: args.subnetId },
            privateLinkServiceConnections: [
                { name: args.connectionName, privateLinkServiceId: args.targetId, groupIds: [args.groupId] },
            ],
            tags: args.tags,
        },
        { parent },
    );
    const dns = new network.PrivateDnsZoneGroup(
        `${name}-endpoint-dns`,
        {
            resourceGroupName: args.resourceGroupName,
            privateEndpointName: endpoint.name,
            privateDnsZoneConfigs: [{ name: args.zoneConfigName, privateDnsZoneId: args.privateDnsZoneId }],
        },
        { parent },
    );
    return { endpoint, dns };
}
