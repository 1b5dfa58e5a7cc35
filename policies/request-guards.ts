// User-facing request controls: a per-client rate limit on API and gateway workloads, and CORS
// that names its origins.
import { PolicyConfigSchema } from "@pulumi/policy";
import { CatalogEntry, configWithDefaults } from "./lib";
import { appContainers, containerLabel, onWorkloads } from "./views";

const rateSchema: PolicyConfigSchema = {
    properties: {
        workloads: {
            type: "array",
            items: { type: "string" },
            default: ["api", "gateway"],
            description: "Workloads that take user traffic, matched against the app name or component label.",
        },
        variables: {
            type: "array",
            items: { type: "string" },
            default: ["RATE_LIMIT_PER_MINUTE", "RATE_LIMIT_MAX"],
            description: "Env variables that set a request limit.",
        },
    },
};

export const rateLimits: CatalogEntry = {
    policy: {
        name: "rate-limits-set",
        description: "API and gateway workloads set a per-client rate limit.",
        enforcementLevel: "mandatory",
        severity: "medium",
        configSchema: rateSchema,
        validateResource: onWorkloads((w, args, report) => {
            const cfg = configWithDefaults<{ workloads: string[]; variables: string[] }>(rateSchema, args);
            const match = [w.appName, w.component].find((x) => x !== undefined && cfg.workloads.includes(x));
            if (match === undefined) {
                args.notApplicable("not an API or gateway workload");
            }
            const set = w.containers
                .filter((c) => !c.init)
                .flatMap((c) => c.env.filter((e) => cfg.variables.includes(e.name)));
            if (set.length === 0) {
                report(`Set ${cfg.variables.join(" or ")} to a positive integer on the ${match} workload.`);
            }
            for (const e of set) {
                if (!e.byReference && !/^[1-9][0-9]*$/.test(e.value ?? "")) {
                    report(`Set ${e.name} to a positive integer (it is "${e.value ?? ""}").`);
                }
            }
        }),
    },
    meta: {
        requirements: ["UA-RATE-LIMIT", "GA-RATE-LIMITS"],
        checks: [],
    },
};

const corsSchema: PolicyConfigSchema = {
    properties: {
        variables: {
            type: "array",
            items: { type: "string" },
            default: ["ALLOWED_ORIGINS", "CORS_ALLOWED_ORIGINS"],
            description: "Env variables holding comma-separated allowed origins.",
        },
    },
};

export const corsRestricted: CatalogEntry = {
    policy: {
        name: "cors-restricted",
        description: "CORS allows named origins only, never a wildcard.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: corsSchema,
        validateResource: onWorkloads((w, args, report) => {
            const cfg = configWithDefaults<{ variables: string[] }>(corsSchema, args);
            for (const c of appContainers(w)) {
                for (const e of c.env.filter((x) => cfg.variables.includes(x.name) && !x.byReference)) {
                    const origins = (e.value ?? "").split(",").map((o) => o.trim());
                    if (origins.some((o) => o.includes("*")) || origins.every((o) => o === "")) {
                        report(`Set ${e.name} on ${containerLabel(c)} to the exact origins allowed, without "*".`);
                    }
                }
            }
            if (w.platform === "azure") {
                const origins: string[] = args.props.configuration?.ingress?.corsPolicy?.allowedOrigins ?? [];
                if (origins.some((o) => o.includes("*"))) {
                    report(
                        'Replace "*" in configuration.ingress.corsPolicy.allowedOrigins with the exact origins allowed.',
                    );
                }
            }
        }),
    },
    meta: {
        requirements: ["GA-CORS", "CA-SMOKE-AFTER-DEPLOY"],
        checks: [],
    },
};
