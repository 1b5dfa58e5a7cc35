import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BackupAlertTarget, ServiceAlertTarget } from "../../components/observability/catalogue";

/** A service that emits every signal, so every catalogue alert is rendered. */
export const FULL_SERVICE: ServiceAlertTarget = {
    service: "api",
    namespace: "estate",
    team: "core",
    dependencies: ["postgres", "redis", "neo4j", "ollama"],
    signals: ["queue", "ai-provider", "sync-jobs", "public-endpoint"],
    publicUrl: "https://api.example.com/healthz",
};

export const BACKUPS: readonly BackupAlertTarget[] = [
    { store: "postgres", database: "estate", service: "api", team: "core" },
    { store: "neo4j", database: "graph", service: "api", team: "core" },
];

export function tempDir(prefix: string): string {
    return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

export function writeFiles(dir: string, files: Record<string, string>): void {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}

/** Runs a CLI and returns its combined output and exit status instead of throwing. */
export function run(cmd: string, args: readonly string[], cwd?: string): { status: number; output: string } {
    const result = spawnSync(cmd, args, { cwd, encoding: "utf8" });
    if (result.error) throw result.error;
    return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}
