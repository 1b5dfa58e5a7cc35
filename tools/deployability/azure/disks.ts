/** Managed disks and the VMs they attach to: zones, premium storage, Premium SSD v2, LUNs and sizes. */
import type { CapturedResource } from "../../lib/mock-run";
import type { DeployabilityFinding, DeployabilityRule, PlanView } from "../rule";
import { VM } from "./compute";
import { finding, list, record, resolveId } from "./plan";

const DISK = "azure-native:compute:Disk";
const PREMIUM = ["Premium_LRS", "Premium_ZRS", "PremiumV2_LRS"];

/** One disk entry of a VM's storage profile, with the Disk resource it attaches when the plan declares it. */
interface DiskEntry {
    /** `storageProfile.osDisk` or `storageProfile.dataDisks[i]`. */
    at: string;
    entry: Record<string, unknown>;
    disk?: CapturedResource;
    /** The storage type: the attached disk's `sku.name`, else the entry's `managedDisk.storageAccountType`. */
    sku?: string;
}

export function diskEntries(plan: PlanView, vm: CapturedResource): DiskEntry[] {
    const storage = record(plan.inputs(vm)["storageProfile"]);
    const entries: Array<[string, Record<string, unknown>]> = [
        ...(storage["osDisk"] !== undefined
            ? [["storageProfile.osDisk", record(storage["osDisk"])] as [string, Record<string, unknown>]]
            : []),
        ...list(storage["dataDisks"]).map(
            (d, i) => [`storageProfile.dataDisks[${i}]`, record(d)] as [string, Record<string, unknown>],
        ),
    ];
    return entries.map(([at, entry]) => {
        const managed = record(entry["managedDisk"]);
        const disk = resolveId(plan, vm, "storageProfile", managed["id"], "diskName", DISK);
        const sku = disk ? record(plan.inputs(disk)["sku"])["name"] : managed["storageAccountType"];
        return { at, entry, ...(disk ? { disk } : {}), ...(typeof sku === "string" ? { sku } : {}) };
    });
}

const zonesOf = (inputs: Record<string, unknown>) => list(inputs["zones"]).map(String);

export const azureVmDiskZone: DeployabilityRule = {
    id: "azure-vm-disk-zone",
    source: 'learn.microsoft.com/azure/virtual-machines/disks-redundancy (a zonal VM attaches disks of its zone; ZRS disks attach in any zone); ARM BadRequest "Disk … cannot be attached to the VM because it is not in the same zone as the VM" / "… not in zone \'1\'" (jenkins-infra/azure#1406, jrudlin/Azure#7)',
    description: "A managed disk in another zone than its VM, or zonal under a regional VM, cannot be attached",
    check(plan) {
        return plan.ofType(VM).flatMap((vm) => {
            const vmZones = zonesOf(plan.inputs(vm));
            return diskEntries(plan, vm).flatMap(({ at, disk, sku }) => {
                if (!disk) return [];
                const diskZones = zonesOf(plan.inputs(disk));
                const where = `${at}.managedDisk.id`;
                if (vmZones.length === 0 && diskZones.length > 0)
                    return [
                        finding(
                            this.id,
                            vm,
                            where,
                            disk.name,
                            `${disk.name} is in zone ${diskZones.join(",")}: give the VM zones [${diskZones.join(",")}] (or make the disk regional)`,
                        ),
                    ];
                if (vmZones.length === 0) return [];
                if (diskZones.length === 0 && sku?.endsWith("_ZRS")) return [];
                if (diskZones.length > 0 && diskZones.every((z) => vmZones.includes(z))) return [];
                return [
                    finding(
                        this.id,
                        vm,
                        where,
                        disk.name,
                        `${disk.name} must be in the VM's zone: set its zones to [${vmZones.join(",")}]`,
                    ),
                ];
            });
        });
    },
};

/**
 * Whether a VM size takes premium storage: the `s` among the additive features of its name
 * (Standard_D4s_v5, Standard_E8ds_v5, Standard_B2ms), the older DS/GS/FS/LS families, and the M series:
 * "some newer sizes without the attribute of s can still support Premium Storage, such as M128, M64"
 * (learn.microsoft.com/azure/virtual-machines/vm-naming-conventions). Undefined when the name does not parse.
 */
export function premiumStorageCapable(vmSize: string): boolean | undefined {
    const m = /^(?:Standard|Basic)_([A-Z]+)(\d+)(?:-\d+)?([a-z]*)(?:_[A-Za-z0-9]+)*$/.exec(vmSize);
    if (!m) return undefined;
    const [, family, , features] = m as unknown as [string, string, string, string];
    return features.includes("s") || /^[DGFL]S$/.test(family) || family.startsWith("M");
}

export const azureVmPremiumStorage: DeployabilityRule = {
    id: "azure-vm-premium-storage",
    source: 'learn.microsoft.com/azure/virtual-machines/vm-naming-conventions (s = Premium Storage capable; M128, M64 without it); learn.microsoft.com/azure/virtual-machines/disks-deploy-premium-v2 ("can be used with any premium storage-enabled virtual machine size")',
    description: "Premium SSD (v1, v2, ZRS) disks attach only to VM sizes that support premium storage",
    check(plan) {
        return plan.ofType(VM).flatMap((vm) => {
            const size = record(plan.inputs(vm)["hardwareProfile"])["vmSize"];
            if (typeof size !== "string" || premiumStorageCapable(size) !== false) return [];
            const premium = diskEntries(plan, vm).filter((e) => e.sku !== undefined && PREMIUM.includes(e.sku));
            if (premium.length === 0) return [];
            return [
                finding(
                    this.id,
                    vm,
                    "hardwareProfile.vmSize",
                    size,
                    `${premium.map((e) => e.disk?.name ?? e.at).join(", ")} ${premium.length === 1 ? "is" : "are"} ${premium[0]!.sku}: choose a size with premium storage (the "s" variant, e.g. Standard_D4s_v5)`,
                ),
            ];
        });
    },
};

export const azurePremiumV2Disk: DeployabilityRule = {
    id: "azure-premium-v2-disk",
    source: "learn.microsoft.com/azure/virtual-machines/disks-deploy-premium-v2, Limitations (not an OS disk; no host caching; attached only to zonal VMs in most regions with zones)",
    description: "A Premium SSD v2 disk is refused as an OS disk, with host caching, or without a zone",
    check(plan) {
        const found: DeployabilityFinding[] = [];
        for (const disk of plan.ofType(DISK)) {
            const inputs = plan.inputs(disk);
            if (record(inputs["sku"])["name"] === "PremiumV2_LRS" && zonesOf(inputs).length === 0)
                found.push(
                    finding(
                        this.id,
                        disk,
                        "zones",
                        null,
                        "give the disk the zone of the VM it attaches to (nonzonal Premium SSD v2 exists in few regions, with extra limits)",
                    ),
                );
        }
        for (const vm of plan.ofType(VM))
            for (const { at, entry, disk, sku } of diskEntries(plan, vm)) {
                if (sku !== "PremiumV2_LRS") continue;
                const name = disk?.name ?? at;
                if (at === "storageProfile.osDisk")
                    found.push(
                        finding(
                            this.id,
                            vm,
                            `${at}.managedDisk`,
                            name,
                            "Premium SSD v2 cannot be an OS disk: use Premium_LRS for the OS disk and attach the v2 disk as data",
                        ),
                    );
                // Unset caching defaults to ReadOnly on premium storage (compute.DataDiskArgs.caching).
                else if (entry["caching"] !== "None")
                    found.push(
                        finding(
                            this.id,
                            vm,
                            `${at}.caching`,
                            entry["caching"] ?? null,
                            `${name} is Premium SSD v2, which has no host caching: set caching "None"`,
                        ),
                    );
            }
        return found;
    },
};

export const azureVmDataDiskLun: DeployabilityRule = {
    id: "azure-vm-data-disk-lun",
    source: '@pulumi/azure-native types/input.d.ts, compute.DataDiskArgs.lun ("must be unique for each data disk attached to a VM")',
    description: "Two data disks of one VM on the same LUN are refused",
    check(plan) {
        return plan.ofType(VM).flatMap((vm) => {
            const seen = new Map<unknown, number>();
            return list(record(plan.inputs(vm)["storageProfile"])["dataDisks"]).flatMap((d, i) => {
                const lun = record(d)["lun"];
                const first = seen.get(lun);
                if (first === undefined) {
                    seen.set(lun, i);
                    if (Number.isInteger(lun) && (lun as number) >= 0) return [];
                    return [
                        finding(
                            this.id,
                            vm,
                            `storageProfile.dataDisks[${i}].lun`,
                            lun ?? null,
                            "give each data disk a LUN: a non-negative integer",
                        ),
                    ];
                }
                return [
                    finding(
                        this.id,
                        vm,
                        `storageProfile.dataDisks[${i}].lun`,
                        lun,
                        `dataDisks[${first}] already uses LUN ${String(lun)}: give each data disk its own`,
                    ),
                ];
            });
        });
    },
};

/** Largest size per disk type, GiB ("Disk type comparison", learn.microsoft.com/azure/virtual-machines/disks-types). */
export const DISK_MAX_GIB: Readonly<Record<string, number>> = {
    UltraSSD_LRS: 65536,
    PremiumV2_LRS: 65536,
    Premium_LRS: 32767,
    Premium_ZRS: 32767,
    StandardSSD_LRS: 32767,
    StandardSSD_ZRS: 32767,
    Standard_LRS: 32767,
};

export const azureDiskSize: DeployabilityRule = {
    id: "azure-disk-size",
    source: "learn.microsoft.com/azure/virtual-machines/disks-types, disk type comparison (max 65,536 GiB Ultra and Premium SSD v2; 32,767 GiB Premium SSD, Standard SSD, Standard HDD)",
    description:
        "A managed disk larger than its type's maximum, or without a positive size when created empty, is refused",
    check(plan) {
        return plan.ofType(DISK).flatMap((disk) => {
            const inputs = plan.inputs(disk);
            const size = inputs["diskSizeGB"];
            const sku = String(record(inputs["sku"])["name"] ?? "Standard_LRS");
            const empty = record(inputs["creationData"])["createOption"] === "Empty";
            if (size === undefined)
                return empty ? [finding(this.id, disk, "diskSizeGB", null, "an Empty disk needs diskSizeGB")] : [];
            const max = DISK_MAX_GIB[sku];
            if (Number.isInteger(size) && (size as number) >= 1 && (max === undefined || (size as number) <= max))
                return [];
            return [finding(this.id, disk, "diskSizeGB", size, `a ${sku} disk is 1-${max ?? "?"} GiB`)];
        });
    },
};
