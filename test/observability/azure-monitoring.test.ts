import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { azureBackupAlerts } from "../../components/observability/azure/backup-alerts";
import { azureServiceAlerts } from "../../components/observability/azure/service-alerts";
import { AzureMonitoring, type AzureMonitoringArgs } from "../../components/observability/azure/monitoring";
import { alertTarget } from "../../components/observability/monitoring";
import { runComponents, SECRET_SIG } from "../../tools/lib/mock-run";
import { inputsOf, resource, resourcesOfType } from "../support/program";
import { THRESHOLDS } from "./estate";
import { refusalOf } from "../support/components";

const METRIC = "azure-native:monitor:MetricAlert";
const LOG = "azure-native:monitor:ScheduledQueryRule";
const SCALING = { minReplicas: 2, maxReplicas: 6, targetCpuPercent: 70 };

/** A public api with a backed-up database and an internal worker; each test changes one thing. */
function args(overrides: Partial<AzureMonitoringArgs> = {}): AzureMonitoringArgs {
    return {
        services: [
            {
                name: "api",
                dependencies: ["postgres"],
                healthUrl: "https://api.example.com/healthz",
                scaling: SCALING,
            },
            { name: "worker", scaling: SCALING },
        ],
        backups: [{ store: "postgres", database: "estate", service: "api" }],
        thresholds: THRESHOLDS,
        onCall: { kind: "pagerduty", key: pulumi.secret("routing-key"), emails: ["oncall@example.com"] },
        resourceGroupName: "rg-estate",
        location: "westeurope",
        workspaceId: "/workspaces/estate",
        appIds: { api: "/apps/api", worker: "/apps/worker" },
        componentIds: { api: "/components/api", worker: "/components/worker" },
        ...overrides,
    };
}

async function declare(overrides: Partial<AzureMonitoringArgs> = {}) {
    let monitoring!: AzureMonitoring;
    const capture = await runComponents(() => {
        monitoring = new AzureMonitoring("monitoring", args(overrides));
    });
    return { capture, monitoring };
}

/** The message the constructor throws, caught inside the run so the run itself completes. */
function refusal(overrides: Partial<AzureMonitoringArgs>): Promise<string> {
    return refusalOf(() => {
        new AzureMonitoring("monitoring", args(overrides));
    });
}

describe("AzureMonitoring (component)", () => {
    it("declares one rule per rendered alert, a web test per public service, one action group and one workbook", async () => {
        const { capture } = await declare();
        const rendered = [
            ...azureServiceAlerts(
                alertTarget(args().services[0]!, "https://public.invalid/healthz"),
                THRESHOLDS,
                "api",
            ),
            ...azureServiceAlerts(alertTarget(args().services[1]!, undefined), THRESHOLDS, "worker"),
            ...azureBackupAlerts(args().backups ?? [], THRESHOLDS),
        ];
        const rules = [...resourcesOfType(capture, METRIC), ...resourcesOfType(capture, LOG)];
        assert.equal(rules.length, rendered.length);
        assert.ok(rules.length > 10, "the catalogue renders more than a handful of rules");
        assert.equal(new Set(rules.map((r) => r.name)).size, rules.length);
        assert.deepEqual(
            resourcesOfType(capture, "azure-native:applicationinsights:WebTest").map((r) => r.name),
            ["monitoring-api-availability"],
        );
        assert.equal(resourcesOfType(capture, "azure-native:monitor:ActionGroup").length, 1);
        assert.equal(resourcesOfType(capture, "azure-native:applicationinsights:Workbook").length, 1);
        const component = capture.resources.find((r) => r.type === "estate:observability:AzureMonitoring");
        for (const child of capture.resources.filter((r) => r.custom)) assert.equal(child.parent, component?.urn);
    });

    it("pages through one action group: the PagerDuty webhook kept secret, and the e-mails", async () => {
        const { capture, monitoring } = await declare();
        const group = resource(capture, "azure-native:monitor:ActionGroup", "monitoring-on-call");
        const inputs = inputsOf(group);
        assert.deepEqual(
            [inputs.location, inputs.actionGroupName, inputs.groupShortName, inputs.enabled],
            ["global", "monitoring-on-call", "oncall", true],
        );
        assert.equal(inputs.webhookReceivers.length, 1);
        assert.equal(inputs.webhookReceivers[0].name, "pagerduty");
        assert.equal(
            inputs.webhookReceivers[0].serviceUri,
            "https://events.pagerduty.com/integration/routing-key/enqueue",
        );
        const wire = (group.inputs.webhookReceivers as Array<Record<string, unknown>>)[0]!.serviceUri;
        assert.equal((wire as Record<string, unknown>)[SECRET_SIG] !== undefined, true);
        assert.deepEqual(inputs.emailReceivers, [
            { name: "email-1", emailAddress: "oncall@example.com", useCommonAlertSchema: true },
        ]);
        assert.deepEqual(await new Promise((resolve) => monitoring.routingIds.apply(resolve)), [
            "monitoring-on-call-id",
        ]);
        const silent = inputsOf(
            resource(
                (await declare({ onCall: { kind: "webhook" } })).capture,
                "azure-native:monitor:ActionGroup",
                "monitoring-on-call",
            ),
        );
        assert.deepEqual([silent.webhookReceivers, silent.emailReceivers], [[], []]);
    });

    it("probes the public health URL from three regions, checking TLS, linked to the service's component", async () => {
        const { capture } = await declare();
        const test = inputsOf(
            resource(capture, "azure-native:applicationinsights:WebTest", "monitoring-api-availability"),
        );
        assert.deepEqual(
            [test.webTestName, test.syntheticMonitorId, test.frequency, test.timeout],
            ["api-public-endpoint", "api-public-endpoint", 300, 30],
        );
        assert.deepEqual(test.locations, [
            { location: "emea-nl-ams-azr" },
            { location: "emea-gb-db3-azr" },
            { location: "us-va-ash-azr" },
        ]);
        assert.deepEqual(test.request, {
            requestUrl: "https://api.example.com/healthz",
            httpVerb: "GET",
            followRedirects: false,
        });
        assert.deepEqual(test.validationRules, {
            expectedHttpStatusCode: 200,
            sSLCheck: true,
            sSLCertRemainingLifetimeCheck: 7,
        });
        assert.equal(test.tags["hidden-link:/components/api"], "Resource");
    });

    it("scopes metric alerts to the app, and log alerts to the component or the workspace, all to the on-call group", async () => {
        const { capture } = await declare();
        for (const rule of resourcesOfType(capture, METRIC)) {
            const inputs = inputsOf(rule);
            const service = inputs.tags["estate-service"];
            assert.deepEqual(inputs.scopes, [`/apps/${service}`], rule.name);
            assert.deepEqual(inputs.actions, [{ actionGroupId: "monitoring-on-call-id" }]);
        }
        const logScopes = resourcesOfType(capture, LOG).map((r) => inputsOf(r).scopes[0]);
        assert.ok(logScopes.includes("/components/api"));
        assert.ok(logScopes.includes("/workspaces/estate"));
        for (const rule of resourcesOfType(capture, LOG))
            assert.deepEqual(inputsOf(rule).actions.actionGroups, ["monitoring-on-call-id"], rule.name);
    });

    it("refuses a service without its Application Insights component", async () => {
        assert.equal(
            await refusal({ componentIds: { api: "/components/api" } }),
            "`componentIds.worker` is required: the service's alerts query its Application Insights component",
        );
    });

    it("refuses a metric alert without the app it watches", async () => {
        assert.equal(
            await refusal({ appIds: { worker: "/apps/worker" } }),
            "`appIds.api` is required for the metric alert `container-restarts-high`",
        );
    });
});
