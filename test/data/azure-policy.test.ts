// The policy pack over the real program on azure: the stores pass as declared, and making them
// public through config is refused with a message per store.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyze } from "../../tools/lib/analyzer";
import { plan } from "../support/program";
import { runPolicy } from "../support/policy-cli";

function summary(vs: ReadonlyArray<{ policy: string; enforcementLevel: string; urn?: string; message: string }>) {
    return vs.map((v) => [v.policy, v.enforcementLevel, v.urn?.split("::").pop() ?? "stack", v.message]);
}

describe("policy pack on the azure estate", () => {
    for (const stack of ["staging", "prod"] as const) {
        it(`${stack}: no mandatory violation with the four stores declared`, async () => {
            const capture = await plan(stack, { platform: "azure" });
            const stores = ["postgres-server", "redis-cache", "neo4j-vm", "ollama-app"];
            assert.deepEqual(
                stores.filter((name) => !capture.resources.some((r) => r.name === name)),
                [],
                "every store is declared",
            );
            const report = await analyze(capture, { stack });
            assert.deepEqual(summary(report.violations.filter((v) => v.enforcementLevel !== "advisory")), []);
            assert.equal(report.resourcesAnalyzed, capture.resources.length);
        });
    }

    it("refuses every store made public through publicDataStores, naming the fix", async () => {
        const capture = await plan("prod", {
            platform: "azure",
            // Neo4j's VM has no public address to give: the program refuses it (below).
            publicDataStores: JSON.stringify(["postgres", "redis", "ollama"]),
        });
        const report = await analyze(capture, { stack: "prod" });
        const found = summary(report.violations).sort((a, b) => `${a[0]}${a[2]}`.localeCompare(`${b[0]}${b[2]}`));
        assert.deepEqual(found, [
            [
                "azure-private-network",
                "mandatory",
                "postgres-server",
                'Flexible Server "postgres-server" is neither VNet-integrated nor behind a private endpoint: set network.delegatedSubnetResourceId (and privateDnsZoneArmResourceId), or declare a private endpoint for it.',
            ],
            [
                "data-store-ingress-restricted",
                "mandatory",
                "ollama-app",
                'Container App "ollama-app" is a data store with external ingress: set configuration.ingress.external: false.',
            ],
            [
                "data-store-not-public",
                "mandatory",
                "ollama-app",
                "Set configuration.ingress.external: false on this data-store Container App.",
            ],
            [
                "data-store-not-public",
                "mandatory",
                "postgres-replica-1",
                'Set network.publicNetworkAccess: "Disabled" and reach the server through a private endpoint or VNet.',
            ],
            [
                "data-store-not-public",
                "mandatory",
                "postgres-server",
                'Set network.publicNetworkAccess: "Disabled" and reach the server through a private endpoint or VNet.',
            ],
            [
                "data-store-not-public",
                "mandatory",
                "redis-cache",
                'Set publicNetworkAccess: "Disabled" and reach the cache through a private endpoint.',
            ],
        ]);
    });

    it("refuses a public Neo4j before anything is declared, naming the key", () => {
        const result = runPolicy("staging", ["platform=azure", 'publicDataStores=["neo4j"]']);
        assert.notEqual(result.status, 0);
        assert.match(
            result.stderr,
            /neo4j: publicAccess is not available on Azure, where the graph's VM has no public address; remove neo4j from estate:publicDataStores/,
        );
    });

    it("npm run policy exits 2 when one store is made public", () => {
        const result = runPolicy("staging", ["platform=azure", 'publicDataStores=["redis"]']);
        assert.equal(result.status, 2, result.stderr);
        assert.match(
            result.stdout,
            /\[mandatory\] \[severity: critical\] {2}data-store-not-public {2}\(urn:pulumi:staging::estate::.*::redis-cache\)/,
        );
        assert.match(result.stdout, /1 mandatory, 0 advisory violations\./);
    });
});
