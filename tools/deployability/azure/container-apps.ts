/** Container Apps limits, read from the provider's own type documentation where it states them. */
import type { DeployabilityRule } from "../rule";
import { finding } from "./plan";
import { providerInputTypes } from "./provider-docs";

/**
 * `Minimum value is N. Maximum value is M.` of each property of `interface <name>` in the
 * installed @pulumi/azure-native `types/input.d.ts` (generated from the Microsoft.App REST
 * specification): the limits the service enforces, without a hand-typed copy.
 */
export function documentedBounds(
    interfaceName: string,
    dts = providerInputTypes(),
): Record<string, { min?: number; max?: number }> {
    const start = dts.indexOf(`interface ${interfaceName} {`);
    if (start < 0) throw new Error(`\`${interfaceName}\` is not in @pulumi/azure-native's input types`);
    const body = dts.slice(start, dts.indexOf("\n    }", start));
    const bounds: Record<string, { min?: number; max?: number }> = {};
    for (const m of body.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(\w+)\??:/g)) {
        const doc = m[1]!;
        const min = /Minimum value is (\d+)/.exec(doc)?.[1];
        const max = /Maximum value is (\d+)/.exec(doc)?.[1];
        if (min !== undefined || max !== undefined)
            bounds[m[2]!] = {
                ...(min !== undefined ? { min: Number(min) } : {}),
                ...(max !== undefined ? { max: Number(max) } : {}),
            };
    }
    return bounds;
}

type Probe = Record<string, unknown> & { type?: string };

export const azureContainerAppProbeBounds: DeployabilityRule = {
    id: "azure-container-app-probe-bounds",
    source: '@pulumi/azure-native types/input.d.ts, app.ContainerAppProbeArgs ("Minimum value is … Maximum value is …", from the Microsoft.App REST specification)',
    description:
        "Container Apps refuses probes whose period, timeout, thresholds or delay are outside the service's bounds",
    check(plan) {
        const bounds = documentedBounds("ContainerAppProbeArgs");
        return plan.ofType("azure-native:app:ContainerApp", "azure-native:app:Job").flatMap((r) => {
            const template = (plan.inputs(r)["template"] ?? {}) as { containers?: Array<{ probes?: Probe[] }> };
            return (template.containers ?? []).flatMap((container, c) =>
                (container.probes ?? []).flatMap((probe, p) =>
                    Object.entries(bounds).flatMap(([key, { min, max }]) => {
                        const value = probe[key];
                        if (typeof value !== "number") return [];
                        if ((min === undefined || value >= min) && (max === undefined || value <= max)) return [];
                        return [
                            finding(
                                this.id,
                                r,
                                `template.containers[${c}].probes[${p}].${key}`,
                                value,
                                `${probe.type ?? "probe"} ${key} must be ${min ?? "-∞"}..${max ?? "∞"}; keep the budget with a longer period and fewer failures`,
                            ),
                        ];
                    }),
                ),
            );
        });
    },
};

/** Log Analytics retention on the PerGB2018 tier: 30-730 days (4-730 on the free trial is not used). */
export const azureLogAnalyticsRetention: DeployabilityRule = {
    id: "azure-log-analytics-retention",
    source: "learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure (interactive retention 30-730 days; Microsoft.OperationalInsights/workspaces retentionInDays)",
    description: "A workspace retention outside 30-730 days is refused",
    check(plan) {
        return plan.ofType("azure-native:operationalinsights:Workspace").flatMap((r) => {
            const days = plan.inputs(r)["retentionInDays"];
            if (days === undefined || (typeof days === "number" && days >= 30 && days <= 730)) return [];
            return [finding(this.id, r, "retentionInDays", days, "set 30 to 730 days")];
        });
    },
};
