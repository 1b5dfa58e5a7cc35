/**
 * Deployability rules: what the real engine, a provider, the Kubernetes API server, an operator
 * or Azure Resource Manager would refuse or mis-run, applied to the offline plan before the
 * policy verdict. Each rule cites the upstream source it was ported from.
 */
import type { CapturedResource, ProgramCapture } from "../lib/mock-run";
import { unwrapSecrets } from "../lib/mock-run";

export interface DeployabilityFinding {
    /** The rule's id, e.g. `azure-key-vault-name`. */
    rule: string;
    /** URN of the resource the finding is about. */
    urn: string;
    /** Dotted path of the offending property (`spec.replicas`, `vaultName`, `dependsOn`). */
    property: string;
    /** The offending value, never a secret: rules must not echo secret inputs. */
    value: unknown;
    /** What to change. */
    fix: string;
}

export interface DeployabilityRule {
    id: string;
    /** Where the rule comes from: repository + file + function, or the documentation page. */
    source: string;
    /** What would go wrong on the real target, in one line. */
    description: string;
    check(plan: PlanView): DeployabilityFinding[];
}

/** The plan as rules read it: resources with their inputs unwrapped, and lookups by URN. */
export class PlanView {
    readonly resources: readonly CapturedResource[];
    private readonly byUrn: Map<string, CapturedResource>;

    constructor(readonly capture: ProgramCapture) {
        this.resources = capture.resources;
        this.byUrn = new Map(capture.resources.map((r) => [r.urn, r]));
    }

    ofType(...types: string[]): CapturedResource[] {
        return this.resources.filter((r) => types.includes(r.type));
    }

    get(urn: string): CapturedResource | undefined {
        return this.byUrn.get(urn);
    }

    private readonly unwrapped = new Map<CapturedResource, Record<string, unknown>>();

    /**
     * Inputs with secrets unwrapped; only for reading structure, never for echoing values. Unwrapped
     * once per resource (the rules read the same resources over and over: most of a check's time
     * otherwise) and frozen, so one rule cannot change what the next one reads.
     */
    inputs(resource: CapturedResource): Record<string, unknown> {
        let inputs = this.unwrapped.get(resource);
        if (!inputs) {
            inputs = deepFreeze(unwrapSecrets(resource.inputs)) as Record<string, unknown>;
            this.unwrapped.set(resource, inputs);
        }
        return inputs;
    }

    /**
     * Every URN the resource waits for before it is created: its explicit and property
     * dependencies, and those of its ancestors (the engine waits for a parent's dependencies too).
     */
    waitsFor(resource: CapturedResource): Set<string> {
        const seen = new Set<string>();
        for (let r: CapturedResource | undefined = resource; r; r = r.parent ? this.byUrn.get(r.parent) : undefined) {
            for (const urn of r.dependencies) seen.add(urn);
            for (const urns of Object.values(r.propertyDependencies)) for (const urn of urns) seen.add(urn);
        }
        return seen;
    }
}

function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object") {
        for (const v of Object.values(value)) deepFreeze(v);
        Object.freeze(value);
    }
    return value;
}

export function formatFindings(findings: readonly DeployabilityFinding[]): string {
    if (findings.length === 0) return "Deployability: no findings.";
    const lines = [
        `Deployability: ${findings.length} finding${findings.length === 1 ? "" : "s"} (the real target would refuse or mis-run these):`,
    ];
    for (const f of findings) {
        lines.push(`    - [${f.rule}]  ${f.urn}`, `      ${f.property} = ${JSON.stringify(f.value)}: ${f.fix}`);
    }
    return lines.join("\n");
}
