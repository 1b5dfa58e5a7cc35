/**
 * The programs the tests drive for real (alert rules, routing, backup scripts against live
 * servers), where to find them, and the Debian packages that provide them. `tools/test-tools.ts`
 * (npm's `pretest`) installs what is missing, so `npm test` needs only Node and npm.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface SystemTool {
    /** A program the tests run, looked up on PATH. */
    readonly binary: string;
    /** The Debian package that ships it. */
    readonly debianPackage: string;
    /** Which tests need it. */
    readonly usedBy: string;
}

export const SYSTEM_TOOLS: readonly SystemTool[] = [
    { binary: "promtool", debianPackage: "prometheus", usedBy: "alert rules, backup metrics" },
    { binary: "amtool", debianPackage: "prometheus-alertmanager", usedBy: "alert routing" },
    { binary: "age", debianPackage: "age", usedBy: "backup encryption" },
    { binary: "age-keygen", debianPackage: "age", usedBy: "backup encryption" },
    { binary: "redis-server", debianPackage: "redis-server", usedBy: "Redis backup and restore" },
    { binary: "redis-cli", debianPackage: "redis-tools", usedBy: "Redis backup and restore" },
    { binary: "shellcheck", debianPackage: "shellcheck", usedBy: "backup job scripts" },
];

/** PostgreSQL's server binaries are off PATH on Debian, so they are found by `postgresBinDir`. */
export const POSTGRES_PACKAGE = "postgresql";

export interface Environment {
    /** The PATH programs are looked up on. */
    readonly PATH: string;
    /** Where Debian installs each PostgreSQL major (`<major>/bin`). */
    readonly postgresLibDir?: string;
}

const executable = (file: string) => {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
};

/** The full path of `binary` on `PATH`, as a shell would find it. */
export function onPath(binary: string, PATH: string): string | undefined {
    for (const dir of PATH.split(path.delimiter)) {
        if (dir === "") continue;
        const candidate = path.join(dir, binary);
        if (executable(candidate)) return candidate;
    }
    return undefined;
}

const hasServer = (dir: string) => executable(path.join(dir, "initdb")) && executable(path.join(dir, "pg_ctl"));

/**
 * The directory holding initdb, pg_ctl, psql, pg_dump and pg_restore, whatever the major:
 * `pg_config --bindir` when it names a server, else the newest `/usr/lib/postgresql/<major>/bin`
 * (Debian and Ubuntu keep the server off PATH), else the directory of an initdb on PATH
 * (Homebrew, Fedora).
 */
export function postgresBinDir(env: Environment): string | undefined {
    const pgConfig = onPath("pg_config", env.PATH);
    if (pgConfig) {
        try {
            const dir = execFileSync(pgConfig, ["--bindir"], { encoding: "utf8", env: { PATH: env.PATH } }).trim();
            if (hasServer(dir)) return dir;
        } catch {
            // A broken pg_config says nothing about the server; look elsewhere.
        }
    }
    const lib = env.postgresLibDir ?? "/usr/lib/postgresql";
    const majors = fs.existsSync(lib)
        ? fs
              .readdirSync(lib)
              .filter((d) => /^\d+(\.\d+)?$/.test(d))
              .sort((a, b) => Number(b) - Number(a))
        : [];
    for (const major of majors) {
        const dir = path.join(lib, major, "bin");
        if (hasServer(dir)) return dir;
    }
    const initdb = onPath("initdb", env.PATH);
    return initdb && hasServer(path.dirname(initdb)) ? path.dirname(initdb) : undefined;
}

/** The Debian packages to install for every program the tests need and `env` lacks, in a stable order. */
export function missingPackages(env: Environment): string[] {
    const missing = SYSTEM_TOOLS.filter((t) => onPath(t.binary, env.PATH) === undefined).map((t) => t.debianPackage);
    if (postgresBinDir(env) === undefined) missing.push(POSTGRES_PACKAGE);
    return [...new Set(missing)];
}

export interface Installer {
    readonly PATH: string;
    /** The effective user id (0 is root). */
    readonly uid: number;
    /** Whether `sudo -n true` succeeds, i.e. sudo works without a password prompt. */
    readonly passwordlessSudo: boolean;
}

export type InstallPlan =
    | { readonly kind: "install"; readonly commands: ReadonlyArray<readonly string[]> }
    | { readonly kind: "manual"; readonly message: string };

const aptInstall = (packages: readonly string[]) => [
    "apt-get",
    "install",
    "-y",
    "--no-install-recommends",
    ...packages,
];

/** How to get `packages`: apt-get as root or through passwordless sudo, otherwise one line saying what to run. */
export function installPlan(packages: readonly string[], installer: Installer): InstallPlan {
    const apt = onPath("apt-get", installer.PATH) !== undefined;
    const sudo = installer.uid !== 0 && installer.passwordlessSudo && onPath("sudo", installer.PATH) !== undefined;
    if (apt && (installer.uid === 0 || sudo)) {
        const prefix = installer.uid === 0 ? [] : ["sudo", "-n"];
        return {
            kind: "install",
            commands: [
                [...prefix, "apt-get", "update", "-qq"],
                [...prefix, ...aptInstall(packages), "-qq"],
            ],
        };
    }
    const command = `sudo apt-get update && sudo ${aptInstall(packages).join(" ")}`;
    return {
        kind: "manual",
        message: apt
            ? `npm test needs the Debian packages ${packages.join(", ")}: run \`${command}\`, then npm test again.`
            : `npm test needs ${packages.join(", ")} (Debian package names; on Debian or Ubuntu: \`${command}\`): install them, then run npm test again.`,
    };
}
