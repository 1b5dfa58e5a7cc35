import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { diffPlans } from "../../tools/lib/plan-diff";

function planDir(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"));
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
    return dir;
}

describe("plan diff", () => {
    const before = planDir({ "plan.json": '{"a":1,"b":[1,2]}', "manifests/x.yaml": "kind: Pod\n" });

    it("finds no difference when only the order of JSON keys differs", () => {
        assert.deepEqual(
            diffPlans(before, planDir({ "plan.json": '{"b":[1,2],"a":1}', "manifests/x.yaml": "kind: Pod\n" })),
            [],
        );
    });

    it("reports a changed value, a missing file and an extra file", () => {
        const after = planDir({ "plan.json": '{"a":2,"b":[1,2]}', "manifests/y.yaml": "kind: Pod\n" });
        assert.deepEqual(diffPlans(before, after), [
            { file: "manifests/x.yaml", kind: "missing" },
            { file: "manifests/y.yaml", kind: "extra" },
            { file: "plan.json", kind: "changed", lines: [{ line: 2, before: '  "a": 1,', after: '  "a": 2,' }] },
        ]);
    });

    it("compares arrays in order: a reordered list is a different plan", () => {
        assert.equal(
            diffPlans(before, planDir({ "plan.json": '{"a":1,"b":[2,1]}', "manifests/x.yaml": "kind: Pod\n" })).length,
            1,
        );
    });
});
