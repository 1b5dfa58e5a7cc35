// Runs examples/consumer once under Pulumi's mocks, in a process of its own as `pulumi preview`
// would: stdin is `{ config, outputs }` (the consumer's config and the estate stack's outputs the
// StackReference returns). Prints `{ references, exports }` as JSON; exits 1 with the program's
// error, as the preview fails.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

async function main(): Promise<void> {
    const { config, outputs, project } = JSON.parse(fs.readFileSync(0, "utf8")) as {
        config: Record<string, string>;
        outputs: Record<string, unknown>;
        project: string;
    };
    const references: string[] = [];
    pulumi.runtime.setAllConfig(config, []);
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                if (args.type === "pulumi:pulumi:Stack") return { id: "", state: {} };
                if (args.type !== "pulumi:pulumi:StackReference")
                    throw new Error(`the consumer example declared ${args.type}`);
                references.push(String(args.inputs["name"]));
                return {
                    id: String(args.inputs["name"]),
                    state: { ...args.inputs, outputs, secretOutputNames: [] },
                };
            },
            call: (args) => args.inputs,
        },
        project,
        "dev",
        false,
    );
    const program = path.join(__dirname, "..", "..", "examples", "consumer", "index.ts");
    // The stack's outputs, resolved: what `pulumi stack output` would show for the consumer.
    const exports = (await pulumi.runtime.runInPulumiStack(async () => require(program))) as Record<string, unknown>;
    process.stdout.write(JSON.stringify({ references, exports }));
}

// On success the process ends by itself once the runtime has settled (exiting early trips the
// SDK's leaked-promise check); on failure it stops at once, like the language host.
main().then(
    () => undefined,
    (err: Error) => {
        process.stderr.write(`${err.message}\n`);
        process.exit(1);
    },
);
