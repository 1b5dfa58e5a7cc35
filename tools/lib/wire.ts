/** Pulumi's wire markers (sdk/nodejs/runtime/rpc.ts), shared by the mock runner and the mock provider outputs. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A value in the wire form of a Pulumi secret. */
export function wireSecret(value: unknown) {
    return { [SECRET_SIG]: SECRET_VALUE, value };
}
