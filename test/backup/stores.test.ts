// End to end for Redis and Neo4j: backup -> age -> checksum -> drill -> compare. Redis runs
// for real (redis-server, redis-cli); Neo4j cannot be installed here, so a stand-in
// cypher-shell emits a known APOC export (in the shape cypher-shell prints it) and, for the
// drill, records what is replayed into it and answers the count query from that record.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { backupMetrics } from "../../components/backup/scripts";
import { runBackupScript } from "../support/backup-scripts";
import { startRedis, type RedisServer } from "../support/redis";

const MARKER = "PLAINTEXT-MARKER-9d41";

const runScript = (script: string, env: Record<string, string>) => runBackupScript(script, env);

function ageKeyPair(dir: string): { identity: string; recipient: string } {
    const identity = join(dir, "backup.key");
    execFileSync("age-keygen", ["-o", identity], { stdio: "ignore" });
    return { identity, recipient: execFileSync("age-keygen", ["-y", identity], { encoding: "utf8" }).trim() };
}

const only = (dir: string, suffix: string) => {
    const found = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(suffix)) : [];
    assert.equal(found.length, 1, `${dir}: ${found.join(", ")}`);
    return join(dir, found[0]!);
};
const manifestCounts = (file: string) =>
    readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l && !l.startsWith("#"));
function metric(file: string, name: string, store: string, database: string): number | undefined {
    const series = `${name}{store="${store}",database="${database}"} `;
    const line = readFileSync(file, "utf8")
        .split("\n")
        .find((l) => l.startsWith(series));
    return line === undefined ? undefined : Number(line.slice(series.length));
}
function reencrypt(file: string, recipient: string, plaintext: string | Buffer) {
    execFileSync("age", ["-r", recipient, "-o", file], { input: plaintext });
    const sum = execFileSync("sha256sum", [file], { encoding: "utf8" }).split(" ")[0];
    writeFileSync(`${file}.sha256`, `${sum}  ${file.split("/").at(-1)}\n`);
}

describe("redis backup and restore drill", () => {
    let redis: RedisServer;
    let work: string;
    let key: { identity: string; recipient: string };
    let dest: string;
    const env = () => ({
        // The shape the estate passes: one URL from the secret store, password inside.
        REDIS_URL: `redis://:${encodeURIComponent(redis.password)}@127.0.0.1:${redis.port}`,
        REDIS_NAME: "redis",
        BACKUP_DEST: dest,
    });

    before(async () => {
        work = mkdtempSync(join(tmpdir(), "estate-redis-drill-"));
        key = ageKeyPair(work);
        dest = join(work, "dest");
        redis = await startRedis();
        for (let i = 0; i < 40; i++) await redis.cli("set", `session:${i}`, `${MARKER}-${i}`);
        await redis.cli("hset", "user:1", "name", "Ada");
        await redis.cli("-n", "3", "rpush", "queue:jobs", "a", "b");
    });
    after(async () => {
        await redis?.stop();
        if (work) rmSync(work, { recursive: true, force: true });
    });

    test("the backup records the key count of every logical database beside the RDB", async () => {
        const res = await runScript("redis-backup.sh", { ...env(), BACKUP_AGE_RECIPIENT: key.recipient });
        assert.equal(res.code, 0, res.stderr);
        assert.equal(`${res.stdout}${res.stderr}`.includes(redis.password), false, "password leaked");
        const dir = join(dest, "redis", "redis");
        assert.deepEqual(manifestCounts(only(dir, ".manifest.tsv")), ["keys\t42"]);
        assert.equal(readFileSync(only(dir, ".rdb.age")).includes(MARKER), false, "plaintext in the artefact");
    });

    test("the drill boots a scratch redis-server from the RDB and finds the key count equal", async () => {
        const prom = join(work, "metrics.prom");
        const res = await runScript("redis-restore-drill.sh", {
            ...env(),
            BACKUP_AGE_IDENTITY_FILE: key.identity,
            BACKUP_WORK_DIR: work,
            METRICS_TEXTFILE: prom,
        });
        assert.equal(res.code, 0, res.stderr);
        assert.match(
            res.stdout,
            /^restore_drill status=ok store=redis database=redis artefact=redis\/redis\/\S+\.rdb\.age counts=keys:42 /m,
        );
        assert.equal(metric(prom, backupMetrics.drillSuccess, "redis", "redis"), 1);
        assert.ok(metric(prom, backupMetrics.drillLastSuccess, "redis", "redis")! > 0);
        assert.deepEqual(
            readdirSync(work).filter((f) => f.startsWith("drill.")),
            [],
            "scratch data is removed",
        );
    });

    test("a key count beyond the tolerance is unhealthy (2); a corrupt or foreign artefact is an error (1)", async () => {
        const dir = join(dest, "redis", "redis");
        const manifest = only(dir, ".manifest.tsv");
        const original = readFileSync(manifest, "utf8");
        const drill = (extra: Record<string, string> = {}) =>
            runScript("redis-restore-drill.sh", { ...env(), BACKUP_AGE_IDENTITY_FILE: key.identity, ...extra });
        try {
            writeFileSync(manifest, original.replace("keys\t42", "keys\t50"));
            const off = await drill();
            assert.equal(off.code, 2, off.stderr);
            assert.match(off.stderr, /differs from its manifest:\n {2}keys: manifest=50 restored=42/);
            assert.match(
                off.stdout,
                /^restore_drill status=unhealthy store=redis database=redis reason=count_mismatch /m,
            );
            const within = await drill({ REDIS_DRILL_TOLERANCE_PERCENT: "20" });
            assert.equal(within.code, 0, `42 of 50 is within 20%: ${within.stderr}`);
        } finally {
            writeFileSync(manifest, original);
        }
        const rdb = only(dir, ".rdb.age");
        const saved = readFileSync(rdb);
        const savedSum = readFileSync(`${rdb}.sha256`);
        try {
            const flipped = Buffer.from(saved);
            flipped[flipped.length >> 1]! ^= 0xff;
            writeFileSync(rdb, flipped);
            const corrupt = await drill();
            assert.equal(corrupt.code, 1);
            assert.match(corrupt.stdout, /reason=checksum_mismatch /);

            reencrypt(rdb, key.recipient, "REDIS0011 this is not an rdb file");
            const garbage = await drill();
            assert.equal(garbage.code, 1, garbage.stderr);
            assert.match(
                garbage.stdout,
                /^restore_drill status=error store=redis database=redis reason=restore_failed /m,
            );

            const other = ageKeyPair(mkdtempSync(join(work, "other-")));
            reencrypt(rdb, other.recipient, saved);
            const foreign = await drill();
            assert.equal(foreign.code, 1);
            assert.match(foreign.stderr, /could not decrypt .* no identity matched/);
        } finally {
            writeFileSync(rdb, saved);
            writeFileSync(`${rdb}.sha256`, savedSum);
        }
    });

    test("a malformed REDIS_URL is refused without echoing it", async () => {
        const bad = await runScript("redis-backup.sh", {
            ...env(),
            REDIS_URL: `http://secret-in-url@host`,
            BACKUP_AGE_RECIPIENT: key.recipient,
        });
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /REDIS_URL is not redis\[s\]:\/\/.*\(value not shown\)/);
        assert.equal(bad.stderr.includes("secret-in-url"), false);
    });
});

/** A known graph as `apoc.export.cypher.all` streams it in cypher-shell format, in two batches. */
const EXPORT_BATCHES = [
    `:begin\nCREATE (:Person {name: "${MARKER} Ada"});\nCREATE (:Person {name: "Grace"});\nCREATE (:Company {name: "Acme"});\n:commit\n`,
    `:begin\nCREATE ()-[:WORKS_AT]->();\nCREATE ()-[:KNOWS]->();\n:commit\n`,
];
const b64 = (s: string) => Buffer.from(s).toString("base64");
const GOOD_EXPORT = [
    "nodes, relationships, statements",
    `3, 0, "${b64(EXPORT_BATCHES[0]!)}"`,
    `3, 2, "${b64(EXPORT_BATCHES[1]!)}"`,
].join("\n");

/**
 * Stand-in cypher-shell. With STUB_EXPORT it prints that file for the export query; against the
 * scratch server (`-a bolt://127.0.0.1:…`) it appends replayed statements to STUB_GRAPH and
 * answers the count query by counting the `CREATE (` and `CREATE ()-[` lines it recorded.
 */
function stubCypherShell(dir: string): string {
    const file = join(dir, "cypher-shell");
    writeFileSync(
        file,
        `#!/usr/bin/env bash
set -euo pipefail
printf '%s\\n' "$*" >>"${dir}/calls"
input=$(cat)
case $input in
  *apoc.export.cypher.all*)
    [[ \${NEO4J_PASSWORD:-} == graph-secret ]] || { echo "auth failed" >&2; exit 1; }
    [[ -n \${STUB_EXPORT:-} ]] || { echo "Connection refused" >&2; exit 1; }
    cat -- "$STUB_EXPORT" ;;
  "RETURN 1;") [[ -f "${dir}/server-up" ]] || exit 1; echo 1 ;;
  *"count(n) AS nodes"*)
    n=$(grep -c '^CREATE (:' "${dir}/graph" || true); r=$(grep -c '^CREATE ()-\\[' "${dir}/graph" || true)
    printf 'nodes, relationships\\n%s, %s\\n' "$n" "$r" ;;
  *) grep -q '^:begin' <<<"$input" || { echo "Invalid input" >&2; exit 1; }
     printf '%s\\n' "$input" >>"${dir}/graph" ;;
esac
`,
    );
    chmodSync(file, 0o755);
    // Stand-in `neo4j console`: up until killed, and it must be handed a private config.
    const server = join(dir, "neo4j");
    writeFileSync(
        server,
        `#!/usr/bin/env bash
[[ $1 == console && -f $NEO4J_CONF/neo4j.conf ]] || exit 64
grep -q '^server.bolt.listen_address=127.0.0.1:' "$NEO4J_CONF/neo4j.conf" || exit 65
: >"${dir}/graph"; touch "${dir}/server-up"
trap 'rm -f "${dir}/server-up"; exit 0' TERM
while :; do sleep 0.2; done
`,
    );
    chmodSync(server, 0o755);
    return dir;
}

describe("neo4j backup (APOC export over Bolt) and restore drill", () => {
    let work: string;
    let bin: string;
    let key: { identity: string; recipient: string };
    let dest: string;
    const exportFile = (text: string) => {
        const f = join(work, `export-${Math.random().toString(36).slice(2)}.txt`);
        writeFileSync(f, text);
        return f;
    };
    const backupEnv = (exported: string) => ({
        PATH: `${bin}:${process.env.PATH}`,
        NEO4J_URI: "neo4j://neo4j:7687",
        NEO4J_USERNAME: "neo4j",
        NEO4J_PASSWORD: "graph-secret",
        BACKUP_AGE_RECIPIENT: key.recipient,
        BACKUP_DEST: dest,
        STUB_EXPORT: exportFile(exported),
    });
    const drillEnv = () => ({
        PATH: `${bin}:${process.env.PATH}`,
        BACKUP_AGE_IDENTITY_FILE: key.identity,
        BACKUP_DEST: dest,
        BACKUP_WORK_DIR: work,
    });

    before(() => {
        work = mkdtempSync(join(tmpdir(), "estate-neo4j-"));
        bin = stubCypherShell(mkdtempSync(join(work, "bin-")));
        key = ageKeyPair(work);
        dest = join(work, "dest");
    });
    after(() => {
        if (work) rmSync(work, { recursive: true, force: true });
    });

    test("streams the decoded export through age with the exported counts as manifest", async () => {
        const res = await runScript("neo4j-backup.sh", backupEnv(GOOD_EXPORT));
        assert.equal(res.code, 0, res.stderr);
        assert.match(
            res.stdout,
            /^backup status=ok store=neo4j database=neo4j bytes=\d+ .*artefact=neo4j\/neo4j\/\d{8}T\d{6}Z\.cypher\.age /m,
        );
        assert.equal(`${res.stdout}${res.stderr}`.includes("graph-secret"), false, "password leaked");
        assert.equal(readFileSync(join(bin, "calls"), "utf8").includes("graph-secret"), false, "password on argv");
        const dir = join(dest, "neo4j", "neo4j");
        const artefact = only(dir, ".cypher.age");
        assert.equal(readFileSync(artefact).includes(MARKER), false, "plaintext in the artefact");
        const replay = execFileSync("age", ["-d", "-i", key.identity, artefact], { encoding: "utf8" });
        assert.equal(replay, `${EXPORT_BATCHES[0]}\n${EXPORT_BATCHES[1]}\n`);
        assert.deepEqual(manifestCounts(only(dir, ".manifest.tsv")), ["nodes\t3", "relationships\t2"]);
    });

    test("an empty, corrupt or refused export fails loudly and publishes nothing", async () => {
        const cases: Array<[string, string, RegExp]> = [
            ["nothing at all", "", /the export returned nothing: no header, no rows/],
            ["header without rows", "nodes, relationships, statements\n", /the export is empty: a header but no rows/],
            [
                "APOC missing",
                'Unknown procedure "apoc.export.cypher.all"\n',
                /unexpected export header .*is APOC core installed/,
            ],
            ["cut-off row", 'nodes, relationships, statements\n3, 0, "Q1JFQVRF', /export row 1 is not/],
            ["not base64", 'nodes, relationships, statements\n3, 0, "@@@@"\n', /export row 1 is not/],
            [
                "bad padding",
                'nodes, relationships, statements\n3, 0, "Q1JFQVRF=Q"\n',
                /export row 1 does not decode as base64/,
            ],
        ];
        for (const [name, exported, message] of cases) {
            const target = join(work, `failed-${name.replace(/\W+/g, "-")}`);
            const res = await runScript("neo4j-backup.sh", { ...backupEnv(exported), BACKUP_DEST: target });
            assert.equal(res.code, 1, `${name}: ${res.stderr}`);
            assert.match(res.stderr, message, name);
            assert.match(
                res.stdout,
                /^backup status=error store=neo4j database=neo4j reason=neo4j_export_invalid /m,
                name,
            );
            assert.deepEqual(readdirSync(join(target, "neo4j", "neo4j")), [], `${name}: no artefact`);
        }
        const refused = await runScript("neo4j-backup.sh", { ...backupEnv(GOOD_EXPORT), NEO4J_PASSWORD: "wrong" });
        assert.equal(refused.code, 1);
        assert.match(refused.stdout, /reason=neo4j_export_failed /);
        assert.match(refused.stderr, /cypher-shell export of `neo4j` failed: auth failed/);
    });

    test("the drill replays the export into a scratch server and finds the counts equal", async () => {
        const prom = join(work, "neo4j-drill.prom");
        const res = await runScript("neo4j-restore-drill.sh", { ...drillEnv(), METRICS_TEXTFILE: prom });
        assert.equal(res.code, 0, res.stderr);
        assert.match(
            res.stdout,
            /^restore_drill status=ok store=neo4j database=neo4j artefact=\S+ counts=nodes:3,relationships:2 /m,
        );
        assert.equal(metric(prom, backupMetrics.drillSuccess, "neo4j", "neo4j"), 1);
        assert.equal(existsSync(join(bin, "server-up")), false, "the scratch server is stopped");
        const calls = readFileSync(join(bin, "calls"), "utf8");
        assert.match(
            calls,
            /-a bolt:\/\/127\.0\.0\.1:\d+ --format plain --non-interactive/,
            "replays into the scratch server only",
        );
    });

    test("a manifest that disagrees is unhealthy (2); an unreplayable export is an error (1)", async () => {
        const dir = join(dest, "neo4j", "neo4j");
        const manifest = only(dir, ".manifest.tsv");
        const original = readFileSync(manifest, "utf8");
        try {
            writeFileSync(manifest, original.replace("relationships\t2", "relationships\t5"));
            const off = await runScript("neo4j-restore-drill.sh", drillEnv());
            assert.equal(off.code, 2, off.stderr);
            assert.match(off.stderr, /differs from its manifest:\n {2}relationships: manifest=5 restored=2/);
        } finally {
            writeFileSync(manifest, original);
        }
        const artefact = only(dir, ".cypher.age");
        const saved = readFileSync(artefact);
        const savedSum = readFileSync(`${artefact}.sha256`);
        try {
            reencrypt(artefact, key.recipient, "MATCH (n) DETACH DELETE n");
            const bad = await runScript("neo4j-restore-drill.sh", drillEnv());
            assert.equal(bad.code, 1, bad.stderr);
            assert.match(bad.stdout, /^restore_drill status=error store=neo4j database=neo4j reason=restore_failed /m);
            assert.match(bad.stderr, /replaying neo4j\/neo4j\/\S+ failed: Invalid input/);
        } finally {
            writeFileSync(artefact, saved);
            writeFileSync(`${artefact}.sha256`, savedSum);
        }
        const missing = await runScript("neo4j-restore-drill.sh", { ...drillEnv(), NEO4J_DATABASES: "neo4j,ghost" });
        assert.equal(missing.code, 1);
        assert.match(missing.stdout, /^restore_drill status=ok store=neo4j database=neo4j /m);
        assert.match(missing.stdout, /^restore_drill status=error store=neo4j database=ghost reason=missing_backup /m);
    });
});
