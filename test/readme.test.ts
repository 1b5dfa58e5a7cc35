import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseSmokeArgs } from "../scripts/smoke/args";
import { configKeyDeclarations } from "../stacks/config-declarations";
import { PROJECT_ROOT } from "../tools/lib/mock-run";
import { renderSecretSetup, replaceBetweenMarkers } from "../tools/lib/readme";

const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
};

/** `npm run <script>` mentions, in code and prose alike. */
function npmRunMentions(text: string): string[] {
    return [...new Set([...text.matchAll(/\bnpm run ([A-Za-z0-9:_-]+)/g)].map((m) => m[1]!))].sort();
}

describe("README", () => {
    it("opens with the two-command quick start", () => {
        const firstSection = readme.split(/^## /m)[1] ?? "";
        assert.match(firstSection, /^Quick start\n/);
        assert.match(firstSection, /```bash\nnpm ci && npm run plan {2,}#[^\n]*\nnpm test {2,}#[^\n]*\n```/);
    });

    it("mentions only npm scripts that exist in package.json", () => {
        const mentioned = npmRunMentions(readme);
        assert.ok(mentioned.length >= 5, `found ${mentioned.join(", ")}`);
        const missing = mentioned.filter((name) => !(name in pkg.scripts));
        assert.deepEqual(
            missing,
            [],
            `README.md mentions npm run ${missing.join(", ")}, which package.json does not define`,
        );
    });

    it("finds a mention of a script that does not exist, so the check above can fail", () => {
        assert.deepEqual(npmRunMentions("run `npm run plan -- --stack prod`, then npm run deploy-everything."), [
            "deploy-everything",
            "plan",
        ]);
    });

    it("gives smoke commands the script accepts", () => {
        const commands = [...readme.matchAll(/`npm run smoke -- ([^`]+)`/g)].map((m) => m[1]!);
        assert.ok(commands.length >= 2);
        const placeholders: Record<string, string> = {
            "<services.api.url>": "https://api.example.com",
            "<services.ui.url>": "https://app.example.com",
        };
        for (const command of commands) {
            const args = command.split(/\s+/).map((a) => placeholders[a] ?? a);
            assert.doesNotThrow(() => parseSmokeArgs(args, {}), command);
        }
    });

    it("every npm script runs a file that exists", () => {
        for (const [name, command] of Object.entries(pkg.scripts)) {
            for (const file of command.split(/\s+/).filter((w) => /\.ts$/.test(w)))
                assert.ok(
                    fs.existsSync(path.join(PROJECT_ROOT, file)),
                    `npm run ${name} runs ${file}, which does not exist`,
                );
        }
    });

    it("lists a `pulumi config set --secret` for every secret key of the config schema (regenerate with npm run gen)", () => {
        assert.equal(readme, replaceBetweenMarkers(readme, "secret-config", renderSecretSetup()));
        const secretKeys = configKeyDeclarations()
            .filter((d) => d.secret)
            .map((d) => d.key);
        assert.ok(secretKeys.includes("oidcClientSecret"));
        for (const key of secretKeys)
            assert.match(readme, new RegExp(`pulumi config set --secret estate:${key} --stack <org>/prod`));
    });

    it("links only to files that exist", () => {
        const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
            .map((m) => m[1]!)
            .filter((l) => !/^[a-z]+:/.test(l));
        assert.ok(links.length >= 4);
        for (const link of links)
            assert.ok(fs.existsSync(path.join(PROJECT_ROOT, link)), `README.md links to ${link}, which does not exist`);
    });

    it("documents rollback as one tag change from the deployed config, and points at the Alembic downgrade path", () => {
        // The deploy job records PreviousTag in the deployed config only: refresh it before reading it.
        assert.match(
            readme,
            /pulumi config refresh --force --stack <org>\/prod[^\n]*\npulumi config set estate:apiTag "\$\(pulumi config get estate:apiPreviousTag --stack <org>\/prod\)" --stack <org>\/prod/,
        );
        assert.match(readme, /\[docs\/migrations\.md\]\(docs\/migrations\.md#rolling-back\)/);
        const migrations = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "migrations.md"), "utf8");
        assert.match(migrations, /^## Rolling back$/m);
        assert.match(migrations, /alembic", "downgrade", "-1"/);
    });

    it("says what -c does with the real CLI, and uses org-qualified stack names with it", () => {
        assert.match(
            readme,
            /The real CLI's `pulumi preview -c` \/ `pulumi up -c`\s+saves the value into `Pulumi\.<stack>\.yaml`/,
        );
        assert.match(readme, /pulumi stack init <org>\/prod/);
        const realCommands = [...readme.matchAll(/^\s*(pulumi (?:preview|up|config set)[^\n]*)$/gm)].map((m) => m[1]!);
        assert.ok(realCommands.length >= 3);
        for (const command of realCommands.filter((c) => c.includes("--stack ")))
            assert.match(command, /--stack <org>\//, command);
    });

    it("documents the exit codes the tools really use", () => {
        const plan = fs.readFileSync(path.join(PROJECT_ROOT, "tools", "plan.ts"), "utf8");
        const smoke = fs.readFileSync(path.join(PROJECT_ROOT, "scripts", "smoke", "smoke.ts"), "utf8");
        assert.match(plan, /Exit codes: 0 ok, 1 config or program error, 2 mandatory policy violations/);
        assert.match(smoke, /Exit codes: 0 healthy, 1 error/);
        assert.match(
            readme,
            /`npm run plan -- --stack prod` \| `0` ok, `1` config or program error, `2` mandatory policy violations/,
        );
        assert.match(readme, /`0` healthy, `1` error \(arguments, DNS, connection, timeout, TLS\), `2` unhealthy/);
    });
});
