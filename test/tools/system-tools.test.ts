import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";
import { installPlan, missingPackages, postgresBinDir, SYSTEM_TOOLS } from "../../tools/lib/system-tools";

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "estate-tools-"));

function stub(dir: string, name: string, script = "exit 0") {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
}

/** A PATH holding only this Node (so `node --import tsx` runs) and `extra`. */
function isolatedPath(extra: string): string {
    const nodeDir = tempDir();
    fs.symlinkSync(process.execPath, path.join(nodeDir, "node"));
    return [extra, nodeDir].join(path.delimiter);
}

function runPretest(PATH: string) {
    const result = spawnSync("node", ["--import", "tsx", path.join(PROJECT_ROOT, "tools/test-tools.ts")], {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
        env: { PATH, HOME: os.tmpdir() },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A stand-in for passwordless sudo, so the install path runs the same whether the tests run as root or not. */
const SUDO = '[ "$1" = -n ] && shift; [ "$1" = true ] && exit 0; exec "$@"';

const ALL_BUT_POSTGRES = [
    "prometheus",
    "prometheus-alertmanager",
    "age",
    "redis-server",
    "redis-tools",
    "shellcheck",
] as const;

describe("finding PostgreSQL's binaries", () => {
    it("takes the newest Debian major that has a server, whatever its number", () => {
        const lib = tempDir();
        stub(path.join(lib, "14", "bin"), "initdb");
        stub(path.join(lib, "14", "bin"), "pg_ctl");
        stub(path.join(lib, "17", "bin"), "initdb");
        stub(path.join(lib, "17", "bin"), "pg_ctl");
        fs.mkdirSync(path.join(lib, "18", "bin"), { recursive: true }); // client-only leftovers: no server
        assert.equal(postgresBinDir({ PATH: tempDir(), postgresLibDir: lib }), path.join(lib, "17", "bin"));
    });

    it("prefers pg_config --bindir when it names a server", () => {
        const server = tempDir();
        stub(server, "initdb");
        stub(server, "pg_ctl");
        const bin = tempDir();
        stub(bin, "pg_config", `echo ${server}`);
        assert.equal(postgresBinDir({ PATH: bin, postgresLibDir: tempDir() }), server);
    });

    it("falls back to an initdb on PATH, and reports nothing when there is no server at all", () => {
        const bin = tempDir();
        stub(bin, "pg_config", "echo /nonexistent");
        assert.equal(postgresBinDir({ PATH: bin, postgresLibDir: tempDir() }), undefined);
        stub(bin, "initdb");
        stub(bin, "pg_ctl");
        assert.equal(postgresBinDir({ PATH: bin, postgresLibDir: tempDir() }), bin);
    });
});

describe("the packages the tests need", () => {
    it("names the Debian package of every missing program once, PostgreSQL included", () => {
        assert.deepEqual(missingPackages({ PATH: tempDir(), postgresLibDir: tempDir() }), [
            ...ALL_BUT_POSTGRES,
            "postgresql",
        ]);
    });

    it("names nothing when every program is there", () => {
        const bin = tempDir();
        for (const tool of SYSTEM_TOOLS) stub(bin, tool.binary);
        const lib = tempDir();
        stub(path.join(lib, "16", "bin"), "initdb");
        stub(path.join(lib, "16", "bin"), "pg_ctl");
        assert.deepEqual(missingPackages({ PATH: bin, postgresLibDir: lib }), []);
    });

    it("finds this machine's real tools, so the tests below do not skip", () => {
        assert.deepEqual(missingPackages({ PATH: process.env.PATH ?? "" }), []);
    });
});

describe("installing them", () => {
    const withApt = () => {
        const bin = tempDir();
        stub(bin, "apt-get");
        stub(bin, "sudo");
        return bin;
    };

    it("runs apt-get directly as root", () => {
        assert.deepEqual(installPlan(["age"], { PATH: withApt(), uid: 0, passwordlessSudo: false }), {
            kind: "install",
            commands: [
                ["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "--no-install-recommends", "age", "-qq"],
            ],
        });
    });

    it("runs it through sudo when sudo needs no password", () => {
        const plan = installPlan(["age"], { PATH: withApt(), uid: 1000, passwordlessSudo: true });
        assert.equal(plan.kind, "install");
        assert.deepEqual(plan.kind === "install" && plan.commands.map((c) => c.slice(0, 3)), [
            ["sudo", "-n", "apt-get"],
            ["sudo", "-n", "apt-get"],
        ]);
    });

    it("otherwise says in one line which packages and which command", () => {
        assert.deepEqual(installPlan(["age", "shellcheck"], { PATH: withApt(), uid: 1000, passwordlessSudo: false }), {
            kind: "manual",
            message:
                "npm test needs the Debian packages age, shellcheck: run `sudo apt-get update && sudo apt-get install -y --no-install-recommends age shellcheck`, then npm test again.",
        });
        assert.deepEqual(installPlan(["age"], { PATH: tempDir(), uid: 0, passwordlessSudo: false }), {
            kind: "manual",
            message:
                "npm test needs age (Debian package names; on Debian or Ubuntu: `sudo apt-get update && sudo apt-get install -y --no-install-recommends age`): install them, then run npm test again.",
        });
    });
});

describe("npm's pretest step (tools/test-tools.ts)", () => {
    it("is what npm runs before `npm test`", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"));
        assert.equal(pkg.scripts.pretest, "node --import ./tools/require-node.mjs --import tsx tools/test-tools.ts");
    });

    it("exits 0 on this machine, which has every tool", () => {
        const { code, stderr } = runPretest(process.env.PATH ?? "");
        assert.equal(code, 0, stderr);
        assert.equal(stderr, "");
    });

    it("on a machine without the tools or apt-get, stops with one line naming the packages and the command", () => {
        const { code, stderr } = runPretest(isolatedPath(tempDir()));
        assert.equal(code, 1);
        const lines = stderr.trim().split("\n");
        assert.equal(lines.length, 1, stderr);
        assert.match(
            lines[0]!,
            /^npm test needs prometheus, prometheus-alertmanager, age, redis-server, redis-tools, shellcheck/,
        );
        assert.match(lines[0]!, /sudo apt-get install -y --no-install-recommends prometheus/);
    });

    it("with apt-get available, installs the missing packages and checks the programs are there after", () => {
        // A stand-in apt-get that records its arguments and "installs" every program into its own dir.
        const bin = tempDir();
        const log = path.join(bin, "apt.log");
        const programs = SYSTEM_TOOLS.map((t) => t.binary).join(" ");
        const install = `echo "$*" >> ${log}; case "$1" in install) for p in ${programs}; do printf '#!/bin/sh\\n' > ${bin}/$p; /bin/chmod +x ${bin}/$p; done;; esac`;
        stub(bin, "apt-get", install);
        stub(bin, "sudo", SUDO);
        const { code, stderr } = runPretest(isolatedPath(bin));
        assert.equal(code, 0, stderr);
        assert.deepEqual(fs.readFileSync(log, "utf8").trim().split("\n"), [
            "update -qq",
            `install -y --no-install-recommends ${ALL_BUT_POSTGRES.join(" ")} -qq`,
        ]);
    });

    it("fails when apt-get succeeds but the programs are still missing", () => {
        const bin = tempDir();
        stub(bin, "apt-get");
        stub(bin, "sudo", SUDO);
        const { code, stderr } = runPretest(isolatedPath(bin));
        assert.equal(code, 1);
        assert.match(stderr, /installed but their programs are still not found on PATH/);
    });

    it("answers --help", () => {
        const help = spawnSync(process.execPath, ["--import", "tsx", "tools/test-tools.ts", "--help"], {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
        });
        assert.equal(help.status, 0);
        assert.match(help.stdout, /^Usage: /);
    });
});
