/**
 * How a VM must be replaced rather than updated: ARM refuses to change what is fixed at creation,
 * and a disk attached to the old VM cannot attach to its replacement while the old one exists.
 */
import type { DeployabilityRule } from "../rule";
import { finding, list, record } from "./plan";
import { VM } from "./compute";

/** True when `path` is covered by a replaceOnChanges entry (the path itself, a parent, or `*`). */
function replacedOnChange(paths: readonly string[], path: string): boolean {
    return paths.some((p) => p === "*" || p === path || path.startsWith(`${p}.`));
}

export const azureVmCustomDataReplace: DeployabilityRule = {
    id: "azure-vm-custom-data-replace",
    source: 'learn.microsoft.com/azure/virtual-machines/custom-data ("For single VMs, custom data in the VM model cannot be updated"); ARM answers an update with PropertyChangeNotAllowed "Changing property \'customData\' is not allowed."',
    description: "a changed cloud-init on an existing VM is refused by ARM unless Pulumi replaces the VM",
    check(plan) {
        return plan.ofType(VM).flatMap((vm) => {
            if (record(plan.inputs(vm)["osProfile"])["customData"] === undefined) return [];
            if (replacedOnChange(vm.options.replaceOnChanges, "osProfile.customData")) return [];
            return [
                finding(
                    this.id,
                    vm,
                    "replaceOnChanges",
                    vm.options.replaceOnChanges,
                    'add replaceOnChanges: ["osProfile.customData"]: Azure cannot update custom data, only a new VM takes it',
                ),
            ];
        });
    },
};

export const azureVmAttachedDiskReplace: DeployabilityRule = {
    id: "azure-vm-attached-disk-replace",
    source: 'learn.microsoft.com/azure/virtual-machines/managed-disks-overview (a managed disk is attached to one VM at a time unless shared); ARM refuses attaching it elsewhere ("Disk … is already attached to VM …"), and a replacement with the same vmName cannot be created beside the old VM',
    description: "replacing a VM that attaches an existing disk, create-first, fails: the disk is still on the old VM",
    check(plan) {
        return plan.ofType(VM).flatMap((vm) => {
            const inputs = plan.inputs(vm);
            const attaches = list(record(inputs["storageProfile"])["dataDisks"]).some(
                (d) => record(d)["createOption"] === "Attach",
            );
            if (!attaches || vm.options.deleteBeforeReplace) return [];
            return [
                finding(
                    this.id,
                    vm,
                    "deleteBeforeReplace",
                    false,
                    "set deleteBeforeReplace: true: the old VM must release the data disk before its replacement attaches it",
                ),
            ];
        });
    },
};
