// Config values and keys as the Pulumi CLI holds them, ported from pulumi/pulumi
// (sdk/go/common/resource/config/value.go, object.go, key.go; pkg/workspace/config.go). Pure.

/** A config value as the CLI holds it (pulumi/pulumi sdk/go/common/resource/config/value.go `Value`). */
export interface CliConfigValue {
    /** Plain text of a scalar, the ciphertext of a secure scalar, or JSON of an object or array. */
    readonly text: string;
    readonly secure: boolean;
    readonly object: boolean;
}

/** A Go map decoded from YAML or JSON: not null, not a list. */
export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Port of `unmarshalObject` + `(object).MarshalString` (sdk/go/common/resource/config/object.go):
 * scalars become text (numbers and booleans in their JSON form), `{ secure: "<ciphertext>" }` a
 * secure scalar, arrays and maps an object holding JSON, secure when anything inside is.
 */
export function cliConfigValue(raw: unknown): CliConfigValue {
    if (typeof raw === "string") return { text: raw, secure: false, object: false };
    if (typeof raw === "number" || typeof raw === "boolean")
        return { text: JSON.stringify(raw), secure: false, object: false };
    const secure = secureCiphertext(raw);
    if (secure !== undefined) return { text: secure, secure: true, object: false };
    return { text: JSON.stringify(raw ?? null), secure: ciphertextsIn(raw).length > 0, object: true };
}

/** Port of `isSecureValue` (sdk/go/common/resource/config/object.go): a one-key map `{ secure: <string> }`. */
function secureCiphertext(raw: unknown): string | undefined {
    if (!isPlainObject(raw)) return undefined;
    const keys = Object.keys(raw);
    return keys.length === 1 && keys[0] === "secure" && typeof raw["secure"] === "string" ? raw["secure"] : undefined;
}

/** Every ciphertext in a raw stack value, nested ones included (what `collectCiphertextSecrets` batches). */
export function ciphertextsIn(raw: unknown): string[] {
    const secure = secureCiphertext(raw);
    if (secure !== undefined) return [secure];
    if (Array.isArray(raw)) return raw.flatMap(ciphertextsIn);
    if (isPlainObject(raw)) return Object.values(raw).flatMap(ciphertextsIn);
    return [];
}

/**
 * Port of `createConfigValue` (pkg/workspace/config.go): how a Pulumi.yaml `default:` reaches the
 * stack config, and through it the program: string, int and bool as text, anything else as JSON.
 */
export function configValueFromDefault(value: unknown): CliConfigValue {
    const primitive =
        typeof value === "string" ||
        typeof value === "boolean" ||
        (typeof value === "number" && Number.isInteger(value));
    return primitive
        ? { text: String(value), secure: false, object: false }
        : { text: JSON.stringify(value), secure: false, object: true };
}

/**
 * Port of `ParseKey` (sdk/go/common/resource/config/key.go): `<namespace>:<name>`, or the old
 * `<namespace>:config:<name>`. Returns the normalised key, or the CLI's error.
 */
export function parseConfigKey(key: string): { key: string } | { error: string } {
    const parts = key.split(":");
    if (parts.length === 2) return { key };
    if (parts.length === 3 && parts[1] === "config") return { key: `${parts[0]}:${parts[2]}` };
    return {
        error: `could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`,
    };
}
