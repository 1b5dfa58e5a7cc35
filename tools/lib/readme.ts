import { configKeyDeclarations, type ConfigKeyDeclaration } from "../../stacks/config-declarations";

function typeCell(d: ConfigKeyDeclaration): string {
    // Pulumi has no number type: such keys are declared `string` in Pulumi.yaml.
    const type = d.valueType === "number" ? "number (declared `string`)" : d.type;
    return `${type}${d.secret ? " (secret)" : ""}`;
}

function defaultCell(d: ConfigKeyDeclaration): string {
    if (d.required) return d.declared ? "**required**" : "**required** (not declared)";
    if (d.default === undefined) return "unset (not declared)";
    return `\`${JSON.stringify(d.valueType === "number" ? Number(d.default) : d.default)}\``;
}

/** The README's config reference table, generated from the zod schema. */
export function renderConfigReference(): string {
    const rows = configKeyDeclarations().map((d) => {
        const allowed = d.allowed ? ` One of \`${d.allowed.join("` \\| `")}\`.` : "";
        return `| \`estate:${d.key}\` | ${typeCell(d)} | ${defaultCell(d)} | ${d.description.replace(/\|/g, "\\|")}${allowed} |`;
    });
    return ["| key | type | default | meaning |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

export function replaceBetweenMarkers(text: string, marker: string, content: string): string {
    const start = `<!-- ${marker}:start -->`;
    const end = `<!-- ${marker}:end -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} block`);
    return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}

/** The README's first-time setup: one `pulumi config set --secret` per secret key of the schema, org-qualified. */
export function renderSecretSetup(stack = "<org>/prod"): string {
    const commands = configKeyDeclarations()
        .filter((d) => d.secret)
        .map((d) => ({
            command: `pulumi config set --secret estate:${d.key} --stack ${stack}`,
            note: `${d.description.split(";")[0]!.trim()}; ${d.required ? "required" : d.requiredWhen ? `required ${d.requiredWhen}` : "optional"}`,
        }));
    const width = Math.max(...commands.map((c) => c.command.length));
    return ["```bash", ...commands.map((c) => `${c.command.padEnd(width)}   # ${c.note}`), "```"].join("\n");
}
