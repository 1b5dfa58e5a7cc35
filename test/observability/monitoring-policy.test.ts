// Removing an alert or its receiver through config is caught by the real policy run: the CLI's
// exit code for `alertsDisabled`, and the analyzer over gRPC for a stack file without the key.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyze } from "../../tools/lib/analyzer";
import { runProgram } from "../../tools/lib/mock-run";
import { policyExitCode } from "../../tools/policy";
import { runPolicy } from "../support/policy-cli";

describe("alerting caught by the policy run", () => {
    it("npm run policy exits 2 when an alert is switched off through estate:alertsDisabled", () => {
        const result = runPolicy("prod", ['estate:alertsDisabled=["http-error-rate-high"]']);
        assert.equal(result.status, 2, result.stderr);
        for (const service of ["api", "gateway", "ui", "worker"]) {
            assert.match(
                result.stdout,
                new RegExp(
                    `Service "${service}" lacks the \`HttpErrorRateHigh\` alert: declare it as PrometheusRule rules with labels\\.service "${service}"`,
                ),
            );
        }
        assert.match(result.stdout, /\[mandatory\] \[severity: high\] +service-alerts-complete/);
    });

    it("npm run policy exits 2 when an estate-wide alert (the restore drill's) is switched off", () => {
        const result = runPolicy("staging", ['estate:alertsDisabled=["restore-drill-overdue"]']);
        assert.equal(result.status, 2, result.stderr);
        assert.match(
            result.stdout,
            /The estate declares no `RestoreDrillOverdue` alert: keep its id out of estate:alertsDisabled so the catalogue renders it\./,
        );
    });

    it("an unset on-call key leaves the paging receiver without credentials: refused (kubernetes, staging)", async () => {
        const capture = await runProgram({ stack: "staging", unsetSecrets: ["estate:alertOnCallKey"] });
        assert.equal(
            capture.resources.some(
                (r) => r.name === "app-secrets-sync" && JSON.stringify(r.inputs).includes("alert-on-call-key"),
            ),
            false,
        );
        const report = await analyze(capture, { stack: "staging" });
        const found = report.violations.map((v) => [v.policy, v.enforcementLevel, v.message]);
        // Tickets still go out by e-mail; only the pager is left without its key.
        assert.deepEqual(found, [
            [
                "alerts-routed",
                "mandatory",
                'AlertmanagerConfig receiver "on-call" delivers nowhere: give it a pagerdutyConfigs[].routingKey or webhookConfigs[].urlSecret Secret reference (set estate:alertOnCallKey), or emailConfigs[] with to and smarthost (set estate:alertOnCallEmails).',
            ],
        ]);
        assert.equal(policyExitCode(report), 2);
    });

    it("an unset on-call key leaves the action group without its paging receiver: refused (azure, prod)", async () => {
        const capture = await runProgram({
            stack: "prod",
            unsetSecrets: ["estate:alertOnCallKey"],
            overrides: { platform: "azure" },
        });
        const report = await analyze(capture, { stack: "prod" });
        assert.deepEqual(
            report.violations.map((v) => [v.policy, v.enforcementLevel, v.message]),
            [
                [
                    "alerts-routed",
                    "mandatory",
                    "No enabled action group has a webhook receiver: set estate:alertOnCallKey so the on-call action group gets its PagerDuty or webhook receiver.",
                ],
            ],
        );
        assert.equal(policyExitCode(report), 2);
    });
});
