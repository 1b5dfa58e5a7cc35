// Azure stores on the private network: the Container Apps environment inside a VNet, each Key
// Vault and Redis cache behind a private endpoint, each Flexible Server VNet-integrated or behind
// one (Azure Security Benchmark NS-1 and NS-2). Public network access is data-store-not-public's
// and key-vault's; without an endpoint a store that refuses public traffic is either unreachable
// or, once someone reopens it to get the estate working, public.
import { PolicyResource, ReportViolation } from "@pulumi/policy";
import { CatalogEntry, list, text } from "./lib";
import { FLEXIBLE_SERVER, isReplicaServer, KEY_VAULT, REDIS_ENTERPRISE, REDIS_TYPES } from "./stores";

const PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint";
const MANAGED_ENVIRONMENT = "azure-native:app:ManagedEnvironment";

/** The resource's own name as its ARM id ends with it (`.../vaults/<vaultName>`). */
function armName(r: PolicyResource): string {
    return (
        text(r.props, "vaultName") ??
        text(r.props, "name") ??
        text(r.props, "serverName") ??
        text(r.props, "clusterName") ??
        r.name
    );
}

/** An endpoint reaches the resource when its connection depends on it (preview) or names its id. */
function hasEndpoint(r: PolicyResource, endpoints: PolicyResource[]): boolean {
    return endpoints.some(
        (e) =>
            (e.propertyDependencies?.privateLinkServiceConnections ?? []).some((d) => d.urn === r.urn) ||
            list(e.props, "privateLinkServiceConnections").some((c) =>
                (text(c, "privateLinkServiceId") ?? "").toLowerCase().endsWith(`/${armName(r).toLowerCase()}`),
            ),
    );
}

/**
 * A vault or cache closed to public traffic: it needs a private endpoint to be reached at all. One
 * still open is data-store-not-public's and key-vault's finding (one finding per fix).
 */
function refusesPublicTraffic(r: PolicyResource): boolean {
    if (r.type === KEY_VAULT) return text(r.props, "properties", "publicNetworkAccess") === "Disabled";
    return (
        (REDIS_TYPES.includes(r.type) || r.type === REDIS_ENTERPRISE) &&
        text(r.props, "publicNetworkAccess") === "Disabled"
    );
}

function check(resources: PolicyResource[], report: ReportViolation): void {
    const endpoints = resources.filter((r) => r.type === PRIVATE_ENDPOINT);
    for (const r of resources) {
        if (
            r.type === MANAGED_ENVIRONMENT &&
            text(r.props, "vnetConfiguration", "infrastructureSubnetId") === undefined
        ) {
            report(
                "Set vnetConfiguration.infrastructureSubnetId on this Container Apps environment: outside a VNet its apps reach the stores only over public endpoints.",
                r.urn,
            );
        } else if (refusesPublicTraffic(r) && !hasEndpoint(r, endpoints)) {
            const what = r.type === KEY_VAULT ? "Key Vault" : "Redis cache";
            report(
                `${what} "${armName(r)}" has no private endpoint: declare a network.PrivateEndpoint whose privateLinkServiceConnections[].privateLinkServiceId is its id, in the endpoints subnet.`,
                r.urn,
            );
        } else if (
            r.type === FLEXIBLE_SERVER &&
            // A read replica is created on its primary's network choice; the primary is the one checked.
            !isReplicaServer(r.props) &&
            text(r.props, "network", "delegatedSubnetResourceId") === undefined &&
            !hasEndpoint(r, endpoints)
        ) {
            report(
                `Flexible Server "${armName(r)}" is neither VNet-integrated nor behind a private endpoint: set network.delegatedSubnetResourceId (and privateDnsZoneArmResourceId), or declare a private endpoint for it.`,
                r.urn,
            );
        }
    }
}

export const azurePrivateNetwork: CatalogEntry = {
    policy: {
        name: "azure-private-network",
        description:
            "The Container Apps environment runs in a VNet, every Key Vault and Redis cache has a private endpoint, and every Flexible Server is VNet-integrated or behind a private endpoint.",
        enforcementLevel: "mandatory",
        severity: "high",
        validateStack: (args, report) => check(args.resources, report),
    },
    meta: {
        requirements: ["UA-PRIVATE-DATA-NETWORK"],
        checks: ["ASB NS-1", "ASB NS-2"],
    },
};
