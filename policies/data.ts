// Data stores in transit: TLS-only connections on every store and no client asking for plaintext.
// Authentication is in data-auth.ts, durability (backups, replication, protect) in data-durability.ts.
import { PolicyConfigSchema, PolicyResource, ReportViolation } from "@pulumi/policy";
import { COMPONENT_TAG } from "./azure";
import { CatalogEntry, configWithDefaults, ContainerView } from "./lib";
import {
    CNPG_CLUSTER,
    cnpgName,
    FLEXIBLE_SERVER,
    FLEXIBLE_SERVER_CONFIGURATION,
    isReplicaServer,
    pgHba,
    REDIS_ENTERPRISE,
    REDIS_ENTERPRISE_DATABASE,
    REDIS_TYPES,
    STORAGE_ACCOUNT,
} from "./stores";
import { containerLabel, ContainerLabel, workloadViewOf } from "./views";

const PLAINTEXT_SSLMODES = ["disable", "allow", "prefer"];
const TLS12 = ["1.2", "1.3"];

function checkClientSslMode(c: ContainerView, report: (m: string) => void): void {
    for (const e of c.env.filter((x) => !x.byReference && x.value !== undefined)) {
        const value = e.value!;
        if (e.name === "PGSSLMODE" && PLAINTEXT_SSLMODES.includes(value.toLowerCase())) {
            report(`Set PGSSLMODE on ${containerLabel(c)} to require or verify-full (it is "${value}").`);
            continue;
        }
        if (!/postgres(ql)?:\/\//i.test(value)) continue;
        const mode = /[?&]sslmode=([^&#,\s]+)/i.exec(value)?.[1]?.toLowerCase();
        if (mode !== undefined && PLAINTEXT_SSLMODES.includes(mode)) {
            report(
                `${ContainerLabel(c)} connects with sslmode=${mode} in ${e.name}: use sslmode=require (or verify-full).`,
            );
        }
    }
}

function linkedTo(config: PolicyResource, server: PolicyResource): boolean {
    const deps = config.propertyDependencies?.serverName ?? [];
    if (deps.some((d) => d.urn === server.urn)) return true;
    const name = config.props.serverName;
    return name !== undefined && (name === server.props.serverName || name === server.name);
}

function checkFlexibleServers(resources: PolicyResource[], explicit: boolean, report: ReportViolation): void {
    const configs = resources.filter((r) => r.type === FLEXIBLE_SERVER_CONFIGURATION);
    for (const c of configs) {
        const name = c.props.configurationName ?? c.name;
        const value = String(c.props.value ?? "");
        if (name === "require_secure_transport" && !["on", "true", "1"].includes(value.toLowerCase())) {
            report(
                `Set value "on" on Configuration "require_secure_transport" (it is "${value}"): the server must refuse connections without TLS.`,
                c.urn,
            );
        }
        if (name === "ssl_min_protocol_version" && !["TLSv1.2", "TLSv1.3"].includes(value)) {
            report(`Set value "TLSv1.2" on Configuration "ssl_min_protocol_version" (it is "${value}").`, c.urn);
        }
    }
    if (!explicit) return;
    for (const server of resources.filter((r) => r.type === FLEXIBLE_SERVER && !isReplicaServer(r.props))) {
        for (const [name, value] of [
            ["require_secure_transport", "on"],
            ["ssl_min_protocol_version", "TLSv1.2"],
        ]) {
            if (!configs.some((c) => (c.props.configurationName ?? c.name) === name && linkedTo(c, server))) {
                report(
                    `Flexible Server "${server.name}" does not declare ${name}: add a dbforpostgresql.Configuration with configurationName "${name}", value "${value}", source "user-override" and this server's serverName.`,
                    server.urn,
                );
            }
        }
    }
}

function checkAzureTls(r: PolicyResource, report: ReportViolation): void {
    const p = r.props;
    const found = (v: unknown) => (v === undefined ? "it is unset" : `it is "${v}"`);
    if (REDIS_TYPES.includes(r.type)) {
        if (p.enableNonSslPort === true)
            report("Set enableNonSslPort: false on this cache: the non-TLS port carries plaintext.", r.urn);
        if (!TLS12.includes(p.minimumTlsVersion))
            report(`Set minimumTlsVersion: "1.2" on this cache (${found(p.minimumTlsVersion)}).`, r.urn);
    } else if (r.type === REDIS_ENTERPRISE) {
        if (!TLS12.includes(p.minimumTlsVersion))
            report(
                `Set minimumTlsVersion: "1.2" on this Redis Enterprise cluster (${found(p.minimumTlsVersion)}).`,
                r.urn,
            );
    } else if (r.type === REDIS_ENTERPRISE_DATABASE) {
        if (p.clientProtocol === "Plaintext")
            report('Set clientProtocol: "Encrypted" on this Redis Enterprise database.', r.urn);
    } else if (r.type === STORAGE_ACCOUNT) {
        // backup-storage-private holds backup accounts to the same rule; one finding per fix.
        if (p.tags?.[COMPONENT_TAG] === "backup") return;
        if (p.enableHttpsTrafficOnly === false)
            report("Set enableHttpsTrafficOnly: true on this storage account.", r.urn);
        if (!["TLS1_2", "TLS1_3"].includes(p.minimumTlsVersion)) {
            report(`Set minimumTlsVersion: "TLS1_2" on this storage account (${found(p.minimumTlsVersion)}).`, r.urn);
        }
    }
}

function checkCnpgTls(r: PolicyResource, report: ReportViolation): void {
    // CloudNativePG sets ssl_min_protocol_version TLSv1.3 itself (cloudnative-pg pkg/postgres/configuration.go,
    // the default parameters); any other value here only lowers it.
    const minTls = r.props.spec?.postgresql?.parameters?.ssl_min_protocol_version;
    if (minTls !== undefined && minTls !== "TLSv1.3") {
        report(
            `Remove spec.postgresql.parameters.ssl_min_protocol_version "${minTls}" from Cluster "${cnpgName(r.props)}": CloudNativePG's default minimum is TLSv1.3.`,
            r.urn,
        );
    }
    const ssl = r.props.spec?.postgresql?.parameters?.ssl;
    if (ssl !== undefined && ["off", "false", "0"].includes(String(ssl).toLowerCase())) {
        report(
            `Remove spec.postgresql.parameters.ssl "${ssl}" from Cluster "${cnpgName(r.props)}": CloudNativePG serves TLS by default.`,
            r.urn,
        );
    }
    for (const rule of pgHba(r.props)) {
        const fields = rule.split(" ");
        if (fields[0] === "hostnossl" && fields[fields.length - 1] !== "reject") {
            report(
                `Remove pg_hba rule "${rule}" from Cluster "${cnpgName(r.props)}" (it admits connections without TLS), or make its method reject.`,
                r.urn,
            );
        }
    }
}

const tlsSchema: PolicyConfigSchema = {
    properties: {
        explicitServerTls: {
            type: "boolean",
            default: true,
            description:
                "Each Flexible Server declares require_secure_transport and ssl_min_protocol_version as Configuration resources, so every update reasserts them.",
        },
    },
};

export const dataTlsOnly: CatalogEntry = {
    policy: {
        name: "data-tls-only",
        description:
            "Data stores accept only TLS 1.2+ connections (Flexible Server, Azure Cache for Redis, storage accounts), CloudNativePG keeps its TLSv1.3 minimum, and no client asks for a plaintext PostgreSQL connection. In-cluster Redis, Neo4j and Ollama rely on NetworkPolicy isolation instead.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: tlsSchema,
        validateStack: (args, report) => {
            const cfg = configWithDefaults<{ explicitServerTls: boolean }>(tlsSchema, args);
            checkFlexibleServers(args.resources, cfg.explicitServerTls, report);
            for (const r of args.resources) {
                checkAzureTls(r, report);
                if (r.type === CNPG_CLUSTER) checkCnpgTls(r, report);
                for (const c of workloadViewOf(r)?.containers ?? []) checkClientSslMode(c, (m) => report(m, r.urn));
            }
        },
    },
    meta: {
        requirements: ["UA-PRIVATE-DATA-NETWORK"],
        checks: ["Checkov CKV_AZURE_91", "Checkov CKV_AZURE_148", "Checkov CKV_AZURE_3", "Checkov CKV_AZURE_44"],
    },
};
