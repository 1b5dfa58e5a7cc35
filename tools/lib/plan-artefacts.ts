import * as fs from "node:fs";
import * as path from "node:path";
import { Document, Scalar, visit } from "yaml";
import { maskSecrets, type CapturedResource, type OfflineStandIn, type ProgramCapture } from "./mock-run";

export interface PlanViolation {
    policy: string;
    enforcementLevel: string;
    urn?: string;
    message: string;
}

export interface PlanDocument {
    project: string;
    stack: string;
    platform: string;
    config: Record<string, unknown>;
    /** Secrets the offline run replaced by stand-ins (never their values). */
    offlineStandIns: OfflineStandIn[];
    summary: { resources: number; byType: Record<string, number> };
    resources: Array<Omit<CapturedResource, "inputs"> & { inputs: unknown }>;
    outputs: unknown;
    policies: { ran: boolean; violations: PlanViolation[] };
}

export function planDocument(capture: ProgramCapture, violations: PlanViolation[] | undefined): PlanDocument {
    const byType: Record<string, number> = {};
    for (const r of capture.resources) byType[r.type] = (byType[r.type] ?? 0) + 1;
    return {
        project: capture.project,
        stack: capture.stack,
        platform: String(capture.config[`${capture.project}:platform`] ?? "unknown"),
        config: capture.config,
        offlineStandIns: capture.offlineStandIns ?? [],
        summary: { resources: capture.resources.length, byType: Object.fromEntries(Object.entries(byType).sort()) },
        resources: capture.resources.map((r) => ({ ...r, inputs: maskSecrets(r.inputs) })),
        outputs: maskSecrets(capture.outputs),
        policies: { ran: violations !== undefined, violations: violations ?? [] },
    };
}

/** The Kubernetes object a resource declares (apiVersion/kind/metadata/spec…), secrets masked; undefined for other resources. */
export function kubernetesManifest(resource: CapturedResource): Record<string, unknown> | undefined {
    if (!resource.custom || !resource.type.startsWith("kubernetes:") || resource.type.startsWith("kubernetes:helm.sh/"))
        return undefined;
    const inputs = maskSecrets(resource.inputs) as Record<string, unknown>;
    if (typeof inputs["apiVersion"] !== "string" || typeof inputs["kind"] !== "string") return undefined;
    return inputs;
}

/**
 * A manifest as YAML that YAML 1.1 readers (kubectl, client-go's yaml.v2) and 1.2 readers read alike:
 * every string value is quoted (a block literal when it spans lines), so `on`, `yes`, `0755` or
 * `1:20` stay strings, and keys are quoted where YAML 1.1 would take them for another type.
 */
export function manifestYaml(manifest: Record<string, unknown>): string {
    const doc = new Document(manifest, { version: "1.1" });
    visit(doc, {
        Scalar(key, node) {
            if (key === "key" || typeof node.value !== "string") return;
            node.type = node.value.includes("\n") ? Scalar.BLOCK_LITERAL : Scalar.QUOTE_DOUBLE;
        },
    });
    return doc.toString();
}

/** Writes plan.json and, for Kubernetes objects, one YAML manifest per object. Returns the files written. */
export function writePlanArtefacts(dir: string, plan: PlanDocument, capture: ProgramCapture): string[] {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const written = [path.join(dir, "plan.json")];
    fs.writeFileSync(written[0]!, JSON.stringify(plan, null, 2) + "\n");
    const manifests = capture.resources.flatMap((r) => {
        const manifest = kubernetesManifest(r);
        return manifest ? [{ manifest, resource: r }] : [];
    });
    if (manifests.length > 0) {
        const manifestDir = path.join(dir, "manifests");
        fs.mkdirSync(manifestDir, { recursive: true });
        for (const { manifest, resource } of manifests) {
            const metadata = (manifest["metadata"] ?? {}) as { name?: string; namespace?: string };
            const file = path.join(
                manifestDir,
                `${String(manifest["kind"]).toLowerCase()}-${metadata.namespace ?? "cluster"}-${metadata.name ?? resource.name}.yaml`,
            );
            fs.writeFileSync(file, `# ${resource.urn}\n${manifestYaml(manifest)}`);
            written.push(file);
        }
    }
    return written;
}

/** A `pulumi preview`-like tree: each component above its children, type and name columns. */
export function renderTree(resources: readonly CapturedResource[]): string {
    const children = new Map<string | undefined, CapturedResource[]>();
    for (const r of resources) {
        const siblings = children.get(r.parent) ?? [];
        siblings.push(r);
        children.set(r.parent, siblings);
    }
    const rows: Array<{ prefix: string; resource: CapturedResource }> = [];
    const walk = (parent: string | undefined, indent: string, isRoot: boolean) => {
        const list = [...(children.get(parent) ?? [])].sort(
            (a, b) =>
                Number(a.custom) - Number(b.custom) || a.type.localeCompare(b.type) || a.name.localeCompare(b.name),
        );
        list.forEach((resource, index) => {
            const last = index === list.length - 1;
            rows.push({ prefix: isRoot ? "" : `${indent}${last ? "└─ " : "├─ "}`, resource });
            walk(resource.urn, isRoot ? "" : `${indent}${last ? "   " : "│  "}`, false);
        });
    };
    const urns = new Set(resources.map((r) => r.urn));
    walk(undefined, "", true);
    // Orphans whose parent was not captured still show up rather than vanish.
    for (const r of resources)
        if (r.parent && !urns.has(r.parent) && !rows.some((row) => row.resource === r))
            rows.push({ prefix: "", resource: r });
    const width = Math.max(...rows.map((row) => row.prefix.length + row.resource.type.length)) + 2;
    return [
        " +   " + "Type".padEnd(width) + "Name",
        ...rows.map((row) => ` +   ${(row.prefix + row.resource.type).padEnd(width)}${row.resource.name}`),
    ].join("\n");
}
