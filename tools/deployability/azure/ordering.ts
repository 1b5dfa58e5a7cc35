/** Creation order ARM cannot infer: what a Container App or job must wait for. */
import type { CapturedResource } from "../../lib/mock-run";
import type { DeployabilityRule, PlanView } from "../rule";
import { builtFromOfType, finding } from "./plan";

const APP_TYPES = ["azure-native:app:ContainerApp", "azure-native:app:Job"];
const VAULT = "azure-native:keyvault:Vault";
const SECRET = "azure-native:keyvault:Secret";
const ROLE = "azure-native:authorization:RoleAssignment";
const ENDPOINT = "azure-native:network:PrivateEndpoint";
const DNS_GROUP = "azure-native:network:PrivateDnsZoneGroup";
const IDENTITY = "azure-native:managedidentity:UserAssignedIdentity";
/** Built-in roles that can read secret values (Secrets User, Secrets Officer, Administrator). */
const SECRET_READER_ROLES = [
    "4633458b-17de-408a-b874-0445c86b69e6",
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483",
];

/** The vaults a workload's Key Vault references point into, with the secrets it reads in each. */
function referencedVaults(
    plan: PlanView,
    app: CapturedResource,
): Array<{ vault: CapturedResource; secrets: CapturedResource[] }> {
    const byVault = new Map<string, { vault: CapturedResource; secrets: CapturedResource[] }>();
    for (const secret of builtFromOfType(plan, app, "configuration", SECRET)) {
        for (const vault of builtFromOfType(plan, secret, "vaultName", VAULT)) {
            const entry = byVault.get(vault.urn) ?? { vault, secrets: [] };
            entry.secrets.push(secret);
            byVault.set(vault.urn, entry);
        }
    }
    return [...byVault.values()];
}

function deniesPublicAccess(plan: PlanView, vault: CapturedResource): boolean {
    const props = (plan.inputs(vault)["properties"] ?? {}) as {
        publicNetworkAccess?: string;
        networkAcls?: { defaultAction?: string };
    };
    return props.publicNetworkAccess === "Disabled" || props.networkAcls?.defaultAction === "Deny";
}

export const azureKeyVaultReferenceOrdering: DeployabilityRule = {
    id: "azure-key-vault-reference-ordering",
    source: "learn.microsoft.com/azure/container-apps/manage-secrets (Key Vault references resolve with the app's identity when the revision starts); azure/key-vault/general/rbac-guide (roles at vault or secret scope); azure/role-based-access-control/troubleshooting (assignments take minutes to propagate); azure/key-vault/general/overview-vnet-service-endpoints (Container Apps is not a trusted service)",
    description:
        "An app or job with Key Vault references fails its first revision unless its identity's role and the vault's private endpoint exist first",
    check(plan) {
        return plan.ofType(...APP_TYPES).flatMap((app) => {
            const vaults = referencedVaults(plan, app);
            if (vaults.length === 0) return [];
            const waits = plan.waitsFor(app);
            const identities = new Set(builtFromOfType(plan, app, "identity", IDENTITY).map((i) => i.urn));
            return vaults.flatMap(({ vault, secrets }) => {
                // Secrets User on the vault, or on the secret itself (the RBAC guide's "secret scope").
                const roles = plan.ofType(ROLE).filter((role) => {
                    const inputs = plan.inputs(role);
                    const reads = SECRET_READER_ROLES.some((id) => String(inputs["roleDefinitionId"]).endsWith(id));
                    const forIdentity = builtFromOfType(plan, role, "principalId", IDENTITY).some((i) =>
                        identities.has(i.urn),
                    );
                    return reads && forIdentity;
                });
                const covering = (secret: CapturedResource) =>
                    roles.filter((role) =>
                        builtFromOfType(plan, role, "scope", VAULT, SECRET).some(
                            (x) => x.urn === vault.urn || x.urn === secret.urn,
                        ),
                    );
                const found = [];
                const ungranted = secrets.filter((secret) => !covering(secret).some((role) => waits.has(role.urn)));
                if (ungranted.length > 0) {
                    const existing = ungranted.flatMap(covering);
                    found.push(
                        finding(
                            this.id,
                            app,
                            "dependsOn",
                            existing.length > 0 ? existing.map((role) => role.name) : ungranted.map((x) => x.name),
                            existing.length === 0
                                ? `grant the app's identity "Key Vault Secrets User" on ${ungranted.map((x) => x.name).join(", ")} (secret scope) and make the app depend on the assignments`
                                : `add ${existing.map((role) => role.name).join(", ")} to the app's dependsOn: RBAC must exist before the first revision reads ${vault.name}`,
                        ),
                    );
                }
                if (deniesPublicAccess(plan, vault)) {
                    const endpoints = plan
                        .ofType(ENDPOINT)
                        .filter((e) =>
                            builtFromOfType(plan, e, "privateLinkServiceConnections", VAULT).some(
                                (v) => v.urn === vault.urn,
                            ),
                        );
                    const dns = plan
                        .ofType(DNS_GROUP)
                        .filter((g) =>
                            builtFromOfType(plan, g, "privateEndpointName", ENDPOINT).some((e) =>
                                endpoints.includes(e),
                            ),
                        );
                    const ready = endpoints.some((e) => waits.has(e.urn)) && dns.some((g) => waits.has(g.urn));
                    if (!ready)
                        found.push(
                            finding(
                                this.id,
                                app,
                                "dependsOn",
                                [...endpoints, ...dns].map((x) => x.name),
                                endpoints.length === 0
                                    ? `${vault.name} denies public access: give it a private endpoint (groupIds ["vault"]) with a privatelink.vaultcore.azure.net DNS zone group, and make the app depend on both`
                                    : `make the app depend on ${vault.name}'s private endpoint and its DNS zone group`,
                            ),
                        );
                }
                return found;
            });
        });
    },
};

/** Creating a replica puts the primary in an updating state: anything else on the primary then fails. */
export const azurePostgresReplicaOrdering: DeployabilityRule = {
    id: "azure-postgres-replica-ordering",
    source: "learn.microsoft.com/azure/postgresql/flexible-server/concepts-read-replicas (the primary is updating while a replica is created; ServerIsBusy)",
    description:
        "A read replica created alongside the primary's databases or parameters makes them fail with ServerIsBusy",
    check(plan) {
        const SERVER = "azure-native:dbforpostgresql:Server";
        return plan.ofType(SERVER).flatMap((replica) => {
            if (plan.inputs(replica)["createMode"] !== "Replica") return [];
            const sources = builtFromOfType(plan, replica, "sourceServerResourceId", SERVER);
            const waits = plan.waitsFor(replica);
            const onPrimary = plan
                .ofType("azure-native:dbforpostgresql:Database", "azure-native:dbforpostgresql:Configuration")
                .filter((child) => builtFromOfType(plan, child, "serverName", SERVER).some((s) => sources.includes(s)));
            const missing = onPrimary.filter(
                (child) => !waits.has(child.urn) && !transitivelyWaits(plan, replica, child),
            );
            if (missing.length === 0) return [];
            return [
                finding(
                    this.id,
                    replica,
                    "dependsOn",
                    missing.map((m) => m.name),
                    "make the replica depend on the primary's databases and parameters so it is created last",
                ),
            ];
        });
    },
};

/** Whether `r` waits for `target` through any chain of dependencies. */
function transitivelyWaits(plan: PlanView, r: CapturedResource, target: CapturedResource): boolean {
    const seen = new Set<string>();
    const stack = [...plan.waitsFor(r)];
    while (stack.length > 0) {
        const urn = stack.pop()!;
        if (urn === target.urn) return true;
        if (seen.has(urn)) continue;
        seen.add(urn);
        const next = plan.get(urn);
        if (next) stack.push(...plan.waitsFor(next));
    }
    return false;
}
