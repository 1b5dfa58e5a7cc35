import assert from "node:assert/strict";
import { it } from "node:test";
import type { CapturedResource } from "../../tools/lib/analyzer";
import { dbReadReplica, k8sAvailability } from "./availability-fixtures";
import { azureDataStores, k8sDataStores } from "./data-fixtures";
import { azureEstate, k8sEstate } from "./fixtures";
import { findings } from "./harness";

export type Mutation = (rs: CapturedResource[]) => void;

export interface Case {
    readonly name: string;
    readonly mutate: Mutation;
    /** Exact [policy, message] findings, in report order. */
    readonly expect: Array<[string, string]>;
}

/** One test per case: the compliant estate with that one change reports exactly the expected findings. */
export function itReportsEachCase(cases: readonly Case[]): void {
    for (const c of cases) {
        it(c.name, async () => {
            const rs = estate();
            c.mutate(rs);
            assert.deepEqual(await findings(rs), c.expect);
        });
    }
}

export function estate(): CapturedResource[] {
    return [
        ...k8sEstate(),
        ...k8sDataStores(),
        ...k8sAvailability(),
        ...azureEstate(),
        ...azureDataStores(),
        dbReadReplica(),
    ];
}

/**
 * One fixture resource's inputs, for a case to edit in place. Deliberately loose: cases reach deep into
 * every kind the pack reads (built-in, custom, Azure), and a missing path throws at run time, failing the case.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function get(rs: CapturedResource[], type: string, name: string): Record<string, any> {
    const r = rs.find((x) => x.type.endsWith(type) && x.name === name);
    if (!r) throw new Error(`fixture has no ${type} ${name}`);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return r.inputs as Record<string, any>;
}

export function drop(rs: CapturedResource[], type: string, name: string): void {
    const i = rs.findIndex((x) => x.type.endsWith(type) && x.name === name);
    if (i < 0) throw new Error(`fixture has no ${type} ${name}`);
    rs.splice(i, 1);
}

export const api = (rs: CapturedResource[]) => get(rs, ":Deployment", "api").spec.template.spec.containers[0];
export const apiPod = (rs: CapturedResource[]) => get(rs, ":Deployment", "api").spec.template.spec;
export const postgres = (rs: CapturedResource[]) =>
    get(rs, ":StatefulSet", "postgres").spec.template.spec.containers[0];
export const aca = (rs: CapturedResource[]) => get(rs, "app:ContainerApp", "api");
export const acaContainer = (rs: CapturedResource[]) => aca(rs).template.containers[0];

/** Sets, replaces or (with `undefined`) removes one env entry of a Kubernetes or Container Apps container. */
export function setEnv(c: { env?: Array<{ name?: string }> }, name: string, entry: object | undefined): void {
    const env = (c.env ??= []);
    const i = env.findIndex((e) => e.name === name);
    // Removing an entry that is not there would splice off the last one and test nothing.
    if (entry === undefined && i < 0) throw new Error(`container has no env ${name} to remove`);
    if (entry === undefined) env.splice(i, 1);
    else if (i < 0) env.push({ name, ...entry });
    else env[i] = { name, ...entry };
}
