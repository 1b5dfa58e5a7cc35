import { configKeyDeclarations } from "../../stacks/config-schema";

/** The README's config reference table, generated from the zod schema. */
export function renderConfigReference(): string {
    const rows = configKeyDeclarations().map((d) => {
        const fallback = d.required
            ? "**required**"
            : d.default !== undefined
              ? `\`${JSON.stringify(d.default)}\``
              : "unset";
        const allowed = d.allowed ? ` One of \`${d.allowed.join("` \\| `")}\`.` : "";
        return `| \`estate:${d.key}\` | ${d.type}${d.secret ? " (secret)" : ""} | ${fallback} | ${d.description.replace(/\|/g, "\\|")}${allowed} |`;
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

/** The README's first-time setup: one `pulumi config set --secret` per secret key of the schema. */
export function renderSecretSetup(stack = "prod"): string {
    const commands = configKeyDeclarations()
        .filter((d) => d.secret)
        .map((d) => ({
            command: `pulumi config set --secret estate:${d.key} --stack ${stack}`,
            note: `${d.required ? "required" : "optional"}: ${d.description.split(";")[0]!.trim()}`,
        }));
    const width = Math.max(...commands.map((c) => c.command.length));
    return ["```bash", ...commands.map((c) => `${c.command.padEnd(width)}   # ${c.note}`), "```"].join("\n");
}
