// The real program on Azure: Application Insights, the catalogue as Azure Monitor rules with the
// renderer's exact conditions, on-call action group, availability tests, workbook; and the same
// alerts and thresholds as the Kubernetes rules.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { backupSubjects } from "../../components/backup/backups";
import { azureBackupAlerts } from "../../components/observability/azure/backup-alerts";
import { azureServiceAlerts } from "../../components/observability/azure/service-alerts";
import { catalogueEntry, type AlertId } from "../../components/observability/catalogue";
import { onCallWebhookUrl } from "../../components/observability/monitoring";
import { placeholderSecret, SECRET_SIG, type ProgramCapture } from "../../tools/lib/mock-run";
import { inputsOf, plan, resource, resourcesOfType, outputsOf } from "../support/program";
import { ALERT_NAMES, THRESHOLDS, targets } from "./estate";

/** What the estate backs up (one PostgreSQL database, Redis, Neo4j): a BackupStale and a RestoreDrillOverdue each. */
const ESTATE_BACKUPS = backupSubjects(["estate"]);

const LOG = "azure-native:monitor:ScheduledQueryRule";
const METRIC = "azure-native:monitor:MetricAlert";
const azureRules = (c: ProgramCapture) => [...resourcesOfType(c, LOG), ...resourcesOfType(c, METRIC)];
const APP_HOST = (svc: string) => `https://${svc}.offline-env.westeurope.azurecontainerapps.io`;

/** alert/service → threshold in the catalogue's units, from what each platform declares. */
function kubernetesThresholds(c: ProgramCapture): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of resourcesOfType(c, "kubernetes:monitoring.coreos.com/v1:PrometheusRule")) {
        for (const rule of inputsOf(r).spec.groups.flatMap((g: { rules: unknown[] }) => g.rules)) {
            const [, value] = /(?:>=|>|<) ([0-9.]+)(?: or .*)?$/.exec(rule.expr)!;
            // Backup ages are rendered in seconds; the catalogue counts hours and days.
            const scale = rule.alert === "BackupStale" ? 3600 : rule.alert === "RestoreDrillOverdue" ? 86400 : 1;
            out[`${rule.alert}/${rule.labels.service}`] = Number(value) / scale;
        }
    }
    return out;
}
function azureThresholds(c: ProgramCapture): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of azureRules(c)) {
        const inputs = inputsOf(r);
        const alert: string = inputs.tags["estate-alert"];
        const condition = inputs.criteria.allOf[0];
        let value: number = condition.threshold;
        if (alert === "HttpLatencyP95High") value = value / 1000; // requests.duration is in milliseconds
        if (alert === "BackupStale") value = Number(/^PT(\d+)H$/.exec(inputs.overrideQueryTimeRange)![1]);
        // RestoreDrillOverdue compares the heartbeat's drill age in days with the threshold itself.
        out[`${alert}/${inputs.tags["estate-service"]}`] = value;
    }
    return out;
}

for (const stack of ["staging", "prod"] as const) {
    describe(`monitoring on azure (${stack})`, () => {
        let azure: ProgramCapture;
        let kubernetes: ProgramCapture;
        before(async () => {
            azure = await plan(stack, { platform: "azure" });
            kubernetes = await plan(stack, { platform: "kubernetes" });
        });

        it("gives every service a workspace-based Application Insights component", () => {
            for (const { service } of targets(stack)) {
                const component = resource(
                    azure,
                    "azure-native:applicationinsights:Component",
                    `${service}-telemetry-insights`,
                );
                const inputs = inputsOf(component);
                assert.deepEqual(
                    [inputs.kind, inputs.applicationType, inputs.ingestionMode, inputs.workspaceResourceId],
                    ["web", "web", "LogAnalytics", "foundation-logs-id"],
                );
                assert.equal(component.options.protect, stack === "prod");
            }
        });

        it("declares each catalogue alert with the renderer's exact condition, severity and runbook link", () => {
            const expected = [
                ...targets(stack).flatMap((t) => azureServiceAlerts(t, THRESHOLDS, `estate-${t.service}`)),
                ...azureBackupAlerts(ESTATE_BACKUPS, THRESHOLDS),
            ];
            assert.equal(azureRules(azure).length, expected.length);
            for (const alert of expected) {
                const type = alert.kind === "metric" ? METRIC : LOG;
                const subject = alert.kind === "log" && alert.subject ? `${alert.subject}-` : "";
                const rule = resource(azure, type, `monitoring-${alert.service}-${subject}${alert.id}`);
                const declared = rule;
                const inputs = inputsOf(rule);
                const severity = catalogueEntry(alert.id as AlertId).severity;
                assert.deepEqual(inputs.tags, {
                    "estate-service": alert.service,
                    "estate-alert": alert.alertName,
                    "estate-severity": severity,
                });
                assert.deepEqual(
                    [inputs.severity, inputs.windowSize, inputs.evaluationFrequency],
                    [alert.severity, alert.windowSize, alert.evaluationFrequency],
                );
                assert.equal(inputs.description, `${alert.description} Runbook: ${alert.runbookUrl}`);
                // The one PostgreSQL database's rules keep their identity from before rules carried a subject.
                if (alert.kind === "log" && alert.subject === "postgres-estate")
                    assert.match(
                        declared.options.aliases.join(" "),
                        new RegExp(
                            `^urn:pulumi:${stack}::estate::\\S+azure-native:monitor:ScheduledQueryRule::monitoring-backup-${alert.id}$`,
                        ),
                    );
                if (alert.kind === "log" && alert.subject === "redis-redis")
                    assert.equal(inputs.ruleName, `backup-redis-redis-${alert.id}`);
                if (alert.kind === "metric") {
                    assert.deepEqual(inputs.criteria, {
                        odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                        allOf: [alert.criterion],
                    });
                    // The app's id as an output: the alert waits for the app it watches.
                    assert.deepEqual(inputs.scopes, [`${alert.service}-app-id`]);
                    const app = resource(azure, "azure-native:app:ContainerApp", `${alert.service}-app`);
                    assert.deepEqual(rule.propertyDependencies["scopes"], [app.urn]);
                    assert.deepEqual(inputs.actions, [{ actionGroupId: "monitoring-on-call-id" }]);
                } else {
                    assert.deepEqual(inputs.criteria, { allOf: [alert.condition] });
                    assert.deepEqual(inputs.scopes, [
                        alert.source === "appInsights"
                            ? `${alert.service}-telemetry-insights-id`
                            : "foundation-logs-id",
                    ]);
                    assert.deepEqual(inputs.actions, {
                        actionGroups: ["monitoring-on-call-id"],
                        customProperties: { runbook_url: alert.runbookUrl },
                    });
                }
            }
        });

        it("filters each service's telemetry on the OTEL_SERVICE_NAME its app reports", () => {
            for (const { service } of targets(stack)) {
                const app = inputsOf(resource(azure, "azure-native:app:ContainerApp", `${service}-app`));
                const serviceName = app.template.containers[0].env.find(
                    (e: { name: string }) => e.name === "OTEL_SERVICE_NAME",
                ).value;
                assert.equal(serviceName, `estate-${service}`);
                const rules = azureRules(azure).filter(
                    (r) => r.type === LOG && inputsOf(r).tags["estate-service"] === service,
                );
                assert.ok(rules.length > 0);
                for (const r of rules) {
                    const query: string = inputsOf(r).criteria.allOf[0].query;
                    if (query.includes("cloud_RoleName"))
                        assert.match(query, new RegExp(`cloud_RoleName == "${serviceName}"`));
                }
            }
        });

        it("gives each app its own component's connection string, by Key Vault reference", () => {
            for (const { service } of targets(stack)) {
                const app = resource(azure, "azure-native:app:ContainerApp", `${service}-app`);
                const inputs = inputsOf(app);
                const env = inputs.template.containers[0].env.find(
                    (e: { name: string }) => e.name === "APPLICATIONINSIGHTS_CONNECTION_STRING",
                );
                const secretName = `${service}-appinsights-connection`;
                assert.deepEqual(env, { name: "APPLICATIONINSIGHTS_CONNECTION_STRING", secretRef: secretName });
                const ref = inputs.configuration.secrets.find((x: { name: string }) => x.name === secretName);
                assert.match(ref.keyVaultUrl, new RegExp(`/secrets/${secretName}$`));
                const secret = resource(azure, "azure-native:keyvault:Secret", `app-secrets-${secretName}`);
                assert.equal(
                    inputsOf(secret).properties.value,
                    `InstrumentationKey=${service}-telemetry-insights-offline-key;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/`,
                );
                assert.ok(
                    (secret.inputs["properties"] as Record<string, Record<string, unknown>>)["value"]?.[SECRET_SIG],
                    "the connection string is stored as a Pulumi secret",
                );
                // The app is created after the secret it reads (its URI is an output of the secret).
                assert.deepEqual(app.propertyDependencies["configuration"]?.includes(secret.urn), true);
            }
        });

        it("has the same alerts with the same thresholds as the Kubernetes rules", () => {
            const k8s = kubernetesThresholds(kubernetes);
            const az = azureThresholds(azure);
            assert.deepEqual(Object.keys(az).sort(), Object.keys(k8s).sort());
            assert.deepEqual(az, k8s);
            assert.equal(k8s["HttpLatencyP95High/api"], 2);
            assert.equal(k8s["HttpErrorRateHigh/gateway"], 1);
            assert.equal(k8s["BackupStale/backup"], 26);
            assert.deepEqual(outputsOf(azure).alerting.alertNames, ALERT_NAMES);
            assert.deepEqual(outputsOf(azure).alerting.alertNames, outputsOf(kubernetes).alerting.alertNames);
        });

        it("pages through an action group whose receiver URL stays a secret", () => {
            const group = resource(azure, "azure-native:monitor:ActionGroup", "monitoring-on-call");
            // In wire form: a secret is an object carrying Pulumi's secret signature.
            const receivers = group.inputs["webhookReceivers"] as ReadonlyArray<{
                serviceUri?: Record<string, unknown>;
            }>;
            assert.equal(receivers.length, 1);
            assert.ok(receivers[0]!.serviceUri?.[SECRET_SIG], "the webhook URL is a Pulumi secret");
            const kind = stack === "prod" ? "pagerduty" : "webhook";
            const inputs = inputsOf(group);
            assert.deepEqual(inputs.webhookReceivers, [
                {
                    name: kind,
                    serviceUri: onCallWebhookUrl(kind, placeholderSecret("estate:alertOnCallKey")),
                    useCommonAlertSchema: true,
                },
            ]);
            // Both stack files name the on-call address that receives tickets.
            assert.deepEqual(inputs.emailReceivers, [
                { name: "email-1", emailAddress: "oncall@estate.example.com", useCommonAlertSchema: true },
            ]);
            assert.deepEqual(outputsOf(azure).alerting.routingIds, ["monitoring-on-call-id"]);
            assert.equal(outputsOf(azure).alerting.receiverKind, kind);
        });

        it("tests each public /healthz from three locations, linked to the service's component", () => {
            const tests = resourcesOfType(azure, "azure-native:applicationinsights:WebTest").map((r) => inputsOf(r));
            assert.deepEqual(tests.map((t) => t.webTestName).sort(), [
                "api-public-endpoint",
                "gateway-public-endpoint",
                "ui-public-endpoint",
            ]);
            const api = tests.find((t) => t.webTestName === "api-public-endpoint")!;
            assert.deepEqual(api.request, {
                requestUrl: `${APP_HOST("api")}/healthz`,
                httpVerb: "GET",
                followRedirects: false,
            });
            assert.deepEqual(api.validationRules, {
                expectedHttpStatusCode: 200,
                sSLCheck: true,
                sSLCertRemainingLifetimeCheck: 7,
            });
            assert.deepEqual(api.tags, {
                "hidden-link:api-telemetry-insights-id": "Resource",
                "estate-service": "api",
            });
            assert.equal(api.locations.length, 3);
        });

        it("draws every alert in one workbook", () => {
            const workbook = inputsOf(
                resource(azure, "azure-native:applicationinsights:Workbook", "monitoring-workbook"),
            );
            assert.match(workbook.resourceName, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
            const doc = JSON.parse(workbook.serializedData);
            assert.equal(doc.items.length, azureRules(azure).length);
            const latency = doc.items.find((i: { name: string }) => i.name === "api-http-latency-p95-high");
            assert.deepEqual(latency.content.crossComponentResources, ["api-telemetry-insights-id"]);
        });
    });
}
