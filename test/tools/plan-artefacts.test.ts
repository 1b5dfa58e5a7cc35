import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { kubernetesManifest, manifestYaml } from "../../tools/lib/plan-artefacts";
import { plan, stacks } from "../support/program";

// kubectl and client-go read YAML 1.1 (sigs.k8s.io/yaml over go-yaml v2): plain `on`, `yes`, `no`,
// `off`, `y`, `n` are booleans there, `0755` an octal integer and `1:20` a sexagesimal one.
const TRAPS = {
    metadata: { name: "x", labels: { on: "yes", n: "no" } },
    parameters: { log_connections: "on", log_disconnections: "off", mode: "0755", window: "1:20", version: "1.10" },
    flags: ["y", "n", "~", "null", "true", "0o17", "1e3"],
    script: "set -eu\necho done\n",
    replicas: 2,
    enabled: false,
};

const readAs = (text: string, version: "1.1" | "1.2") => parse(text, { version });

describe("rendered manifests", () => {
    it("read as the same values and types under YAML 1.1 and 1.2 readers", () => {
        const text = manifestYaml(TRAPS);
        assert.deepEqual(readAs(text, "1.1"), TRAPS);
        assert.deepEqual(readAs(text, "1.2"), TRAPS);
        assert.match(text, /log_connections: "on"/);
        assert.match(text, /"on": "yes"/);
        // Scripts stay readable as block literals.
        assert.match(text, /script: \|\n {2}set -eu\n {2}echo done\n/);
        // The default YAML 1.2 writer leaves these plain, which a YAML 1.1 reader mistypes: the check above can fail.
        assert.notDeepEqual(readAs(stringify(TRAPS), "1.1"), TRAPS);
    });

    for (const stack of stacks) {
        it(`${stack}: every Kubernetes object of the plan round-trips through a YAML 1.1 reader unchanged`, async () => {
            const capture = await plan(stack);
            const manifests = capture.resources.flatMap((r) => {
                const m = kubernetesManifest(r);
                return m ? [m] : [];
            });
            assert.ok(manifests.length > 50, `only ${manifests.length} manifests`);
            for (const manifest of manifests) {
                const name = `${String(manifest["kind"])}/${String((manifest["metadata"] as { name?: string }).name)}`;
                assert.deepEqual(readAs(manifestYaml(manifest), "1.1"), manifest, name);
            }
            const cluster = manifests.find((m) => m["kind"] === "Cluster")!;
            assert.match(manifestYaml(cluster), /log_connections: "on"/);
        });
    }
});
