// What counts as a URL that stays on the private network, shared by the policies that read URLs.

/** Env name endings of upstream URLs, the ones outbound-https and outbound-allow-list read. */
export const UPSTREAM_URL_SUFFIXES: readonly string[] = ["_BASE_URL"];

/** Host name endings that stay on the private network (Kubernetes service DNS, private zones). */
export const INTERNAL_HOST_SUFFIXES: readonly string[] = [".svc.cluster.local", ".svc", ".cluster.local", ".internal"];

/**
 * True for a host that never leaves the private network: loopback, a single-label name (a
 * Kubernetes Service or Container App in the same namespace or environment, resolved by the
 * platform's DNS search path), or a name under one of `suffixes`.
 */
export function isInternalHost(host: string, suffixes: readonly string[]): boolean {
    const h = host.toLowerCase().replace(/^\[|\]$/g, "");
    return (
        h === "localhost" || h === "::1" || /^127\./.test(h) || !h.includes(".") || suffixes.some((s) => h.endsWith(s))
    );
}

/** Every absolute http(s)/ws(s) URL inside a value: one URL, or a comma- or space-separated list. */
export function urlsIn(value: string): URL[] {
    const out: URL[] = [];
    for (const m of value.matchAll(/\b(?:https?|wss?):\/\/[^\s,;'"`<>]+/gi)) {
        try {
            out.push(new URL(m[0]));
        } catch {
            // Not a URL after all (e.g. a shell variable in the host); nothing to check.
        }
    }
    return out;
}

/** The plaintext URLs of a value whose host leaves the private network. */
export function plaintextExternalUrls(value: string, suffixes: readonly string[]): URL[] {
    return urlsIn(value).filter(
        (u) => (u.protocol === "http:" || u.protocol === "ws:") && !isInternalHost(u.hostname, suffixes),
    );
}
