/** The `[major, minor, patch]` an `engines.node` range of the form `>=X[.Y[.Z]]` requires; throws on any other form. */
export function minimumOf(range: string): [number, number, number];
/** Whether `version` (with or without a leading `v`) meets the `>=X.Y.Z` range. */
export function satisfies(version: string, range: string): boolean;
/** The one line printed on an unsupported Node, or undefined when `version` meets `range`. */
export function unsupportedNodeMessage(
    version: string,
    range: string,
    nvmrc: string,
    execPath: string,
): string | undefined;
