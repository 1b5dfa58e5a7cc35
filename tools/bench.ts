/**
 * `npm run bench`: wall time and peak memory of the offline commands, each run a fresh process so
 * it includes loading the SDKs, against the floor (a process that loads `@pulumi/pulumi` and
 * nothing else) measured in the same rounds: on a shared machine only the ratio is comparable.
 * Targets: the full prod plan (program, artefacts, real analyzer) ≤ 3× the floor and ≤ 300 MB.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseCliArgs, renderHelp, type CommandHelp } from "./lib/cli";

export const HELP: CommandHelp = {
    command: "bench",
    summary:
        "Measures the offline plan: each run is a fresh process. Prints each run as it finishes, then the medians:\n" +
        "the floor (loading @pulumi/pulumi alone), the full prod plan with the real analyzer and its ratio to the\n" +
        "floor, the program alone per stack and platform, synthetic estates of 1, 10 and 50 services, and the\n" +
        "mutation score of the policy pack per platform and category.",
    examples: [
        "npm run bench",
        "npm run bench -- --runs 5",
        "npm run bench -- --runs 3 --quick   # floor and full plan only",
    ],
    exitCodes: "0 measured (targets missed are reported, not failed), 1 a run failed",
};
const BENCH_OPTIONS = [
    ["--runs <n>", "runs per figure, median reported (default: 3, or BENCH_RUNS)"],
    ["--quick", "only the floor and the full prod plan"],
] as const;
const FLOOR_RATIO_TARGET = 3;
const MEMORY_TARGET_MB = 300;

interface Sample {
    wallMs: number;
    /** CPU time of the run's whole process tree (the analyzer included); undefined where /proc is missing. */
    cpuMs?: number;
    maxRssMb: number;
    resources?: number;
    exitCode?: number;
}

const ROOT = path.resolve(__dirname, "..");
const CHILD = path.join(__dirname, "lib", "bench-child.ts");
/** The node arguments of `npm run plan` (package.json), so each figure is what a person runs and waits for. */
const PLAN_NODE_ARGS: readonly string[] = (() => {
    const words = (
        JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: { plan: string } }
    ).scripts.plan.split(/\s+/);
    return words.slice(1, words.indexOf("tools/plan.ts"));
})();

/**
 * CPU time of this process's waited-for children, from /proc/self/stat (cutime + cstime, in clock
 * ticks of 1/100 s on Linux): unlike wall time it hardly moves when other work shares the machine.
 */
function childrenCpuMs(): number | undefined {
    try {
        const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
        return (Number(fields[13]) + Number(fields[14])) * 10;
    } catch {
        return undefined;
    }
}

function measure(args: string[]): Promise<Sample> {
    const start = performance.now();
    const cpuBefore = childrenCpuMs();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    return new Promise((resolve, reject) =>
        child.once("exit", (code) => {
            const wallMs = Math.round(performance.now() - start);
            if (code !== 0) return reject(new Error(`bench run ${args.join(" ")} failed (${code}):\n${err}`));
            const last = JSON.parse(out.trim().split("\n").pop()!) as Omit<Sample, "wallMs">;
            if (last.exitCode) return reject(new Error(`bench run ${args.join(" ")} exited ${last.exitCode}:\n${err}`));
            const cpuAfter = childrenCpuMs();
            resolve({
                ...last,
                wallMs,
                ...(cpuBefore !== undefined && cpuAfter !== undefined ? { cpuMs: cpuAfter - cpuBefore } : {}),
            });
        }),
    );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<number> {
    const args = parseCliArgs(process.argv.slice(2), { flags: ["quick"], options: ["runs"] });
    if (args.help) {
        console.log(renderHelp(HELP, BENCH_OPTIONS, { stackOptions: false }));
        return 0;
    }
    const runs = Number(args.options["runs"] ?? process.env["BENCH_RUNS"] ?? 3);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "estate-bench-"));
    const figures: Array<{ what: string; args: string[] }> = [
        {
            what: "floor: load @pulumi/pulumi",
            args: [
                "-e",
                'require("@pulumi/pulumi"); console.log(JSON.stringify({ maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }))',
            ],
        },
        {
            what: "full plan prod / kubernetes (program, artefacts, analyzer)",
            args: [...PLAN_NODE_ARGS, CHILD, "plan", "--stack", "prod", "--out", out],
        },
    ];
    if (!args.flags.has("quick")) {
        for (const stack of ["staging", "prod"])
            for (const platform of ["kubernetes", "azure"])
                figures.push({
                    what: `program ${stack} / ${platform}`,
                    args: [...PLAN_NODE_ARGS, CHILD, "stack", stack, platform],
                });
        for (const n of [1, 10, 50])
            figures.push({ what: `synthetic ${n} services`, args: [...PLAN_NODE_ARGS, CHILD, "synthetic", String(n)] });
    }

    // Rounds, not figure after figure: a load spike on the machine then hits every figure alike.
    const samples = new Map<string, Sample[]>(figures.map((f) => [f.what, []]));
    for (let round = 1; round <= runs; round++) {
        for (const figure of figures) {
            const s = await measure(figure.args);
            samples.get(figure.what)!.push(s);
            console.log(
                `run ${round}/${runs}  ${figure.what}: ${s.wallMs} ms${s.cpuMs !== undefined ? ` (${s.cpuMs} ms CPU)` : ""}, ${s.maxRssMb} MB${s.resources !== undefined ? `, ${s.resources} resources` : ""}`,
            );
        }
    }
    fs.rmSync(out, { recursive: true, force: true });

    const rows = [
        "| what | resources | wall (median) | CPU, all processes (median) | peak RSS (median) |",
        "| --- | --- | --- | --- | --- |",
    ];
    const med = new Map<string, { wallMs: number; cpuMs?: number; maxRssMb: number; resources?: number }>();
    for (const figure of figures) {
        const list = samples.get(figure.what)!;
        const m = {
            wallMs: median(list.map((s) => s.wallMs)),
            maxRssMb: median(list.map((s) => s.maxRssMb)),
            ...(list.every((s) => s.cpuMs !== undefined) ? { cpuMs: median(list.map((s) => s.cpuMs!)) } : {}),
            ...(list[0]!.resources !== undefined ? { resources: list[0]!.resources } : {}),
        };
        med.set(figure.what, m);
        rows.push(
            `| ${figure.what} | ${m.resources ?? "-"} | ${m.wallMs} ms | ${m.cpuMs !== undefined ? `${m.cpuMs} ms` : "-"} | ${m.maxRssMb} MB |`,
        );
    }
    console.log(`\n${rows.join("\n")}`);

    const floor = med.get(figures[0]!.what)!;
    const full = med.get(figures[1]!.what)!;
    // The ratio of each round (floor and plan measured back to back), then the median of those.
    const roundRatios = samples
        .get(figures[1]!.what)!
        .map((s, i) => s.wallMs / samples.get(figures[0]!.what)![i]!.wallMs);
    const ratio = median(roundRatios);
    console.log(
        `\nfloor ${floor.wallMs} ms; full prod plan ${full.wallMs} ms = ${ratio.toFixed(1)}× the floor ` +
            `(median of per-round ratios; target ≤ ${FLOOR_RATIO_TARGET}×: ${ratio <= FLOOR_RATIO_TARGET ? "met" : "missed"}), ` +
            `peak RSS ${full.maxRssMb} MB in the plan process, the analyzer's own process not included ` +
            `(target ≤ ${MEMORY_TARGET_MB} MB: ${full.maxRssMb <= MEMORY_TARGET_MB ? "met" : "missed"}). ` +
            `${runs} run${runs === 1 ? "" : "s"}, node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}.`,
    );
    if (floor.cpuMs !== undefined && full.cpuMs !== undefined)
        console.log(
            `CPU: floor ${floor.cpuMs} ms, full prod plan ${full.cpuMs} ms over all its processes = ${(full.cpuMs / floor.cpuMs).toFixed(1)}× ` +
                "(the bound the wall ratio approaches on a busy machine; on idle cores the analyzer's share runs alongside the program).",
        );
    const one = med.get("synthetic 1 services");
    const fifty = med.get("synthetic 50 services");
    if (one && fifty && one.resources !== undefined && fifty.resources !== undefined) {
        const perResource = (fifty.wallMs - one.wallMs) / (fifty.resources - one.resources);
        const perResourceKb = ((fifty.maxRssMb - one.maxRssMb) * 1024) / (fifty.resources - one.resources);
        console.log(`marginal cost per resource: ${perResource.toFixed(2)} ms, ${perResourceKb.toFixed(0)} KB`);
    }
    if (!args.flags.has("quick")) {
        // What the pack catches: the mutation suite over both prod plans (tools/mutation/run.ts).
        const { formatScore, runMutationSuite } = require("./mutation/run") as typeof import("./mutation/run");
        console.log(
            `\nmutation score (mandatory violations the unmutated prod plan lacks):\n${formatScore(await runMutationSuite())}`,
        );
    }
    return 0;
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
    },
);
