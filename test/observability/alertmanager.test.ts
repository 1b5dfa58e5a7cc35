import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import {
    type AlertmanagerArgs,
    type AlertReceiver,
    alertmanagerConfig,
    alertmanagerConfigCrdSpec,
    ticketReceiver,
} from "../../components/observability/kubernetes/alertmanager";
import { run, tempDir, writeFiles } from "./fixtures";

const ARGS: AlertmanagerArgs = {
    onCall: { kind: "pagerduty", routingKeyFile: "/etc/alertmanager/secrets/pagerduty/routing-key" },
    tickets: {
        kind: "webhook",
        url: "http://ticket-bridge.observability.svc:8080/alerts",
        bearerTokenFile: "/etc/alertmanager/secrets/tickets/token",
    },
};

function writeConfig(args: AlertmanagerArgs): string {
    const dir = tempDir("estate-alertmanager");
    writeFiles(dir, { "alertmanager.yml": stringify(alertmanagerConfig(args)) });
    return `${dir}/alertmanager.yml`;
}
const routeTest = (file: string, receiver: string, ...labels: string[]) =>
    run("amtool", ["config", "routes", "test", `--config.file=${file}`, `--verify.receivers=${receiver}`, ...labels]);

describe("Alertmanager config", () => {
    const file = writeConfig(ARGS);

    it("passes amtool check-config", () => {
        const result = run("amtool", ["check-config", file]);
        assert.equal(result.status, 0, result.output);
        assert.match(result.output, /SUCCESS/);
        assert.match(result.output, /1 inhibit rules/);
    });

    it("routes pages to on-call and tickets (and unlabelled alerts) to the ticket receiver", () => {
        for (const [receiver, labels] of [
            ["on-call", ["alertname=HttpErrorRateHigh", "severity=page", "service=api"]],
            ["tickets", ["alertname=BackupStale", "severity=ticket", "service=api"]],
            ["tickets", ["alertname=Watchdog"]],
        ] as const) {
            const result = routeTest(file, receiver, ...labels);
            assert.equal(result.status, 0, `${labels.join(" ")}: ${result.output}`);
        }
        // amtool exits non-zero when the receiver differs, so the checks above can fail.
        assert.notEqual(routeTest(file, "tickets", "severity=page").status, 0);
    });

    it("keeps credentials out of the config: PagerDuty key and bearer token are file paths", () => {
        const text = stringify(alertmanagerConfig(ARGS));
        assert.match(text, /routing_key_file: \/etc\/alertmanager\/secrets\/pagerduty\/routing-key/);
        assert.match(text, /credentials_file: \/etc\/alertmanager\/secrets\/tickets\/token/);
        assert.doesNotMatch(text, /routing_key:|service_key:/);
        assert.throws(
            () =>
                alertmanagerConfig({
                    ...ARGS,
                    tickets: { kind: "webhook", url: "https://hooks.example.com/x?token=abc", bearerTokenFile: "/s/t" },
                }),
            {
                message:
                    "`tickets.url` must not carry credentials or a query string; put the secret in `tickets.bearerTokenFile` or use `tickets.urlFile`",
            },
        );
        assert.throws(
            () => alertmanagerConfig({ ...ARGS, onCall: { kind: "pagerduty", routingKeyFile: "key.txt" } }),
            /`onCall.routingKeyFile` must be an absolute path/,
        );
    });

    it("renders a webhook URL read from a mounted file", () => {
        const config = alertmanagerConfig({
            ...ARGS,
            onCall: { kind: "webhook", urlFile: "/etc/alertmanager/secrets/oncall/url" },
        });
        const receivers = config["receivers"] as { name: string; webhook_configs?: { url_file?: string }[] }[];
        assert.equal(
            receivers.find((r) => r.name === "on-call")?.webhook_configs?.[0]?.url_file,
            "/etc/alertmanager/secrets/oncall/url",
        );
    });

    it("sends tickets by e-mail, never to the pager, and passes amtool with an e-mail receiver", () => {
        const email = ticketReceiver(["oncall@example.com", "ops@example.com"], {
            smarthost: "smtp-relay.example.com:587",
            from: "alerts@example.com",
        });
        assert.deepEqual(email, {
            kind: "email",
            to: ["oncall@example.com", "ops@example.com"],
            smarthost: "smtp-relay.example.com:587",
            from: "alerts@example.com",
        });
        assert.deepEqual(ticketReceiver([], undefined), { kind: "none" });
        assert.throws(() => ticketReceiver(["oncall@example.com"], undefined), {
            message: "ticket e-mail needs an SMTP relay: set `smtp.smarthost` and `smtp.from` with the addresses",
        });
        const mailed = writeConfig({ ...ARGS, tickets: email as AlertReceiver });
        const check = run("amtool", ["check-config", mailed]);
        assert.equal(check.status, 0, check.output);
        assert.equal(routeTest(mailed, "tickets", "alertname=BackupStale", "severity=ticket").status, 0);
        assert.notEqual(routeTest(mailed, "tickets", "alertname=PostgresDown", "severity=page").status, 0);
        const receivers = alertmanagerConfig({ ...ARGS, tickets: email as AlertReceiver })["receivers"];
        assert.deepEqual((receivers as Record<string, unknown>[])[1], {
            name: "tickets",
            email_configs: [
                {
                    to: "oncall@example.com, ops@example.com",
                    from: "alerts@example.com",
                    smarthost: "smtp-relay.example.com:587",
                    require_tls: true,
                    send_resolved: true,
                },
            ],
        });
    });

    it("inhibits a service's 5xx and latency alerts while one of its dependencies is down", () => {
        const rules = alertmanagerConfig(ARGS)["inhibit_rules"];
        assert.deepEqual(rules, [
            {
                source_matchers: ['alertname=~"PostgresDown|RedisDown|Neo4jDown|OllamaDown"'],
                target_matchers: ['alertname=~"HttpLatencyP95High|HttpErrorRateHigh"'],
                equal: ["service"],
            },
        ]);
    });

    it("renders the same routing as an AlertmanagerConfig resource with Secret references", () => {
        const spec = alertmanagerConfigCrdSpec({
            onCall: { kind: "pagerduty", routingKey: { name: "pagerduty", key: "routing-key" } },
            tickets: { kind: "webhook", url: { name: "ticket-webhook", key: "url" } },
        });
        const route = spec["route"] as {
            receiver: string;
            groupBy: string[];
            routes: { receiver: string; matchers: unknown[] }[];
        };
        assert.equal(route.receiver, "tickets");
        assert.deepEqual(route.groupBy, ["alertname", "service"]);
        assert.deepEqual(route.routes[0], {
            receiver: "on-call",
            matchers: [{ name: "severity", value: "page", matchType: "=" }],
            repeatInterval: "4h",
        });
        assert.deepEqual(spec["receivers"], [
            {
                name: "on-call",
                pagerdutyConfigs: [{ routingKey: { name: "pagerduty", key: "routing-key" }, sendResolved: true }],
            },
            {
                name: "tickets",
                webhookConfigs: [{ urlSecret: { name: "ticket-webhook", key: "url" }, sendResolved: true }],
            },
        ]);
    });
});
