import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

/**
 * Characters ARM refuses in a tag name (`InvalidTagNameCharacters`), and the length limits of
 * names and values. Source: learn.microsoft.com/azure/azure-resource-manager/management/tag-resources
 * ("Limitations"): names ≤ 512 characters (≤ 128 for storage accounts), values ≤ 256, at most 50
 * tags, and names cannot contain `<`, `>`, `%`, `&`, `\`, `?`, `/`.
 */
export const TAG_NAME_FORBIDDEN = /[<>%&\\?/]/;
export const TAG_NAME_MAX = 512;
export const STORAGE_TAG_NAME_MAX = 128;
export const TAG_VALUE_MAX = 256;
export const TAGS_MAX = 50;
/**
 * Application Insights links a web test to its component through a `hidden-link:<component id>`
 * tag, which holds `/` and is accepted by ARM (documented in the availability test templates).
 */
export const HIDDEN_LINK_TAG_PREFIX = "hidden-link:";

/** Why a tag name is refused by ARM, or undefined when it is accepted. */
export function tagNameProblem(tagName: string, maxLength = TAG_NAME_MAX): string | undefined {
    if (tagName.length === 0) return "is empty";
    if (tagName.length > maxLength) return `is ${tagName.length} characters (at most ${maxLength})`;
    if (!tagName.startsWith(HIDDEN_LINK_TAG_PREFIX) && TAG_NAME_FORBIDDEN.test(tagName))
        return "contains one of < > % & \\ ? /";
    return undefined;
}

/**
 * The one way Azure components build their tags: validates every name (and every value known
 * now) against ARM's rules, so a bad tag fails at construction instead of at `pulumi up`.
 */
export function azureTags<T extends Record<string, pulumi.Input<string>>>(tags: T): T {
    const names = Object.keys(tags);
    if (names.length > TAGS_MAX) throw new Error(`\`tags\` has ${names.length} entries; Azure allows ${TAGS_MAX}`);
    for (const [tagName, value] of Object.entries(tags)) {
        const problem = tagNameProblem(tagName);
        if (problem)
            throw new Error(`tag name \`${tagName}\` ${problem}: Azure refuses it; use letters, digits, - _ . :`);
        if (typeof value === "string" && value.length > TAG_VALUE_MAX)
            throw new Error(`tag \`${tagName}\` has a ${value.length}-character value; Azure allows ${TAG_VALUE_MAX}`);
    }
    return tags;
}

/** Tags every estate resource on Azure carries: what it is (`estate-component`) and which one (`estate-name`). */
export function estateTags(component: string, name: string, extra: Record<string, pulumi.Input<string>> = {}) {
    return azureTags({ "estate-component": component, "estate-name": name, ...extra });
}

/** Short stable hash of the seed: the part of a globally unique name that tells two estates apart. */
export function nameHash(seed: string, length: number): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/**
 * Key Vault name: 3–24 characters, letters, digits and single hyphens, starting with a letter,
 * ending with a letter or digit, globally unique (learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates,
 * "Vault name"; azure/azure-resource-manager/management/resource-name-rules, Microsoft.KeyVault).
 * Autonaming would append 8 characters to the logical name, so the name is set explicitly:
 * a readable prefix and a hash of the seed (project, stack, domain, component).
 */
export function keyVaultName(prefix: string, seed: string): string {
    const readable =
        prefix
            .toLowerCase()
            .replace(/[^a-z0-9-]/g, "-")
            .replace(/-+/g, "-")
            .replace(/^[^a-z]+/, "")
            .slice(0, 13)
            .replace(/-+$/, "") || "kv";
    return `${readable}-${nameHash(`${seed}/${prefix}`, 24 - readable.length - 1)}`.slice(0, 24);
}

/**
 * Storage account name: 3–24 lowercase letters and digits, globally unique
 * (resource-name-rules, Microsoft.Storage/storageAccounts): a readable prefix and a hash of the seed.
 */
export function storageAccountName(prefix: string, seed: string): string {
    const readable = prefix
        .toLowerCase()
        .replace(/[^a-z0-9]/g, "")
        .slice(0, 14);
    return `${readable}${nameHash(`${seed}/${prefix}`, 24 - readable.length)}`;
}
