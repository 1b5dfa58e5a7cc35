// A throwaway redis-server for end-to-end tests, on a free loopback port with a password,
// persistence off unless started from an existing RDB file. `stop()` kills it and removes its dir.
import { ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./postgres";

const run = promisify(execFile);

export interface RedisServer {
    readonly port: number;
    readonly password: string;
    /** Runs redis-cli against the server and returns its trimmed output. */
    cli(...args: string[]): Promise<string>;
    stop(): Promise<void>;
}

export interface RedisOptions {
    /** Start from this directory's `dump.rdb` (a restore); default: an empty temp dir. */
    readonly dataDir?: string;
}

export async function startRedis(opts: RedisOptions = {}): Promise<RedisServer> {
    const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "estate-redis-"));
    const port = await freePort();
    const password = `redis-${Math.random().toString(36).slice(2)}-secret`;
    const child: ChildProcess = spawn(
        "redis-server",
        [
            "--port",
            String(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            dir,
            "--dbfilename",
            "dump.rdb",
            "--requirepass",
            password,
            "--save",
            "",
            "--appendonly",
            "no",
            // No 5 s wait before a diskless transfer: the backup reads the RDB straight away.
            "--repl-diskless-sync-delay",
            "0",
        ],
        { stdio: "ignore" },
    );
    const cli = async (...args: string[]) =>
        (
            await run("redis-cli", ["-p", String(port), "--no-auth-warning", ...args], {
                env: { ...process.env, REDISCLI_AUTH: password },
            })
        ).stdout.trim();

    let exited = false;
    child.once("exit", () => {
        exited = true;
    });
    for (let i = 0; ; i++) {
        if (exited) throw new Error("redis-server exited while starting");
        const pong = await cli("ping").catch(() => "");
        if (pong === "PONG") break;
        if (i > 100) throw new Error("redis-server did not answer PING");
        await new Promise((r) => setTimeout(r, 50));
    }
    return {
        port,
        password,
        cli,
        async stop() {
            if (!exited) {
                await new Promise<void>((resolve) => {
                    child.once("exit", () => resolve());
                    child.kill("SIGKILL");
                });
            }
            rmSync(dir, { recursive: true, force: true });
        },
    };
}
