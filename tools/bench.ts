/**
 * `npm run bench`: wall time and peak memory of the offline plan per stack and platform, of the
 * policy run, and of synthetic estates of 1, 10 and 50 services (marginal cost per resource).
 * Each figure is a fresh process, so it includes loading the SDKs. Targets (2 cores): prod plans
 * in < 2 s and < 300 MB; the offline policy run, analyzer start included, in < 4 s.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

interface Sample {
    resources: number;
    programMs: number;
    policyMs?: number;
    maxRssMb: number;
    wallMs: number;
}

function measure(args: string[]): Sample {
    const start = performance.now();
    const run = spawnSync(
        process.execPath,
        ["--import", "tsx", path.join(__dirname, "lib", "bench-child.ts"), ...args],
        { encoding: "utf8" },
    );
    const wallMs = Math.round(performance.now() - start);
    if (run.status !== 0) throw new Error(`bench run ${args.join(" ")} failed:\n${run.stderr}`);
    return { ...(JSON.parse(run.stdout.trim().split("\n").pop()!) as Omit<Sample, "wallMs">), wallMs };
}

function median(samples: Sample[]): Sample {
    return [...samples].sort((x, y) => x.wallMs - y.wallMs)[Math.floor(samples.length / 2)]!;
}

const runs = Number(process.env["BENCH_RUNS"] ?? 3);
const rows: string[] = [
    "| what | resources | wall (process) | program | policy | peak RSS |",
    "| --- | --- | --- | --- | --- | --- |",
];
const row = (what: string, s: Sample) =>
    rows.push(
        `| ${what} | ${s.resources} | ${s.wallMs} ms | ${s.programMs} ms | ${s.policyMs !== undefined ? `${s.policyMs} ms` : "-"} | ${s.maxRssMb} MB |`,
    );
for (const stack of ["staging", "prod"]) {
    for (const platform of ["kubernetes", "azure"])
        row(
            `plan ${stack} / ${platform}`,
            median(Array.from({ length: runs }, () => measure(["stack", stack, platform]))),
        );
}
row(
    "plan + policy prod / kubernetes",
    median(Array.from({ length: runs }, () => measure(["policy", "prod", "kubernetes"]))),
);
const synthetic = [1, 10, 50].map((n) => {
    const s = median(Array.from({ length: runs }, () => measure(["synthetic", String(n)])));
    row(`synthetic ${n} services`, s);
    return s;
});
const [one, , fifty] = synthetic;
const marginal = (fifty!.programMs - one!.programMs) / (fifty!.resources - one!.resources);
const marginalMb = (fifty!.maxRssMb - one!.maxRssMb) / (fifty!.resources - one!.resources);
console.log(rows.join("\n"));
console.log(
    `\nmarginal cost per resource: ${marginal.toFixed(2)} ms, ${(marginalMb * 1024).toFixed(0)} KB (median of ${runs} runs, node ${process.version})`,
);
