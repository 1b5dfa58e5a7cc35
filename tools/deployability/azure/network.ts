/** Virtual networks as the network resource provider validates them: subnets, NICs and security rules. */
import type { CapturedResource } from "../../lib/mock-run";
import type { DeployabilityFinding, DeployabilityRule, PlanView } from "../rule";
import { builtFromOfType, finding, list, record, resolveId } from "./plan";

const VNET = "azure-native:network:VirtualNetwork";
const SUBNET = "azure-native:network:Subnet";
const NIC = "azure-native:network:NetworkInterface";
const NSG = "azure-native:network:NetworkSecurityGroup";
const RULE = "azure-native:network:SecurityRule";

/** An IPv4 CIDR as a range of addresses; undefined when the text is not one. */
export function parseCidr(text: string): { base: number; length: number; size: number } | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const length = m[5] === undefined ? 32 : Number(m[5]);
    if (octets.some((o) => o > 255) || length > 32) return undefined;
    const base = octets.reduce((a, o) => a * 256 + o, 0);
    return { base, length, size: 2 ** (32 - length) };
}

/** The network address a CIDR should have written (`10.0.0.0/24` for `10.0.0.1/24`), when it differs. */
export function canonicalCidr(text: string): string | undefined {
    const c = parseCidr(text);
    if (!c || c.base % c.size === 0) return undefined;
    const base = c.base - (c.base % c.size);
    return `${[24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256).join(".")}/${c.length}`;
}

const within = (inner: { base: number; size: number }, outer: { base: number; size: number }) =>
    inner.base >= outer.base && inner.base + inner.size <= outer.base + outer.size;
const overlaps = (a: { base: number; size: number }, b: { base: number; size: number }) =>
    a.base < b.base + b.size && b.base < a.base + a.size;

/** Smallest IPv4 subnet Azure supports (learn.microsoft.com/azure/virtual-network/virtual-networks-faq). */
export const SUBNET_MAX_PREFIX_LENGTH = 29;

interface SubnetPrefix {
    owner: CapturedResource;
    at: string;
    prefix: string;
    name: string;
}

/** Every subnet prefix of a VNet: its inline `subnets` and the Subnet resources built on it. */
function subnetPrefixes(plan: PlanView, vnet: CapturedResource): SubnetPrefix[] {
    const vnetName = plan.inputs(vnet)["virtualNetworkName"];
    const prefixesOf = (owner: CapturedResource, at: string, s: Record<string, unknown>, name: string) =>
        s["addressPrefix"] !== undefined
            ? [{ owner, at: `${at}addressPrefix`, prefix: String(s["addressPrefix"]), name }]
            : list(s["addressPrefixes"]).map((p, i) => ({
                  owner,
                  at: `${at}addressPrefixes[${i}]`,
                  prefix: String(p),
                  name,
              }));
    const inline = list(plan.inputs(vnet)["subnets"]).flatMap((s, i) =>
        prefixesOf(vnet, `subnets[${i}].`, record(s), String(record(s)["name"] ?? `subnets[${i}]`)),
    );
    const resources = plan.ofType(SUBNET).filter((s) => {
        const onVnet = builtFromOfType(plan, s, "virtualNetworkName", VNET);
        return onVnet.length > 0
            ? onVnet.includes(vnet)
            : vnetName !== undefined && plan.inputs(s)["virtualNetworkName"] === vnetName;
    });
    return [
        ...inline,
        ...resources.flatMap((s) => prefixesOf(s, "", plan.inputs(s), String(plan.inputs(s)["subnetName"] ?? s.name))),
    ];
}

export const azureSubnetAddressSpace: DeployabilityRule = {
    id: "azure-subnet-address-space",
    source: "ARM NetcfgSubnetRangeOutsideVnet / NetcfgSubnetRangesOverlap (MicrosoftDocs/azure-docs#123869); learn.microsoft.com/azure/virtual-network/virtual-networks-faq (smallest IPv4 subnet /29); ARM InvalidCIDRNotation (the prefix must be the network address)",
    description:
        "A subnet outside its VNet's address space, overlapping a sibling, smaller than /29 or not a network address is refused",
    check(plan) {
        return plan.ofType(VNET).flatMap((vnet) => {
            const space = list(record(plan.inputs(vnet)["addressSpace"])["addressPrefixes"]).map(String);
            const ranges = space.map(parseCidr).filter((r) => r !== undefined);
            const seen: Array<SubnetPrefix & { range: NonNullable<ReturnType<typeof parseCidr>> }> = [];
            const found: DeployabilityFinding[] = [];
            for (const s of subnetPrefixes(plan, vnet)) {
                if (s.prefix.includes(":")) continue; // IPv6: not checked here.
                const range = parseCidr(s.prefix);
                const fix = (text: string) => found.push(finding(this.id, s.owner, s.at, s.prefix, text));
                if (!range || !s.prefix.includes("/")) fix("write the subnet as an IPv4 CIDR, e.g. 10.40.4.0/27");
                else if (canonicalCidr(s.prefix)) fix(`not a network address: write ${canonicalCidr(s.prefix)}`);
                else if (range.length > SUBNET_MAX_PREFIX_LENGTH)
                    fix(`Azure's smallest subnet is a /${SUBNET_MAX_PREFIX_LENGTH}`);
                else if (ranges.length > 0 && !ranges.some((r) => within(range, r)))
                    fix(`outside the VNet's address space ${space.join(", ")}: pick a range inside it`);
                else {
                    const clash = seen.find((x) => overlaps(range, x.range));
                    if (clash) fix(`overlaps subnet ${clash.name} (${clash.prefix}): pick a free range`);
                    else seen.push({ ...s, range });
                }
            }
            return found;
        });
    },
};

export const azureNicSubnetDelegation: DeployabilityRule = {
    id: "azure-nic-subnet-delegation",
    source: "learn.microsoft.com/azure/virtual-network/subnet-delegation-overview (a delegated subnet is for the service it is delegated to); ARM SubnetDelegationsCannotChangeWhenSubnetUsedByResource (MicrosoftDocs/azure-docs#39112: NICs and delegations exclude each other)",
    description:
        "A VM's network interface in a subnet delegated to a service (Container Apps, PostgreSQL, …) is refused or breaks that service",
    check(plan) {
        return plan.ofType(NIC).flatMap((nic) =>
            list(plan.inputs(nic)["ipConfigurations"]).flatMap((c, i) => {
                const id = record(record(c)["subnet"])["id"];
                const subnet = resolveId(plan, nic, "ipConfigurations", id, "subnetName", SUBNET);
                const delegations = subnet
                    ? list(plan.inputs(subnet)["delegations"]).map((d) => record(d)["serviceName"])
                    : [];
                if (!subnet || delegations.length === 0) return [];
                return [
                    finding(
                        this.id,
                        nic,
                        `ipConfigurations[${i}].subnet.id`,
                        subnet.name,
                        `${subnet.name} is delegated to ${delegations.join(", ")}: put the NIC in a subnet of its own, not delegated`,
                    ),
                ];
            }),
        );
    },
};

const PORT = /^(\*|\d{1,5}(?:-\d{1,5})?)$/;
function portProblem(range: string): boolean {
    if (!PORT.test(range)) return true;
    if (range === "*") return false;
    const [a, b = a] = range.split("-").map(Number) as [number, number?];
    return a > 65535 || b! > 65535 || a > b!;
}

/** `*`, an IPv4 address, CIDR or range, IPv6, or a service tag (`VirtualNetwork`, `Storage.WestEurope`). */
function prefixProblem(prefix: string): string | undefined {
    if (prefix === "*" || prefix.includes(":") || /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*$/.test(prefix))
        return undefined;
    const range = /^([\d.]+)-([\d.]+)$/.exec(prefix);
    if (range) return parseCidr(range[1]!) && parseCidr(range[2]!) ? undefined : "is not an IP range";
    if (!parseCidr(prefix)) return "is not *, an IP address, a CIDR or a service tag";
    const canonical = canonicalCidr(prefix);
    return canonical ? `is not a network address: write ${canonical}` : undefined;
}

/** Every security rule of an NSG: inline `securityRules` and SecurityRule resources on it. */
function securityRules(plan: PlanView, nsg: CapturedResource) {
    const nsgName = plan.inputs(nsg)["networkSecurityGroupName"];
    const inline = list(plan.inputs(nsg)["securityRules"]).map((r, i) => ({
        owner: nsg,
        at: `securityRules[${i}].`,
        rule: record(r),
    }));
    const separate = plan
        .ofType(RULE)
        .filter((r) => {
            const on = builtFromOfType(plan, r, "networkSecurityGroupName", NSG);
            return on.length > 0
                ? on.includes(nsg)
                : nsgName !== undefined && plan.inputs(r)["networkSecurityGroupName"] === nsgName;
        })
        .map((r) => ({ owner: r, at: "", rule: plan.inputs(r) }));
    return [...inline, ...separate];
}

export const azureNsgSecurityRules: DeployabilityRule = {
    id: "azure-nsg-security-rules",
    source: '@pulumi/azure-native types/input.d.ts, network.SecurityRuleArgs (priority 100-4096, unique in the collection; ports 0-65535 or *; prefixes CIDR, IP range, * or tags); ARM SecurityRuleConflict "Rules cannot have the same Priority and Direction" (hashicorp/terraform-provider-azurerm#11137)',
    description:
        "An NSG rule with a priority outside 100-4096 or shared with another rule of its direction, or a malformed port or prefix, is refused",
    check(plan) {
        return plan.ofType(NSG).flatMap((nsg) => {
            const found: DeployabilityFinding[] = [];
            const byDirection = new Map<string, string>();
            for (const { owner, at, rule } of securityRules(plan, nsg)) {
                const name = String(rule["name"] ?? owner.name);
                const priority = rule["priority"];
                if (!Number.isInteger(priority) || (priority as number) < 100 || (priority as number) > 4096)
                    found.push(
                        finding(
                            this.id,
                            owner,
                            `${at}priority`,
                            priority ?? null,
                            "give the rule a priority of 100-4096",
                        ),
                    );
                else {
                    const key = `${String(rule["direction"])}/${String(priority)}`;
                    const other = byDirection.get(key);
                    if (other !== undefined)
                        found.push(
                            finding(
                                this.id,
                                owner,
                                `${at}priority`,
                                priority,
                                `${other} already has ${String(rule["direction"])} priority ${String(priority)}: give each rule of a direction its own`,
                            ),
                        );
                    else byDirection.set(key, name);
                }
                for (const side of ["source", "destination"]) {
                    const ports: Array<[string, unknown]> = [
                        [`${side}PortRange`, rule[`${side}PortRange`]],
                        ...list(rule[`${side}PortRanges`]).map(
                            (p, i) => [`${side}PortRanges[${i}]`, p] as [string, unknown],
                        ),
                    ];
                    for (const [key, value] of ports)
                        if (value !== undefined && portProblem(String(value)))
                            found.push(
                                finding(this.id, owner, `${at}${key}`, value, "a port is *, N or N-M within 0-65535"),
                            );
                    const prefixes: Array<[string, unknown]> = [
                        [`${side}AddressPrefix`, rule[`${side}AddressPrefix`]],
                        ...list(rule[`${side}AddressPrefixes`]).map(
                            (p, i) => [`${side}AddressPrefixes[${i}]`, p] as [string, unknown],
                        ),
                    ];
                    for (const [key, value] of prefixes) {
                        const problem = value === undefined ? undefined : prefixProblem(String(value));
                        if (problem) found.push(finding(this.id, owner, `${at}${key}`, value, `the prefix ${problem}`));
                    }
                }
            }
            return found;
        });
    },
};
