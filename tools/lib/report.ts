import type { PlanViolation } from "./plan-artefacts";

/** Violations grouped by policy, the way `pulumi preview` prints them. */
export function formatViolations(violations: readonly PlanViolation[]): string {
    if (violations.length === 0) return "Policies:\n    ✔ estate@v0.1.0 (local: policies): no violations";
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    const lines = [
        `Policies:\n    estate@v0.1.0 (local: policies): ${mandatory} mandatory, ${violations.length - mandatory} advisory`,
    ];
    for (const v of [...violations].sort(
        (a, b) => a.policy.localeCompare(b.policy) || (a.urn ?? "").localeCompare(b.urn ?? ""),
    )) {
        lines.push(
            `        [${v.enforcementLevel}]  ${v.policy}  (${v.urn ? v.urn.split("::").slice(-2).join(": ") : "stack"})`,
        );
        lines.push(...v.message.split("\n").map((line) => `        ${line}`));
    }
    return lines.join("\n");
}
