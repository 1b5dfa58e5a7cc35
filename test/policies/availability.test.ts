import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { availabilityProd } from "../../policies/availability";
import type { CapturedResource } from "../../tools/lib/analyzer";
import { Case, drop, estate, get, itReportsEachCase } from "./cases";
import { res } from "./fixtures";
import { findings } from "./harness";

type Rs = CapturedResource[];
const hpa = (rs: Rs) => get(rs, "autoscaling/v2:HorizontalPodAutoscaler", "api-hpa");
const pdb = (rs: Rs) => get(rs, "policy/v1:PodDisruptionBudget", "api-pdb");
const deployment = (rs: Rs) => get(rs, ":Deployment", "api");
const P = "availability-prod";

const cases: Case[] = [
    {
        name: "the api's autoscaler may fall to one replica",
        mutate: (rs) => (hpa(rs).spec.minReplicas = 1),
        expect: [
            [
                P,
                'HorizontalPodAutoscaler "api-hpa" lets "api" fall to 1 replica: set spec.minReplicas to at least 2 in prod.',
            ],
        ],
    },
    {
        name: "no autoscaler and no replicas: one pod",
        mutate: (rs) => drop(rs, "autoscaling/v2:HorizontalPodAutoscaler", "api-hpa"),
        expect: [
            [
                P,
                'Deployment "api" runs 1 replica (spec.replicas unset): set spec.replicas to at least 2 in prod, or let an autoscaler with that minimum own it.',
            ],
        ],
    },
    {
        name: "the Deployment pinned to one replica beside its autoscaler",
        mutate: (rs) => (deployment(rs).spec.replicas = 1),
        expect: [
            [
                P,
                'Deployment "api" runs 1 replica: set spec.replicas to at least 2 in prod, or let an autoscaler with that minimum own it.',
            ],
        ],
    },
    {
        name: "a KEDA ScaledObject that scales the api to zero (its default)",
        mutate: (rs) =>
            rs.push(
                res("kubernetes:keda.sh/v1alpha1:ScaledObject", "api-scaler", {
                    metadata: { name: "api", namespace: "estate" },
                    spec: { scaleTargetRef: { name: "api" }, triggers: [{ type: "cpu", metadata: { value: "70" } }] },
                }),
            ),
        expect: [
            [
                P,
                'ScaledObject "api-scaler" lets "api" fall to 0 replicas: set spec.minReplicaCount to at least 2 in prod.',
            ],
        ],
    },
    {
        name: "no disruption budget",
        mutate: (rs) => drop(rs, "policy/v1:PodDisruptionBudget", "api-pdb"),
        expect: [
            [
                P,
                'No PodDisruptionBudget covers "api": add one selecting its pods with maxUnavailable: 1, so a node drain keeps the rest serving.',
            ],
        ],
    },
    {
        name: "a budget selecting other pods",
        mutate: (rs) => (pdb(rs).spec.selector.matchLabels["app.kubernetes.io/name"] = "ui"),
        expect: [
            [
                P,
                'No PodDisruptionBudget covers "api": add one selecting its pods with maxUnavailable: 1, so a node drain keeps the rest serving.',
            ],
        ],
    },
    {
        name: "a budget letting every pod go",
        mutate: (rs) => (pdb(rs).spec.maxUnavailable = "100%"),
        expect: [
            [
                P,
                'PodDisruptionBudget "api-pdb" lets every pod of "api" go at once (maxUnavailable 100%): set maxUnavailable: 1.',
            ],
        ],
    },
    {
        name: "a budget with minAvailable 0",
        mutate: (rs) => (pdb(rs).spec = { minAvailable: 0, selector: pdb(rs).spec.selector }),
        expect: [
            [
                P,
                'PodDisruptionBudget "api-pdb" lets every pod of "api" go at once (minAvailable 0): set maxUnavailable: 1.',
            ],
        ],
    },
    {
        name: "a budget that blocks every drain",
        mutate: (rs) => (pdb(rs).spec.maxUnavailable = 0),
        expect: [
            [
                P,
                'PodDisruptionBudget "api-pdb" blocks every eviction of "api", so nodes never drain: set maxUnavailable: 1.',
            ],
        ],
    },
    {
        name: "the api rolls out by Recreate",
        mutate: (rs) => (deployment(rs).spec.strategy = { type: "Recreate" }),
        expect: [
            [
                P,
                'Deployment "api" rolls out by Recreate, stopping every pod first: use strategy.type RollingUpdate with maxUnavailable: 0.',
            ],
        ],
    },
    {
        name: "a Container App with a floor of one",
        mutate: (rs) => (get(rs, "app:ContainerApp", "api").template.scale.minReplicas = 1),
        expect: [
            [P, 'Container App "api" can fall to 1 replica: set template.scale.minReplicas to at least 2 in prod.'],
        ],
    },
    {
        name: "a Container App without a scale block scales to zero",
        mutate: (rs) => delete get(rs, "app:ContainerApp", "api").template.scale,
        expect: [
            [P, 'Container App "api" can fall to 0 replicas: set template.scale.minReplicas to at least 2 in prod.'],
        ],
    },
    {
        name: "CloudNativePG instances allowed on one node",
        mutate: (rs) => (get(rs, "cnpg.io/v1:Cluster", "postgres").spec.affinity = { enablePodAntiAffinity: false }),
        expect: [
            [
                "data-replication-prod",
                'Remove spec.affinity.enablePodAntiAffinity: false from Cluster "postgres" (with topologyKey topology.kubernetes.io/zone), so its instances never share a node or zone.',
            ],
        ],
    },
    {
        name: "a cache with no replica per primary",
        mutate: (rs) => (get(rs, "redis:Redis", "cache").replicasPerPrimary = 0),
        expect: [["data-replication-prod", "Set replicasPerPrimary on this cache to at least 1 (it is 0)."]],
    },
];

/** The stack policy run directly with a stack's config, as `Configure` would set it. */
function runStack(rs: Rs, config: object): string[] {
    const messages: string[] = [];
    const resources = rs.map(
        (r) =>
            ({
                type: r.type,
                name: r.name,
                urn: r.urn,
                props: r.inputs,
                propertyDependencies: Object.fromEntries(
                    Object.entries(r.propertyDependencies).map(([k, urns]) => [k, urns.map((urn) => ({ urn }))]),
                ),
            }) as unknown as PolicyResource,
    );
    class NotApplicable extends Error {}
    try {
        void (availabilityProd.policy as StackValidationPolicy).validateStack(
            {
                resources,
                getConfig: <T extends object>() => config as T,
                notApplicable: () => {
                    throw new NotApplicable();
                },
            } as never,
            (m: string) => messages.push(m),
        );
    } catch (e) {
        if (!(e instanceof NotApplicable)) throw e;
    }
    return messages;
}

describe("availability in prod", () => {
    it("passes the compliant estate", async () => {
        assert.deepEqual(await findings(estate()), []);
    });
    itReportsEachCase(cases);
    it("asks nothing of a staging stack", () => {
        const rs = estate();
        drop(rs, "policy/v1:PodDisruptionBudget", "api-pdb");
        hpa(rs).spec.minReplicas = 1;
        assert.equal(runStack(rs, {}).length, 2);
        assert.deepEqual(runStack(rs, { stackEnvironment: "staging" }), []);
    });
    it("counts the read replicas each Flexible Server keeps when the stack asks for them", () => {
        const rs = estate();
        drop(rs, "dbforpostgresql:Server", "db-replica-1");
        const message =
            'Flexible Server "db" has 0 read replicas: declare at least 1 (createMode Replica, sourceServerResourceId its id) to serve DATABASE_READ_REPLICAS.';
        assert.deepEqual(runStack(rs, { minReadReplicas: 1 }), [message]);
        const primary = rs.find((r) => r.name === "db")!;
        rs.push(
            res(
                "azure-native:dbforpostgresql:Server",
                "db-replica-1",
                { resourceGroupName: "estate", createMode: "Replica", sourceServerResourceId: "/subscriptions/x/db" },
                { propertyDependencies: { sourceServerResourceId: [primary.urn] } },
            ),
        );
        assert.deepEqual(runStack(rs, { minReadReplicas: 1 }), []);
        assert.deepEqual(runStack(rs, { minReadReplicas: 2 }), [
            message.replace("0 read replicas", "1 read replica").replace("at least 1", "at least 2"),
        ]);
    });
});
