// End to end: the real backup and drill scripts against a throwaway PostgreSQL (and Redis),
// with a real age key pair, real checksums and promtool on the metrics they write.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
    copyFileSync,
    cpSync,
    existsSync,
    mkdirSync,
    mkdtempSync,
    readFileSync,
    readdirSync,
    renameSync,
    rmSync,
    statSync,
    writeFileSync,
} from "node:fs";
import { createServer, IncomingMessage } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
    backupMetrics,
    backupScriptCommand,
    backupScriptFiles,
    backupScripts,
    backupScriptsDir,
    readBackupScripts,
} from "../../components/backup/scripts";
import { pgBinDir, PostgresCluster, startPostgres } from "../support/postgres";
import { runBackupScript } from "../support/backup-scripts";
import { startRedis } from "../support/redis";

const MARKER = "PLAINTEXT-MARKER-7f3c";
const TS = /^\d{8}T\d{6}Z$/;

const runScript = (script: string, env: Record<string, string>) => runBackupScript(script, env, pgBinDir);

/** Value of one series in a Prometheus text file, or undefined. */
function metric(file: string, name: string, store: string, database: string): number | undefined {
    const series = `${name}{store="${store}",database="${database}"} `;
    const line = readFileSync(file, "utf8")
        .split("\n")
        .find((l) => l.startsWith(series));
    return line === undefined ? undefined : Number(line.slice(series.length));
}

function artefacts(dir: string, suffix: string): string[] {
    return existsSync(dir)
        ? readdirSync(dir)
              .filter((f) => f.endsWith(suffix))
              .sort()
        : [];
}

function filesUnder(dir: string): string[] {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name));
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const now = () => Math.floor(Date.now() / 1000);

function ageKeyPair(dir: string, name: string): { identity: string; recipient: string } {
    const identity = join(dir, `${name}.key`);
    execFileSync("age-keygen", ["-o", identity], { stdio: "ignore" });
    const recipient = execFileSync("age-keygen", ["-y", identity], { encoding: "utf8" }).trim();
    return { identity, recipient };
}

describe("postgres backup and restore drill", () => {
    let pg: PostgresCluster;
    let work: string;
    let key: { identity: string; recipient: string };
    let dest: string;
    let metricsDir: string;
    const pgEnv = () => pg.env;

    before(async () => {
        work = mkdtempSync(join(tmpdir(), "estate-backup-test-"));
        key = ageKeyPair(work, "backup");
        dest = join(work, "dest");
        metricsDir = join(work, "metrics");
        pg = await startPostgres();
        await pg.psql("CREATE DATABASE app");
        await pg.psql(
            `CREATE TABLE users (id int PRIMARY KEY, note text);
      INSERT INTO users SELECT g, '${MARKER}-' || g FROM generate_series(1, 50) g;
      CREATE SCHEMA billing; CREATE TABLE billing.invoices (id int, amount numeric);
      INSERT INTO billing.invoices VALUES (1, 9.5), (2, 12);
      CREATE TABLE empty_table (id int);`,
            "app",
        );
    });

    after(async () => {
        await pg?.stop();
        if (work) rmSync(work, { recursive: true, force: true });
    });

    test("refuses to run without BACKUP_AGE_RECIPIENT, or with an invalid one", async () => {
        const missing = await runScript("pg-backup.sh", { ...pgEnv(), BACKUP_DEST: dest });
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, /BACKUP_AGE_RECIPIENT is not set: refusing to take an unencrypted backup/);
        const invalid = await runScript("pg-backup.sh", {
            ...pgEnv(),
            BACKUP_DEST: dest,
            BACKUP_AGE_RECIPIENT: "age1notakey",
        });
        assert.equal(invalid.code, 1);
        assert.match(invalid.stderr, /BACKUP_AGE_RECIPIENT does not hold valid age recipients/);
        assert.equal(existsSync(dest), false, "nothing may be written before encryption is settled");
    });

    test("backs up every database as an age file with checksum and manifest, no plaintext", async () => {
        const started = now();
        const res = await runScript("pg-backup.sh", {
            ...pgEnv(),
            BACKUP_AGE_RECIPIENT: key.recipient,
            BACKUP_DEST: dest,
            METRICS_TEXTFILE: join(metricsDir, "backup.prom"),
        });
        assert.equal(res.code, 0, res.stderr);
        const appDir = join(dest, "postgres", "app");
        const dumps = artefacts(appDir, ".dump.age");
        assert.equal(dumps.length, 1);
        const ts = dumps[0]!.replace(".dump.age", "");
        assert.match(ts, TS);
        assert.equal(
            artefacts(join(dest, "postgres", "postgres"), ".dump.age").length,
            1,
            "discovery includes `postgres`",
        );
        assert.deepEqual(readdirSync(join(dest, "postgres")).sort(), ["app", "postgres"], "templates are not dumped");

        const dump = join(appDir, `${ts}.dump.age`);
        const bytes = readFileSync(dump);
        assert.ok(bytes.subarray(0, 22).toString() === "age-encryption.org/v1\n", "artefact is an age file");
        for (const f of filesUnder(dest)) {
            assert.equal(readFileSync(f).includes(MARKER), false, `${f} holds plaintext data`);
        }
        assert.deepEqual(
            readdirSync(appDir).sort(),
            [`${ts}.dump.age`, `${ts}.dump.age.sha256`, `${ts}.manifest.tsv`],
            "no staging leftovers",
        );
        assert.equal(readFileSync(`${dump}.sha256`, "utf8"), `${sha256(dump)}  ${ts}.dump.age\n`);
        const counts = readFileSync(join(appDir, `${ts}.manifest.tsv`), "utf8")
            .split("\n")
            .filter((l) => l && !l.startsWith("#"));
        assert.deepEqual(counts, ["billing.invoices\t2", "public.empty_table\t0", "public.users\t50"]);

        // The key pair really opens it, and it is a pg_dump archive holding the table's data.
        const listing = execFileSync(
            "bash",
            ["-c", `age -d -i "$1" "$2" | ${pgBinDir}/pg_restore -l`, "_", key.identity, dump],
            { encoding: "utf8" },
        );
        assert.match(listing, /TABLE DATA public users/);

        assert.match(
            res.stdout,
            new RegExp(
                `^backup status=ok store=postgres database=app bytes=${bytes.length} duration_seconds=\\d+ artefact=postgres/app/${ts}.dump.age pruned=0 ts=\\S+Z$`,
                "m",
            ),
        );
        // Per database: the run's line, then the heartbeat with the age of its last drill.
        const events = res.stdout
            .trim()
            .split("\n")
            .map((line) => line.split(" ")[0]);
        assert.deepEqual(events, ["backup", "restore_drill_age", "backup", "restore_drill_age"]);
        assert.equal(`${res.stdout}${res.stderr}`.includes(pg.password), false, "password leaked into output");

        const prom = join(metricsDir, "backup.prom");
        execFileSync("promtool", ["check", "metrics"], { input: readFileSync(prom) });
        const last = metric(prom, backupMetrics.lastSuccess, "postgres", "app");
        assert.ok(last !== undefined && last >= started && last <= now(), `last success ${last} outside the run`);
        assert.equal(metric(prom, backupMetrics.lastSizeBytes, "postgres", "app"), bytes.length);
    });

    test("the drill restores the newest backup into a scratch database and finds the counts equal", async () => {
        // Age the first set by a day, add rows, back up again: the drill must pick the new one.
        const appDir = join(dest, "postgres", "app");
        const [first] = artefacts(appDir, ".dump.age").map((f) => f.replace(".dump.age", ""));
        const older = "20200101T000000Z";
        for (const s of [".dump.age", ".dump.age.sha256", ".manifest.tsv"])
            renameSync(join(appDir, first + s), join(appDir, older + s));
        await pg.psql(`INSERT INTO users SELECT g, 'late' FROM generate_series(51, 55) g`, "app");
        assert.equal(
            (
                await runScript("pg-backup.sh", {
                    ...pgEnv(),
                    BACKUP_AGE_RECIPIENT: key.recipient,
                    BACKUP_DEST: dest,
                    PGDATABASES: "app",
                })
            ).code,
            0,
        );
        const newest = artefacts(appDir, ".dump.age").at(-1)!;
        assert.notEqual(newest, `${older}.dump.age`);

        const databasesBefore = await pg.psql("SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database");
        const started = now();
        const prom = join(metricsDir, "drill.prom");
        const res = await runScript("pg-restore-drill.sh", {
            ...pgEnv(),
            BACKUP_AGE_IDENTITY_FILE: key.identity,
            BACKUP_DEST: dest,
            METRICS_TEXTFILE: prom,
        });
        assert.equal(res.code, 0, res.stderr);
        assert.match(
            res.stdout,
            new RegExp(
                `^restore_drill status=ok store=postgres database=app artefact=postgres/app/${newest} counts=[^ ,]+:\\d+,[^ ,]+:\\d+,[^ ,]+:\\d+ `,
                "m",
            ),
        );
        assert.match(res.stdout, /^restore_drill status=ok store=postgres database=postgres /m);
        assert.equal(
            await pg.psql("SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database"),
            databasesBefore,
            "the scratch database is dropped",
        );

        execFileSync("promtool", ["check", "metrics"], { input: readFileSync(prom) });
        assert.equal(metric(prom, backupMetrics.drillSuccess, "postgres", "app"), 1);
        const last = metric(prom, backupMetrics.drillLastSuccess, "postgres", "app");
        assert.ok(last !== undefined && last >= started && last <= now(), `drill last success ${last} outside the run`);
    });

    test("each backup logs the age of the last successful drill, the heartbeat a 2-day log alert can see", async () => {
        // The drill above left one write-once marker per database it restored.
        const markers = artefacts(join(dest, "postgres", "app", "drills"), ".drill-ok");
        assert.equal(markers.length, 1, "one marker per successful drill");
        // Artefacts are stamped to the second and write-once: this backup must not share the
        // second of the one the drill restored moments ago.
        await new Promise((resolve) => setTimeout(resolve, 1010 - (Date.now() % 1000)));
        const res = await runScript("pg-backup.sh", {
            ...pgEnv(),
            BACKUP_AGE_RECIPIENT: key.recipient,
            BACKUP_DEST: dest,
            PGDATABASES: "app",
        });
        assert.equal(res.code, 0, res.stderr);
        const age = /^restore_drill_age status=ok store=postgres database=app age_seconds=(\d+) /m.exec(res.stdout);
        assert.ok(age, res.stdout);
        assert.ok(Number(age[1]) < 600, `the drill ran minutes ago, not ${age[1]} s`);

        // A database never drilled says so, which the Azure alert counts as overdue.
        const fresh = mkdtempSync(join(work, "never-drilled-"));
        const none = await runScript("pg-backup.sh", {
            ...pgEnv(),
            BACKUP_AGE_RECIPIENT: key.recipient,
            BACKUP_DEST: fresh,
            PGDATABASES: "app",
        });
        assert.equal(none.code, 0, none.stderr);
        assert.match(none.stdout, /^restore_drill_age status=none store=postgres database=app ts=/m);
    });

    test("a manifest that disagrees with the restored data makes the drill exit 2", async () => {
        const appDir = join(dest, "postgres", "app");
        const ts = artefacts(appDir, ".dump.age").at(-1)!.replace(".dump.age", "");
        const manifest = join(appDir, `${ts}.manifest.tsv`);
        const original = readFileSync(manifest, "utf8");
        const prom = join(metricsDir, "drill.prom");
        const lastBefore = metric(prom, backupMetrics.drillLastSuccess, "postgres", "app");
        try {
            writeFileSync(manifest, original.replace("public.users\t55", "public.users\t56"));
            const res = await runScript("pg-restore-drill.sh", {
                ...pgEnv(),
                BACKUP_AGE_IDENTITY_FILE: key.identity,
                BACKUP_DEST: dest,
                PGDATABASES: "app",
                METRICS_TEXTFILE: prom,
            });
            assert.equal(res.code, 2, res.stderr);
            assert.match(
                res.stderr,
                /restored copy of `app` .* differs from its manifest:\n {2}public\.users: manifest=56 restored=55/,
            );
            assert.match(
                res.stdout,
                /^restore_drill status=unhealthy store=postgres database=app reason=count_mismatch /m,
            );
            assert.equal(metric(prom, backupMetrics.drillSuccess, "postgres", "app"), 0);
            assert.equal(
                metric(prom, backupMetrics.drillLastSuccess, "postgres", "app"),
                lastBefore,
                "a failed drill keeps the last success",
            );
        } finally {
            writeFileSync(manifest, original);
        }
    });

    test("a corrupted, undecryptable or unrestorable artefact makes the drill exit 1", async () => {
        const other = ageKeyPair(work, "other");
        const cases: Array<{ name: string; prepare(dump: string): void; message: RegExp; reason: string }> = [
            {
                name: "flipped byte",
                message: /checksum mismatch for postgres\/app\/\S+: the artefact is corrupt or was altered/,
                reason: "checksum_mismatch",
                prepare(dump) {
                    const b = readFileSync(dump);
                    b[b.length >> 1] ^= 0xff;
                    writeFileSync(dump, b);
                },
            },
            {
                name: "encrypted to another key",
                message: /could not decrypt postgres\/app\/\S+ with BACKUP_AGE_IDENTITY_FILE: .*no identity matched/,
                reason: "decrypt_failed",
                prepare(dump) {
                    reencrypt(dump, other.recipient, "pg_dump archive");
                },
            },
            {
                name: "not a pg_dump archive",
                message: /pg_restore of postgres\/app\/\S+ failed: .*input file/,
                reason: "restore_failed",
                prepare(dump) {
                    reencrypt(dump, key.recipient, "this is not a pg_dump archive\n");
                },
            },
        ];
        for (const c of cases) {
            const copy = join(work, `dest-${c.reason}`);
            cpSync(dest, copy, { recursive: true });
            const appDir = join(copy, "postgres", "app");
            c.prepare(join(appDir, artefacts(appDir, ".dump.age").at(-1)!));
            const res = await runScript("pg-restore-drill.sh", {
                ...pgEnv(),
                BACKUP_AGE_IDENTITY_FILE: key.identity,
                BACKUP_DEST: copy,
                PGDATABASES: "app",
            });
            assert.equal(res.code, 1, `${c.name}: ${res.stderr}`);
            assert.match(res.stderr, c.message, c.name);
            assert.match(
                res.stdout,
                new RegExp(`^restore_drill status=error store=postgres database=app reason=${c.reason} `, "m"),
                c.name,
            );
        }
        assert.deepEqual(
            await pg.psql("SELECT datname FROM pg_database WHERE datname LIKE 'estate_drill%'"),
            "",
            "failed drills drop their scratch database too",
        );

        function reencrypt(dump: string, recipient: string, plaintext: string) {
            execFileSync("age", ["-r", recipient, "-o", dump], { input: plaintext });
            writeFileSync(`${dump}.sha256`, `${sha256(dump)}  ${dump.split("/").at(-1)}\n`);
        }
    });

    test("a missing backup makes the drill exit 1", async () => {
        const res = await runScript("pg-restore-drill.sh", {
            ...pgEnv(),
            BACKUP_AGE_IDENTITY_FILE: key.identity,
            BACKUP_DEST: dest,
            PGDATABASES: "app,ledger",
            METRICS_TEXTFILE: join(metricsDir, "drill-missing.prom"),
        });
        assert.equal(res.code, 1);
        assert.match(res.stderr, /no backup of `ledger` found under .*\/postgres\/ledger/);
        assert.match(
            res.stdout,
            /^restore_drill status=ok store=postgres database=app /m,
            "the other database is still drilled",
        );
        assert.equal(
            metric(join(metricsDir, "drill-missing.prom"), backupMetrics.drillSuccess, "postgres", "ledger"),
            0,
        );

        const empty = await runScript("pg-restore-drill.sh", {
            ...pgEnv(),
            BACKUP_AGE_IDENTITY_FILE: key.identity,
            BACKUP_DEST: join(work, "nothing-here"),
        });
        assert.equal(empty.code, 1);
        assert.match(empty.stderr, /no backups to drill under .*nothing-here\/postgres/);
    });

    test("retention prunes artefact sets older than BACKUP_RETENTION_DAYS and keeps other files", async () => {
        const rdest = join(work, "retention");
        const appDir = join(rdest, "postgres", "app");
        mkdirSync(appDir, { recursive: true });
        const stamp = (daysAgo: number) =>
            new Date(Date.now() - daysAgo * 86_400_000)
                .toISOString()
                .replace(/[-:]/g, "")
                .replace(/\.\d+Z$/, "Z");
        const old = stamp(40);
        const recent = stamp(10);
        for (const ts of [old, recent]) {
            for (const s of [".dump.age", ".dump.age.sha256", ".manifest.tsv"])
                writeFileSync(join(appDir, ts + s), "x");
        }
        writeFileSync(join(appDir, "operator-notes.txt"), "keep me");
        const res = await runScript("pg-backup.sh", {
            ...pgEnv(),
            BACKUP_AGE_RECIPIENT: key.recipient,
            BACKUP_DEST: rdest,
            PGDATABASES: "app",
            BACKUP_RETENTION_DAYS: "30",
        });
        assert.equal(res.code, 0, res.stderr);
        assert.match(res.stdout, / pruned=1 /);
        const left = readdirSync(appDir);
        assert.equal(
            left.some((f) => f.startsWith(old)),
            false,
            "the 40-day-old set is pruned",
        );
        assert.equal(left.filter((f) => f.startsWith(recent)).length, 3, "the 10-day-old set is kept");
        assert.equal(artefacts(appDir, ".dump.age").length, 2);
        assert.ok(left.includes("operator-notes.txt"));

        const bad = await runScript("pg-backup.sh", {
            ...pgEnv(),
            BACKUP_AGE_RECIPIENT: key.recipient,
            BACKUP_DEST: rdest,
            BACKUP_RETENTION_DAYS: "0",
        });
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /BACKUP_RETENTION_DAYS must be a whole number of days >= 1, got `0`/);
    });

    test("a database that cannot be dumped fails the run, leaves no artefact and no success metric", async () => {
        const fdest = join(work, "failing");
        const prom = join(metricsDir, "failing.prom");
        const res = await runScript("pg-backup.sh", {
            ...pgEnv(),
            BACKUP_AGE_RECIPIENT: key.recipient,
            BACKUP_DEST: fdest,
            PGDATABASES: "app ghost",
            METRICS_TEXTFILE: prom,
        });
        assert.equal(res.code, 1);
        assert.match(res.stdout, /^backup status=ok store=postgres database=app /m);
        assert.match(res.stdout, /^backup status=error store=postgres database=ghost reason=connect_failed /m);
        assert.match(res.stderr, /could not open a snapshot on database `ghost`: .*does not exist/);
        assert.deepEqual(readdirSync(join(fdest, "postgres", "ghost")), [], "no partial artefact");
        assert.equal(metric(prom, backupMetrics.lastSuccess, "postgres", "ghost"), undefined);
        assert.equal(`${res.stdout}${res.stderr}`.includes(pg.password), false, "password leaked into output");
    });

    test("pushes the freshness metric to the Pushgateway grouped by store and database", async () => {
        const pushes: Array<{ method: string; url: string; body: string }> = [];
        const server = createServer((req: IncomingMessage, res) => {
            let body = "";
            req.on("data", (c) => {
                body += c;
            });
            req.on("end", () => {
                pushes.push({ method: req.method ?? "", url: req.url ?? "", body });
                res.end();
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        try {
            const port = (server.address() as AddressInfo).port;
            const started = now();
            const res = await runScript("pg-backup.sh", {
                ...pgEnv(),
                BACKUP_AGE_RECIPIENT: key.recipient,
                BACKUP_DEST: join(work, "pushed"),
                PGDATABASES: "app",
                PUSHGATEWAY_URL: `http://127.0.0.1:${port}/`,
            });
            assert.equal(res.code, 0, res.stderr);
            const push = pushes.find((p) => p.body.includes(backupMetrics.lastSuccess));
            assert.ok(push, `no push of ${backupMetrics.lastSuccess}: ${JSON.stringify(pushes)}`);
            assert.equal(push.method, "POST", "POST keeps the group's other metrics");
            assert.equal(
                push.url,
                `/metrics/job/estate_backup/store/postgres/database@base64/${Buffer.from("app").toString("base64url")}`,
            );
            const value = Number(new RegExp(`^${backupMetrics.lastSuccess} (\\d+)$`, "m").exec(push.body)?.[1]);
            assert.ok(value >= started && value <= now(), `pushed ${value}`);
        } finally {
            server.close();
        }
    });
});

describe("redis backup", () => {
    test("streams an encrypted RDB that restores into a fresh redis-server", async () => {
        const work = mkdtempSync(join(tmpdir(), "estate-redis-test-"));
        const redis = await startRedis();
        try {
            const key = ageKeyPair(work, "backup");
            await redis.cli("set", "marker", MARKER);
            await redis.cli("hset", "user:1", "name", "Ada");
            const dest = join(work, "dest");
            const prom = join(work, "redis.prom");
            const env = {
                REDIS_PORT: String(redis.port),
                REDISCLI_AUTH: redis.password,
                REDIS_NAME: "cache",
                BACKUP_AGE_RECIPIENT: key.recipient,
                BACKUP_DEST: dest,
                METRICS_TEXTFILE: prom,
            };
            const res = await runScript("redis-backup.sh", env);
            assert.equal(res.code, 0, res.stderr);
            assert.match(
                res.stdout,
                /^backup status=ok store=redis database=cache bytes=\d+ .*artefact=redis\/cache\/\d{8}T\d{6}Z\.rdb\.age /m,
            );
            assert.equal(`${res.stdout}${res.stderr}`.includes(redis.password), false, "password leaked into output");
            const dir = join(dest, "redis", "cache");
            const [rdb] = artefacts(dir, ".rdb.age");
            assert.ok(rdb);
            const file = join(dir, rdb);
            assert.equal(readFileSync(file).includes(MARKER), false, "plaintext in the artefact");
            assert.equal(readFileSync(`${file}.sha256`, "utf8").split(" ")[0], sha256(file));
            assert.ok(metric(prom, backupMetrics.lastSuccess, "redis", "cache")! > 0);

            // Restore: decrypt into a new data dir and boot a second server from it.
            const restoreDir = mkdtempSync(join(tmpdir(), "estate-redis-restore-"));
            execFileSync("age", ["-d", "-i", key.identity, "-o", join(restoreDir, "dump.rdb"), file]);
            const restored = await startRedis({ dataDir: restoreDir });
            try {
                assert.equal(await restored.cli("get", "marker"), MARKER);
                assert.equal(await restored.cli("hget", "user:1", "name"), "Ada");
            } finally {
                await restored.stop();
            }

            const wrong = await runScript("redis-backup.sh", { ...env, REDISCLI_AUTH: "wrong-password" });
            assert.equal(wrong.code, 1);
            assert.match(wrong.stdout, /^backup status=error store=redis database=cache reason=rdb_failed /m);
            assert.match(wrong.stderr, /could not count the keys: .*WRONGPASS/);
            assert.equal(artefacts(dir, ".rdb.age").length, 1, "a failed run adds no artefact");
        } finally {
            await redis.stop();
            rmSync(work, { recursive: true, force: true });
        }
    });
});

describe("restore-drill heartbeat", () => {
    test("a second drill within the same second keeps the one marker of that second and succeeds", () => {
        const dest = mkdtempSync(join(tmpdir(), "estate-drills-"));
        try {
            // utc_stamp pinned: both drills "finish" in the same second, deterministically.
            const script = [
                `. ${JSON.stringify(join(backupScriptsDir, "lib.sh"))}`,
                "utc_stamp() { echo 20260101T000000Z; }",
                "parse_dest",
                'work=$(mktemp -d); record_drill_success redis redis first "$work"',
                'work=$(mktemp -d); record_drill_success redis redis second "$work"',
            ].join("\n");
            const run = spawnSync("bash", ["-c", script], {
                env: { ...process.env, BACKUP_DEST: dest },
                encoding: "utf8",
            });
            assert.equal(run.status, 0, run.stderr);
            assert.equal(
                readFileSync(join(dest, "redis/redis/drills/20260101T000000Z.drill-ok"), "utf8"),
                "restored first\n",
            );
        } finally {
            rmSync(dest, { recursive: true, force: true });
        }
    });
});

describe("script files and their contract", () => {
    test("shellcheck and bash -n accept every script", () => {
        const files = backupScriptFiles.map((f) => join(backupScriptsDir, f));
        for (const f of files) execFileSync("bash", ["-n", f]);
        // shellcheck is a CI dependency: a missing binary fails here rather than skipping.
        execFileSync("shellcheck", ["-x", "-P", "SCRIPTDIR", "--severity=style", ...files], { encoding: "utf8" });
    });

    test("the declared env contract is exactly what the scripts read", () => {
        const texts = readBackupScripts();
        const lib = splitFunctions(texts["lib.sh"]!);
        const builtins = new Set(["BASH_SOURCE", "BASH_REMATCH", "PIPESTATUS"]);
        for (const [script, spec] of Object.entries(backupScripts)) {
            // The script plus the top level of lib.sh plus every lib function it reaches.
            let text = withoutComments(`${lib.topLevel}\n${texts[script]}`);
            for (let grew = true; grew;) {
                grew = false;
                for (const [fn, body] of lib.functions) {
                    if (!text.includes(`\n${fn}() {`) && new RegExp(`\\b${fn}\\b`).test(text)) {
                        text += `\n${fn}() {\n${withoutComments(body)}\n`;
                        grew = true;
                    }
                }
            }
            const referenced = new Set([...text.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));
            // `X=${X:-default}` reads X from the environment; any other `X=` makes X internal.
            const assigned = new Set(
                [...text.matchAll(/(?:^|[\s;(])([A-Z][A-Z0-9_]*)=(?!\$\{\1:-)/gm)].map((m) => m[1]!),
            );
            const read = [...referenced].filter((n) => !assigned.has(n) && !builtins.has(n)).sort();
            const declared = spec.env
                .filter((e) => e.readBy === "script")
                .map((e) => e.name)
                .sort();
            assert.deepEqual(read, declared, script);
        }
        for (const spec of Object.values(backupScripts)) {
            for (const e of spec.env) {
                if (/PASSWORD|AUTH|IDENTITY/.test(e.name))
                    assert.equal(e.secret, true, `${e.name} must be marked secret`);
            }
        }
        assert.ok(statSync(join(backupScriptsDir, "README.md")).isFile());
    });

    test("readBackupScripts returns every mounted file and the command runs one from the mount", () => {
        const texts = readBackupScripts();
        assert.deepEqual(Object.keys(texts).sort(), [
            "lib.sh",
            "neo4j-backup.sh",
            "neo4j-restore-drill.sh",
            "pg-backup.sh",
            "pg-restore-drill.sh",
            "redis-backup.sh",
            "redis-restore-drill.sh",
        ]);
        for (const [f, t] of Object.entries(texts)) {
            if (f !== "lib.sh") assert.match(t, /^#!\/usr\/bin\/env bash\n/, f);
            assert.match(t, /lib\.sh|shellcheck shell=bash/, f);
        }
        assert.deepEqual(backupScriptCommand("pg-restore-drill.sh", "/opt/backup/"), [
            "bash",
            "/opt/backup/pg-restore-drill.sh",
        ]);
        assert.throws(() => backupScriptCommand("pg-backup.sh", "scripts"), /`mountPath` must be absolute/);
        const tmp = mkdtempSync(join(tmpdir(), "estate-scripts-"));
        try {
            copyFileSync(join(backupScriptsDir, "lib.sh"), join(tmp, "lib.sh"));
            assert.throws(() => readBackupScripts(tmp), /ENOENT/, "a missing script is an error, not an empty entry");
        } finally {
            rmSync(tmp, { recursive: true, force: true });
        }
    });
});

/** lib.sh split into its functions (name -> body) and the code outside them. */
function splitFunctions(text: string): { functions: Map<string, string>; topLevel: string } {
    const functions = new Map<string, string>();
    const re = /^([a-z_][a-z0-9_]*)\(\) \{(?:(.*)\}$|\n([\s\S]*?)^\})/gm;
    const topLevel = text.replace(re, (_m, name: string, oneLine?: string, block?: string) => {
        functions.set(name, oneLine ?? block ?? "");
        return "";
    });
    return { functions, topLevel };
}

const withoutComments = (text: string) => text.replace(/^\s*#.*$/gm, "");
