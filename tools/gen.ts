/** `npm run gen`: regenerates the files derived from code metadata; tests fail when any of them drifts. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCliArgs, renderHelp, type CommandHelp } from "./lib/cli";

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

// Loaded after `--help` is answered: they pull in the whole program.
const { outputsJsonSchema } = require("../stacks/outputs") as typeof import("../stacks/outputs");
const { PROJECT_ROOT } = require("./lib/mock-run") as typeof import("./lib/mock-run");
const { README_PATH: POLICY_README, renderPolicyReadme } =
    require("./lib/policy-readme") as typeof import("./lib/policy-readme");
const { renderProjectFile } = require("./lib/project-file") as typeof import("./lib/project-file");
const { renderTraceability, repositoryInputs, trace } =
    require("./traceability/trace") as typeof import("./traceability/trace");
const { renderConfigReference, renderSecretSetup, replaceBetweenMarkers } =
    require("./lib/readme") as typeof import("./lib/readme");
const { CONSUMER_OUTPUT_TYPES, renderOutputTypes } =
    require("./lib/schema-types") as typeof import("./lib/schema-types");

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
write(CONSUMER_OUTPUT_TYPES, renderOutputTypes(outputsJsonSchema(), "docs/outputs.schema.json"));
const traced = trace(repositoryInputs());
write("docs/traceability.md", renderTraceability(traced));
fs.writeFileSync(POLICY_README, renderPolicyReadme());
console.log(
    "Wrote Pulumi.yaml, the README config reference and secret setup, docs/outputs.schema.json, its types for examples/consumer, docs/traceability.md and policies/README.md",
);
// The document is written either way, so the gaps are visible in it; the test fails until they are fixed.
for (const problem of traced.problems) console.warn(`traceability: ${problem}`);
