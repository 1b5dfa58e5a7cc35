import { PolicyConfigSchema, validateResourceOfType } from "@pulumi/policy";
import { HelmRelease as Release } from "./resource-types";
import { CatalogEntry, configWithDefaults, text } from "./lib";
import { CNPG_CLUSTER, cnpgName } from "./stores";
import { containerLabel, onWorkloads } from "./views";

const imagesSchema: PolicyConfigSchema = {
    properties: {
        tagPattern: {
            type: "string",
            default: "^(sha-)?[0-9a-f]{7,40}$",
            description: "Tags accepted as immutable (a commit SHA); a @sha256 digest is always accepted.",
        },
    },
};

/** Why an image reference is mutable, or undefined when it is pinned. */
export function mutableReason(image: string | undefined, tagPattern: RegExp): string | undefined {
    if (image === undefined || image === "") return "no image";
    if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
    const lastSegment = image.slice(image.lastIndexOf("/") + 1);
    const colon = lastSegment.lastIndexOf(":");
    if (colon < 0) return "no tag (defaults to latest)";
    const tag = lastSegment.slice(colon + 1);
    return tagPattern.test(tag) ? undefined : `tag "${tag}"`;
}

/** Image references inside Helm values: `image: "repo:tag"` or `image: { repository, tag | digest }`. */
function helmImages(values: unknown, path: string, out: Array<{ path: string; image: string }>): void {
    if (values === null || typeof values !== "object") return;
    for (const [k, v] of Object.entries(values as Record<string, unknown>)) {
        const here = path ? `${path}.${k}` : k;
        if (k === "image" && typeof v === "string") {
            out.push({ path: here, image: v });
        } else if (k === "image" && v !== null && typeof v === "object" && "repository" in v) {
            const img = v as { repository: string; tag?: unknown; digest?: unknown };
            const ref =
                typeof img.digest === "string" && img.digest !== ""
                    ? `${img.repository}@${img.digest}`
                    : `${img.repository}${img.tag === undefined || img.tag === "" ? "" : `:${String(img.tag)}`}`;
            out.push({ path: here, image: ref });
        } else {
            helmImages(v, here, out);
        }
    }
}

export const immutableImages: CatalogEntry = {
    policy: {
        name: "immutable-images",
        description: "Every image is pinned to a commit-SHA tag or a sha256 digest, never latest or a moving tag.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: imagesSchema,
        validateResource: [
            ...onWorkloads((w, args, report) => {
                const cfg = configWithDefaults<{ tagPattern: string }>(imagesSchema, args);
                const pattern = new RegExp(cfg.tagPattern);
                for (const c of w.containers) {
                    const why = mutableReason(c.image, pattern);
                    if (why !== undefined) {
                        report(
                            `Pin the image of ${containerLabel(c)} to a commit-SHA tag or @sha256 digest (it has ${why}).`,
                        );
                    }
                }
            }),
            (args, report) => {
                // CloudNativePG runs every instance from spec.imageName (vendored Cluster CRD).
                if (args.type !== CNPG_CLUSTER) return;
                const cfg = configWithDefaults<{ tagPattern: string }>(imagesSchema, args);
                const image = text(args.props, "spec", "imageName");
                const why = image === undefined ? undefined : mutableReason(image, new RegExp(cfg.tagPattern));
                if (why !== undefined) {
                    report(
                        `Pin spec.imageName of Cluster "${cnpgName(args.props)}" to a @sha256 digest (it has ${why}).`,
                    );
                }
            },
            validateResourceOfType(Release, (release, args, report) => {
                const cfg = configWithDefaults<{ tagPattern: string }>(imagesSchema, args);
                const pattern = new RegExp(cfg.tagPattern);
                const found: Array<{ path: string; image: string }> = [];
                helmImages(release.values, "values", found);
                for (const { path, image } of found) {
                    const why = mutableReason(image, pattern);
                    if (why !== undefined) {
                        report(`Pin ${path} to a commit-SHA tag or @sha256 digest (it has ${why}).`);
                    }
                }
            }),
        ],
    },
    meta: {
        requirements: ["UA-IMMUTABLE-TAGS", "CA-IMAGE-BY-SHA"],
        checks: ["Checkov CKV_K8S_14", "Checkov CKV_K8S_43", "Kyverno disallow-latest-tag"],
    },
};

export const imagePolicies: readonly CatalogEntry[] = [immutableImages];
