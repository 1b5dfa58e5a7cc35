/**
 * The doc comments of the installed @pulumi/azure-native input types, generated from the Azure REST
 * specifications: limits and disallowed values the service states, read instead of hand-typed.
 */
import * as fs from "node:fs";
import * as path from "node:path";

let cached: string | undefined;
export function providerInputTypes(): string {
    cached ??= fs.readFileSync(
        path.join(path.dirname(require.resolve("@pulumi/azure-native/package.json")), "types", "input.d.ts"),
        "utf8",
    );
    return cached;
}

/**
 * The doc comment of `property` in `interface <name>` of the provider module `namespace` (`compute`,
 * `network`): several modules declare interfaces of the same name (`OSProfileArgs`).
 */
export function providerDoc(namespace: string, interfaceName: string, property: string, dts = providerInputTypes()) {
    const module = dts.indexOf(`export declare namespace ${namespace} {`);
    const start = module < 0 ? -1 : dts.indexOf(`\n    interface ${interfaceName} {`, module);
    if (start < 0) throw new Error(`\`${namespace}.${interfaceName}\` is not in @pulumi/azure-native's input types`);
    const body = dts.slice(start, dts.indexOf("\n    }", start));
    for (const m of body.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(\w+)\??:/g))
        if (m[2] === property) return m[1]!.replace(/\n\s*\*\s?/g, " ").trim();
    throw new Error(`\`${namespace}.${interfaceName}.${property}\` has no doc comment in @pulumi/azure-native`);
}

/** The quoted values after `Disallowed values:` in a doc comment (`"admin", "root", …`). */
export function disallowedValues(doc: string): string[] {
    const list = /Disallowed values:\**\s*((?:"[^"]*",?\s*)+)/.exec(doc)?.[1];
    if (!list) throw new Error("the doc comment lists no disallowed values");
    return [...list.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
}

/** `**Minimum-length (Linux):** 6 characters`-style bounds of a doc comment, per OS. */
export function documentedLength(doc: string, os: "Linux" | "Windows"): { min?: number; max?: number } {
    const min = new RegExp(`Minimum-length \\(${os}\\):\\**\\s*(\\d+)`).exec(doc)?.[1];
    const max = new RegExp(`Max-length \\(${os}\\):\\**\\s*(\\d+)`).exec(doc)?.[1];
    return { ...(min ? { min: Number(min) } : {}), ...(max ? { max: Number(max) } : {}) };
}
