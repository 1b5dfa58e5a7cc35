// Installs an npm package the way the Pulumi CLI installs a published policy pack (unpack the
// tarball into a folder of its own, then `npm install` there), with no network.
//
// Offline, npm can only install what its cache holds, and the cache holds the tarballs that
// `npm ci` fetched for this repository but no registry metadata, so npm cannot resolve a version
// range by itself. The folder therefore gets a lockfile cut from the repository's own: exactly
// the packages that the unpacked package.json's declared dependencies reach, with the versions,
// tarball URLs and integrity hashes the repository already installs. Then `npm ci --offline`
// installs them from the cache, checking every hash. Nothing the package does not declare can be
// reached, so an undeclared import fails to load as it would after a real install.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

interface LockEntry {
    version?: string;
    resolved?: string;
    integrity?: string;
    link?: boolean;
    dev?: boolean;
    optional?: boolean;
    devOptional?: boolean;
    peer?: boolean;
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    [key: string]: unknown;
}

interface Lockfile {
    lockfileVersion: number;
    packages: Record<string, LockEntry>;
}

interface Manifest {
    name: string;
    version: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    [key: string]: unknown;
}

/** Where Node would find `name` from the package installed at `from` ("" is the root). */
function locate(packages: Lockfile["packages"], from: string, name: string): string | undefined {
    let dir = from;
    for (;;) {
        const candidate = `${dir ? `${dir}/` : ""}node_modules/${name}`;
        if (packages[candidate]) return candidate;
        if (!dir) return undefined;
        const cut = dir.lastIndexOf("/node_modules/");
        dir = cut < 0 ? "" : dir.slice(0, cut);
    }
}

function requiredNames(entry: LockEntry): { name: string; optional: boolean }[] {
    const peersOptional = entry.peerDependenciesMeta ?? {};
    return [
        ...Object.keys(entry.dependencies ?? {}).map((name) => ({ name, optional: false })),
        ...Object.keys(entry.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
        // npm installs non-optional peers itself (npm >= 7).
        ...Object.keys(entry.peerDependencies ?? {})
            .filter((name) => !peersOptional[name]?.optional)
            .map((name) => ({ name, optional: false })),
    ];
}

/** The lock entries reached from `roots`, at the paths the repository's lockfile gives them. */
function closure(source: Lockfile, roots: string[]): Set<string> {
    const reached = new Set<string>();
    const visit = (from: string, name: string, optional: boolean) => {
        const at = locate(source.packages, from, name);
        if (!at) {
            if (optional) return;
            throw new Error(`the repository's lockfile does not install ${name} (needed from ${from || "the root"})`);
        }
        if (reached.has(at)) return;
        const entry = source.packages[at]!;
        if (entry.link) throw new Error(`${name} is a workspace link in the repository's lockfile, not a package`);
        reached.add(at);
        for (const dep of requiredNames(entry)) visit(at, dep.name, dep.optional);
    };
    for (const name of roots) visit("", name, false);
    return reached;
}

/** A lockfile for `manifest` holding only what its dependencies (and, marked dev, devDependencies) reach. */
export function lockfileFor(manifest: Manifest, source: Lockfile): Lockfile {
    const prod = closure(source, Object.keys(manifest.dependencies ?? {}));
    const all = closure(source, [
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.devDependencies ?? {}),
    ]);
    const packages: Lockfile["packages"] = {
        "": {
            name: manifest.name,
            version: manifest.version,
            ...(manifest.dependencies ? { dependencies: manifest.dependencies } : {}),
            ...(manifest.devDependencies ? { devDependencies: manifest.devDependencies } : {}),
        },
    };
    for (const at of [...all].sort()) {
        const {
            dev: _dev,
            optional: _optional,
            devOptional: _devOptional,
            peer: _peer,
            ...entry
        } = source.packages[at]!;
        packages[at] = prod.has(at) ? entry : { ...entry, dev: true };
    }
    return { ...source, packages } as Lockfile;
}

export interface InstalledPackage {
    /** The unpacked package with its node_modules, as the CLI leaves a published pack. */
    dir: string;
    /** The tarball `npm pack` produced. */
    tarball: string;
    /** Every file in the tarball, relative to the package root. */
    files: string[];
    remove: () => void;
}

function run(cmd: string, args: string[], cwd: string): string {
    const r = spawnSync(cmd, args, {
        cwd,
        encoding: "utf8",
        env: { ...process.env, npm_config_update_notifier: "false" },
    });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
}

/**
 * `npm pack` of `packageDir` (its prepack script runs, as under `pulumi policy publish`), then the
 * tarball unpacked into an empty temporary folder and its dependencies installed there offline.
 * `omitDev` mirrors the `production: true` runtime option of the installing language host.
 */
export function packAndInstall(packageDir: string, repoRoot: string, opts: { omitDev: boolean }): InstalledPackage {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "estate-pack-"));
    const remove = () => fs.rmSync(tmp, { recursive: true, force: true });
    try {
        const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", tmp], packageDir)) as {
            filename: string;
            files: { path: string }[];
        }[];
        const tarball = path.join(tmp, packed[0]!.filename);
        // npm puts the package under `package/` in the tarball; the CLI renames that folder into place.
        run("tar", ["-xzf", tarball, "-C", tmp], tmp);
        const dir = path.join(tmp, "package");
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest;
        const source = JSON.parse(fs.readFileSync(path.join(repoRoot, "package-lock.json"), "utf8")) as Lockfile;
        fs.writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify(lockfileFor(manifest, source), null, 2));
        run(
            "npm",
            [
                "ci",
                "--offline",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--loglevel=error",
                ...(opts.omitDev ? ["--omit=dev"] : []),
            ],
            dir,
        );
        return { dir, tarball, files: packed[0]!.files.map((f) => f.path), remove };
    } catch (e) {
        remove();
        throw e;
    }
}
