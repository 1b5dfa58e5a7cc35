// Outbound calls from containers: upstream URLs leave the private network only over HTTPS, and
// only to hosts named in the container's allow-list.
import { PolicyConfigSchema } from "@pulumi/policy";
import { CatalogEntry, configWithDefaults } from "./lib";
import { INTERNAL_HOST_SUFFIXES, UPSTREAM_URL_SUFFIXES } from "./urls";
import { containerLabel, onWorkloads } from "./views";

const outboundSchema: PolicyConfigSchema = {
    properties: {
        urlSuffixes: {
            type: "array",
            items: { type: "string" },
            default: [...UPSTREAM_URL_SUFFIXES],
            description: "Env variable name endings that hold an upstream URL.",
        },
        internalHostSuffixes: {
            type: "array",
            items: { type: "string" },
            default: [...INTERNAL_HOST_SUFFIXES],
            description: "Host name endings that stay on the private network.",
        },
        allowListVariables: {
            type: "array",
            items: { type: "string" },
            default: ["OUTBOUND_ALLOWED_HOSTS", "REDMINE_ALLOWED_HOSTS"],
            description: "Env variables holding the comma-separated outbound host allow-list.",
        },
    },
};

interface OutboundConfig {
    urlSuffixes: string[];
    internalHostSuffixes: string[];
    allowListVariables: string[];
}

interface Upstream {
    readonly variable: string;
    readonly url?: URL;
    readonly internal: boolean;
}

function upstreams(
    env: ReadonlyArray<{ name: string; value?: string; byReference: boolean }>,
    cfg: OutboundConfig,
): Upstream[] {
    return env
        .filter((e) => !e.byReference && e.value !== undefined && cfg.urlSuffixes.some((s) => e.name.endsWith(s)))
        .map((e) => {
            let url: URL | undefined;
            try {
                url = new URL(e.value ?? "");
            } catch {
                url = undefined;
            }
            const host = url?.hostname ?? "";
            const internal =
                url !== undefined &&
                (host === "localhost" ||
                    host === "127.0.0.1" ||
                    host === "[::1]" ||
                    !host.includes(".") ||
                    cfg.internalHostSuffixes.some((s) => host.endsWith(s)));
            return { variable: e.name, url, internal };
        });
}

export const outboundHttps: CatalogEntry = {
    policy: {
        name: "outbound-https",
        description: "Every upstream URL (*_BASE_URL) that leaves the private network uses HTTPS.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: outboundSchema,
        validateResource: onWorkloads((w, args, report) => {
            const cfg = configWithDefaults<OutboundConfig>(outboundSchema, args);
            for (const c of w.containers) {
                for (const u of upstreams(c.env, cfg)) {
                    if (u.url === undefined) {
                        report(`Set ${u.variable} on ${containerLabel(c)} to an absolute https:// URL.`);
                    } else if (!u.internal && u.url.protocol !== "https:") {
                        report(
                            `Use an https:// URL for ${u.variable} on ${containerLabel(c)} (host ${u.url.hostname}).`,
                        );
                    }
                }
            }
        }),
    },
    meta: {
        requirements: ["RAG-UPSTREAM-HTTPS", "RAG-HTTPS-CHECK"],
        checks: [],
    },
};

export const outboundAllowList: CatalogEntry = {
    policy: {
        name: "outbound-allow-list",
        description:
            "Containers that call upstreams declare a non-empty outbound host allow-list that names every external upstream.",
        enforcementLevel: "mandatory",
        severity: "medium",
        configSchema: outboundSchema,
        validateResource: onWorkloads((w, args, report) => {
            const cfg = configWithDefaults<OutboundConfig>(outboundSchema, args);
            for (const c of w.containers) {
                const ups = upstreams(c.env, cfg);
                if (ups.length === 0) continue;
                const listEntry = c.env.find((e) => cfg.allowListVariables.includes(e.name));
                if (listEntry?.byReference) continue;
                const hosts = (listEntry?.value ?? "")
                    .split(",")
                    .map((h) => h.trim().toLowerCase())
                    .filter((h) => h !== "");
                const variable = listEntry?.name ?? cfg.allowListVariables[0];
                if (hosts.length === 0) {
                    report(`Set ${variable} on ${containerLabel(c)} to the comma-separated hosts it may call.`);
                    continue;
                }
                if (hosts.some((h) => h.includes("*"))) {
                    report(`Remove the wildcard from ${variable} on ${containerLabel(c)}; list each host.`);
                }
                for (const u of ups.filter((x) => !x.internal && x.url !== undefined)) {
                    const host = u.url!.hostname.toLowerCase();
                    if (!hosts.some((h) => h === host || (h.startsWith(".") && host.endsWith(h)))) {
                        report(`Add ${host} (from ${u.variable}) to ${variable} on ${containerLabel(c)}.`);
                    }
                }
            }
        }),
    },
    meta: {
        requirements: ["RAG-ALLOWED-HOSTS", "RAG-OUTBOUND-POLICY-CHECK"],
        checks: [],
    },
};

export const outboundPolicies: readonly CatalogEntry[] = [outboundHttps, outboundAllowList];
