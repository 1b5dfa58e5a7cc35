import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as monitor from "@pulumi/azure-native/monitor";
import { azureTags, HIDDEN_LINK_TAG_PREFIX } from "../../platform/azure/tags";
import type { AzureAlert } from "./azure-monitor";
import { azureBackupAlerts } from "./backup-alerts";
import { azureServiceAlerts } from "./service-alerts";
import { workbookDocument } from "./workbook";
import {
    alertNamesByService,
    alertTarget,
    onCallWebhookUrl,
    type MonitoringArgs,
    type MonitoringOutputs,
    type OnCallReceiverKind,
} from "../monitoring";

export interface AzureMonitoringArgs extends MonitoringArgs {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    /** Log Analytics workspace the Application Insights components and backup log alerts use. */
    readonly workspaceId: pulumi.Input<string>;
    /** ARM id of each service's Container App, by service name (metric alert scopes). */
    readonly appIds: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * Application Insights component id of each service, by service name (ServiceInsights): the
     * platform declares them before the apps, which are given their connection strings.
     */
    readonly componentIds: Readonly<Record<string, pulumi.Input<string>>>;
    /** `cloud_RoleName` of each service's telemetry (its OTEL_SERVICE_NAME), by service name. @default the service name */
    readonly roleNames?: Readonly<Record<string, string>>;
    /** Availability test locations. @default three regions on two continents */
    readonly testLocations?: readonly string[];
}

const DEFAULT_TEST_LOCATIONS = ["emea-nl-ams-azr", "emea-gb-db3-azr", "us-va-ash-azr"];

/** Workbook names must be GUIDs; derive a stable one so a redeploy updates the same workbook. */
export function stableGuid(seed: string): string {
    const h = createHash("sha256").update(seed).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Tags policies read to tell which service and alert a rule implements. */
export function alertTags(alert: AzureAlert, severity: "page" | "ticket"): Record<string, string> {
    return azureTags({ "estate-service": alert.service, "estate-alert": alert.alertName, "estate-severity": severity });
}

/**
 * The catalogue over each service's Application Insights component as metric alerts and scheduled query rules, an
 * on-call action group, availability tests of the public health endpoints and a workbook.
 *
 * Container Apps scale rules (KEDA scalers run by the platform) cannot query Application
 * Insights, so p95-latency scaling is not available here: services keep their HTTP-concurrency
 * and CPU scale rules, and the p95 alert pages instead.
 */
export class AzureMonitoring extends pulumi.ComponentResource implements MonitoringOutputs {
    readonly receiverKind: pulumi.Output<OnCallReceiverKind>;
    readonly routingIds: pulumi.Output<string[]>;
    readonly alertNames: pulumi.Output<Record<string, string[]>>;

    constructor(name: string, args: AzureMonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:observability:AzureMonitoring", name, {}, opts);
        const t = args.thresholds;
        const rg = args.resourceGroupName;
        const onCall = args.onCall;
        const actionGroup = new monitor.ActionGroup(
            `${name}-on-call`,
            {
                resourceGroupName: rg,
                location: "global",
                actionGroupName: `${name}-on-call`,
                groupShortName: "oncall",
                enabled: true,
                // The key is the secret part of the URL: it stays a Pulumi secret end to end.
                webhookReceivers:
                    onCall.key !== undefined
                        ? [
                              {
                                  name: onCall.kind,
                                  serviceUri: pulumi.secret(onCall.key.apply((k) => onCallWebhookUrl(onCall.kind, k))),
                                  useCommonAlertSchema: true,
                              },
                          ]
                        : [],
                emailReceivers: (onCall.emails ?? []).map((emailAddress, i) => ({
                    name: `email-${i + 1}`,
                    emailAddress,
                    useCommonAlertSchema: true,
                })),
            },
            { parent: this },
        );

        const componentIds: Record<string, pulumi.Output<string>> = {};
        const allAlerts: AzureAlert[] = [];
        for (const service of args.services) {
            const svc = service.name;
            const componentId = args.componentIds[svc];
            if (componentId === undefined)
                throw new pulumi.ResourceError(
                    `\`componentIds.${svc}\` is required: the service's alerts query its Application Insights component`,
                    this,
                );
            componentIds[svc] = pulumi.output(componentId);
            const alerts = azureServiceAlerts(
                alertTarget(service, service.healthUrl !== undefined ? "https://public.invalid/healthz" : undefined),
                t,
                args.roleNames?.[svc] ?? svc,
            );
            allAlerts.push(...alerts);
            for (const alert of alerts) this.declareAlert(name, alert, componentId, args, actionGroup.id);
            if (service.healthUrl !== undefined) {
                // The test name is what availabilityResults reports and PublicEndpointDown selects on.
                const testName = `${svc}-public-endpoint`;
                new applicationinsights.WebTest(
                    `${name}-${svc}-availability`,
                    {
                        resourceGroupName: rg,
                        location: args.location,
                        webTestName: testName,
                        syntheticMonitorId: testName,
                        kind: "standard",
                        webTestKind: "standard",
                        enabled: true,
                        frequency: 300,
                        timeout: 30,
                        retryEnabled: true,
                        locations: (args.testLocations ?? DEFAULT_TEST_LOCATIONS).map((location) => ({ location })),
                        request: { requestUrl: service.healthUrl, httpVerb: "GET", followRedirects: false },
                        validationRules: {
                            expectedHttpStatusCode: 200,
                            sSLCheck: true,
                            sSLCertRemainingLifetimeCheck: 7,
                        },
                        // Azure links a test to its component through this tag.
                        tags: pulumi
                            .output(componentId)
                            .apply((id) =>
                                azureTags({ [`${HIDDEN_LINK_TAG_PREFIX}${id}`]: "Resource", "estate-service": svc }),
                            ),
                    },
                    { parent: this },
                );
            }
        }
        const backupAlerts = azureBackupAlerts(args.backups ?? [], t);
        allAlerts.push(...backupAlerts);
        for (const alert of backupAlerts) this.declareAlert(name, alert, undefined, args, actionGroup.id);

        new applicationinsights.Workbook(
            `${name}-workbook`,
            {
                resourceGroupName: rg,
                location: args.location,
                resourceName: stableGuid(`${name}-workbook`),
                kind: "shared",
                category: "workbook",
                displayName: "estate alerts",
                sourceId: "Azure Monitor",
                serializedData: pulumi
                    .all(componentIds)
                    .apply((ids) => JSON.stringify(workbookDocument(allAlerts, ids))),
            },
            { parent: this },
        );

        this.receiverKind = pulumi.output(onCall.kind);
        this.routingIds = actionGroup.id.apply((id) => [id]);
        this.alertNames = pulumi.output(alertNamesByService(args));
        this.registerOutputs({
            receiverKind: this.receiverKind,
            routingIds: this.routingIds,
            alertNames: this.alertNames,
        });
    }

    private declareAlert(
        name: string,
        alert: AzureAlert,
        componentId: pulumi.Input<string> | undefined,
        args: AzureMonitoringArgs,
        actionGroupId: pulumi.Input<string>,
    ): void {
        const severity = alert.severity === 1 ? "page" : "ticket";
        // Backup alerts exist once per (store, database): the subject keeps their names apart.
        const qualified =
            alert.kind === "log" && alert.subject !== undefined ? `${alert.subject}-${alert.id}` : alert.id;
        const childName = `${name}-${alert.service}-${qualified}`;
        const ruleName = `${alert.service}-${qualified}`;
        const aliases =
            alert.kind === "log" && alert.unqualifiedBefore
                ? [
                      pulumi.createUrn(
                          `${name}-${alert.service}-${alert.id}`,
                          "azure-native:monitor:ScheduledQueryRule",
                          this,
                      ),
                  ]
                : [];
        const common = {
            resourceGroupName: args.resourceGroupName,
            description: `${alert.description} Runbook: ${alert.runbookUrl}`,
            severity: alert.severity,
            windowSize: alert.windowSize,
            evaluationFrequency: alert.evaluationFrequency,
            tags: alertTags(alert, severity),
        };
        if (alert.kind === "metric") {
            const scope = args.appIds[alert.service];
            if (scope === undefined)
                throw new pulumi.ResourceError(
                    `\`appIds.${alert.service}\` is required for the metric alert \`${alert.id}\``,
                    this,
                );
            new monitor.MetricAlert(
                childName,
                {
                    ...common,
                    ruleName,
                    location: "global",
                    enabled: true,
                    autoMitigate: true,
                    scopes: [scope],
                    criteria: {
                        odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                        allOf: [alert.criterion],
                    },
                    actions: [{ actionGroupId }],
                },
                { parent: this },
            );
            return;
        }
        const scope = alert.source === "appInsights" ? componentId : args.workspaceId;
        if (scope === undefined)
            throw new pulumi.ResourceError(
                `no Application Insights component for the log alert \`${alert.id}\` of \`${alert.service}\``,
                this,
            );
        new monitor.ScheduledQueryRule(
            childName,
            {
                ...common,
                ruleName,
                location: args.location,
                kind: "LogAlert",
                displayName: `${alert.service} ${alert.alertName}`,
                enabled: true,
                autoMitigate: true,
                scopes: [scope],
                criteria: { allOf: [{ ...alert.condition, failingPeriods: { ...alert.condition.failingPeriods } }] },
                ...(alert.overrideQueryTimeRange !== undefined
                    ? { overrideQueryTimeRange: alert.overrideQueryTimeRange }
                    : {}),
                actions: { actionGroups: [actionGroupId], customProperties: { runbook_url: alert.runbookUrl } },
            },
            { parent: this, aliases },
        );
    }
}
