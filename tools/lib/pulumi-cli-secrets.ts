/**
 * What makes a `secure:` value decryptable by the stack's secrets manager, ported from pulumi/pulumi.
 * The CLI decrypts every secure value of the stack before the program runs
 * (pkg/workspace/config.go `validateStackConfigValues`, batch `Decrypt`), so one value that is not
 * ciphertext stops even `pulumi preview`. Offline nothing can be decrypted; what is checked is the
 * shape each manager needs before it asks its key service.
 */

/** Which secrets manager a stack file selects (pkg/cmd/pulumi/stack/secrets.go `GetSecretsManager`). */
export type SecretsManagerKind = "service" | "passphrase" | "cloud";

export interface StackSecretsSettings {
    readonly secretsprovider?: unknown;
    readonly encryptionsalt?: unknown;
}

/**
 * Port of `GetSecretsManager` (pkg/cmd/pulumi/stack/secrets.go): a `secretsprovider` other than
 * `passphrase` / `default` is a cloud KMS manager, else an `encryptionsalt` means the passphrase
 * manager, else the backend's default: Pulumi Cloud's service manager, the backend this project
 * deploys with (README, docs/delivery.md).
 */
export function secretsManagerOf(stack: StackSecretsSettings): SecretsManagerKind {
    const provider = typeof stack.secretsprovider === "string" ? stack.secretsprovider : "";
    if (provider !== "" && provider !== "passphrase" && provider !== "default") return "cloud";
    if (typeof stack.encryptionsalt === "string" && stack.encryptionsalt !== "") return "passphrase";
    return "service";
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE = new Map([...ALPHABET].map((c, i) => [c.charCodeAt(0), i]));
const PAD = "=".charCodeAt(0);
const isNewline = (b: number | undefined) => b === 0x0a || b === 0x0d;

/** Go's `base64.CorruptInputError`: `illegal base64 data at input byte N`. */
export class CorruptInputError extends Error {
    constructor(readonly offset: number) {
        super(`illegal base64 data at input byte ${offset}`);
    }
}

/**
 * Port of Go's `base64.StdEncoding.DecodeString` (golang/go src/encoding/base64/base64.go, `Decode`
 * and `decodeQuantum`): standard alphabet, `=` padding required, CR/LF ignored, not strict. Returns
 * the decoded length or throws the same `CorruptInputError` offset Go reports. The fast 8- and 4-byte
 * paths of `Decode` only take valid quanta, so quantum-by-quantum decoding errs at the same byte.
 */
export function goBase64DecodedLength(text: string): number {
    const src = Buffer.from(text, "latin1");
    let si = 0;
    let n = 0;
    while (si < src.length) {
        let j = 0;
        let dlen = 4;
        for (; j < 4; j++) {
            if (si === src.length) {
                if (j === 0) return n;
                // StdEncoding has padding, so a short final quantum is corrupt.
                throw new CorruptInputError(si - j);
            }
            const byte = src[si]!;
            si++;
            if (DECODE.has(byte)) continue;
            if (isNewline(byte)) {
                j--;
                continue;
            }
            if (byte !== PAD) throw new CorruptInputError(si - 1);
            // Padding ends the input.
            if (j === 0 || j === 1) throw new CorruptInputError(si - 1);
            if (j === 2) {
                while (si < src.length && isNewline(src[si])) si++;
                if (si === src.length) throw new CorruptInputError(src.length);
                if (src[si] !== PAD) throw new CorruptInputError(si - 1);
                si++;
            }
            while (si < src.length && isNewline(src[si])) si++;
            if (si < src.length) throw new CorruptInputError(si);
            dlen = j;
            break;
        }
        n += dlen - 1;
        if (dlen < 4) return n;
    }
    return n;
}

/** AES-256-GCM: 12-byte nonce, 16-byte tag (Go crypto/cipher `NewGCM`, `gcmStandardNonceSize`, `gcmTagSize`). */
const GCM_NONCE_BYTES = 12;
const GCM_TAG_BYTES = 16;

/**
 * Port of `symmetricCrypter.DecryptValue` (sdk/go/common/resource/config/crypt.go), used by the
 * passphrase and cloud managers: `v1:<base64 nonce>:<base64 ciphertext>`. Everything before the AES
 * key is needed; a ciphertext shorter than the GCM tag fails `Open` whatever the key.
 */
function symmetricCiphertextError(ciphertext: string): string | undefined {
    const parts = ciphertext.split(":");
    if (parts.length !== 3) return "bad value";
    if (parts[0] !== "v1") return "unknown value version";
    let nonce: number;
    let sealed: number;
    try {
        nonce = goBase64DecodedLength(parts[1]!);
        sealed = goBase64DecodedLength(parts[2]!);
    } catch (error) {
        return `bad value: ${(error as Error).message}`;
    }
    if (nonce !== GCM_NONCE_BYTES) return "bad value: nonce size is incorrect";
    if (sealed < GCM_TAG_BYTES) return "cipher: message authentication failed";
    return undefined;
}

/**
 * The error the stack's secrets manager returns for `ciphertext` before it could reach a key, or
 * undefined when the value has the shape of its ciphertext. Service manager: port of
 * `serviceCrypter.BatchDecrypt` (pkg/secrets/service/manager.go), which base64-decodes every value
 * before calling Pulumi Cloud.
 */
export function ciphertextError(kind: SecretsManagerKind, ciphertext: string): string | undefined {
    if (kind !== "service") return symmetricCiphertextError(ciphertext);
    try {
        goBase64DecodedLength(ciphertext);
        return undefined;
    } catch (error) {
        return (error as Error).message;
    }
}

export const SECRETS_MANAGER_NAMES: Readonly<Record<SecretsManagerKind, string>> = {
    service: "Pulumi Cloud (the default secrets provider)",
    passphrase: "the passphrase secrets provider (encryptionsalt)",
    cloud: "the KMS secrets provider (secretsprovider)",
};
