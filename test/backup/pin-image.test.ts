// The backup-image workflow's pin job, run for real with bash in a scratch checkout: git and gh are
// stand-ins that record their arguments, since neither a remote nor GitHub's API exists here.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";

interface Step {
    readonly run?: string;
}
const workflow = parse(readFileSync(join(PROJECT_ROOT, ".github/workflows/backup-image.yml"), "utf8")) as {
    jobs: Record<string, { steps: Step[] }>;
};
const pinScript = workflow.jobs["pin"]!.steps.find((s) => s.run?.includes("gh pr create"))!.run!;

const IMAGE = `ghcr.io/acme/estate-backup@sha256:${"ab".repeat(32)}`;
const scratchDirs: string[] = [];
after(() => scratchDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function runPin(image: string, options: { diff: "changed" | "unchanged" } = { diff: "changed" }) {
    const dir = mkdtempSync(join(tmpdir(), "pin-"));
    scratchDirs.push(dir);
    for (const stack of ["staging", "prod"])
        copyFileSync(join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), join(dir, `Pulumi.${stack}.yaml`));
    const log = join(dir, "calls.log");
    // `git diff --quiet` exits 1 when the work tree changed, as git does.
    const stub = (name: string) => {
        const path = join(dir, "bin", name);
        writeFileSync(
            path,
            `#!/bin/bash\necho "${name} $*" >>"${log}"\n` +
                (name === "git"
                    ? `[[ "$1 $2" == "diff --quiet" ]] && exit ${options.diff === "changed" ? 1 : 0}\n`
                    : "") +
                "exit 0\n",
        );
        chmodSync(path, 0o755);
    };
    spawnSync("mkdir", ["-p", join(dir, "bin")]);
    stub("git");
    stub("gh");
    const result = spawnSync("bash", ["-c", pinScript], {
        cwd: dir,
        encoding: "utf8",
        env: {
            PATH: `${join(dir, "bin")}:/usr/bin:/bin`,
            IMAGE: image,
            GITHUB_SHA: "0123456789abcdef0123",
            GH_TOKEN: "t",
        },
    });
    const calls = (() => {
        try {
            return readFileSync(log, "utf8").trim().split("\n");
        } catch {
            return [];
        }
    })();
    const stackFile = (stack: string) => readFileSync(join(dir, `Pulumi.${stack}.yaml`), "utf8");
    return { status: result.status, stderr: result.stderr + result.stdout, calls, stackFile };
}

describe("backup-image workflow: pin job", () => {
    it("sets estate:backupImage in every stack file to the new digest and changes nothing else", () => {
        const run = runPin(IMAGE);
        assert.equal(run.status, 0, run.stderr);
        for (const stack of ["staging", "prod"]) {
            const before = readFileSync(join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8").split("\n");
            const after = run.stackFile(stack).split("\n");
            const changed = after.filter((line, i) => line !== before[i]);
            assert.deepEqual(changed, [`  estate:backupImage: ${IMAGE}`], stack);
        }
    });

    it("pushes a branch named after the commit and opens the pull request from it", () => {
        const { calls } = runPin(IMAGE);
        assert.ok(calls.includes("git switch -c backup-image/0123456789ab"), calls.join("\n"));
        assert.ok(calls.includes("git push origin backup-image/0123456789ab"), calls.join("\n"));
        assert.ok(calls.some((c) => c.startsWith("gh pr create --base main --head backup-image/0123456789ab")));
    });

    it("opens nothing when the stack files already pin that digest", () => {
        const run = runPin(IMAGE, { diff: "unchanged" });
        assert.equal(run.status, 0, run.stderr);
        assert.match(run.stderr, /already pins/);
        assert.ok(!run.calls.some((c) => c.startsWith("gh ") || c.startsWith("git push")));
    });

    it("refuses an image that is not this project's backup image pinned by digest", () => {
        for (const bad of [
            "ghcr.io/acme/estate-backup:latest",
            "docker.io/evil/estate-backup@sha256:" + "ab".repeat(32),
            "",
        ]) {
            const run = runPin(bad);
            assert.equal(run.status, 1, bad);
            assert.match(run.stderr, /unexpected image/);
            assert.deepEqual(run.calls, [], bad);
        }
    });
});
