import { describe } from "node:test";
import type { CapturedResource } from "../../tools/lib/analyzer";
import { Case, drop, get, itReportsEachCase } from "./cases";
import { netpol, res, urnOf } from "./fixtures";

const SERVICE = "kubernetes:core/v1:Service";
const cluster = (rs: CapturedResource[]) => get(rs, "postgresql.cnpg.io/v1:Cluster", "postgres");
const neo4jValues = (rs: CapturedResource[]) => get(rs, "helm.sh/v3:Release", "neo4j").values;
const ingressPaths = (rs: CapturedResource[]) =>
    get(rs, "networking.k8s.io/v1:Ingress", "api").spec.rules[0].http.paths as unknown[];

function service(name: string, type: string, selector: Record<string, string>): CapturedResource {
    return res(SERVICE, name, {
        metadata: { name, namespace: "estate" },
        spec: { type, selector, ports: [{ port: 5432 }] },
    });
}

const pathTo = (name: string, port: number) => ({
    path: `/${name}`,
    pathType: "Prefix",
    backend: { service: { name, port: { number: port } } },
});

const unexposed: Case[] = [
    {
        name: "a LoadBalancer Service selecting the CloudNativePG primary",
        mutate: (rs) =>
            rs.push(
                service("postgres-public", "LoadBalancer", {
                    "cnpg.io/cluster": "postgres",
                    "cnpg.io/instanceRole": "primary",
                }),
            ),
        expect: [
            [
                "data-store-unexposed",
                'Service "postgres-public" exposes Cluster "postgres" (type LoadBalancer): make it ClusterIP without externalIPs, or remove it.',
            ],
        ],
    },
    {
        name: "a NodePort Service without store labels selecting the redis pods",
        mutate: (rs) => rs.push(service("cache-np", "NodePort", { "app.kubernetes.io/name": "redis" })),
        expect: [
            [
                "data-store-unexposed",
                'Service "cache-np" exposes StatefulSet "redis" (type NodePort): make it ClusterIP without externalIPs, or remove it.',
            ],
        ],
    },
    {
        name: "a LoadBalancer Service in front of the api is no store's",
        mutate: (rs) => rs.push(service("api-public", "LoadBalancer", { "app.kubernetes.io/name": "api" })),
        expect: [],
    },
    {
        name: "a CloudNativePG managed LoadBalancer service",
        mutate: (rs) =>
            (cluster(rs).spec.managed = {
                services: {
                    additional: [
                        {
                            selectorType: "rw",
                            serviceTemplate: { metadata: { name: "pg-lb" }, spec: { type: "LoadBalancer" } },
                        },
                    ],
                },
            }),
        expect: [
            [
                "data-store-unexposed",
                'Set spec.managed.services.additional[0].serviceTemplate.spec.type to ClusterIP on Cluster "postgres" (it is LoadBalancer).',
            ],
        ],
    },
    {
        name: "the Neo4j chart's LoadBalancer service enabled",
        mutate: (rs) => (neo4jValues(rs).services = { neo4j: { enabled: true } }),
        expect: [
            [
                "data-store-unexposed",
                'Set values.services.neo4j.enabled to false on Helm release "neo4j": the chart\'s neo4j Service is a LoadBalancer.',
            ],
        ],
    },
    {
        name: "the Neo4j chart's service as a NodePort",
        mutate: (rs) => (neo4jValues(rs).services = { neo4j: { enabled: true, spec: { type: "NodePort" } } }),
        expect: [
            [
                "data-store-unexposed",
                'Set values.services.neo4j.spec.type to ClusterIP on Helm release "neo4j" (it is NodePort).',
            ],
        ],
    },
    {
        name: "an Ingress path to the postgres Service",
        mutate: (rs) => ingressPaths(rs).push(pathTo("postgres", 5432)),
        expect: [
            [
                "data-store-unexposed",
                'Remove the Ingress path to Service "postgres" from Ingress "api": it reaches StatefulSet "postgres", which only its clients may call inside the cluster.',
            ],
        ],
    },
    {
        name: "an Ingress path to the Service CloudNativePG creates for the primary",
        mutate: (rs) => ingressPaths(rs).push(pathTo("postgres-rw", 5432)),
        expect: [
            [
                "data-store-unexposed",
                'Remove the Ingress path to Service "postgres-rw" from Ingress "api": it reaches Cluster "postgres", which only its clients may call inside the cluster.',
            ],
        ],
    },
    {
        name: "a NetworkPolicy admitting 0.0.0.0/0 to the Neo4j chart's pods",
        mutate: (rs) => {
            neo4jValues(rs).neo4j.labels = { "app.kubernetes.io/name": "neo4j" };
            rs.push(
                netpol("neo4j", {
                    podSelector: { matchLabels: { "app.kubernetes.io/name": "neo4j" } },
                    policyTypes: ["Ingress"],
                    ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 7687 }] }],
                }),
            );
        },
        expect: [
            [
                "data-store-unexposed",
                'Ingress rule 1 of NetworkPolicy "neo4j" admits ipBlock 0.0.0.0/0 to Helm release "neo4j": use a podSelector for its clients.',
            ],
        ],
    },
];

const privateNetwork: Case[] = [
    {
        name: "the Redis cache's private endpoint removed",
        mutate: (rs) => drop(rs, "network:PrivateEndpoint", "cache-endpoint"),
        expect: [
            [
                "azure-private-network",
                'Redis cache "cache" has no private endpoint: declare a network.PrivateEndpoint whose privateLinkServiceConnections[].privateLinkServiceId is its id, in the endpoints subnet.',
            ],
        ],
    },
    {
        name: "an endpoint that names the cache by its ARM id counts",
        mutate: (rs) => {
            const ep = rs.find((r) => r.name === "cache-endpoint")!;
            ep.propertyDependencies = {};
            (ep.inputs.privateLinkServiceConnections as Array<Record<string, unknown>>)[0].privateLinkServiceId =
                "/subscriptions/s/resourceGroups/estate/providers/Microsoft.Cache/redis/cache";
        },
        expect: [],
    },
    {
        name: "an endpoint for another resource does not count",
        mutate: (rs) => {
            const ep = rs.find((r) => r.name === "cache-endpoint")!;
            ep.propertyDependencies = { privateLinkServiceConnections: [urnOf("azure-native:redis:Redis", "other")] };
        },
        expect: [
            [
                "azure-private-network",
                'Redis cache "cache" has no private endpoint: declare a network.PrivateEndpoint whose privateLinkServiceConnections[].privateLinkServiceId is its id, in the endpoints subnet.',
            ],
        ],
    },
    {
        name: "Flexible Server outside the VNet",
        mutate: (rs) => delete get(rs, "dbforpostgresql:Server", "db").network.delegatedSubnetResourceId,
        expect: [
            [
                "azure-private-network",
                'Flexible Server "db" is neither VNet-integrated nor behind a private endpoint: set network.delegatedSubnetResourceId (and privateDnsZoneArmResourceId), or declare a private endpoint for it.',
            ],
        ],
    },
    {
        name: "a Container Apps environment outside a VNet",
        mutate: (rs) =>
            rs.push(
                res("azure-native:app:ManagedEnvironment", "env", { resourceGroupName: "estate", zoneRedundant: true }),
            ),
        expect: [
            [
                "azure-private-network",
                "Set vnetConfiguration.infrastructureSubnetId on this Container Apps environment: outside a VNet its apps reach the stores only over public endpoints.",
            ],
        ],
    },
];

describe("exposure policies: data stores unexposed, Azure private network", () => {
    itReportsEachCase([...unexposed, ...privateNetwork]);
});
