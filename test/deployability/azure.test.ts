import type { ContainerAppArgs } from "@pulumi/azure-native/app";
import type { Unwrap } from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { checkDeployability, type DeployabilityFinding } from "../../tools/deployability";
import { azureRules } from "../../tools/deployability/azure";
import { documentedBounds } from "../../tools/deployability/azure/container-apps";
import type { CapturedResource, ProgramCapture } from "../../tools/lib/mock-run";
import { plan, stacks } from "../support/program";

/** A copy of the plan with one resource changed: the case under test, nothing else. */
function withChange(
    capture: ProgramCapture,
    type: string,
    name: string,
    change: (r: CapturedResource) => void,
): ProgramCapture {
    const copy = structuredClone(capture);
    const target = copy.resources.filter((r) => r.type === type && r.name === name);
    assert.equal(target.length, 1, `one ${type} ${name}`);
    change(target[0]!);
    return copy;
}

const urnOf = (capture: ProgramCapture, type: string, name: string) =>
    capture.resources.find((r) => r.type === type && r.name === name)!.urn;
const only = (findings: DeployabilityFinding[]) =>
    findings.map(({ rule, property, value }) => ({ rule, property, value }));

/** A Container App's template as the plan records it, typed by the provider's own input types. */
const templateOf = (r: CapturedResource) => r.inputs["template"] as NonNullable<Unwrap<ContainerAppArgs["template"]>>;
const probesOf = (r: CapturedResource) => templateOf(r).containers![0]!.probes!;

const APP = "azure-native:app:ContainerApp";
const JOB = "azure-native:app:Job";
const METRIC = "azure-native:monitor:MetricAlert";
const LOG = "azure-native:monitor:ScheduledQueryRule";

describe("azure deployability rules", () => {
    const captures: Record<string, ProgramCapture> = {};
    before(async () => {
        for (const stack of stacks) captures[stack] = await plan(stack, { platform: "azure" });
    });

    for (const stack of stacks) {
        it(`find nothing in the ${stack} plan`, () => {
            assert.deepEqual(checkDeployability(captures[stack]!, azureRules), []);
        });
    }

    it("every rule cites its source", () => {
        for (const rule of azureRules)
            assert.match(rule.source, /learn\.microsoft\.com|pulumi-azure-native|@pulumi\/azure-native/);
    });

    const cases: Array<[string, string, string, (r: CapturedResource) => void, ReturnType<typeof only>]> = [
        [
            "an autonamed vault whose name + 8 characters exceeds 24",
            "azure-native:keyvault:Vault",
            "app-secrets-vault",
            (r) => delete r.inputs["vaultName"],
            [{ rule: "azure-resource-name", property: "vaultName", value: "app-secrets-vault<8 random>" }],
        ],
        [
            "a storage account name with a hyphen",
            "azure-native:storage:StorageAccount",
            "backups-account",
            (r) => (r.inputs["accountName"] = "estate-prod-backups"),
            [{ rule: "azure-resource-name", property: "accountName", value: "estate-prod-backups" }],
        ],
        [
            "a Container App name with an upper-case letter",
            APP,
            "ui-app",
            (r) => (r.inputs["containerAppName"] = "UI"),
            [{ rule: "azure-resource-name", property: "containerAppName", value: "UI" }],
        ],
        [
            "a tag name with a slash",
            APP,
            "api-app",
            (r) => ((r.inputs["tags"] as Record<string, string>)["estate.io/tier"] = "app"),
            [{ rule: "azure-tags", property: 'tags["estate.io/tier"]', value: "estate.io/tier" }],
        ],
        [
            "a metric alert over 10 minutes",
            METRIC,
            "monitoring-api-cpu-saturation-high",
            (r) => (r.inputs["windowSize"] = "PT10M"),
            [{ rule: "azure-metric-alert-window", property: "windowSize", value: "PT10M" }],
        ],
        [
            "a metric alert evaluated less often than its window",
            METRIC,
            "monitoring-api-cpu-saturation-high",
            (r) => (r.inputs["evaluationFrequency"] = "PT30M"),
            [{ rule: "azure-metric-alert-window", property: "evaluationFrequency", value: "PT30M" }],
        ],
        [
            "a log alert over 2 minutes",
            LOG,
            "monitoring-api-postgres-down",
            (r) => (r.inputs["windowSize"] = "PT2M"),
            [{ rule: "azure-log-alert-window", property: "windowSize", value: "PT2M" }],
        ],
        [
            "a log alert looking back 35 days",
            LOG,
            "monitoring-backup-postgres-estate-restore-drill-overdue",
            (r) => (r.inputs["overrideQueryTimeRange"] = "P35D"),
            [{ rule: "azure-log-alert-window", property: "overrideQueryTimeRange", value: "P35D" }],
        ],
        [
            "a metric alert scoped to a hand-built id",
            METRIC,
            "monitoring-api-cpu-saturation-high",
            (r) => {
                r.inputs["scopes"] = ["/subscriptions/x/resourceGroups/y/providers/Microsoft.App/containerApps/api"];
                r.propertyDependencies["scopes"] = [];
            },
            [
                {
                    rule: "azure-alert-scope-ordering",
                    property: "scopes",
                    value: ["/subscriptions/x/resourceGroups/y/providers/Microsoft.App/containerApps/api"],
                },
            ],
        ],
        [
            "a probe period over 240 s",
            APP,
            "api-app",
            (r) => {
                probesOf(r)[1]!.periodSeconds = 300;
            },
            [
                {
                    rule: "azure-container-app-probe-bounds",
                    property: "template.containers[0].probes[1].periodSeconds",
                    value: 300,
                },
            ],
        ],
        [
            "a start-up probe allowing 30 failures",
            APP,
            "ollama-app",
            (r) => (probesOf(r)[0]!.failureThreshold = 30),
            [
                {
                    rule: "azure-container-app-probe-bounds",
                    property: "template.containers[0].probes[0].failureThreshold",
                    value: 30,
                },
            ],
        ],
        [
            "a workspace keeping logs 7 days",
            "azure-native:operationalinsights:Workspace",
            "foundation-logs",
            (r) => (r.inputs["retentionInDays"] = 7),
            [{ rule: "azure-log-analytics-retention", property: "retentionInDays", value: 7 }],
        ],
        [
            "an environment's infrastructure subnet smaller than a /27",
            "azure-native:network:Subnet",
            "foundation-network-apps",
            (r) => (r.inputs["addressPrefix"] = "10.40.0.0/28"),
            [{ rule: "azure-container-apps-environment-network", property: "addressPrefix", value: "10.40.0.0/28" }],
        ],
        [
            "a zone-redundant environment outside a VNet",
            "azure-native:app:ManagedEnvironment",
            "foundation-env",
            (r) => {
                delete r.inputs["vnetConfiguration"];
                delete r.propertyDependencies["vnetConfiguration"];
            },
            [{ rule: "azure-container-apps-environment-network", property: "zoneRedundant", value: true }],
        ],
    ];
    for (const [what, type, name, change, expected] of cases) {
        it(`refuses ${what}`, () => {
            assert.deepEqual(
                only(checkDeployability(withChange(captures["prod"]!, type, name, change), azureRules)),
                expected,
            );
        });
    }

    it("refuses an app that does not wait for its identity's role on a secret it reads", () => {
        const prod = captures["prod"]!;
        const role = urnOf(prod, "azure-native:authorization:RoleAssignment", "app-secrets-gateway-jwt-secret");
        // The gateway's component carries the readiness; drop it there.
        const broken = withChange(prod, "estate:workload:ContainerAppService", "gateway", (r) => {
            r.dependencies = r.dependencies.filter((urn) => urn !== role);
        });
        assert.deepEqual(only(checkDeployability(broken, azureRules)), [
            {
                rule: "azure-key-vault-reference-ordering",
                property: "dependsOn",
                value: ["app-secrets-gateway-jwt-secret"],
            },
        ]);
    });

    it("refuses an app whose identity has no role on a secret it reads", () => {
        const prod = captures["prod"]!;
        const broken = structuredClone(prod);
        broken.resources = broken.resources.filter(
            (r) =>
                !(
                    r.type === "azure-native:authorization:RoleAssignment" &&
                    r.name === "app-secrets-ui-ui-appinsights-connection"
                ),
        );
        const findings = checkDeployability(broken, azureRules);
        assert.deepEqual(only(findings), [
            {
                rule: "azure-key-vault-reference-ordering",
                property: "dependsOn",
                value: ["app-secrets-ui-appinsights-connection"],
            },
        ]);
        assert.match(
            findings[0]!.fix,
            /Key Vault Secrets User" on app-secrets-ui-appinsights-connection \(secret scope\)/,
        );
    });

    it("refuses a job that does not wait for the vault's private endpoint", () => {
        const prod = captures["prod"]!;
        const endpoint = urnOf(prod, "azure-native:network:PrivateEndpoint", "app-secrets-endpoint");
        const broken = withChange(prod, "estate:workload:ContainerAppJob", "api-migrate", (r) => {
            r.dependencies = r.dependencies.filter((urn) => urn !== endpoint);
        });
        const findings = checkDeployability(broken, azureRules);
        assert.deepEqual(only(findings), [
            {
                rule: "azure-key-vault-reference-ordering",
                property: "dependsOn",
                value: ["app-secrets-endpoint", "app-secrets-endpoint-dns"],
            },
        ]);
        assert.equal(findings[0]!.urn, urnOf(prod, JOB, "api-migrate-job"));
    });

    it("refuses a schema owner that waits for its Manual migration job but not for the job's run", () => {
        const prod = captures["prod"]!;
        const run = urnOf(prod, "command:local:Command", "api-migrate-run");
        // The service passes its dependsOn to its app: drop the run from both.
        const broken = withChange(
            withChange(prod, "estate:workload:ContainerAppService", "api", (r) => {
                r.dependencies = r.dependencies.filter((urn) => urn !== run);
            }),
            APP,
            "api-app",
            (r) => {
                r.dependencies = r.dependencies.filter((urn) => urn !== run);
            },
        );
        const findings = checkDeployability(broken, azureRules);
        assert.deepEqual(only(findings), [
            { rule: "azure-manual-job-run", property: "dependsOn", value: "api-migrate-job" },
        ]);
        assert.equal(findings[0]!.urn, urnOf(prod, APP, "api-app"));
        assert.match(findings[0]!.fix, /depend on api-migrate-run/);
    });

    it("refuses a Manual job that no run starts", () => {
        const prod = captures["prod"]!;
        const broken = structuredClone(prod);
        broken.resources = broken.resources.filter(
            (r) => !(r.type === "command:local:Command" && r.name === "api-migrate-run"),
        );
        assert.deepEqual(only(checkDeployability(broken, azureRules)), [
            { rule: "azure-manual-job-run", property: "dependsOn", value: "api-migrate-job" },
        ]);
    });

    it("refuses a read replica created alongside the primary's database", () => {
        const prod = captures["prod"]!;
        const broken = withChange(prod, "azure-native:dbforpostgresql:Server", "postgres-replica-1", (r) => {
            r.dependencies = [];
        });
        assert.deepEqual(only(checkDeployability(broken, azureRules)), [
            {
                rule: "azure-postgres-replica-ordering",
                property: "dependsOn",
                value: ["postgres-require-secure-transport", "postgres-ssl-min-protocol-version", "postgres-db"],
            },
        ]);
    });

    it("reads the probe bounds from the installed provider's types", () => {
        assert.deepEqual(documentedBounds("ContainerAppProbeArgs"), {
            failureThreshold: { min: 1, max: 10 },
            initialDelaySeconds: { min: 1, max: 60 },
            periodSeconds: { min: 1, max: 240 },
            successThreshold: { min: 1, max: 10 },
            terminationGracePeriodSeconds: { max: 3600 },
            timeoutSeconds: { min: 1, max: 240 },
        });
    });
});
