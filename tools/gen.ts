/** `npm run gen`: regenerates the files derived from code metadata; tests fail when any of them drifts. */
import * as fs from "node:fs";
import * as path from "node:path";
import { outputsJsonSchema } from "../stacks/outputs";
import { parseCliArgs, renderHelp, type CommandHelp } from "./lib/cli";
import { PROJECT_ROOT } from "./lib/mock-run";
import { README_PATH as POLICY_README, renderPolicyReadme } from "./lib/policy-readme";
import { renderProjectFile } from "./lib/project-file";
import { renderTraceability, repositoryInputs, trace } from "./traceability/trace";
import { renderConfigReference, renderSecretSetup, replaceBetweenMarkers } from "./lib/readme";

export const HELP: CommandHelp = {
    command: "gen",
    summary:
        "Regenerates the files derived from code metadata: Pulumi.yaml (config keys), the README's config reference\n" +
        "and secret setup, docs/outputs.schema.json and docs/traceability.md. Tests fail when any of them drifts.",
    examples: ["npm run gen                     # after changing stacks/config-schema.ts or stacks/outputs.ts"],
    exitCodes: "0 written, 1 usage error",
};
let args;
try {
    args = parseCliArgs(process.argv.slice(2));
} catch (e) {
    console.error(`error: ${(e as Error).message}`);
    process.exit(1);
}
if (args.help) {
    console.log(renderHelp(HELP, [], { stackOptions: false }));
    process.exit(0);
}

const write = (file: string, content: string) => fs.writeFileSync(path.join(PROJECT_ROOT, file), content);

write("Pulumi.yaml", renderProjectFile());
const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
write(
    "README.md",
    replaceBetweenMarkers(
        replaceBetweenMarkers(readme, "config-reference", renderConfigReference()),
        "secret-config",
        renderSecretSetup(),
    ),
);
write("docs/outputs.schema.json", `${JSON.stringify(outputsJsonSchema(), null, 2)}\n`);
const traced = trace(repositoryInputs());
write("docs/traceability.md", renderTraceability(traced));
fs.writeFileSync(POLICY_README, renderPolicyReadme());
console.log(
    "Wrote Pulumi.yaml, the README config reference and secret setup, docs/outputs.schema.json, docs/traceability.md and policies/README.md",
);
// The document is written either way, so the gaps are visible in it; the test fails until they are fixed.
for (const problem of traced.problems) console.warn(`traceability: ${problem}`);
