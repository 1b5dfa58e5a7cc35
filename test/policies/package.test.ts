// The pack as `pulumi policy publish` ships it and the CLI installs it: packed by `npm pack`,
// unpacked into a folder of its own with only its declared dependencies, started through the
// `run-policy-pack` it installed.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { catalog } from "../../policies/catalog";
import * as resourceTypes from "../../policies/resource-types";
import {
    analyze,
    DEFAULT_PACK_DIR,
    loadConfigFile,
    ROOT,
    runPolicyPackOf,
    type Violation,
} from "../../tools/lib/analyzer";
import { runProgram, type ProgramCapture } from "../../tools/lib/mock-run";
import { packAndInstall, type InstalledPackage } from "../support/offline-install";

const pack = JSON.parse(fs.readFileSync(path.join(DEFAULT_PACK_DIR, "package.json"), "utf8"));
const rootLock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));

/** Every module specifier the pack's sources import, split by whether the import survives compilation. */
function importsOfSources(): { runtime: Set<string>; typeOnly: Set<string> } {
    const runtime = new Set<string>();
    const typeOnly = new Set<string>();
    for (const file of fs.readdirSync(DEFAULT_PACK_DIR).filter((f) => f.endsWith(".ts"))) {
        const source = fs.readFileSync(path.join(DEFAULT_PACK_DIR, file), "utf8");
        for (const m of source.matchAll(/^import\s+(type\s+)?[^;]*?\s+from\s+"([^"]+)";/gms)) {
            (m[1] ? typeOnly : runtime).add(m[2]!);
        }
    }
    return { runtime, typeOnly };
}

const packageOf = (specifier: string) =>
    specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;

/** The part of a GitHub Actions workflow these checks read. */
interface Workflow {
    jobs?: Record<string, { steps?: Array<{ name?: string; run?: string; with?: { policyPacks?: string } }> }>;
}

describe("policy pack as a package", () => {
    it("has a tsconfig of its own and ships only its build", () => {
        const tsconfig = JSON.parse(fs.readFileSync(path.join(DEFAULT_PACK_DIR, "tsconfig.json"), "utf8"));
        assert.equal(tsconfig.extends, undefined, "the tarball has no ../tsconfig.json to extend");
        assert.equal(pack.main, `${tsconfig.compilerOptions.outDir}/index.js`);
        assert.deepEqual(pack.files, [`${tsconfig.compilerOptions.outDir}/*.js`, "PulumiPolicy.yaml", "README.md"]);
        // `npm pack` builds from clean sources: a stale build cannot be shipped.
        assert.match(pack.scripts.build, /rmSync\('dist'/);
        assert.equal(pack.scripts.prepack, "npm run build");
        const project = parseYaml(fs.readFileSync(path.join(DEFAULT_PACK_DIR, "PulumiPolicy.yaml"), "utf8"));
        assert.deepEqual(project.runtime, { name: "nodejs", options: { production: true } });
    });

    it("declares every import, runtime ones as dependencies, at the versions the repository locks", () => {
        const { runtime, typeOnly } = importsOfSources();
        const external = (s: Set<string>) => new Set([...s].filter((x) => !x.startsWith(".")).map(packageOf));
        for (const name of external(runtime)) {
            assert.ok(pack.dependencies[name], `policies/ imports ${name} at run time but does not depend on it`);
        }
        for (const name of external(typeOnly)) {
            assert.ok(
                pack.dependencies[name] ?? pack.devDependencies[name],
                `policies/ imports types from ${name} but does not declare it`,
            );
        }
        // The SDKs are types only: nothing but @pulumi/policy (and the runner in @pulumi/pulumi) loads.
        assert.deepEqual([...external(runtime)], ["@pulumi/policy"]);
        for (const [name, version] of Object.entries({ ...pack.dependencies, ...pack.devDependencies })) {
            assert.equal(
                rootLock.packages[`node_modules/${name}`]?.version,
                version,
                `${name} differs from the lockfile`,
            );
        }
        assert.deepEqual(
            rootLock.packages.policies.dependencies,
            pack.dependencies,
            "run npm install to update the lockfile",
        );
        assert.deepEqual(rootLock.packages.policies.devDependencies, pack.devDependencies);
    });

    it("is built before every workflow step that hands it to the CLI as a local pack", () => {
        const dir = path.join(ROOT, ".github", "workflows");
        let uses = 0;
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".yml"))) {
            const workflow = parseYaml(fs.readFileSync(path.join(dir, file), "utf8")) as Workflow;
            for (const [name, job] of Object.entries(workflow.jobs ?? {})) {
                const steps = job.steps ?? [];
                const build = steps.findIndex((s) => s.run === "npm run build:policies");
                const install = steps.findIndex((s) => String(s.run ?? "").startsWith("npm ci"));
                steps.forEach((step, i) => {
                    if (step.with?.policyPacks !== "policies") return;
                    uses++;
                    assert.ok(
                        build > install && build < i,
                        `${file} ${name}: build the pack after npm ci, before "${step.name}"`,
                    );
                });
            }
        }
        assert.ok(uses > 0, "no workflow runs the pack");
    });

    it("filters on the same type tokens as the provider SDK classes", () => {
        const real: Record<keyof typeof resourceTypes, unknown> = {
            Deployment: require("@pulumi/kubernetes/apps/v1").Deployment,
            StatefulSet: require("@pulumi/kubernetes/apps/v1").StatefulSet,
            Job: require("@pulumi/kubernetes/batch/v1").Job,
            CronJob: require("@pulumi/kubernetes/batch/v1").CronJob,
            Service: require("@pulumi/kubernetes/core/v1").Service,
            ServiceAccount: require("@pulumi/kubernetes/core/v1").ServiceAccount,
            Ingress: require("@pulumi/kubernetes/networking/v1").Ingress,
            HelmRelease: require("@pulumi/kubernetes/helm/v3").Release,
            ContainerApp: require("@pulumi/azure-native/app").ContainerApp,
            ContainerAppJob: require("@pulumi/azure-native/app").Job,
            PostgresServer: require("@pulumi/azure-native/dbforpostgresql").Server,
            StorageAccount: require("@pulumi/azure-native/storage").StorageAccount,
            BlobContainer: require("@pulumi/azure-native/storage").BlobContainer,
            GcpBucket: require("@pulumi/gcp/storage").Bucket,
            GcpSecret: require("@pulumi/gcp/secretmanager").Secret,
        };
        for (const [name, standIn] of Object.entries(resourceTypes)) {
            const cls = real[name as keyof typeof resourceTypes] as { __pulumiType: string } | undefined;
            assert.ok(cls, `${name} has no real class to compare with`);
            assert.equal((standIn as unknown as { __pulumiType: string }).__pulumiType, cls.__pulumiType, name);
        }
    });

    describe("installed from its tarball into an empty folder", () => {
        let installed: InstalledPackage;
        let kubernetes: ProgramCapture;
        let azure: ProgramCapture;
        before(async () => {
            installed = packAndInstall(DEFAULT_PACK_DIR, ROOT, { omitDev: true });
            kubernetes = await runProgram({ stack: "prod" });
            azure = await runProgram({ stack: "prod", overrides: { platform: "azure" } });
        });
        after(() => installed?.remove());

        const summary = (vs: Violation[]) => vs.map((v) => [v.policy, v.enforcementLevel, v.urn ?? "stack", v.message]);
        const run = (capture: ProgramCapture) =>
            analyze(capture, {
                stack: "prod",
                packDir: installed.dir,
                installed: true,
                policyConfig: loadConfigFile(DEFAULT_PACK_DIR, "prod"),
            });

        it("holds the build, the project file and the manifest, nothing else", () => {
            assert.deepEqual(
                installed.files.filter((f) => !/^dist\/[a-z0-9-]+\.js$/.test(f)),
                ["PulumiPolicy.yaml", "README.md", "package.json"],
            );
            const sources = fs
                .readdirSync(DEFAULT_PACK_DIR)
                .filter((f) => f.endsWith(".ts"))
                .map((f) => `dist/${f.replace(/\.ts$/, ".js")}`);
            assert.deepEqual(installed.files.filter((f) => f.startsWith("dist/")).sort(), sources.sort());
        });

        // npm still installs `typescript`: @pulumi/pulumi declares it as an optional peer, and npm
        // keeps a satisfied optional peer of a production dependency. Unused: `main` is JavaScript.
        it("installs no provider SDK and runs on its own @pulumi/pulumi", () => {
            for (const name of ["@pulumi/kubernetes", "@pulumi/azure-native", "@pulumi/gcp", "ts-node"]) {
                assert.equal(
                    fs.existsSync(path.join(installed.dir, "node_modules", name)),
                    false,
                    `${name} was installed`,
                );
            }
            assert.ok(runPolicyPackOf(installed.dir).startsWith(path.join(installed.dir, "node_modules")));
        });

        it("reports on the real prod plans exactly what the in-repository pack reports", async () => {
            for (const capture of [kubernetes, azure]) {
                const fromTarball = await run(capture);
                const inRepo = await analyze(capture, { stack: "prod" });
                assert.equal(fromTarball.policies, catalog.length);
                assert.equal(fromTarball.resourcesAnalyzed, capture.resources.length);
                assert.deepEqual(summary(fromTarball.violations.filter((v) => v.enforcementLevel === "mandatory")), []);
                assert.deepEqual(summary(fromTarball.violations), summary(inRepo.violations));
            }
        });

        it("catches a change to the plan on both platforms", async () => {
            const deployment = kubernetes.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
            type PodSpecInputs = { spec: { template: { spec: { automountServiceAccountToken?: boolean } } } };
            type IngressInputs = { configuration?: { ingress?: { allowInsecure?: boolean } } };
            (deployment.inputs as PodSpecInputs).spec.template.spec.automountServiceAccountToken = true;
            const ingressOf = (r: { inputs: unknown }) => (r.inputs as IngressInputs).configuration?.ingress;
            const app = azure.resources.find((r) => r.type === "azure-native:app:ContainerApp" && ingressOf(r));
            assert.ok(app, "the Azure plan declares a Container App with ingress");
            ingressOf(app)!.allowInsecure = true;
            assert.deepEqual(
                summary((await run(kubernetes)).violations.filter((v) => v.enforcementLevel === "mandatory")),
                [
                    [
                        "service-account-token-not-automounted",
                        "mandatory",
                        deployment.urn,
                        "Set automountServiceAccountToken: false on the pod template spec.",
                    ],
                ],
            );
            assert.deepEqual(summary((await run(azure)).violations.filter((v) => v.enforcementLevel === "mandatory")), [
                ["container-app-https-only", "mandatory", app.urn, "Set configuration.ingress.allowInsecure: false."],
            ]);
        });
    });
});
