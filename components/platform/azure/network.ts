import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import { NEO4J_BOLT_PORT } from "../../data/neo4j";

/** Address plan of the estate's virtual network; each data path has a subnet of its own. */
export const NETWORK_PLAN = {
    addressSpace: "10.40.0.0/16",
    /** Container Apps environment (workload profiles need at least a /27, delegated to Microsoft.App). */
    apps: "10.40.0.0/23",
    /** PostgreSQL Flexible Server private access: a subnet delegated to the service. */
    postgres: "10.40.2.0/24",
    /** Private endpoints (Redis, Key Vault). */
    endpoints: "10.40.3.0/24",
    /** Neo4j's VM: not delegated, its own NSG, egress only through the NAT gateway. */
    graph: "10.40.4.0/27",
} as const;

/** Private DNS zone of the estate's own hosts (the Neo4j VM); `.internal` is reserved for private use (ICANN, 2024). */
export const INTERNAL_ZONE = "estate.internal";

export interface AzureNetworkArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    /** Availability zone of the zonal single-instance parts: the graph's VM, its disk and the NAT gateway. */
    readonly zone: string;
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
    /** Subnet of Neo4j's VM: Bolt from the apps subnet only, egress through the NAT gateway. */
    readonly graphSubnetId: pulumi.Output<string>;
    /** `estate.internal`, linked to the VNet: the VM's name for the apps. */
    readonly internalZoneName: pulumi.Output<string>;
    readonly internalZoneLink: pulumi.Resource;

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
        const graph = subnet(
            "graph",
            {
                addressPrefix: NETWORK_PLAN.graph,
                networkSecurityGroup: { id: graphSecurityGroup(`${name}-graph`, args, this).id },
                natGateway: { id: natGateway(`${name}-egress`, args, this).id },
                // No implicit outbound address: what leaves the subnet leaves through the NAT gateway.
                defaultOutboundAccess: false,
            },
            endpoints,
        );
        const internalZone = linkedPrivateZone(
            `${name}-internal`,
            { resourceGroupName: args.resourceGroupName, zoneName: INTERNAL_ZONE, vnetId: vnet.id },
            this,
        );
        this.graphSubnetId = graph.id;
        this.internalZoneName = internalZone.zone.name;
        this.internalZoneLink = internalZone.link;
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
            graphSubnetId: this.graphSubnetId,
            internalZoneName: this.internalZoneName,
        });
    }
}

/**
 * Admits Bolt from the Container Apps subnet and nothing else from the VNet. Azure's default rules
 * would admit the whole VNet (AllowVnetInBound, priority 65000), hence the explicit deny before it
 * (learn.microsoft.com/azure/virtual-network/network-security-groups-overview, "Default security rules").
 */
function graphSecurityGroup(name: string, args: AzureNetworkArgs, parent: pulumi.Resource) {
    const inbound = {
        direction: "Inbound",
        sourcePortRange: "*",
        destinationAddressPrefix: NETWORK_PLAN.graph,
    } as const;
    return new network.NetworkSecurityGroup(
        `${name}-nsg`,
        {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            securityRules: [
                {
                    ...inbound,
                    name: "bolt-from-apps",
                    priority: 100,
                    access: "Allow",
                    protocol: "Tcp",
                    sourceAddressPrefix: NETWORK_PLAN.apps,
                    destinationPortRange: String(NEO4J_BOLT_PORT),
                },
                {
                    ...inbound,
                    name: "deny-other-vnet",
                    priority: 4000,
                    access: "Deny",
                    protocol: "*",
                    sourceAddressPrefix: "VirtualNetwork",
                    destinationPortRange: "*",
                },
            ],
        },
        { parent },
    );
}

/**
 * Outbound for the graph's VM (packages, patches) without a public address on the VM: new subnets
 * get no default outbound access (learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access).
 * Zonal, in the VM's zone, with a Standard static address as NAT gateways require.
 */
function natGateway(name: string, args: AzureNetworkArgs, parent: pulumi.Resource) {
    const address = new network.PublicIPAddress(
        `${name}-ip`,
        {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            sku: { name: "Standard", tier: "Regional" },
            publicIPAllocationMethod: "Static",
            publicIPAddressVersion: "IPv4",
            zones: [args.zone],
        },
        { parent },
    );
    return new network.NatGateway(
        name,
        {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            sku: { name: "Standard" },
            publicIpAddresses: [{ id: address.id }],
            zones: [args.zone],
            idleTimeoutInMinutes: 4,
        },
        { parent },
    );
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
