import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Validates a Kubernetes object against the real OpenAPI schema shipped in `kubernetes-models`.
 * Returns undefined when no model exists for the kind (custom resources such as ExternalSecret),
 * so callers can count what was really validated.
 */
export function validateKubernetesObject(object: Record<string, unknown>): "valid" | undefined {
    const apiVersion = String(object["apiVersion"]);
    const kind = String(object["kind"]);
    const modulePath = path.join(
        path.dirname(require.resolve("kubernetes-models/package.json")),
        ...(apiVersion.includes("/") ? apiVersion.split("/") : [apiVersion]),
        `${kind}.js`,
    );
    if (!fs.existsSync(modulePath)) return undefined;
    const Model = (require(modulePath) as Record<string, new (data: unknown) => { validate(): void }>)[kind];
    if (!Model) return undefined;
    new Model(object).validate();
    return "valid";
}
