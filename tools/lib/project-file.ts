import { stringify as toYaml } from "yaml";
import { configKeyDeclarations } from "../../stacks/config-declarations";

/**
 * Pulumi.yaml, generated from the config schema: every key with a default is declared with its type,
 * description and `default:`, every required key without one. Keys whose absence means "off" or a
 * derived value are left out (Pulumi has no optional marker: a declared key without a default is
 * missing until set), and documented in the README's config reference instead.
 */
export function renderProjectFile(): string {
    const config: Record<string, Record<string, unknown>> = {};
    for (const d of configKeyDeclarations()) {
        if (!d.declared) continue;
        const entry: Record<string, unknown> = {
            type: d.type,
            description: d.allowed ? `${d.description} One of: ${d.allowed.join(", ")}.` : d.description,
        };
        if (d.items) entry["items"] = { type: d.items };
        if (d.default !== undefined) entry["default"] = d.default;
        config[d.key] = entry;
    }
    const project = {
        name: "estate",
        runtime: { name: "nodejs", options: { typescript: true } },
        description: "The production estate, declared once and guarded by a CrossGuard policy pack.",
        config,
    };
    return `# Generated from stacks/config-schema.ts by \`npm run gen\`; edit the schema, not this file.\n${toYaml(project, { lineWidth: 0 })}`;
}
