import { stringify as toYaml } from "yaml";
import { configKeyDeclarations } from "../../stacks/config-schema";

/** Pulumi.yaml, generated so every config key the schema knows is declared with its type and description. */
export function renderProjectFile(): string {
    const config: Record<string, Record<string, unknown>> = {};
    for (const d of configKeyDeclarations()) {
        const entry: Record<string, unknown> = {
            type: d.type,
            description: d.allowed ? `${d.description} One of: ${d.allowed.join(", ")}.` : d.description,
        };
        if (d.type === "array") entry["items"] = { type: "string" };
        if (d.secret) entry["secret"] = true;
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
