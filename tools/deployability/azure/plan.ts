/** Small readers over the plan that the Azure rules share. */
import type { CapturedResource } from "../../lib/mock-run";
import type { DeployabilityFinding, PlanView } from "../rule";

export const isAzure = (r: CapturedResource) => r.custom && r.type.startsWith("azure-native:");

/** URNs the named top-level input was built from (outputs of other resources). */
export function builtFrom(r: CapturedResource, property: string): string[] {
    return r.propertyDependencies[property] ?? [];
}

/** Resources of `types` that the given input of `r` was built from. */
export function builtFromOfType(plan: PlanView, r: CapturedResource, property: string, ...types: string[]) {
    return builtFrom(r, property)
        .map((urn) => plan.get(urn))
        .filter((x): x is CapturedResource => x !== undefined && types.includes(x.type));
}

export function finding(
    rule: string,
    r: CapturedResource,
    property: string,
    value: unknown,
    fix: string,
): DeployabilityFinding {
    return { rule, urn: r.urn, property, value, fix };
}

/** ISO 8601 duration (`PT5M`, `P2D`, `PT26H`, `P1DT2H`) in minutes; undefined when it is not one. */
export function isoMinutes(value: unknown): number | undefined {
    if (typeof value !== "string") return undefined;
    const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
    if (!m || value === "P" || value.endsWith("T")) return undefined;
    const [, d, h, min, s] = m;
    return Number(d ?? 0) * 1440 + Number(h ?? 0) * 60 + Number(min ?? 0) + Number(s ?? 0) / 60;
}

/** A nested input read as a record; `{}` when it is absent or not an object. */
export function record(value: unknown): Record<string, unknown> {
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A nested input read as a list; `[]` when it is absent or not an array. */
export function list(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

/**
 * Whether an id in the plan names `r`: offline every resource's id is `<logical name>-id` (the mocks
 * in tools/lib/mock-run.ts); a literal ARM id ends in `/<physical name>`, compared case-insensitively
 * as ARM compares names.
 */
export function idNames(id: unknown, r: CapturedResource, physicalName?: unknown): boolean {
    if (typeof id !== "string") return false;
    if (id === `${r.name}-id`) return true;
    return typeof physicalName === "string" && id.toLowerCase().endsWith(`/${physicalName.toLowerCase()}`);
}

/** The resource of `types` that an id inside the input `property` of `r` names, among those it was built from. */
export function resolveId(
    plan: PlanView,
    r: CapturedResource,
    property: string,
    id: unknown,
    nameProperty: string,
    ...types: string[]
): CapturedResource | undefined {
    return builtFromOfType(plan, r, property, ...types).find((x) => idNames(id, x, plan.inputs(x)[nameProperty]));
}
