import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseStackConfig } from "../../stacks/config";
import { configFloorIssues, parseException, PROD_MIN_RETENTION_DAYS } from "../../stacks/config-floors";
import { PROJECT_ROOT, readStackConfig } from "../../tools/lib/mock-run";

const TODAY = new Date("2026-12-02T12:00:00Z");
const prod = { environment: "prod", configExceptions: [] as string[] };
const issues = (c: Record<string, unknown>) =>
    configFloorIssues(c, TODAY).map((i) => [i.path.join("."), i.message] as [string, string]);
const looser = (value: string) =>
    `is looser than the runbook's ${value}: remove it (or set ${value} or stricter), or record an exception in estate:configExceptions`;
const exception = (key: string, until: string) => `${key} until ${until} (OPS-412): launch-week import traffic`;

describe("config floors", () => {
    it("accepts the runbook defaults and stricter thresholds", () => {
        assert.deepEqual(issues({ ...prod, alertErrorRatePercent: 0.5, alertLatencyP95Seconds: 2 }), []);
    });

    it("refuses a threshold looser than the runbook's, numbers and durations alike", () => {
        assert.deepEqual(issues({ ...prod, alertErrorRatePercent: 10 }), [["alertErrorRatePercent", looser("1")]]);
        assert.deepEqual(issues({ ...prod, alertDependencyDownFor: "1h" }), [
            ["alertDependencyDownFor", looser('"2m"')],
        ]);
    });

    it("reads a shorter sync-job window as the looser one", () => {
        assert.deepEqual(issues({ ...prod, alertSyncJobWindow: "2h" }), []);
        assert.deepEqual(issues({ ...prod, alertSyncJobWindow: "10m" }), [["alertSyncJobWindow", looser('"1h"')]]);
    });

    it("holds retention and PostgreSQL HA floors in prod only", () => {
        const short = { backupRetentionDays: 3, postgresBackupRetentionDays: 7, postgresHighAvailability: false };
        assert.deepEqual(
            issues({ ...prod, ...short }).map(([key]) => key),
            ["backupRetentionDays", "postgresBackupRetentionDays", "postgresHighAvailability"],
        );
        assert.match(issues({ ...prod, ...short })[0]![1], new RegExp(`at least ${PROD_MIN_RETENTION_DAYS} in prod`));
        assert.deepEqual(issues({ environment: "staging", ...short }), []);
    });

    it("refuses plain http to hosts off the private network, and only those", () => {
        assert.deepEqual(
            issues({
                ...prod,
                corsAllowedOrigins: ["https://app.example.com", "http://localhost:3000", "http://admin.example.com"],
                redmineBaseUrl: "http://redmine.example.com",
                ollamaBaseUrl: "http://ollama.estate.svc.cluster.local:11434",
            }),
            [
                [
                    "redmineBaseUrl",
                    "is plain http to a host off the private network: use https://, or record an exception in estate:configExceptions",
                ],
                [
                    "corsAllowedOrigins.2",
                    "is a plain http origin: use https://, or record an exception in estate:configExceptions",
                ],
            ],
        );
    });

    it("refuses an http webhook receiver without repeating its URL", () => {
        const [issue] = issues({
            ...prod,
            alertOnCallReceiver: "webhook",
            alertOnCallKey: "http://hooks.example.com/t0ken",
        });
        assert.equal(issue![0], "alertOnCallKey");
        assert.doesNotMatch(issue![1], /t0ken|hooks\.example\.com/);
    });

    it("lifts a floor for the key a live exception names, and only that key", () => {
        const c = {
            ...prod,
            alertErrorRatePercent: 10,
            alertCpuPercent: 95,
            configExceptions: [exception("alertErrorRatePercent", "2027-01-31")],
        };
        assert.deepEqual(issues(c), [["alertCpuPercent", looser("80")]]);
    });

    it("refuses an expired exception and one that lifts nothing", () => {
        const expired = {
            ...prod,
            alertErrorRatePercent: 10,
            configExceptions: [exception("alertErrorRatePercent", "2026-12-01")],
        };
        assert.deepEqual(issues(expired), [
            ["alertErrorRatePercent", looser("1")],
            [
                "configExceptions.0",
                "expired on 2026-12-01 (OPS-412): restore alertErrorRatePercent to its floor, or renew the exception with a new date",
            ],
        ]);
        assert.deepEqual(issues({ ...prod, configExceptions: [exception("alertCpuPercent", "2027-01-31")] }), [
            ["configExceptions.0", "lifts no floor: alertCpuPercent is within it, so remove this exception"],
        ]);
    });

    it("reads an exception's key, date, ticket and reason", () => {
        assert.deepEqual(parseException(exception("postgresHighAvailability", "2027-01-31")), {
            key: "postgresHighAvailability",
            until: "2027-01-31",
            ticket: "OPS-412",
            reason: "launch-week import traffic",
        });
        assert.equal(parseException("postgresHighAvailability: because"), undefined);
    });

    it("refuses at parse time, naming the stack, the key, the value and the fix", () => {
        const { values, secretKeys } = readStackConfig(PROJECT_ROOT, "prod");
        assert.throws(
            () => parseStackConfig("prod", { ...values, "estate:alertErrorRatePercent": "10" }, new Set(secretKeys)),
            (error: unknown) => {
                assert.ok(error instanceof ConfigError);
                assert.equal(error.stackName, "prod");
                assert.deepEqual(error.problems, [
                    `estate:alertErrorRatePercent = "10": ${looser("1")}. Fix: \`pulumi config set estate:alertErrorRatePercent <value> --stack prod\`.`,
                ]);
                return true;
            },
        );
    });

    it("rejects an exception that does not say until when, why and under which ticket", () => {
        const { values, secretKeys } = readStackConfig(PROJECT_ROOT, "prod");
        assert.throws(
            () =>
                parseStackConfig(
                    "prod",
                    { ...values, "estate:configExceptions": JSON.stringify(["alertErrorRatePercent: noisy"]) },
                    new Set(secretKeys),
                ),
            /estate:configExceptions \(item 0\) = .*must read "<key> until <YYYY-MM-DD> \(<TICKET-123>\): <reason of 10\+ characters>"/,
        );
    });
});
