import { describe } from "node:test";
import type { CapturedResource } from "../../tools/lib/analyzer";
import { Case, get, itReportsEachCase } from "./cases";
import { serverSetting } from "./data-fixtures";
import { res, secret } from "./fixtures";

const cluster = (rs: CapturedResource[]) => get(rs, "postgresql.cnpg.io/v1:Cluster", "postgres");
const redis = (rs: CapturedResource[]) => get(rs, ":StatefulSet", "redis").spec.template.spec.containers[0];
const neo4jSecret = (data: Record<string, unknown>) =>
    res("kubernetes:core/v1:Secret", "neo4j-auth", {
        metadata: { name: "neo4j-auth", namespace: "estate" },
        ...data,
    });

const cases: Case[] = [
    {
        name: "CloudNativePG superuser access on",
        mutate: (rs) => (cluster(rs).spec.enableSuperuserAccess = true),
        expect: [
            [
                "data-store-settings-safe",
                'Set spec.enableSuperuserAccess: false on Cluster "postgres": the application connects as its owner role.',
            ],
        ],
    },
    {
        name: "CloudNativePG logging every statement",
        mutate: (rs) => (cluster(rs).spec.postgresql.parameters.log_statement = "all"),
        expect: [
            [
                "data-store-settings-safe",
                'Remove spec.postgresql.parameters.log_statement "all" from Cluster "postgres" (or set "none"): it writes passwords of ALTER ROLE statements to the logs.',
            ],
        ],
    },
    {
        name: "CloudNativePG log_statement none is safe",
        mutate: (rs) => (cluster(rs).spec.postgresql.parameters.log_statement = "none"),
        expect: [],
    },
    {
        name: "Flexible Server logging DDL",
        mutate: (rs) => rs.push(serverSetting("log_statement", "ddl")),
        expect: [
            [
                "data-store-settings-safe",
                'Set value "none" on Configuration "log_statement" (it is "ddl"): other values write passwords of ALTER ROLE statements to the logs.',
            ],
        ],
    },
    {
        name: "Neo4j chart logging its initial password",
        mutate: (rs) => (get(rs, "helm.sh/v3:Release", "neo4j").values.logInitialPassword = true),
        expect: [
            [
                "data-store-settings-safe",
                'Set values.logInitialPassword: false on Helm release "neo4j": the chart prints the initial password.',
            ],
        ],
    },
    {
        name: "a Secret with NEO4J_AUTH=none",
        mutate: (rs) => rs.push(neo4jSecret({ stringData: secret({ NEO4J_AUTH: "none" }) })),
        expect: [
            [
                "data-store-settings-safe",
                'Set NEO4J_AUTH in Secret "neo4j-auth" to neo4j/<password>: "none" switches authentication off.',
            ],
        ],
    },
    {
        name: "a Secret with NEO4J_AUTH=none in base64 data",
        mutate: (rs) => rs.push(neo4jSecret({ data: { NEO4J_AUTH: Buffer.from("none").toString("base64") } })),
        expect: [
            [
                "data-store-settings-safe",
                'Set NEO4J_AUTH in Secret "neo4j-auth" to neo4j/<password>: "none" switches authentication off.',
            ],
        ],
    },
    {
        name: "a Secret with a Neo4j password",
        mutate: (rs) => rs.push(neo4jSecret({ stringData: secret({ NEO4J_AUTH: "neo4j/generated-password" }) })),
        expect: [],
    },
    {
        name: "Redis protected mode off",
        mutate: (rs) => redis(rs).args.push("--protected-mode", "no"),
        expect: [
            [
                "data-store-settings-safe",
                'Container "redis" turns Redis protected mode off: remove --protected-mode no.',
            ],
        ],
    },
    {
        name: "Redis protected mode off inside a shell command line, on Container Apps",
        mutate: (rs) =>
            (get(rs, "app:ContainerApp", "redis").template.containers[0].command = [
                "sh",
                "-c",
                'exec redis-server --requirepass "$REDIS_PASSWORD" --protected-mode no',
            ]),
        expect: [
            [
                "data-store-settings-safe",
                'Container "redis" turns Redis protected mode off: remove --protected-mode no.',
            ],
        ],
    },
    {
        name: "CloudNativePG image by a moving tag",
        mutate: (rs) => (cluster(rs).spec.imageName = "ghcr.io/cloudnative-pg/postgresql:16"),
        expect: [
            ["immutable-images", 'Pin spec.imageName of Cluster "postgres" to a @sha256 digest (it has tag "16").'],
        ],
    },
];

describe("data-store settings: superuser, statement logging, chart and Secret auth, Redis protected mode", () => {
    itReportsEachCase(cases);
});
