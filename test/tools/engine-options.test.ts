// Resource options the engine passes to analyzers (AnalyzerResourceOptions): recorded in the plan,
// sent to the policy pack, and refused at registration when the engine would refuse them.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { analyzeRequests, analyzeStackRequest } from "../../tools/lib/analyzer";
import { runComponents, runProgram, type ProgramCapture } from "../../tools/lib/mock-run";
import { planDocument } from "../../tools/lib/plan-artefacts";
import { parseGoDurationSeconds } from "../../tools/lib/pulumi-engine-options";

/** The smallest custom resource, to set options on. */
class Thing extends pulumi.CustomResource {
    constructor(name: string, opts: pulumi.CustomResourceOptions = {}) {
        super("test:index:Thing", name, {}, opts);
    }
}

describe("Go time.ParseDuration, as the engine parses customTimeouts", () => {
    for (const [text, seconds] of [
        ["1020s", 1020],
        ["10m", 600],
        ["1h30m", 5400],
        ["1.5h", 5400],
        [".5s", 0.5],
        ["300ms", 0.3],
        ["0", 0],
        ["-2m", -120],
    ] as const)
        it(`reads ${text} as ${seconds} s`, () => assert.equal(parseGoDurationSeconds(text), seconds));
    for (const text of ["", "10", "10 minutes", "1d", "m", ".s", "3000000h"])
        it(`refuses ${JSON.stringify(text)}`, () => assert.equal(parseGoDurationSeconds(text), undefined));
});

describe("customTimeouts and the other analyzer options", () => {
    let capture: ProgramCapture;
    before(async () => {
        capture = await runProgram({ stack: "prod" });
    });

    it("records the migration job's customTimeouts in seconds in plan.json", () => {
        const plan = planDocument(capture, []);
        const job = plan.resources.find((r) => r.type === "kubernetes:batch/v1:Job" && r.name === "api-migrate-job");
        assert.ok(job, "the prod plan declares the api migration Job");
        assert.deepEqual(job.options.customTimeouts, { create: 1020, update: 1020 });
        const deployment = plan.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment");
        assert.equal(deployment?.options.customTimeouts, undefined, "none recorded where the program set none");
    });

    it("sends them to the analyzer in Analyze and AnalyzeStack, zero meaning unset", () => {
        const request = analyzeRequests(capture).find((r) => r.getName() === "api-migrate-job")!;
        const timeouts = request.getOptions()!.getCustomtimeouts()!;
        assert.deepEqual(
            [timeouts.getCreate(), timeouts.getUpdate(), timeouts.getDelete(), timeouts.getRead()],
            [1020, 1020, 0, 0],
        );
        const stackResource = analyzeStackRequest(capture)
            .getResourcesList()
            .find((r) => r.getName() === "api-migrate-job")!;
        assert.equal(stackResource.getOptions()!.getCustomtimeouts()!.getCreate(), 1020);
    });

    it("tells the analyzer whether deleteBeforeReplace was set, as the engine does", async () => {
        const set = await runComponents(() => {
            new Thing("explicit", { deleteBeforeReplace: false });
            new Thing("implicit");
        });
        const defined = Object.fromEntries(
            analyzeRequests(set).map((r) => [r.getName(), r.getOptions()!.getDeletebeforereplacedefined()]),
        );
        assert.equal(defined["explicit"], true);
        assert.equal(defined["implicit"], false);
    });

    it("refuses a second resource with the same URN, as the engine does", async () => {
        await assert.rejects(
            runComponents(() => {
                new Thing("twin");
                new Thing("twin");
            }),
            /the engine refuses Duplicate resource URN 'urn:pulumi:test::estate::\S*test:index:Thing::twin'; try giving it a unique name/,
        );
        const distinct = await runComponents(() => {
            new Thing("twin");
            new Thing("twin", { parent: new Thing("parent") });
        });
        const things = distinct.resources.filter((r) => r.type === "test:index:Thing");
        assert.equal(things.length, 3, "the same name under another parent is another URN");
    });

    it("fails the registration of a timeout Go cannot parse, with the engine's message", async () => {
        await assert.rejects(
            runComponents(() => {
                new Thing("slow", { customTimeouts: { create: "10 minutes" } });
            }),
            /the engine refuses test:index:Thing "slow": unable to parse customTimeout Value 10 minutes/,
        );
    });
});
