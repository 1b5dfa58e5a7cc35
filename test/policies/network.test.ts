// data-store-not-public, workload-network-isolated and data-store-ingress-restricted, from the
// compliant estate one change at a time (their cases interleave: one change often breaks two).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Case, drop, estate, get, itReportsEachCase } from "./cases";
import { kept, res, urnOf } from "./fixtures";
import { violations } from "./harness";

const NP = "networking.k8s.io/v1:NetworkPolicy";
const pgRule = (rs: Parameters<typeof get>[0]) => get(rs, NP, "postgres").spec.ingress[0];

const cases: Case[] = [
    {
        name: "data-store Service exposed as LoadBalancer",
        mutate: (rs) => (get(rs, "core/v1:Service", "postgres").spec.type = "LoadBalancer"),
        expect: [
            ["data-store-not-public", "Set spec.type to ClusterIP on this data-store Service (it is LoadBalancer)."],
        ],
    },
    {
        name: "data-store Container App with external ingress",
        mutate: (rs) => (get(rs, "app:ContainerApp", "redis").configuration.ingress.external = true),
        expect: [
            ["data-store-not-public", "Set configuration.ingress.external: false on this data-store Container App."],
            [
                "data-store-ingress-restricted",
                'Container App "redis" is a data store with external ingress: set configuration.ingress.external: false.',
            ],
        ],
    },
    {
        name: "data-store Container App open to the internet by IP rule",
        mutate: (rs) =>
            (get(rs, "app:ContainerApp", "redis").configuration.ingress.ipSecurityRestrictions = [
                { name: "anyone", action: "Allow", ipAddressRange: "0.0.0.0/0" },
            ]),
        expect: [
            [
                "data-store-ingress-restricted",
                'Container App "redis" allows 0.0.0.0/0 in ipSecurityRestrictions "anyone": allow only the client subnets.',
            ],
        ],
    },
    {
        name: "PostgreSQL server with public network access",
        mutate: (rs) => (get(rs, "dbforpostgresql:Server", "db").network.publicNetworkAccess = "Enabled"),
        expect: [
            [
                "data-store-not-public",
                'Set network.publicNetworkAccess: "Disabled" and reach the server through a private endpoint or VNet.',
            ],
        ],
    },
    {
        name: "Redis with public network access unset",
        mutate: (rs) => delete get(rs, "redis:Redis", "cache").publicNetworkAccess,
        expect: [
            [
                "data-store-not-public",
                'Set publicNetworkAccess: "Disabled" and reach the cache through a private endpoint.',
            ],
        ],
    },
    {
        name: "Redis under its legacy cache type token",
        mutate: (rs) => {
            const r = rs.find((x) => x.name === "cache")!;
            r.type = "azure-native:cache:Redis";
            r.urn = urnOf(r.type, "cache");
            (r.inputs as Record<string, unknown>).publicNetworkAccess = "Enabled";
        },
        expect: [
            [
                "data-store-not-public",
                'Set publicNetworkAccess: "Disabled" and reach the cache through a private endpoint.',
            ],
        ],
    },
    {
        name: "Azure Managed Redis (Redis Enterprise) with public network access",
        mutate: (rs) =>
            rs.push(
                kept(
                    res("azure-native:redisenterprise:RedisEnterprise", "managed-cache", {
                        resourceGroupName: "estate",
                        publicNetworkAccess: "Enabled",
                        minimumTlsVersion: "1.2",
                        sku: { name: "Balanced_B1" },
                    }),
                ),
            ),
        expect: [
            [
                "data-store-not-public",
                'Set publicNetworkAccess: "Disabled" and reach the cache through a private endpoint.',
            ],
        ],
    },
    {
        name: "namespace without default deny",
        mutate: (rs) => drop(rs, NP, "default-deny"),
        expect: [
            [
                "workload-network-isolated",
                'Namespace "estate" has no default-deny NetworkPolicy: add one with podSelector {}, policyTypes ["Ingress"] and no ingress rules.',
            ],
        ],
    },
    {
        name: "workload without a NetworkPolicy of its own",
        mutate: (rs) => drop(rs, NP, "api"),
        expect: [
            [
                "workload-network-isolated",
                'Deployment "api" is not selected by any NetworkPolicy of its own: add one whose podSelector matches its pod labels and allows only its callers.',
            ],
        ],
    },
    {
        name: "data store with no NetworkPolicy",
        mutate: (rs) => drop(rs, NP, "postgres"),
        expect: [
            [
                "workload-network-isolated",
                'StatefulSet "postgres" is not selected by any NetworkPolicy of its own: add one whose podSelector matches its pod labels and allows only its callers.',
            ],
            [
                "data-store-ingress-restricted",
                'StatefulSet "postgres" has no declared clients: annotate its NetworkPolicy with estate.io/allowed-clients: "<app.kubernetes.io/name>,...".',
            ],
        ],
    },
    {
        name: "data store with no NetworkPolicy, not even a default deny",
        mutate: (rs) => {
            drop(rs, NP, "postgres");
            drop(rs, NP, "default-deny");
        },
        expect: [
            [
                "workload-network-isolated",
                'Namespace "estate" has no default-deny NetworkPolicy: add one with podSelector {}, policyTypes ["Ingress"] and no ingress rules.',
            ],
            [
                "workload-network-isolated",
                'StatefulSet "postgres" is not selected by any NetworkPolicy of its own: add one whose podSelector matches its pod labels and allows only its callers.',
            ],
            [
                "data-store-ingress-restricted",
                'StatefulSet "postgres" is a data store that no ingress NetworkPolicy selects: add one admitting only its clients.',
            ],
        ],
    },
    {
        name: "data-store rule admitting every source",
        mutate: (rs) => (pgRule(rs).from = []),
        expect: [
            [
                "data-store-ingress-restricted",
                'ingress rule 1 of NetworkPolicy "postgres" admits every source to StatefulSet "postgres": list podSelector peers for its clients only.',
            ],
        ],
    },
    {
        name: "data-store rule admitting an IP block",
        mutate: (rs) => pgRule(rs).from.push({ ipBlock: { cidr: "0.0.0.0/0" } }),
        expect: [
            [
                "data-store-ingress-restricted",
                'ingress rule 1 of NetworkPolicy "postgres" admits ipBlock 0.0.0.0/0 to StatefulSet "postgres": use a podSelector for its clients.',
            ],
        ],
    },
    {
        name: "data-store rule admitting every namespace",
        mutate: (rs) => (pgRule(rs).from[0].namespaceSelector = {}),
        expect: [
            [
                "data-store-ingress-restricted",
                'ingress rule 1 of NetworkPolicy "postgres" admits every namespace to StatefulSet "postgres": select the client namespace by label.',
            ],
        ],
    },
    {
        name: "data-store rule admitting an undeclared client",
        mutate: (rs) => (pgRule(rs).from[0].podSelector.matchLabels["app.kubernetes.io/name"] = "ui"),
        expect: [
            [
                "data-store-ingress-restricted",
                'ingress rule 1 of NetworkPolicy "postgres" admits `ui` to StatefulSet "postgres", not in estate.io/allowed-clients: remove them or declare them.',
            ],
        ],
    },
    {
        name: "data-store rule selecting clients by another label",
        mutate: (rs) => (pgRule(rs).from[0].podSelector = { matchLabels: { "app.kubernetes.io/component": "api" } }),
        expect: [
            [
                "data-store-ingress-restricted",
                'ingress rule 1 of NetworkPolicy "postgres" admits pods not pinned by app.kubernetes.io/name to StatefulSet "postgres": select clients by app.kubernetes.io/name.',
            ],
        ],
    },
    {
        name: "data-store rule without ports",
        mutate: (rs) => delete pgRule(rs).ports,
        expect: [
            [
                "data-store-ingress-restricted",
                'ingress rule 1 of NetworkPolicy "postgres" admits every port of StatefulSet "postgres": list the ports its clients use.',
            ],
        ],
    },
    {
        name: "data store without declared clients",
        mutate: (rs) => delete get(rs, NP, "postgres").metadata.annotations,
        expect: [
            [
                "data-store-ingress-restricted",
                'StatefulSet "postgres" has no declared clients: annotate its NetworkPolicy with estate.io/allowed-clients: "<app.kubernetes.io/name>,...".',
            ],
            [
                "data-store-ingress-restricted",
                'ingress rule 1 of NetworkPolicy "postgres" admits `api` to StatefulSet "postgres", not in estate.io/allowed-clients: remove them or declare them.',
            ],
            [
                "data-store-ingress-restricted",
                'ingress rule 1 of NetworkPolicy "postgres" admits `pg-backup` to StatefulSet "postgres", not in estate.io/allowed-clients: remove them or declare them.',
            ],
        ],
    },
    {
        name: "data store allowing a client that does not exist",
        mutate: (rs) =>
            (get(rs, NP, "postgres").metadata.annotations["estate.io/allowed-clients"] = "api,pg-backup,worker"),
        expect: [
            [
                "data-store-ingress-restricted",
                'StatefulSet "postgres" allows client "worker", which is no workload of this stack: remove it from estate.io/allowed-clients.',
            ],
        ],
    },
    {
        name: "a namespace-wide rule also opens the data store",
        mutate: (rs) => (get(rs, NP, "default-deny").spec.ingress = [{ ports: [{ port: 5432 }] }]),
        expect: [
            [
                "workload-network-isolated",
                'Namespace "estate" has no default-deny NetworkPolicy: add one with podSelector {}, policyTypes ["Ingress"] and no ingress rules.',
            ],
            [
                "data-store-ingress-restricted",
                'ingress rule 1 of NetworkPolicy "default-deny" admits every source to StatefulSet "postgres": list podSelector peers for its clients only.',
            ],
            [
                "data-store-ingress-restricted",
                'ingress rule 1 of NetworkPolicy "default-deny" admits every source to StatefulSet "redis": list podSelector peers for its clients only.',
            ],
            [
                "data-store-ingress-restricted",
                'ingress rule 1 of NetworkPolicy "default-deny" admits every source to Deployment "ollama": list podSelector peers for its clients only.',
            ],
            [
                "data-store-unexposed",
                'Ingress rule 1 of NetworkPolicy "default-deny" admits every source to Cluster "postgres": list podSelector peers for its clients only.',
            ],
        ],
    },
    {
        name: "data store recognised by its image when its labels are missing",
        mutate: (rs) => {
            const pg = get(rs, ":StatefulSet", "postgres");
            delete pg.spec.template.metadata.labels["app.kubernetes.io/component"];
            drop(rs, NP, "postgres");
            pg.spec.template.metadata.labels["app.kubernetes.io/name"] = "pg";
        },
        expect: [
            [
                "workload-network-isolated",
                'StatefulSet "postgres" is not selected by any NetworkPolicy of its own: add one whose podSelector matches its pod labels and allows only its callers.',
            ],
            [
                "data-store-ingress-restricted",
                'StatefulSet "postgres" has no declared clients: annotate its NetworkPolicy with estate.io/allowed-clients: "<app.kubernetes.io/name>,...".',
            ],
        ],
    },
];

describe("network policies", () => {
    itReportsEachCase(cases);

    it("stack findings point at the offending resource", async () => {
        const rs = estate();
        pgRule(rs).from = [];
        const [v] = await violations(rs);
        assert.equal(v.urn, urnOf("kubernetes:networking.k8s.io/v1:NetworkPolicy", "postgres"));
        assert.equal(v.enforcementLevel, "mandatory");
        assert.equal(v.severity, "critical");
    });
});
