// renovate.json: valid for Renovate (its own schema and option names), exact pins kept, and custom
// managers that find every chart and image pinned in components/, so no pin is left without updates.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import Ajv from "ajv";
import { PROJECT_ROOT } from "../tools/lib/mock-run";

interface CustomManager {
    readonly customType: string;
    readonly managerFilePatterns: readonly string[];
    readonly matchStrings: readonly string[];
    readonly datasourceTemplate?: string;
    readonly depNameTemplate?: string;
    readonly currentValueTemplate?: string;
}
interface RenovateConfig {
    readonly extends: readonly string[];
    readonly rangeStrategy?: string;
    readonly packageRules: ReadonlyArray<Record<string, unknown>>;
    readonly customManagers: readonly CustomManager[];
}

const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
const config = JSON.parse(read("renovate.json")) as RenovateConfig;
/** Renovate's configuration schema, vendored (vendor/README.md). */
const schema = JSON.parse(read("vendor/renovate/renovate-schema.json")) as {
    properties: Record<string, unknown>;
    definitions: {
        packageRules: { items: { allOf: Array<{ properties?: Record<string, unknown> }> } };
        customManagers: { items: { allOf: Array<{ properties?: Record<string, unknown> }> } };
    };
};

function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Renovate's `/regex/` file patterns; a glob would be read differently, so it is refused here. */
function filePattern(pattern: string): RegExp {
    const m = /^\/(.*)\/$/.exec(pattern);
    assert.ok(m, `managerFilePatterns entry ${pattern} is not a /regex/`);
    return new RegExp(m[1]!);
}

interface Extracted {
    readonly manager: number;
    readonly file: string;
    readonly match: string;
    readonly groups: Readonly<Record<string, string>>;
}

/** What the custom managers extract from `files`, as Renovate's regex manager does (every matchString, globally). */
function extract(managers: readonly CustomManager[], files: Readonly<Record<string, string>>): Extracted[] {
    return managers.flatMap((manager, i) =>
        Object.entries(files)
            .filter(([file]) => manager.managerFilePatterns.some((p) => filePattern(p).test(file)))
            .flatMap(([file, text]) =>
                manager.matchStrings.flatMap((s) =>
                    [...text.matchAll(new RegExp(s, "g"))].map((m) => ({
                        manager: i,
                        file,
                        match: m[0],
                        groups: { ...m.groups } as Record<string, string>,
                    })),
                ),
            ),
    );
}

/**
 * Pinned literals found independently of the managers: every `chart: "…"` and every quoted image
 * reference (a digest, or a tag on a registry host) in the TypeScript files.
 */
function pinnedLiterals(files: Readonly<Record<string, string>>): Array<{ file: string; literal: string }> {
    const literal =
        /chart:\s*"[^"]+"|"[^"\s]*@sha256:[0-9a-f]{64}"|"(?:[a-z0-9-]+\.)+[a-z]{2,}\/[^"\s:]+:[0-9][^"\s]*"/g;
    return Object.entries(files).flatMap(([file, text]) =>
        [...text.matchAll(literal)].map((m) => ({ file, literal: m[0] })),
    );
}

/** Literals no manager extracts, or extracts without a name, version and datasource. */
function unmanaged(managers: readonly CustomManager[], files: Readonly<Record<string, string>>): string[] {
    const found = extract(managers, files);
    return pinnedLiterals(files)
        .filter(({ file, literal }) => {
            const hit = found.filter((f) => f.file === file && f.match.includes(literal.replace(/^chart:\s*/, "")));
            return !hit.some((f) => {
                const m = managers[f.manager]!;
                const name = f.groups["depName"] ?? m.depNameTemplate;
                const version = f.groups["currentValue"] ?? m.currentValueTemplate;
                return name !== undefined && version !== undefined && m.datasourceTemplate !== undefined;
            });
        })
        .map(({ file, literal }) => `${file}: ${literal}`);
}

const componentFiles = Object.fromEntries(
    filesUnder("components")
        .filter((f) => f.endsWith(".ts"))
        .map((f) => [f, read(f)]),
);

describe("renovate.json", () => {
    it("is valid against Renovate's own configuration schema", () => {
        const ajv = new Ajv({ strict: false, allErrors: true });
        ajv.addFormat("regex", (s: string) => {
            try {
                new RegExp(s);
                return true;
            } catch {
                return false;
            }
        });
        const validate = ajv.compile(schema);
        assert.equal(validate(config), true, JSON.stringify(validate.errors, null, 2));
    });

    it("uses only option names Renovate knows (its schema allows unknown keys, Renovate does not)", () => {
        const known = (options: Array<{ properties?: Record<string, unknown> }>) =>
            new Set(options.flatMap((o) => Object.keys(o.properties ?? {})));
        const top = new Set([...Object.keys(schema.properties), "$schema"]);
        // A package rule holds its match* options plus any ordinary option (groupName, rangeStrategy, …).
        const rule = new Set([...known(schema.definitions.packageRules.items.allOf), ...top]);
        const manager = known(schema.definitions.customManagers.items.allOf);
        const unknown = [
            ...Object.keys(config).filter((k) => !top.has(k)),
            ...config.packageRules.flatMap((r) => Object.keys(r).filter((k) => !rule.has(k))),
            ...config.customManagers.flatMap((m) => Object.keys(m).filter((k) => !manager.has(k))),
        ];
        assert.deepEqual(unknown, []);
        assert.ok(!rule.has("grupName") && rule.has("groupName"), "the option lists are Renovate's");
    });

    it("keeps exact pins: npm versions pinned, actions pinned by digest", () => {
        assert.equal(config.rangeStrategy, "pin");
        assert.ok(config.packageRules.some((r) => r.rangeStrategy === "pin" && String(r.matchManagers) === "npm"));
        assert.ok(config.extends.includes("helpers:pinGitHubActionDigests"));
        assert.ok(!config.packageRules.some((r) => r.rangeStrategy !== undefined && r.rangeStrategy !== "pin"));
    });

    it("groups the Pulumi packages and the CLI the workflows install", () => {
        const pulumi = config.packageRules.find((r) => r.groupName === "pulumi")!;
        const patterns = (pulumi.matchPackageNames as string[]).map((p) =>
            p.startsWith("/") ? new RegExp(p.slice(1, -1)) : new RegExp(`^${p.replace(/[/.]/g, "\\$&")}$`),
        );
        for (const name of ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/azure-native", "@pulumi/policy"])
            assert.ok(
                patterns.some((p) => p.test(name)),
                name,
            );
        const cli = extract(config.customManagers, {
            ".github/workflows/pull-request.yml": read(".github/workflows/pull-request.yml"),
        });
        assert.deepEqual(
            cli.map((c) => [config.customManagers[c.manager]!.depNameTemplate, c.groups["currentValue"]]),
            [["pulumi/pulumi", JSON.parse(read("package.json")).dependencies["@pulumi/pulumi"]]],
        );
        assert.ok(patterns.some((p) => p.test("pulumi/pulumi")));
    });

    it("finds every chart and image pinned in components/, with its name, version and registry", () => {
        const literals = pinnedLiterals(componentFiles);
        assert.ok(literals.length >= 10, `only ${literals.length} pinned literals found: the scan is broken`);
        assert.deepEqual(unmanaged(config.customManagers, componentFiles), []);
        const found = extract(config.customManagers, componentFiles).map(
            (f): Readonly<Record<string, string | undefined>> => ({
                ...f.groups,
                datasource: config.customManagers[f.manager]!.datasourceTemplate,
            }),
        );
        assert.deepEqual(
            found
                .filter((f) => f.datasource === "helm")
                .map((f) => `${f["depName"]}@${f["currentValue"]}`)
                .sort(),
            [
                "cloudnative-pg@0.27.0",
                "kube-prometheus-stack@75.15.0",
                "neo4j@5.26.28",
                "plugin-barman-cloud@0.7.0",
                "prometheus-blackbox-exporter@11.7.0",
                "prometheus-pushgateway@3.2.0",
            ],
        );
        assert.ok(found.filter((f) => f.datasource === "helm").every((f) => f["registryUrl"]?.startsWith("https://")));
        assert.deepEqual(
            found
                .filter((f) => f.datasource === "docker")
                .map((f) => f["depName"])
                .sort(),
            [
                "docker.io/library/neo4j",
                "docker.io/library/redis",
                "docker.io/ollama/ollama",
                "ghcr.io/cloudnative-pg/postgresql",
                "ghcr.io/cloudnative-pg/postgresql",
                "ghcr.io/cloudnative-pg/postgresql",
            ],
        );
    });

    it("reports a pinned literal in a form no manager reads", () => {
        const files = {
            "components/new.ts": [
                'export const A = { chart: "argo-cd", repo: "https://argoproj.github.io/argo-helm", version: "8.0.0" };',
                'export const B = "quay.io/argoproj/argocd:v3.0.0@sha256:' + "a".repeat(64) + '";',
                'export const C = "quay.io/jetstack/cert-manager-controller:1.18.2";',
            ].join("\n"),
        };
        // The chart's keys are in another order than the manager expects; the image tags are read.
        assert.deepEqual(unmanaged(config.customManagers, files), ['components/new.ts: chart: "argo-cd"']);
        const notComponents = { "test/new.ts": files["components/new.ts"] };
        assert.deepEqual(unmanaged(config.customManagers, notComponents).length, 3, "managers read components/ only");
    });
});
