import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Case, estate, get, itReportsEachCase } from "./cases";
import { urnOf } from "./fixtures";
import { findings } from "./harness";

const deployment = (rs: Parameters<typeof get>[0]) =>
    rs.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "api")!;
const containerApp = (rs: Parameters<typeof get>[0]) =>
    rs.find((r) => r.type === "azure-native:app:ContainerApp" && r.name === "api")!;

const cases: Case[] = [
    {
        name: "api Deployment without a dependency on its migration job",
        mutate: (rs) => (deployment(rs).dependencies = []),
        expect: [
            [
                "migrations-before-traffic",
                'Deployment "api" owns the schema but does not depend on a migration job: add a Job labelled estate.io/job=migration (tag estate-job=migration on Azure) running `alembic upgrade head` and list it in the workload\'s dependsOn.',
            ],
        ],
    },
    {
        name: "api Container App without a dependency on its migration job",
        mutate: (rs) => (containerApp(rs).dependencies = []),
        expect: [
            [
                "migrations-before-traffic",
                'ContainerApp "api" owns the schema but does not depend on a migration job: add a Job labelled estate.io/job=migration (tag estate-job=migration on Azure) running `alembic upgrade head` and list it in the workload\'s dependsOn.',
            ],
        ],
    },
    {
        name: "the dependency is a job for something else",
        mutate: (rs) => (get(rs, ":Job", "api-migrate").spec.template.metadata.labels["estate.io/job"] = "bootstrap"),
        expect: [
            [
                "migrations-before-traffic",
                'Deployment "api" owns the schema but does not depend on a migration job: add a Job labelled estate.io/job=migration (tag estate-job=migration on Azure) running `alembic upgrade head` and list it in the workload\'s dependsOn.',
            ],
        ],
    },
    {
        name: "a dependency through another resource still counts only when it is the migration job",
        mutate: (rs) => (deployment(rs).dependencies = [urnOf("kubernetes:core/v1:Service", "postgres")]),
        expect: [
            [
                "migrations-before-traffic",
                'Deployment "api" owns the schema but does not depend on a migration job: add a Job labelled estate.io/job=migration (tag estate-job=migration on Azure) running `alembic upgrade head` and list it in the workload\'s dependsOn.',
            ],
        ],
    },
];

describe("migration policies", () => {
    it("pass the compliant estate", async () => {
        assert.deepEqual(await findings(estate()), []);
    });
    itReportsEachCase(cases);
});
