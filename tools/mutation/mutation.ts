/**
 * Mutations as data: one insecure change to one real resource of a prod plan (or one resource
 * added or removed, or one config value overridden), each grounded in a public catalogue or a
 * runbook requirement. `applyMutation` is pure: it returns a new capture, or why it does not apply.
 */
import type { CapturedResource, ProgramCapture } from "../lib/mock-run";

export type Platform = "kubernetes" | "azure";

export const CATEGORIES = [
    "pod-security",
    "access",
    "storage",
    "key-vault",
    "data-stores",
    "network-exposure",
    "availability",
    "backups-alerts",
    "https",
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Where the mutation comes from: a public check id, or a runbook requirement of tools/traceability/register.ts. */
export interface Source {
    readonly catalogue: "PSS" | "Checkov" | "KICS" | "Kyverno" | "CIS GKE" | "CIS Azure" | "ASB" | "runbook";
    readonly id: string;
}

/** A resource of the plan by type token and resource name. */
export interface Selector {
    readonly type: string;
    readonly name: string;
}

/**
 * A property path into the resource's inputs, segments joined by `.`: a number indexes a list,
 * `[key=value]` picks the list element whose `key` is `value` (e.g. `env.[name=OIDC_ISSUER].value`).
 */
export type PropertyPath = string;

export type Change =
    | { readonly set: PropertyPath; readonly value: unknown }
    | { readonly delete: PropertyPath }
    | { readonly append: PropertyPath; readonly value: unknown }
    | { readonly remove: true }
    /** A new resource beside the target: same parent and provider, its own type, name and inputs. */
    | { readonly add: { readonly type: string; readonly name: string; readonly inputs: Record<string, unknown> } };

interface Base {
    readonly id: string;
    readonly category: Category;
    readonly source: Source;
    readonly platforms: readonly Platform[];
    /** What the change does, in a few words. */
    readonly description: string;
}

export interface ResourceMutation extends Base {
    readonly target: Selector;
    readonly changes: readonly Change[];
}

/** A `-c` override: costs a program run, so these are few. */
export interface ConfigMutation extends Base {
    readonly config: Readonly<Record<string, string>>;
}

export type Mutation = ResourceMutation | ConfigMutation;

export const isConfigMutation = (m: Mutation): m is ConfigMutation => "config" in m;

/** A source in one catalogue, e.g. `const checkov = sourceIn("Checkov")` then `checkov("CKV_AZURE_190")`. */
export const sourceIn =
    (catalogue: Source["catalogue"]) =>
    (id: string): Source => ({ catalogue, id });

/** What a platform's mutation ids start with, so the two catalogues never collide. */
const ID_PREFIX: Readonly<Record<Platform, string>> = { kubernetes: "k8s", azure: "azure" };

/**
 * The builder a platform's catalogue declares its resource mutations with: the id gets the
 * platform's prefix and the mutation applies to that platform only.
 */
export function mutationBuilder(platform: Platform) {
    return (
        id: string,
        category: Category,
        source: Source,
        target: readonly [type: string, name: string],
        description: string,
        ...changes: Change[]
    ): ResourceMutation => ({
        id: `${ID_PREFIX[platform]}-${id}`,
        category,
        source,
        platforms: [platform],
        description,
        target: { type: target[0], name: target[1] },
        changes,
    });
}

export type Applied =
    | { readonly ok: true; readonly capture: ProgramCapture; readonly touched: readonly CapturedResource[] }
    | { readonly ok: false; readonly reason: string };

type Node = Record<string, unknown> | unknown[];

function step(node: unknown, segment: string): { holder: Node; key: string | number } | undefined {
    if (node === null || typeof node !== "object") return undefined;
    const pick = /^\[(\w+)=(.*)\]$/.exec(segment);
    if (pick) {
        if (!Array.isArray(node)) return undefined;
        const i = node.findIndex((e) => (e as Record<string, unknown> | null)?.[pick[1]!] === pick[2]);
        return i < 0 ? undefined : { holder: node, key: i };
    }
    if (Array.isArray(node)) return /^\d+$/.test(segment) ? { holder: node, key: Number(segment) } : undefined;
    return { holder: node as Record<string, unknown>, key: segment };
}

const at = (holder: Node, key: string | number): unknown => (holder as Record<string | number, unknown>)[key];

/** The parent of the path's last segment, creating missing objects on the way when `create`. */
function parentOf(root: Record<string, unknown>, path: PropertyPath, create: boolean) {
    const segments = splitPath(path);
    let node: unknown = root;
    for (const segment of segments.slice(0, -1)) {
        const s = step(node, segment);
        if (!s) return undefined;
        let next = at(s.holder, s.key);
        if (next === undefined || next === null) {
            if (!create) return undefined;
            next = {};
            (s.holder as Record<string | number, unknown>)[s.key] = next;
        }
        node = next;
    }
    return step(node, segments.at(-1)!);
}

/** `a.b\\.c` is `["a", "b.c"]`: label and annotation keys hold dots. */
export function splitPath(path: PropertyPath): string[] {
    return path.split(/(?<!\\)\./).map((s) => s.replace(/\\\./g, "."));
}

/** One change to one resource's inputs, in place; a message when it cannot apply (the plan has changed). */
export function applyChange(inputs: Record<string, unknown>, change: Change): string | undefined {
    if ("set" in change) {
        const p = parentOf(inputs, change.set, true);
        if (!p) return `no property ${change.set}`;
        if (JSON.stringify(at(p.holder, p.key)) === JSON.stringify(change.value))
            return `${change.set} already has that value`;
        (p.holder as Record<string | number, unknown>)[p.key] = structuredClone(change.value);
        return undefined;
    }
    if ("delete" in change) {
        const p = parentOf(inputs, change.delete, false);
        if (!p || at(p.holder, p.key) === undefined) return `no property ${change.delete}`;
        if (Array.isArray(p.holder)) p.holder.splice(p.key as number, 1);
        else delete p.holder[p.key as string];
        return undefined;
    }
    if ("append" in change) {
        const p = parentOf(inputs, change.append, true);
        if (!p) return `no property ${change.append}`;
        const list = at(p.holder, p.key) ?? [];
        if (!Array.isArray(list)) return `${change.append} is not a list`;
        (p.holder as Record<string | number, unknown>)[p.key] = [...list, structuredClone(change.value)];
        return undefined;
    }
    return "not a property change";
}

/** The capture with the mutation applied, and the resources whose `Analyze` result can differ. */
export function applyMutation(capture: ProgramCapture, mutation: ResourceMutation): Applied {
    const index = capture.resources.findIndex(
        (r) => r.type === mutation.target.type && r.name === mutation.target.name,
    );
    if (index < 0) return { ok: false, reason: `the plan has no ${mutation.target.type} ${mutation.target.name}` };
    const target = capture.resources[index]!;
    const resources = [...capture.resources];
    const touched: CapturedResource[] = [];
    let changed: CapturedResource | undefined;
    for (const change of mutation.changes) {
        if ("remove" in change) {
            resources.splice(resources.indexOf(changed ?? target), 1);
            continue;
        }
        if ("add" in change) {
            const urn = `${target.urn.split("::").slice(0, 2).join("::")}::${change.add.type}::${change.add.name}`;
            const added: CapturedResource = {
                ...structuredClone(target),
                urn,
                type: change.add.type,
                name: change.add.name,
                dependencies: [],
                propertyDependencies: {},
                inputs: structuredClone(change.add.inputs),
            };
            resources.push(added);
            touched.push(added);
            continue;
        }
        changed ??= { ...target, inputs: structuredClone(target.inputs) };
        const problem = applyChange(changed.inputs, change);
        if (problem) return { ok: false, reason: `${mutation.target.name}: ${problem}` };
    }
    if (changed) {
        resources[index] = changed;
        touched.push(changed);
    }
    return { ok: true, capture: { ...capture, resources }, touched };
}
