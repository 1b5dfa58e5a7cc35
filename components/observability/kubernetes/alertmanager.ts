import { ALERT_CATALOGUE, type CatalogueEntry } from "../catalogue";

/** Where an alert is delivered; credentials always come from a mounted secret file. */
export type AlertReceiver =
    | {
          readonly kind: "pagerduty";
          /** Path of the mounted file holding the PagerDuty Events v2 routing key. */
          readonly routingKeyFile: string;
      }
    | {
          readonly kind: "webhook";
          /** Path of the mounted file holding the full webhook URL (Alertmanager >= 0.26). */
          readonly urlFile: string;
      }
    | {
          readonly kind: "webhook";
          /** Webhook URL without credentials in it. */
          readonly url: string;
          /** Path of the mounted file holding the bearer token. */
          readonly bearerTokenFile: string;
      }
    | ({ readonly kind: "email" } & EmailDelivery)
    /** Delivers nowhere: the alerts stay visible in Alertmanager's UI and API only. */
    | { readonly kind: "none" };

/** E-mail through an SMTP relay that accepts the cluster's mail without credentials, over TLS. */
export interface EmailDelivery {
    /** Addresses, one message to all of them. */
    readonly to: readonly string[];
    /** SMTP relay, `host:port`. */
    readonly smarthost: string;
    /** Envelope and header sender. */
    readonly from: string;
}

export interface AlertmanagerArgs {
    /** Receives `severity=page`. */
    readonly onCall: AlertReceiver;
    /** Receives `severity=ticket` and anything without a known severity. */
    readonly tickets: AlertReceiver;
    /** How often an unresolved page is re-sent. @default "4h" */
    readonly pageRepeatInterval?: string;
    /** How often an unresolved ticket is re-sent. @default "24h" */
    readonly ticketRepeatInterval?: string;
}

export const ON_CALL_RECEIVER = "on-call";
export const TICKET_RECEIVER = "tickets";
export const GROUP_BY = ["alertname", "service"] as const;

const names = (pred: (e: CatalogueEntry) => boolean) =>
    (ALERT_CATALOGUE as readonly CatalogueEntry[]).filter(pred).map((e) => e.alertName);
/** A dependency outage explains the service's own errors and latency; page once, for the cause. */
export const INHIBITIONS = [
    {
        sources: names((e) => e.scope === "dependency"),
        targets: names((e) => e.id === "http-error-rate-high" || e.id === "http-latency-p95-high"),
        equal: ["service"],
    },
] as const;

function absolutePath(field: string, value: string): string {
    if (!value.startsWith("/"))
        throw new Error(`\`${field}\` must be an absolute path to a mounted secret file, got \`${value}\``);
    return value;
}

function emailTo(field: string, to: readonly string[]): string {
    if (to.length === 0) throw new Error(`\`${field}.to\` must list at least one address`);
    return to.join(", ");
}

function receiverConfig(name: string, field: string, r: AlertReceiver): Record<string, unknown> {
    if (r.kind === "none") return { name };
    if (r.kind === "email") {
        return {
            name,
            email_configs: [
                {
                    to: emailTo(field, r.to),
                    from: r.from,
                    smarthost: r.smarthost,
                    require_tls: true,
                    send_resolved: true,
                },
            ],
        };
    }
    if (r.kind === "pagerduty") {
        return {
            name,
            pagerduty_configs: [
                { routing_key_file: absolutePath(`${field}.routingKeyFile`, r.routingKeyFile), send_resolved: true },
            ],
        };
    }
    if ("urlFile" in r) {
        return {
            name,
            webhook_configs: [{ url_file: absolutePath(`${field}.urlFile`, r.urlFile), send_resolved: true }],
        };
    }
    const url = new URL(r.url);
    if (url.username || url.password || url.search) {
        throw new Error(
            `\`${field}.url\` must not carry credentials or a query string; put the secret in \`${field}.bearerTokenFile\` or use \`${field}.urlFile\``,
        );
    }
    return {
        name,
        webhook_configs: [
            {
                url: r.url,
                send_resolved: true,
                http_config: {
                    authorization: {
                        type: "Bearer",
                        credentials_file: absolutePath(`${field}.bearerTokenFile`, r.bearerTokenFile),
                    },
                },
            },
        ],
    };
}

const alternation = (values: readonly string[]) => values.join("|");

/** An alertmanager.yml document (serialise with any YAML writer). */
export function alertmanagerConfig(args: AlertmanagerArgs): Record<string, unknown> {
    return {
        route: {
            // Unknown severities go to tickets: paging must be asked for explicitly.
            receiver: TICKET_RECEIVER,
            group_by: [...GROUP_BY],
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: args.ticketRepeatInterval ?? "24h",
            routes: [
                {
                    receiver: ON_CALL_RECEIVER,
                    matchers: ['severity="page"'],
                    repeat_interval: args.pageRepeatInterval ?? "4h",
                },
                { receiver: TICKET_RECEIVER, matchers: ['severity="ticket"'] },
            ],
        },
        inhibit_rules: INHIBITIONS.map((i) => ({
            source_matchers: [`alertname=~"${alternation(i.sources)}"`],
            target_matchers: [`alertname=~"${alternation(i.targets)}"`],
            equal: [...i.equal],
        })),
        receivers: [
            receiverConfig(ON_CALL_RECEIVER, "onCall", args.onCall),
            receiverConfig(TICKET_RECEIVER, "tickets", args.tickets),
        ],
    };
}

/** A key of a Kubernetes Secret in the AlertmanagerConfig's namespace. */
export interface SecretKeyRef {
    readonly name: string;
    readonly key: string;
}
export type CrdReceiver =
    | { readonly kind: "pagerduty"; readonly routingKey: SecretKeyRef }
    | { readonly kind: "webhook"; readonly url: SecretKeyRef }
    | ({ readonly kind: "email" } & EmailDelivery)
    | { readonly kind: "none" };

function crdReceiver(name: string, r: CrdReceiver): Record<string, unknown> {
    switch (r.kind) {
        case "pagerduty":
            return { name, pagerdutyConfigs: [{ routingKey: { ...r.routingKey }, sendResolved: true }] };
        case "webhook":
            return { name, webhookConfigs: [{ urlSecret: { ...r.url }, sendResolved: true }] };
        case "email":
            return {
                name,
                emailConfigs: [
                    {
                        to: emailTo(name, r.to),
                        from: r.from,
                        smarthost: r.smarthost,
                        requireTLS: true,
                        sendResolved: true,
                    },
                ],
            };
        case "none":
            return { name };
    }
}

/**
 * Where tickets go beside the pager: e-mail to the on-call addresses when there are any, otherwise
 * nowhere but Alertmanager's UI. Never the paging integration: a ticket must not wake anyone.
 */
export function ticketReceiver(emails: readonly string[], smtp: Omit<EmailDelivery, "to"> | undefined): CrdReceiver {
    if (emails.length === 0) return { kind: "none" };
    if (smtp === undefined)
        throw new Error("ticket e-mail needs an SMTP relay: set `smtp.smarthost` and `smtp.from` with the addresses");
    return { kind: "email", to: emails, ...smtp };
}

const crdMatcher = (name: string, value: string, matchType: "=" | "=~") => ({ name, value, matchType });

/**
 * The `spec` of a monitoring.coreos.com/v1alpha1 AlertmanagerConfig with the same routing;
 * the operator reads credentials from Secrets, so receivers take Secret keys instead of files.
 */
export function alertmanagerConfigCrdSpec(args: {
    readonly onCall: CrdReceiver;
    readonly tickets: CrdReceiver;
    readonly pageRepeatInterval?: string;
    readonly ticketRepeatInterval?: string;
}): Record<string, unknown> {
    return {
        route: {
            receiver: TICKET_RECEIVER,
            groupBy: [...GROUP_BY],
            groupWait: "30s",
            groupInterval: "5m",
            repeatInterval: args.ticketRepeatInterval ?? "24h",
            routes: [
                {
                    receiver: ON_CALL_RECEIVER,
                    matchers: [crdMatcher("severity", "page", "=")],
                    repeatInterval: args.pageRepeatInterval ?? "4h",
                },
                { receiver: TICKET_RECEIVER, matchers: [crdMatcher("severity", "ticket", "=")] },
            ],
        },
        inhibitRules: INHIBITIONS.map((i) => ({
            sourceMatch: [crdMatcher("alertname", alternation(i.sources), "=~")],
            targetMatch: [crdMatcher("alertname", alternation(i.targets), "=~")],
            equal: [...i.equal],
        })),
        receivers: [crdReceiver(ON_CALL_RECEIVER, args.onCall), crdReceiver(TICKET_RECEIVER, args.tickets)],
    };
}
