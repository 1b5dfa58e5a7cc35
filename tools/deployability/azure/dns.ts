/** Private DNS zones and record sets as Azure DNS accepts them. */
import type { CapturedResource } from "../../lib/mock-run";
import type { DeployabilityFinding, DeployabilityRule, PlanView } from "../rule";
import { autoname } from "./names";
import { builtFromOfType, finding, list, record } from "./plan";
import { parseCidr } from "./network";

const ZONE = "azure-native:privatedns:PrivateZone";
const RECORD_SET = "azure-native:privatedns:PrivateRecordSet";

/** Largest TTL, seconds (learn.microsoft.com/azure/dns/dns-private-records, Time-to-live: 1 to 2,147,483,647). */
export const TTL_MAX = 2_147_483_647;
/** Single-label private zones are not supported; at most 34 labels (learn.microsoft.com/azure/dns/private-dns-privatednszone, Restrictions). */
export const ZONE_LABELS = { min: 2, max: 34 } as const;
/** A label: alphanumerics, underscores and hyphens (resource-name-rules, privateDnsZones), at most 63 characters (RFC 1035). */
const LABEL = /^[A-Za-z0-9_-]{1,63}$/;

/** The zone a record set is in: the PrivateZone its zone name was built from, else the one of that name. */
function zoneOf(plan: PlanView, set: CapturedResource): string {
    const built = builtFromOfType(plan, set, "privateZoneName", ZONE)[0];
    return built?.urn ?? String(plan.inputs(set)["privateZoneName"]);
}

export const azurePrivateDns: DeployabilityRule = {
    id: "azure-private-dns",
    source: "learn.microsoft.com/azure/dns/private-dns-privatednszone (Restrictions: 2-34 labels); learn.microsoft.com/azure/dns/dns-private-records (relative names, '@', wildcards, TTL 1-2,147,483,647 s, a CNAME record set cannot coexist with other record sets of its name); learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules (privateDnsZones labels)",
    description:
        "A private zone of one label, a record set with a malformed name or TTL, an A record that is no IPv4 address, or a CNAME beside another record set of its name is refused",
    check(plan) {
        const found: DeployabilityFinding[] = [];
        for (const zone of plan.ofType(ZONE)) {
            const name = plan.inputs(zone)["privateZoneName"];
            if (typeof name !== "string") continue;
            const labels = name.split(".");
            if (
                labels.length < ZONE_LABELS.min ||
                labels.length > ZONE_LABELS.max ||
                !labels.every((l) => LABEL.test(l))
            )
                found.push(
                    finding(
                        this.id,
                        zone,
                        "privateZoneName",
                        name,
                        `a private zone is ${ZONE_LABELS.min}-${ZONE_LABELS.max} labels of letters, digits, underscores and hyphens (e.g. estate.internal)`,
                    ),
                );
        }
        const names = new Map<string, { set: CapturedResource; type: string }[]>();
        for (const set of plan.ofType(RECORD_SET)) {
            const inputs = plan.inputs(set);
            const relative = inputs["relativeRecordSetName"] ?? autoname(set.name);
            const type = String(inputs["recordType"]);
            const ttl = inputs["ttl"];
            if (typeof relative === "string") {
                const labels = relative === "@" ? [] : relative.split(".");
                const bad = labels.some((l, i) => !(LABEL.test(l) || (l === "*" && i === 0)));
                if (bad)
                    found.push(
                        finding(
                            this.id,
                            set,
                            "relativeRecordSetName",
                            relative,
                            "a relative name is '@' or dot-separated labels of letters, digits, underscores and hyphens ('*' only leftmost)",
                        ),
                    );
                const key = `${zoneOf(plan, set)}/${relative.toLowerCase()}`;
                names.set(key, [...(names.get(key) ?? []), { set, type }]);
            }
            if (ttl !== undefined && !(Number.isInteger(ttl) && (ttl as number) >= 1 && (ttl as number) <= TTL_MAX))
                found.push(finding(this.id, set, "ttl", ttl, `a TTL is 1-${TTL_MAX} seconds`));
            if (type === "A")
                list(inputs["aRecords"]).forEach((a, i) => {
                    const ip = record(a)["ipv4Address"];
                    if (typeof ip !== "string" || ip.includes("/") || !parseCidr(ip))
                        found.push(
                            finding(
                                this.id,
                                set,
                                `aRecords[${i}].ipv4Address`,
                                ip ?? null,
                                "an A record holds one IPv4 address",
                            ),
                        );
                });
        }
        for (const sets of names.values())
            if (sets.length > 1 && sets.some((s) => s.type === "CNAME"))
                for (const { set, type } of sets.filter((s) => s.type === "CNAME"))
                    found.push(
                        finding(
                            this.id,
                            set,
                            "recordType",
                            type,
                            `${sets
                                .filter((s) => s.set !== set)
                                .map((s) => s.set.name)
                                .join(", ")} has the same name: a CNAME must be the only record set of its name`,
                        ),
                    );
        return found;
    },
};
