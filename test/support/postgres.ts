// A throwaway PostgreSQL cluster (whichever major is installed) for end-to-end tests: initdb + pg_ctl in a temp dir on a
// free loopback port, password authentication over TCP, removed again by `stop()`.
// initdb refuses to run as root (CI runs as root), so there the server runs as `postgres`.
import { execFile } from "node:child_process";
import { chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { postgresBinDir } from "../../tools/lib/system-tools";

const run = promisify(execFile);

function requirePgBinDir(): string {
    const dir = postgresBinDir({ PATH: process.env.PATH ?? "" });
    // npm's pretest step installs PostgreSQL; running a test file directly without it fails here, loudly.
    if (dir === undefined)
        throw new Error(
            "PostgreSQL's server binaries (initdb, pg_ctl) were not found: run `npm test`, which installs them",
        );
    return dir;
}

/** Where initdb, pg_ctl, psql, pg_dump and pg_restore are, whatever the installed major. */
export const pgBinDir = requirePgBinDir();

export interface PostgresCluster {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly password: string;
    /** libpq environment for clients (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE). */
    readonly env: Record<string, string>;
    /** Runs SQL with psql and returns its unaligned, tuples-only output. */
    psql(sql: string, database?: string): Promise<string>;
    stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const addr = srv.address();
            const port = typeof addr === "object" && addr ? addr.port : 0;
            srv.close(() => resolve(port));
        });
    });
}

async function systemUser(name: string): Promise<{ uid: number; gid: number }> {
    const uid = Number((await run("id", ["-u", name])).stdout.trim());
    const gid = Number((await run("id", ["-g", name])).stdout.trim());
    return { uid, gid };
}

export async function startPostgres(): Promise<PostgresCluster> {
    const dir = mkdtempSync(join(tmpdir(), "estate-pg-"));
    const asRoot = process.getuid?.() === 0;
    // As root every server command runs as `postgres`, in a directory that user owns.
    const owner = asRoot ? await systemUser("postgres") : undefined;
    const as = (cmd: string, args: string[]) =>
        asRoot ? run("runuser", ["-u", "postgres", "--", cmd, ...args]) : run(cmd, args);

    const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
    const pwfile = join(dir, "pwfile");
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) {
        chownSync(dir, owner.uid, owner.gid);
        chownSync(pwfile, owner.uid, owner.gid);
    }
    const data = join(dir, "data");
    const port = await freePort();
    try {
        await as(join(pgBinDir, "initdb"), [
            "-D",
            data,
            "-U",
            "postgres",
            "--pwfile",
            pwfile,
            "--auth-host=scram-sha-256",
            "--auth-local=peer",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        rmSync(pwfile);
        await as(join(pgBinDir, "pg_ctl"), [
            "-D",
            data,
            "-l",
            join(dir, "server.log"),
            "-w",
            "-t",
            "30",
            "start",
            "-o",
            `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off`,
        ]);
    } catch (e) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
    }

    const env = {
        PGHOST: "127.0.0.1",
        PGPORT: String(port),
        PGUSER: "postgres",
        PGPASSWORD: password,
        PGDATABASE: "postgres",
    };
    let stopped = false;
    return {
        host: env.PGHOST,
        port,
        user: env.PGUSER,
        password,
        env,
        async psql(sql, database = "postgres") {
            const { stdout } = await run(
                join(pgBinDir, "psql"),
                ["-X", "-w", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql],
                { env: { ...process.env, ...env } },
            );
            return stdout.trim();
        },
        async stop() {
            if (stopped) return;
            stopped = true;
            try {
                await as(join(pgBinDir, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
            } finally {
                rmSync(dir, { recursive: true, force: true });
            }
        },
    };
}
