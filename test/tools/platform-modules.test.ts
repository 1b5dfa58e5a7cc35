import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";

/** The provider SDKs a fresh process has loaded after planning `stack` on `platform`. */
function sdksLoadedBy(stack: string, platform: string): string[] {
    const script = `
        const { runProgram } = require("./tools/lib/mock-run");
        runProgram({ stack: ${JSON.stringify(stack)}, overrides: { platform: ${JSON.stringify(platform)} } }).then(() => {
            const sdks = new Set(Object.keys(require.cache).flatMap((f) => /node_modules\\/(@pulumi\\/[^/]+)\\//.exec(f)?.[1] ?? []));
            console.log(JSON.stringify([...sdks].sort()));
            process.exit(0);
        });`;
    const run = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: PROJECT_ROOT, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout.trim().split("\n").pop()!) as string[];
}

describe("a plan loads only its platform's SDKs", () => {
    it("kubernetes: no azure-native", () => {
        assert.deepEqual(sdksLoadedBy("prod", "kubernetes"), [
            "@pulumi/gcp",
            "@pulumi/kubernetes",
            "@pulumi/pulumi",
            "@pulumi/random",
        ]);
    });

    it("azure: no kubernetes, no gcp", () => {
        // @pulumi/command runs the Container Apps jobs Pulumi cannot await (components/workload/azure/job-run.ts);
        // @pulumi/tls makes the Neo4j VM's Bolt certificate and SSH key (components/data/azure/neo4j.ts).
        assert.deepEqual(sdksLoadedBy("prod", "azure"), [
            "@pulumi/azure-native",
            "@pulumi/command",
            "@pulumi/pulumi",
            "@pulumi/random",
            "@pulumi/tls",
        ]);
    });
});
