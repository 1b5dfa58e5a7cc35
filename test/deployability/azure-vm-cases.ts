/** Shared shape of the VM fixture's cases: one change to a captured resource, the exact findings. */
import assert from "node:assert/strict";
import { checkDeployability, type DeployabilityFinding } from "../../tools/deployability";
import { azureRules } from "../../tools/deployability/azure";
import type { CapturedResource, ProgramCapture } from "../../tools/lib/mock-run";

export type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const VM = "azure-native:compute:VirtualMachine";
export const DISK = "azure-native:compute:Disk";
export const NIC = "azure-native:network:NetworkInterface";
export const NSG = "azure-native:network:NetworkSecurityGroup";
export const SUBNET = "azure-native:network:Subnet";

export type Finding = Pick<DeployabilityFinding, "rule" | "property" | "value">;
export type Case = [
    what: string,
    type: string,
    name: string,
    change: (inputs: Inputs, r: CapturedResource, all: ProgramCapture) => void,
    expected: Finding[],
];

export const only = (findings: DeployabilityFinding[]): Finding[] =>
    findings.map(({ rule, property, value }) => ({ rule, property, value }));

/** The Azure rules' findings on a copy of the capture with one resource changed. */
export function findingsAfter(capture: ProgramCapture, type: string, name: string, change: Case[3]): Finding[] {
    const copy = structuredClone(capture);
    const target = copy.resources.filter((r) => r.type === type && r.name === name);
    assert.equal(target.length, 1, `one ${type} ${name}`);
    change(target[0]!.inputs as Inputs, target[0]!, copy);
    return only(checkDeployability(copy, azureRules));
}

export const urnOf = (capture: ProgramCapture, type: string, name: string) =>
    capture.resources.find((r) => r.type === type && r.name === name)!.urn;
