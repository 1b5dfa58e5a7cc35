// The alerting resources of both platforms and what the alert policies read of them: the alerts
// declared, and the Alertmanager receivers that hold a credential.
import { PolicyResource } from "@pulumi/policy";
import { field, list, text } from "./lib";

export const PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
export const ALERTMANAGER_CONFIG = "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig";
export const SCHEDULED_QUERY_RULE = "azure-native:monitor:ScheduledQueryRule";
export const METRIC_ALERT = "azure-native:monitor:MetricAlert";
export const ACTION_GROUP = "azure-native:monitor:ActionGroup";
/** Tags the Azure rules carry so a reader can tell which service and catalogue alert each implements. */
export const SERVICE_TAG = "estate-service";
export const ALERT_TAG = "estate-alert";

/** One alert as declared, on either platform. */
export interface DeclaredAlert {
    readonly platform: "kubernetes" | "azure";
    readonly service: string;
    readonly alert: string;
    /** `page`/`ticket` label, or the Azure severity number. */
    readonly severity: string | number | undefined;
    readonly r: PolicyResource;
}

export function declaredAlerts(resources: PolicyResource[]): DeclaredAlert[] {
    const out: DeclaredAlert[] = [];
    for (const r of resources) {
        if (r.type === PROMETHEUS_RULE) {
            for (const group of r.props.spec?.groups ?? []) {
                for (const rule of group.rules ?? []) {
                    if (rule.alert)
                        out.push({
                            platform: "kubernetes",
                            service: rule.labels?.service ?? "",
                            alert: rule.alert,
                            severity: rule.labels?.severity,
                            r,
                        });
                }
            }
        } else if (r.type === SCHEDULED_QUERY_RULE || r.type === METRIC_ALERT) {
            const tags: Record<string, string> = r.props.tags ?? {};
            out.push({
                platform: "azure",
                service: tags[SERVICE_TAG] ?? "",
                alert: tags[ALERT_TAG] ?? "",
                severity: r.props.severity,
                r,
            });
        }
    }
    return out;
}

/** Receivers that hold a credential by reference: a Secret name and key for each config. */
export function credentialedReceivers(spec: unknown): Set<string> {
    const out = new Set<string>();
    const ref = (s: unknown) => (text(s, "name") ?? "") !== "" && (text(s, "key") ?? "") !== "";
    for (const receiver of list(spec, "receivers")) {
        const configs = [
            ...list(receiver, "pagerdutyConfigs").map((c) => field(c, "routingKey") ?? field(c, "serviceKey")),
            ...list(receiver, "webhookConfigs").map((c) => field(c, "urlSecret")),
        ];
        // E-mail carries no credential: it delivers when it names recipients and a relay.
        const emails = list(receiver, "emailConfigs");
        const mails = emails.every((c) => (text(c, "to") ?? "") !== "" && (text(c, "smarthost") ?? "") !== "");
        const name = text(receiver, "name");
        if (name !== undefined && configs.length + emails.length > 0 && configs.every(ref) && mails) out.add(name);
    }
    return out;
}
