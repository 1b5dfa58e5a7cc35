import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { analyze } from "../../tools/lib/analyzer";
import { runProgram } from "../../tools/lib/mock-run";
import { applyMutation, CATEGORIES, type ResourceMutation } from "../../tools/mutation/mutation";
import {
    formatScore,
    MUTATIONS,
    parseSuiteArgs,
    PLATFORMS,
    runMutationSuite,
    scoreOf,
    type SuiteResult,
} from "../../tools/mutation/run";

/** The score the pack reaches today, per platform: the suite fails when a change lets more through. */
const SCORE_FLOOR = { kubernetes: 100, azure: 100 } as const;

describe("mutation catalogue", () => {
    it("holds at least 200 mutations with unique ids, each naming its source and a known category", () => {
        assert.ok(MUTATIONS.length >= 200, `${MUTATIONS.length} mutations`);
        assert.equal(new Set(MUTATIONS.map((m) => m.id)).size, MUTATIONS.length);
        for (const m of MUTATIONS) {
            assert.ok(m.source.id.length > 0 && !m.source.id.includes("?"), `${m.id}: source id`);
            assert.ok(CATEGORIES.includes(m.category), `${m.id}: category`);
            assert.ok(m.platforms.length > 0, `${m.id}: platforms`);
        }
    });

    it("a mutation whose target the plan no longer has is reported, not applied", () => {
        const m: ResourceMutation = {
            id: "x",
            category: "storage",
            source: { catalogue: "Checkov", id: "CKV_GCP_29" },
            platforms: ["kubernetes"],
            description: "x",
            target: { type: "gcp:storage/bucket:Bucket", name: "gone" },
            changes: [{ set: "uniformBucketLevelAccess", value: false }],
        };
        const applied = applyMutation({ project: "p", stack: "s", config: {}, resources: [], outputs: {} }, m);
        assert.deepEqual(applied, { ok: false, reason: "the plan has no gcp:storage/bucket:Bucket gone" });
    });
    it("`npm run mutation` runs the slice its options name and refuses an unknown one", () => {
        const slice = parseSuiteArgs(["--platform", "azure", "--category", "https"]);
        assert.deepEqual(slice.platforms, ["azure"]);
        assert.ok(slice.mutations!.length > 0 && slice.mutations!.every((m) => m.category === "https"));
        assert.deepEqual(
            parseSuiteArgs(["--id", "cnpg-superuser"]).mutations!.map((m) => m.id),
            ["k8s-cnpg-superuser"],
        );
        assert.deepEqual(parseSuiteArgs([]), {});
        assert.throws(() => parseSuiteArgs(["--category", "speed"]), /--category speed: one of pod-security/);
        assert.throws(() => parseSuiteArgs(["--stack", "prod"]), /unknown option --stack/);
    });
});

describe("mutation suite on the prod plans", { timeout: 30 * 60_000 }, () => {
    let result: SuiteResult;
    before(async () => {
        result = await runMutationSuite();
    });
    after(() => {
        if (result) console.log(formatScore(result));
    });

    it("no mandatory violation on either unmutated prod plan", () => {
        assert.deepEqual(result.falsePositives, { kubernetes: [], azure: [] });
    });

    it("at least 200 mutations still apply to the plans", () => {
        assert.ok(scoreOf(result.outcomes).applied >= 200, formatScore(result));
    });

    for (const platform of PLATFORMS) {
        it(`${platform}: the pack catches at least ${SCORE_FLOOR[platform]} % of the mutations`, () => {
            const score = scoreOf(result.outcomes.filter((o) => o.platform === platform));
            assert.ok(score.percent >= SCORE_FLOOR[platform], formatScore(result));
        });
    }
});

describe("no false positive on the unmutated staging plans", { timeout: 10 * 60_000 }, () => {
    for (const platform of PLATFORMS) {
        it(`staging / ${platform}`, async () => {
            const capture = await runProgram({ stack: "staging", overrides: { "estate:platform": platform } });
            const report = await analyze(capture, { stack: "staging" });
            assert.deepEqual(
                report.violations.filter((v) => v.enforcementLevel !== "advisory"),
                [],
            );
        });
    }
});
