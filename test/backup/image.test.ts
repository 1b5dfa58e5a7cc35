// The backup image as code (images/backup/Dockerfile), checked statically: no container engine
// runs here, so these tests read the Dockerfile and the scripts. They cannot prove that the
// pinned versions still exist upstream or that the build succeeds; the backup-image workflow does.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BACKUP_SCRIPTS_PATH } from "../../components/backup/backups";
import { backupScriptFiles, backupScriptsDir, readBackupScripts } from "../../components/backup/scripts";
import { restrictedPodSecurityContext } from "../../components/platform/kubernetes/pod";
import { commonConfigShape } from "../../stacks/config-keys";
import { ConfigError, parseStackConfig } from "../../stacks/config";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";

const DOCKERFILE = readFileSync(join(PROJECT_ROOT, "images/backup/Dockerfile"), "utf8");

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(text: string): string[] {
    return text
        .split("\n")
        .filter((l) => !/^\s*#/.test(l))
        .join("\n")
        .replace(/\\\n/g, " ")
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
}

/** `apt-get install` packages → their version (resolved from ARG), in every RUN. */
function installedPackages(text: string): Map<string, string> {
    const args = new Map(
        [...text.matchAll(/^ARG ([A-Z0-9_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!] as [string, string]),
    );
    const out = new Map<string, string>();
    for (const run of instructions(text).filter((i) => i.startsWith("RUN "))) {
        for (const install of run.matchAll(/apt-get install ([^&]*)/g)) {
            for (const word of install[1]!.split(/\s+/).filter((w) => w && !w.startsWith("-"))) {
                const m = /^"?([a-z0-9][a-z0-9.+-]*)=\$\{([A-Z0-9_]+)\}"?$/.exec(word);
                assert.ok(m, `\`${word}\` is installed without a pinned version (write "pkg=\${VERSION}")`);
                const version = args.get(m[2]!);
                assert.ok(version, `ARG ${m[2]} has no default version`);
                out.set(m[1]!, version);
            }
        }
    }
    return out;
}

const BASH_WORDS = new Set(
    (
        "if then else elif fi for while until do done case esac in function return exit local set shopt " +
        "trap printf echo read mapfile cd source . true false break continue export unset wait kill eval " +
        "exec command declare test [[ ]] [ ] { } ( ) ! : type umask shift"
    ).split(" "),
);

/** Debian essential packages are in every Debian base image and cannot be removed. */
const ESSENTIAL: Readonly<Record<string, string>> = {
    awk: "mawk",
    base64: "coreutils",
    cat: "coreutils",
    cmp: "diffutils",
    cp: "coreutils",
    cut: "coreutils",
    date: "coreutils",
    dirname: "coreutils",
    basename: "coreutils",
    find: "findutils",
    grep: "grep",
    join: "coreutils",
    mkdir: "coreutils",
    mkfifo: "coreutils",
    mktemp: "coreutils",
    mv: "coreutils",
    rm: "coreutils",
    sed: "sed",
    sha256sum: "coreutils",
    sleep: "coreutils",
    sort: "coreutils",
    stat: "coreutils",
    tail: "coreutils",
    timeout: "coreutils",
    tr: "coreutils",
    wc: "coreutils",
    chmod: "coreutils",
};
/** Where each non-essential command comes from. */
const PACKAGE_OF: Readonly<Record<string, readonly string[]>> = {
    bash: ["bash"],
    age: ["age"],
    curl: ["curl"],
    psql: ["postgresql-client-15", "postgresql-client-16", "postgresql-client-17"],
    pg_dump: ["postgresql-client-15", "postgresql-client-16", "postgresql-client-17"],
    pg_restore: ["postgresql-client-15", "postgresql-client-16", "postgresql-client-17"],
    "redis-cli": ["redis-tools"],
    "redis-server": ["redis-server"],
    "cypher-shell": ["cypher-shell"],
    neo4j: ["neo4j"],
    gcloud: ["google-cloud-cli"],
    az: ["azure-cli"],
};

/**
 * The external commands a script runs: the first word of every simple command, with
 * `NAME=${NAME:-default}` overrides resolved to their default and array commands (`"${PSQL[@]}"`)
 * to their first element, minus bash words and the functions the scripts define.
 */
function commandsOf(texts: readonly string[]): Set<string> {
    const all = texts.join("\n");
    const functions = new Set([...all.matchAll(/^\s*([a-z_][a-z0-9_]*)\(\) \{/gm)].map((m) => m[1]!));
    const defaults = new Map(
        [...all.matchAll(/^([A-Z][A-Z0-9_]*)=\$\{\1:-([a-z][\w-]*)\}/gm)].map(
            (m) => [m[1]!, m[2]!] as [string, string],
        ),
    );
    const arrays = new Map(
        [...all.matchAll(/^([A-Z][A-Z0-9_]*)=\(([a-z][\w-]*) /gm)].map((m) => [m[1]!, m[2]!] as [string, string]),
    );
    const code = all
        .replace(/<<(-?)'?([A-Z]+)'?\n[\s\S]*?\n\2\n/g, "\n") // heredoc bodies are data
        .replace(/^\s*#.*$/gm, "")
        .replace(/\s#\s.*$/gm, "")
        .replace(/\$\{([A-Za-z0-9_]+)[^}]*\}/g, "$$$1") // `${X:-a b}` is one expansion
        .replace(/\$?\(\([^)]*\)\)/g, "0") // arithmetic
        // Quoted text is data (awk and sed programs, messages), unless it starts with an expansion.
        .replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, (q) => (q.startsWith('"$') ? q : '""'));
    const found = new Set<string>();
    for (const segment of code.split(/\|\||&&|[|;\n]|\$\(|\bthen\b|\bdo\b|\belse\b|\(\(|\)\)/)) {
        const words = segment
            .trim()
            .replace(/^[({!\s]+/, "")
            .split(/\s+/);
        while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/.test(words[0]!)) words.shift();
        if (words[0] === "exec" || words[0] === "command" || words[0] === "!") words.shift();
        const first = words[0]?.replace(/^"|"$/g, "");
        if (!first || BASH_WORDS.has(first) || functions.has(first)) continue;
        const variable = /^\$\{?([A-Z][A-Z0-9_]*)(\[@\]\})?\}?$/.exec(first);
        if (variable) {
            const resolved = defaults.get(variable[1]!) ?? arrays.get(variable[1]!);
            if (resolved) found.add(resolved);
            continue;
        }
        if (/^[a-z][a-z0-9_-]*$/.test(first)) found.add(first);
    }
    for (const m of all.matchAll(/need_cmd ([^\n#]+)/g))
        for (const w of m[1]!.split(/\s+/)) if (/^[a-z][\w-]*$/.test(w)) found.add(w);
    return found;
}

function missingCommands(commands: Iterable<string>, installed: ReadonlyMap<string, string>): string[] {
    return [...commands].filter((c) => {
        if (ESSENTIAL[c]) return false;
        const packages = PACKAGE_OF[c];
        return !packages || !packages.every((p) => installed.has(p));
    });
}

describe("backup image (images/backup/Dockerfile)", () => {
    const installed = installedPackages(DOCKERFILE);

    it("builds from a base pinned by digest and installs every package at an exact version", () => {
        const from = instructions(DOCKERFILE).filter((i) => i.startsWith("FROM "));
        assert.equal(from.length, 1);
        assert.match(from[0]!, /^FROM [a-z0-9./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
        assert.ok(installed.size >= 10, `found ${[...installed.keys()].join(", ")}`);
        for (const [pkg, version] of installed)
            assert.match(version, /^[0-9][\w.:+~-]*$/, `${pkg}=${version} is an exact version, no wildcard`);
        assert.throws(
            () => installedPackages("FROM x@sha256:00\nRUN apt-get install -y curl jq=1.6\n"),
            /`curl` is installed without a pinned version/,
        );
    });

    it("installs the PostgreSQL client of every major the stacks accept", () => {
        const majors = commonConfigShape.postgresVersion.unwrap().options;
        for (const major of majors)
            assert.ok(installed.has(`postgresql-client-${major}`), `postgresql-client-${major}`);
        for (const major of majors) assert.ok(PACKAGE_OF.pg_dump!.includes(`postgresql-client-${major}`));
    });

    it("installs every command the scripts run", () => {
        const commands = commandsOf(Object.values(readBackupScripts()));
        // The extraction must see the commands that matter, or an empty set would pass.
        for (const c of [
            "age",
            "pg_dump",
            "pg_restore",
            "psql",
            "redis-cli",
            "redis-server",
            "cypher-shell",
            "neo4j",
            "gcloud",
            "az",
            "curl",
            "sha256sum",
            "awk",
        ])
            assert.ok(commands.has(c), `${c} found in the scripts (found: ${[...commands].sort().join(" ")})`);
        assert.deepEqual(missingCommands(commands, installed), []);
        const withNew = commandsOf([
            ...Object.values(readBackupScripts()),
            "x=$(frobnicate --all | jq -r .a)\nneed_cmd zstd\n",
        ]);
        assert.deepEqual(missingCommands(withNew, installed).sort(), ["frobnicate", "jq", "zstd"]);
    });

    it("copies the scripts to the path the jobs run them from, runs as the pods' non-root user, bakes in no secret", () => {
        const all = instructions(DOCKERFILE);
        const copy = all.find((i) => i.startsWith("COPY "));
        assert.equal(copy, `COPY --chmod=0555 components/backup/scripts/*.sh ${BACKUP_SCRIPTS_PATH}/`);
        for (const f of backupScriptFiles) assert.ok(readFileSync(join(backupScriptsDir, f)).length > 0, f);
        assert.equal(
            all.filter((i) => i.startsWith("USER ")).at(-1),
            `USER ${restrictedPodSecurityContext.runAsUser}:${restrictedPodSecurityContext.runAsUser}`,
        );
        for (const i of all.filter((l) => /^(ENV|ARG) /.test(l)))
            assert.doesNotMatch(i, /PASSWORD|SECRET|TOKEN|AUTH|IDENTITY|PRIVATE/i, i);
        assert.doesNotMatch(DOCKERFILE, /--mount=type=secret|AGE-SECRET-KEY/);
    });
});

describe("estate:backupImage", () => {
    const stackValues = (stack: string): Record<string, string> => {
        const text = readFileSync(join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8");
        return { "estate:backupImage": /estate:backupImage: (\S+)/.exec(text)?.[1] ?? "" };
    };

    it("has no default: every stack file sets it, pinned by digest", () => {
        assert.equal(commonConfigShape.backupImage.safeParse(undefined).success, false);
        for (const stack of ["staging", "prod"])
            assert.match(
                stackValues(stack)["estate:backupImage"]!,
                /^ghcr\.io\/[a-z0-9-]+\/estate-backup@sha256:[0-9a-f]{64}$/,
            );
    });

    it("names stack, key, value and how to get the digest when it is missing or not a digest", () => {
        const base = {
            "estate:platform": "kubernetes",
            "estate:environment": "staging",
            "estate:domain": "estate.example.com",
            "estate:gcpProject": "acme-estate-staging",
            "estate:apiImage": "ghcr.io/acme/estate-api",
            "estate:apiTag": "9c1b7e2a4d6f",
            "estate:apiPreviousTag": "51e0a7c3b2d9",
            "estate:backupAgeRecipient": "age102ugtmc9c7xjk75p0sfhfaqc5t5krv54fel8wqdjzeqag5y0aqtstpuull",
            "estate:restoreDrillEnabled": "false",
        };
        const problem = (values: Record<string, string>) => {
            try {
                parseStackConfig("staging", values);
            } catch (e) {
                assert.ok(e instanceof ConfigError);
                return e.message.split("\n").find((l) => l.includes("backupImage")) ?? e.message;
            }
            return "parsed";
        };
        assert.match(
            problem(base),
            /estate:backupImage = \(not set\): is required\. Fix: `pulumi config set estate:backupImage <value> --stack staging`\. To get the value, take the `image` output of the backup-image workflow's latest run on main/,
        );
        assert.match(
            problem({ ...base, "estate:backupImage": "ghcr.io/acme/estate-backup:latest" }),
            /estate:backupImage = "ghcr\.io\/acme\/estate-backup:latest": must be pinned by digest: <registry>\/<repository>@sha256:<64 hex>\. Fix: .* To get the value, take the `image` output/,
        );
    });
});
