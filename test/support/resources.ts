// Hand-built plan resources, shaped exactly like the ones tools/lib/mock-run.ts records, for tests that
// need a resource the program does not declare (a framework test, a policy case's other kind).
import { defaultOptions, type CapturedResource, type ProgramCapture } from "../../tools/lib/mock-run";

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:prod::estate::${type}::${name}`;
}

/** A custom resource with the recorder's default options; `extra` overrides any field. */
export function res(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    extra: Partial<CapturedResource> = {},
): CapturedResource {
    return {
        urn: urnOf(type, name),
        type,
        name,
        custom: true,
        dependencies: [],
        propertyDependencies: {},
        options: defaultOptions(),
        inputs,
        ...extra,
    };
}

/** The resource with `protect` (and `retainOnDelete`), as the program declares stateful resources in prod. */
export function kept(r: CapturedResource): CapturedResource {
    r.options = { ...r.options, protect: true, retainOnDelete: true };
    return r;
}

/** A plan of exactly these resources, as the program would record it for `stack`. */
export function capture(resources: CapturedResource[], stack = "prod"): ProgramCapture {
    return {
        project: "estate",
        stack,
        config: { "estate:environment": stack },
        resources,
        outputs: { apiUrl: "https://api.example.com" },
    };
}
