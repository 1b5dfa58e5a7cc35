// data-tls-only: TLS-only stores and no plaintext client, from the compliant estate one change at a time.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CapturedResource } from "../../tools/lib/analyzer";
import { retentionDays } from "../../policies/stores";
import { acaContainer, api, Case, drop, estate, get, itReportsEachCase, setEnv } from "./cases";
import { urnOf } from "./fixtures";
import { findings, violations } from "./harness";

const CLUSTER = "postgresql.cnpg.io/v1:Cluster";
const SETTING = "dbforpostgresql:Configuration";
const cluster = (rs: CapturedResource[]) => get(rs, CLUSTER, "postgres");
const cache = (rs: CapturedResource[]) => get(rs, "redis:Redis", "cache");
const storage = (rs: CapturedResource[]) => get(rs, "storage:StorageAccount", "neo4jdata");

const tls: Case[] = [
    {
        name: "Flexible Server that accepts connections without TLS",
        mutate: (rs) => (get(rs, SETTING, "db-require_secure_transport").value = "off"),
        expect: [
            [
                "data-tls-only",
                'Set value "on" on Configuration "require_secure_transport" (it is "off"): the server must refuse connections without TLS.',
            ],
        ],
    },
    {
        name: "Flexible Server that accepts TLS 1.0",
        mutate: (rs) => (get(rs, SETTING, "db-ssl_min_protocol_version").value = "TLSv1"),
        expect: [["data-tls-only", 'Set value "TLSv1.2" on Configuration "ssl_min_protocol_version" (it is "TLSv1").']],
    },
    {
        name: "Flexible Server that leaves TLS enforcement to Azure's default",
        mutate: (rs) => drop(rs, SETTING, "db-require_secure_transport"),
        expect: [
            [
                "data-tls-only",
                'Flexible Server "db" does not declare require_secure_transport: add a dbforpostgresql.Configuration with configurationName "require_secure_transport", value "on", source "user-override" and this server\'s serverName.',
            ],
        ],
    },
    {
        name: "a TLS setting of another server does not count",
        mutate: (rs) => {
            const setting = rs.find((r) => r.name === "db-ssl_min_protocol_version")!;
            setting.propertyDependencies = {};
            (setting.inputs as Record<string, unknown>).serverName = "other";
        },
        expect: [
            [
                "data-tls-only",
                'Flexible Server "db" does not declare ssl_min_protocol_version: add a dbforpostgresql.Configuration with configurationName "ssl_min_protocol_version", value "TLSv1.2", source "user-override" and this server\'s serverName.',
            ],
        ],
    },
    {
        name: "Redis non-TLS port open",
        mutate: (rs) => (cache(rs).enableNonSslPort = true),
        expect: [["data-tls-only", "Set enableNonSslPort: false on this cache: the non-TLS port carries plaintext."]],
    },
    {
        name: "Redis without a minimum TLS version",
        mutate: (rs) => delete cache(rs).minimumTlsVersion,
        expect: [["data-tls-only", 'Set minimumTlsVersion: "1.2" on this cache (it is unset).']],
    },
    {
        name: "storage account that allows HTTP",
        mutate: (rs) => (storage(rs).enableHttpsTrafficOnly = false),
        expect: [
            ["azure-storage-account-hardened", "Set enableHttpsTrafficOnly: true."],
            ["data-tls-only", "Set enableHttpsTrafficOnly: true on this storage account."],
        ],
    },
    {
        name: "storage account that accepts TLS 1.0",
        mutate: (rs) => (storage(rs).minimumTlsVersion = "TLS1_0"),
        expect: [
            ["azure-storage-account-hardened", "Set minimumTlsVersion: TLS1_2 (it is TLS1_0)."],
            ["data-tls-only", 'Set minimumTlsVersion: "TLS1_2" on this storage account (it is "TLS1_0").'],
        ],
    },
    {
        name: "CloudNativePG with TLS switched off",
        mutate: (rs) => (cluster(rs).spec.postgresql.parameters.ssl = "off"),
        expect: [
            [
                "data-tls-only",
                'Remove spec.postgresql.parameters.ssl "off" from Cluster "postgres": CloudNativePG serves TLS by default.',
            ],
        ],
    },
    {
        name: "CloudNativePG lowering its TLSv1.3 default to TLS 1.2",
        mutate: (rs) => (cluster(rs).spec.postgresql.parameters.ssl_min_protocol_version = "TLSv1.2"),
        expect: [
            [
                "data-tls-only",
                'Remove spec.postgresql.parameters.ssl_min_protocol_version "TLSv1.2" from Cluster "postgres": CloudNativePG\'s default minimum is TLSv1.3.',
            ],
        ],
    },
    {
        name: "CloudNativePG admitting clients without TLS",
        mutate: (rs) => (cluster(rs).spec.postgresql.pg_hba = ["hostnossl  all all all scram-sha-256"]),
        expect: [
            [
                "data-tls-only",
                'Remove pg_hba rule "hostnossl all all all scram-sha-256" from Cluster "postgres" (it admits connections without TLS), or make its method reject.',
            ],
        ],
    },
    {
        name: "client DSN that disables TLS",
        mutate: (rs) =>
            setEnv(api(rs), "DATABASE_URL", {
                value: "postgresql://estate@postgres-rw.estate.svc:5432/estate?sslmode=disable",
            }),
        expect: [
            [
                "credentials-by-reference",
                'Container "api" sets DATABASE_URL without a secret reference: use valueFrom.secretKeyRef pointing at a Kubernetes Secret.',
            ],
            [
                "data-tls-only",
                'Container "api" connects with sslmode=disable in DATABASE_URL: use sslmode=require (or verify-full).',
            ],
        ],
    },
    {
        name: "client that prefers but does not require TLS",
        mutate: (rs) => setEnv(acaContainer(rs), "PGSSLMODE", { value: "prefer" }),
        expect: [["data-tls-only", 'Set PGSSLMODE on container "api" to require or verify-full (it is "prefer").']],
    },
    {
        name: "client that verifies the server certificate",
        mutate: (rs) => setEnv(acaContainer(rs), "PGSSLMODE", { value: "verify-full" }),
        expect: [],
    },
];

describe("data policies: TLS", () => {
    it("the compliant estate, with all four stores on both platforms and an Ollama without auth, has no findings", async () => {
        const rs = estate();
        for (const [type, name] of [
            [CLUSTER, "postgres"],
            [":StatefulSet", "redis"],
            ["helm.sh/v3:Release", "neo4j"],
            [":Deployment", "ollama"],
            ["app:ContainerApp", "neo4j"],
        ]) {
            assert.ok(get(rs, type, name), `${type} ${name}`);
        }
        assert.deepEqual(await findings(rs), []);
    });

    itReportsEachCase(tls);

    it("reports stack findings on the offending resource", async () => {
        const rs = estate();
        cache(rs).enableNonSslPort = true;
        const [v] = await violations(rs);
        assert.deepEqual(
            [v.policy, v.urn, v.enforcementLevel, v.severity],
            ["data-tls-only", urnOf("azure-native:redis:Redis", "cache"), "mandatory", "high"],
        );
    });

    it("reads CloudNativePG retention policies as the operator does", () => {
        assert.deepEqual(["14d", "2w", "1m", "0d", "14", "d", "7y"].map(retentionDays), [
            14,
            14,
            28,
            undefined,
            undefined,
            undefined,
            undefined,
        ]);
    });
});
