import { execFile } from "node:child_process";
import { join } from "node:path";
import { backupScriptsDir } from "../../components/backup/scripts";

export interface ScriptRun {
    code: number;
    stdout: string;
    stderr: string;
}

/**
 * Runs one backup or drill script in a clean environment, as in a job container: only PATH
 * (with `extraPath` in front, e.g. PostgreSQL's bin directory) and what the test passes.
 */
export function runBackupScript(script: string, env: Record<string, string>, extraPath?: string): Promise<ScriptRun> {
    return new Promise((resolve) => {
        execFile(
            "bash",
            [join(backupScriptsDir, script)],
            {
                env: { PATH: extraPath ? `${extraPath}:${process.env.PATH}` : `${process.env.PATH}`, ...env },
                maxBuffer: 16 * 1024 * 1024,
            },
            (err, stdout, stderr) => {
                resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
            },
        );
    });
}
