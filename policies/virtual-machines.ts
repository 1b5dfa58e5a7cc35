// Azure virtual machines (the estate's Neo4j) stay private: no public address on any network
// interface, no inbound rule admitting the internet, no password login, and managed disks that
// cannot be exported through a SAS URL or a public endpoint (Azure Security Benchmark NS-1, NS-2,
// PA-7 and DP-8; learn.microsoft.com/azure/virtual-machines/disks-restrict-import-export-overview).
import type { ResourceValidationArgs } from "@pulumi/policy";
import { isInternetRange } from "./azure";
import { CatalogEntry, field, isRecord, list, text } from "./lib";

const NETWORK_INTERFACE = "azure-native:network:NetworkInterface";
const SECURITY_GROUP = "azure-native:network:NetworkSecurityGroup";
const SECURITY_RULE = "azure-native:network:SecurityRule";
const VIRTUAL_MACHINE = "azure-native:compute:VirtualMachine";
const DISK = "azure-native:compute:Disk";
/** An inbound Allow rule whose source includes the internet. */
function opensToInternet(rule: unknown): boolean {
    const props = isRecord(field(rule, "properties")) ? field(rule, "properties") : rule;
    if (text(props, "direction") !== "Inbound" || text(props, "access") !== "Allow") return false;
    const sources = [text(props, "sourceAddressPrefix"), ...list(props, "sourceAddressPrefixes")];
    // The `Internet` service tag and the wildcards mean anyone (virtual-network/service-tags-overview).
    return sources.some((s) => typeof s === "string" && isInternetRange(s));
}

function check(r: ResourceValidationArgs, report: (message: string) => void): void {
    if (r.type === NETWORK_INTERFACE) {
        list(r.props, "ipConfigurations").forEach((c, i) => {
            if (field(c, "publicIPAddress") !== undefined)
                report(
                    `Remove ipConfigurations[${i}].publicIPAddress from network interface "${r.name}": the estate's VMs have no public address; the apps reach them in the VNet.`,
                );
        });
    } else if (r.type === SECURITY_GROUP || r.type === SECURITY_RULE) {
        const rules = r.type === SECURITY_GROUP ? list(r.props, "securityRules") : [r.props];
        for (const rule of rules.filter(opensToInternet))
            report(
                `Security rule "${text(rule, "name") ?? r.name}" admits the internet inbound: use the Container Apps subnet (or another VNet range) as its source.`,
            );
    } else if (r.type === VIRTUAL_MACHINE) {
        const linux = field(r.props, "osProfile", "linuxConfiguration");
        if (linux !== undefined && field(linux, "disablePasswordAuthentication") !== true)
            report(
                `Set osProfile.linuxConfiguration.disablePasswordAuthentication: true on VM "${r.name}" (SSH keys only, and no adminPassword).`,
            );
    } else if (r.type === DISK) {
        const policy = text(r.props, "networkAccessPolicy");
        const access = text(r.props, "publicNetworkAccess");
        if (policy !== "DenyAll" || access !== "Disabled")
            report(
                `Set networkAccessPolicy: "DenyAll" and publicNetworkAccess: "Disabled" on disk "${r.name}" (now ${policy ?? "AllowAll by default"}, ${access ?? "Enabled by default"}): otherwise anyone allowed to export it gets a SAS URL to its data.`,
            );
    }
}

export const azureVmPrivate: CatalogEntry = {
    policy: {
        name: "azure-vm-private",
        description:
            "Azure VMs have no public address and no inbound rule from the internet, log in by SSH key only, and their managed disks cannot be exported or reached publicly.",
        enforcementLevel: "mandatory",
        severity: "high",
        validateResource: (args, report) => check(args, (message) => report(message)),
    },
    meta: {
        requirements: ["UA-PRIVATE-DATA-NETWORK"],
        checks: ["ASB NS-1", "ASB NS-2", "ASB PA-7", "ASB DP-8"],
    },
};
