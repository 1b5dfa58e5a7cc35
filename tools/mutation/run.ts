/**
 * The mutation suite: plans prod on each platform once, starts one policy pack server per platform,
 * then applies every mutation of the catalogue and asks the pack about the mutated plan. A mutation
 * is caught when a mandatory violation appears that the unmutated plan lacks; a config mutation is
 * also caught when the program refuses the value. `npm run mutation` prints the score.
 */
import { openSession, type PackSession, type Violation } from "../lib/analyzer";
import { PROJECT_ROOT, readStackConfig, runProgram, type ProgramCapture } from "../lib/mock-run";
import { parseStackConfig } from "../../stacks/config";
import { DEFAULT_PACK_DIR, ensureBuilt, spawnPack } from "../lib/pack-process";
import {
    azureMutations,
    configMutations,
    kubernetesMutations,
    namespaceMutations,
    podSecurityMutations,
} from "./catalogue";
import {
    applyMutation,
    CATEGORIES,
    isConfigMutation,
    type Category,
    type ConfigMutation,
    type Mutation,
    type Platform,
    type ResourceMutation,
} from "./mutation";

export const PLATFORMS: readonly Platform[] = ["kubernetes", "azure"];

/** Every mutation, in catalogue order. */
export const MUTATIONS: readonly Mutation[] = [
    ...podSecurityMutations,
    ...namespaceMutations,
    ...kubernetesMutations,
    ...azureMutations,
    ...configMutations,
];

export type Status = "caught" | "survived" | "stale";

export interface Outcome {
    readonly mutation: Mutation;
    readonly platform: Platform;
    readonly status: Status;
    /** The policies whose new mandatory violations caught it, or `config` when the program refused the value. */
    readonly caughtBy: readonly string[];
    /** Why a stale mutation no longer applies to the plan. */
    readonly reason?: string;
}

export interface SuiteResult {
    readonly outcomes: readonly Outcome[];
    /** Mandatory violations of the unmutated prod plan, per platform: each one is a false positive. */
    readonly falsePositives: Readonly<Record<Platform, readonly Violation[]>>;
}

/** The mock runtime is process-global: one program run at a time, while the pack servers work beside it. */
let programs: Promise<unknown> = Promise.resolve();
function plan(platform: Platform, config: Readonly<Record<string, string>> = {}): Promise<ProgramCapture> {
    const run = programs.then(() =>
        runProgram({ stack: "prod", overrides: { "estate:platform": platform, ...config } }),
    );
    programs = run.catch(() => undefined);
    return run;
}

const mandatory = (v: Violation) => v.enforcementLevel !== "advisory";
const keyOf = (v: Violation) => `${v.policy}\u0000${v.urn ?? ""}\u0000${v.message}`;

interface Baseline {
    readonly capture: ProgramCapture;
    readonly keys: ReadonlySet<string>;
}

function newlyMandatory(baseline: Baseline, violations: readonly Violation[]): string[] {
    return [
        ...new Set(violations.filter((v) => mandatory(v) && !baseline.keys.has(keyOf(v))).map((v) => v.policy)),
    ].sort();
}

async function runResourceMutation(
    session: PackSession,
    baseline: Baseline,
    platform: Platform,
    mutation: ResourceMutation,
): Promise<Outcome> {
    const applied = applyMutation(baseline.capture, mutation);
    if (!applied.ok) return { mutation, platform, status: "stale", caughtBy: [], reason: applied.reason };
    // Analyze is per resource and independent of the others: only the touched ones can change.
    const perResource = await session.analyzeResources(applied.capture, applied.touched);
    const stack = await session.analyzeStack(applied.capture);
    const caughtBy = newlyMandatory(baseline, [...perResource.flat(), ...stack]);
    return { mutation, platform, status: caughtBy.length > 0 ? "caught" : "survived", caughtBy };
}

/** The stack config with the override, as the program would parse it; the refusal's message when it refuses. */
function configRefusal(platform: Platform, config: Readonly<Record<string, string>>): string | undefined {
    try {
        const { values, secretKeys } = readStackConfig(PROJECT_ROOT, "prod", {
            "estate:platform": platform,
            ...config,
        });
        parseStackConfig("prod", values, new Set(secretKeys));
        return undefined;
    } catch (e) {
        return e instanceof Error ? e.message : String(e);
    }
}

async function runConfigMutation(
    session: PackSession,
    baseline: Baseline,
    platform: Platform,
    mutation: ConfigMutation,
): Promise<Outcome> {
    // Refused by the config schema: caught before anything is declared (and the program is not run,
    // since a program that throws at its top level leaves the process-global mock runtime dirty).
    const refusal = configRefusal(platform, mutation.config);
    if (refusal) return { mutation, platform, status: "caught", caughtBy: ["config"], reason: refusal };
    const report = await session.analyze(await plan(platform, mutation.config));
    const caughtBy = newlyMandatory(baseline, report.violations);
    return { mutation, platform, status: caughtBy.length > 0 ? "caught" : "survived", caughtBy };
}

export interface SuiteOptions {
    /** Only these mutations (default: all). */
    readonly mutations?: readonly Mutation[];
    readonly platforms?: readonly Platform[];
}

async function runPlatform(
    platform: Platform,
    mutations: readonly Mutation[],
): Promise<{ outcomes: Outcome[]; falsePositives: Violation[] }> {
    // The analyzer boots in its own process while the program runs.
    const started = spawnPack(DEFAULT_PACK_DIR, ensureBuilt(DEFAULT_PACK_DIR));
    started.catch(() => undefined);
    let capture: ProgramCapture;
    try {
        capture = await plan(platform);
    } catch (e) {
        await started.then((p) => p.kill()).catch(() => undefined);
        throw e;
    }
    const session = await openSession({ stack: "prod", capture, started });
    try {
        const clean = await session.analyze(capture);
        const baseline: Baseline = { capture, keys: new Set(clean.violations.map(keyOf)) };
        const outcomes: Outcome[] = [];
        for (const mutation of mutations.filter((m) => m.platforms.includes(platform))) {
            outcomes.push(
                isConfigMutation(mutation)
                    ? await runConfigMutation(session, baseline, platform, mutation)
                    : await runResourceMutation(session, baseline, platform, mutation),
            );
        }
        return { outcomes, falsePositives: clean.violations.filter(mandatory) };
    } finally {
        await session.close();
    }
}

export async function runMutationSuite(options: SuiteOptions = {}): Promise<SuiteResult> {
    const platforms = options.platforms ?? PLATFORMS;
    const mutations = options.mutations ?? MUTATIONS;
    // One pack server per platform; the two platforms run side by side.
    const results = await Promise.all(platforms.map((p) => runPlatform(p, mutations)));
    return {
        outcomes: results.flatMap((r) => r.outcomes),
        falsePositives: Object.fromEntries(platforms.map((p, i) => [p, results[i]!.falsePositives])) as Record<
            Platform,
            Violation[]
        >,
    };
}

export interface Score {
    readonly caught: number;
    /** Mutations that applied to the plan (caught or survived). */
    readonly applied: number;
    readonly percent: number;
}

export function scoreOf(outcomes: readonly Outcome[]): Score {
    const applied = outcomes.filter((o) => o.status !== "stale");
    const caught = applied.filter((o) => o.status === "caught").length;
    return { caught, applied: applied.length, percent: applied.length === 0 ? 100 : (100 * caught) / applied.length };
}

const pct = (s: Score) => (s.applied === 0 ? "-" : `${s.percent.toFixed(1)} % (${s.caught}/${s.applied})`);

/** The score per platform and per category as a Markdown table, then what survived and what no longer applies. */
export function formatScore(result: SuiteResult): string {
    const platforms = [...new Set(result.outcomes.map((o) => o.platform))];
    const rows = [`| category | ${platforms.join(" | ")} |`, `| --- |${platforms.map(() => " --- |").join("")}`];
    const cell = (p: Platform, c?: Category) =>
        pct(scoreOf(result.outcomes.filter((o) => o.platform === p && (!c || o.mutation.category === c))));
    for (const c of CATEGORIES) {
        if (!result.outcomes.some((o) => o.mutation.category === c)) continue;
        rows.push(`| ${c} | ${platforms.map((p) => cell(p, c)).join(" | ")} |`);
    }
    rows.push(`| **all** | ${platforms.map((p) => `**${cell(p)}**`).join(" | ")} |`);
    const lines = [rows.join("\n")];
    const survived = result.outcomes.filter((o) => o.status === "survived");
    if (survived.length > 0) {
        lines.push("", `Surviving (${survived.length}):`);
        for (const o of survived)
            lines.push(
                `  ${o.platform}  ${o.mutation.id}  [${o.mutation.source.catalogue} ${o.mutation.source.id}]  ${o.mutation.description}`,
            );
    }
    const stale = result.outcomes.filter((o) => o.status === "stale");
    if (stale.length > 0) {
        lines.push("", `No longer applicable to the plan (${stale.length}):`);
        for (const o of stale) lines.push(`  ${o.platform}  ${o.mutation.id}: ${o.reason}`);
    }
    for (const [p, vs] of Object.entries(result.falsePositives)) {
        for (const v of vs)
            lines.push(
                `false positive on the unmutated ${p} prod plan: ${v.policy} (${v.urn ?? "stack"}): ${v.message}`,
            );
    }
    return lines.join("\n");
}

/**
 * `npm run mutation -- [--platform P] [--category C] [--id SUBSTRING]`: a slice of the suite, so a
 * policy change can be measured on the mutations it is meant to catch without running all of them.
 */
export function parseSuiteArgs(argv: readonly string[]): SuiteOptions {
    const values = (flag: string) => argv.flatMap((a, i) => (a === flag && argv[i + 1] ? [argv[i + 1]!] : []));
    const unknown = argv.filter((a) => a.startsWith("--") && !["--platform", "--category", "--id"].includes(a));
    if (unknown.length > 0) throw new Error(`unknown option ${unknown[0]}: use --platform, --category or --id`);
    const platforms = values("--platform");
    for (const p of platforms)
        if (!PLATFORMS.includes(p as Platform)) throw new Error(`--platform ${p}: one of ${PLATFORMS.join(", ")}`);
    const categories = values("--category");
    for (const c of categories)
        if (!CATEGORIES.includes(c as Category)) throw new Error(`--category ${c}: one of ${CATEGORIES.join(", ")}`);
    const ids = values("--id");
    const mutations = MUTATIONS.filter(
        (m) =>
            (categories.length === 0 || categories.includes(m.category)) &&
            (ids.length === 0 || ids.some((id) => m.id.includes(id))),
    );
    return {
        ...(platforms.length > 0 ? { platforms: platforms as Platform[] } : {}),
        ...(categories.length > 0 || ids.length > 0 ? { mutations } : {}),
    };
}

if (require.main === module) {
    Promise.resolve()
        .then(() => runMutationSuite(parseSuiteArgs(process.argv.slice(2))))
        .then(
            (result) => {
                console.log(formatScore(result));
                process.exit(0);
            },
            (e: unknown) => {
                console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
                process.exit(1);
            },
        );
}
