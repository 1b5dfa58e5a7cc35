/**
 * Reads the `services` stack output (`pulumi stack output --json services`) on stdin and prints
 * `<api base url> <ui origin>` for the smoke script: where to knock comes from the outputs
 * contract (stacks/outputs.ts), parsed with its schema, not from a copy of it.
 * Exit 1 with one line naming the problem when the output does not fit.
 */
import * as fs from "node:fs";
import { parseOutputSection, type EstateOutputsValue } from "../../stacks/outputs";

export function smokeEndpoints(services: EstateOutputsValue["services"]): { apiBaseUrl: string; appOrigin: string } {
    const api = services.api.url;
    const ui = services.ui?.url;
    if (!api || !ui)
        throw new Error("stack output services lacks api.url or ui.url: both must be public for the smoke checks");
    return { apiBaseUrl: new URL(api).href.replace(/\/+$/, ""), appOrigin: new URL(ui).origin };
}

if (require.main === module) {
    try {
        const { apiBaseUrl, appOrigin } = smokeEndpoints(
            parseOutputSection("services", JSON.parse(fs.readFileSync(0, "utf8"))),
        );
        console.log(`${apiBaseUrl} ${appOrigin}`);
    } catch (err) {
        // The message names paths and keys, never values beyond the URLs already public.
        console.error(
            `smoke error=bad_outputs detail=${JSON.stringify(err instanceof Error ? err.message : String(err))}`,
        );
        process.exitCode = 1;
    }
}
