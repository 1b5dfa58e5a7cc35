import { validateResourceOfType } from "@pulumi/policy";
import { ContainerApp, Ingress } from "./resource-types";
import { CatalogEntry } from "./lib";

function hostCovered(host: string, tlsHosts: readonly string[]): boolean {
    return tlsHosts.some(
        (t) =>
            t === host ||
            (t.startsWith("*.") && host.endsWith(t.slice(1)) && !host.slice(0, -t.length + 1).includes(".")),
    );
}

const SSL_REDIRECT_ANNOTATIONS = [
    "nginx.ingress.kubernetes.io/ssl-redirect",
    "nginx.ingress.kubernetes.io/force-ssl-redirect",
];

export const ingressTls: CatalogEntry = {
    policy: {
        name: "ingress-tls",
        description: "Every Ingress terminates TLS for each of its hosts and keeps redirecting plain http to https.",
        enforcementLevel: "mandatory",
        severity: "high",
        validateResource: validateResourceOfType(Ingress, (ing, _args, report) => {
            const tls = ing.spec?.tls ?? [];
            if (tls.length === 0) {
                report("Add spec.tls with the Ingress hosts and a certificate secretName.");
                return;
            }
            tls.forEach((t, i) => {
                if (!t.secretName) {
                    report(`Set spec.tls[${i}].secretName to the certificate Secret.`);
                }
            });
            // ingress-nginx answers plain http instead of redirecting once either annotation is "false"
            // (kubernetes/ingress-nginx docs/user-guide/nginx-configuration/annotations.md, server-side HTTPS enforcement).
            for (const key of SSL_REDIRECT_ANNOTATIONS) {
                const value = ing.metadata?.annotations?.[key];
                if (value !== undefined && String(value).toLowerCase() === "false") {
                    report(
                        `Remove annotation ${key}: "false" (or set it "true") so plain http is redirected to https.`,
                    );
                }
            }
            const tlsHosts = tls.flatMap((t) => t.hosts ?? []);
            for (const rule of ing.spec?.rules ?? []) {
                if (rule.host === undefined) {
                    report("Set a host on every Ingress rule so TLS can cover it.");
                } else if (!hostCovered(rule.host, tlsHosts)) {
                    report(`Add host ${rule.host} to spec.tls[].hosts.`);
                }
            }
        }),
    },
    meta: {
        requirements: ["UA-EDGE-TLS", "GA-TLS"],
        checks: [],
    },
};

export const containerAppHttpsOnly: CatalogEntry = {
    policy: {
        name: "container-app-https-only",
        description: "Container Apps ingress refuses plain HTTP.",
        enforcementLevel: "mandatory",
        severity: "high",
        validateResource: validateResourceOfType(ContainerApp, (app, _args, report) => {
            if (app.configuration?.ingress?.allowInsecure === true) {
                report("Set configuration.ingress.allowInsecure: false.");
            }
        }),
    },
    meta: {
        requirements: ["UA-EDGE-TLS"],
        checks: [],
    },
};

export const tlsPolicies: readonly CatalogEntry[] = [ingressTls, containerAppHttpsOnly];
