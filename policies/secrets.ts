import { PolicyConfigSchema, validateResourceOfType } from "@pulumi/policy";
import { ContainerApp, ContainerAppJob, GcpSecret } from "./resource-types";
import { CatalogEntry, configWithDefaults } from "./lib";
import { ContainerLabel, onWorkloads } from "./views";

const credentialsSchema: PolicyConfigSchema = {
    properties: {
        namePatterns: {
            type: "array",
            items: { type: "string" },
            default: [
                "^JWT_",
                "SECRET",
                "PASSWORD",
                "_KEY$",
                "^DATABASE_URL$",
                "^DATABASE_READ_REPLICAS$",
                "_DSN($|_)",
                "^REDIS_URL$",
                "_TOKEN$",
                "_WEBHOOK_URL$",
            ],
            description: "Regular expressions of env names that carry credentials.",
        },
        exemptPatterns: {
            type: "array",
            items: { type: "string" },
            default: ["_PATH$", "_(MINUTES|SECONDS|DAYS|HOURS|TTL)$", "^JWT_(ALGORITHM|ISSUER|AUDIENCE)$"],
            description: "Regular expressions of env names that match namePatterns but hold no credential.",
        },
    },
};

interface CredentialsConfig {
    namePatterns: string[];
    exemptPatterns: string[];
}

export function isCredentialName(name: string, cfg: CredentialsConfig): boolean {
    return (
        cfg.namePatterns.some((p) => new RegExp(p).test(name)) &&
        !cfg.exemptPatterns.some((p) => new RegExp(p).test(name))
    );
}

export const credentialsByReference: CatalogEntry = {
    policy: {
        name: "credentials-by-reference",
        description: "Credentials reach containers by reference to a secret store, never as a literal env value.",
        enforcementLevel: "mandatory",
        severity: "critical",
        configSchema: credentialsSchema,
        validateResource: onWorkloads((w, args, report) => {
            const cfg = configWithDefaults<CredentialsConfig>(credentialsSchema, args);
            const fix =
                w.platform === "kubernetes"
                    ? "valueFrom.secretKeyRef pointing at a Kubernetes Secret"
                    : "secretRef naming a configuration.secrets entry backed by Key Vault";
            for (const c of w.containers) {
                for (const e of c.env.filter((x) => isCredentialName(x.name, cfg) && !x.byReference)) {
                    // The value is plaintext here: name the variable, never its value.
                    report(`${ContainerLabel(c)} sets ${e.name} without a secret reference: use ${fix}.`);
                }
            }
        }),
    },
    meta: {
        requirements: [
            "UA-JWT-SECRET",
            "UA-SECRETS-BY-REFERENCE",
            "RAG-NO-SECRETS-IN-LOGS",
            "GA-SECRETS",
            "OPS-NO-SECRETS-IN-TICKETS",
        ],
        checks: ["Checkov CKV_K8S_35"],
    },
};

function checkAcaSecrets(
    secrets: ReadonlyArray<{ name?: string; value?: string; keyVaultUrl?: string; identity?: string }>,
    report: (m: string) => void,
): void {
    for (const s of secrets) {
        const name = s.name ?? "(unnamed)";
        if (s.value !== undefined) {
            report(`Secret "${name}" has an inline value: remove value and set keyVaultUrl and identity.`);
        } else if (!s.keyVaultUrl || !s.identity) {
            report(
                `Secret "${name}" must set both keyVaultUrl and identity (a managed identity with get access to the vault).`,
            );
        }
    }
}

export const containerAppSecretsFromKeyVault: CatalogEntry = {
    policy: {
        name: "container-app-secrets-from-key-vault",
        description:
            "Container Apps and jobs hold secrets as Key Vault references read with a managed identity, never inline values.",
        enforcementLevel: "mandatory",
        severity: "critical",
        validateResource: [
            validateResourceOfType(ContainerApp, (app, _args, report) =>
                checkAcaSecrets(app.configuration?.secrets ?? [], report),
            ),
            validateResourceOfType(ContainerAppJob, (job, _args, report) =>
                checkAcaSecrets(job.configuration?.secrets ?? [], report),
            ),
        ],
    },
    meta: {
        requirements: ["GA-SECRETS"],
        checks: [],
    },
};

export const gcpSecretReplication: CatalogEntry = {
    policy: {
        name: "gcp-secret-replication",
        description: "Every GCP Secret Manager secret declares its replication.",
        enforcementLevel: "mandatory",
        severity: "medium",
        validateResource: validateResourceOfType(GcpSecret, (secret, _args, report) => {
            const r = secret.replication;
            const replicas = r?.userManaged?.replicas ?? [];
            if (r === undefined || (r.auto === undefined && replicas.length === 0)) {
                report("Set replication.auto {} or replication.userManaged.replicas with at least one location.");
            }
        }),
    },
    meta: {
        requirements: ["UA-GCP-SECRET-MANAGER"],
        checks: [],
    },
};

export const secretPolicies: readonly CatalogEntry[] = [
    credentialsByReference,
    containerAppSecretsFromKeyVault,
    gcpSecretReplication,
];
