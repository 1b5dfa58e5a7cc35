// Data stores in transit and at the door: TLS-only connections and authentication on every
// store. Durability (backups, replication, protect) is in data-durability.ts.
import { PolicyConfigSchema, PolicyResource, ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { dataDurabilityPolicies } from "./data-durability";
import { COMPONENT_TAG } from "./azure";
import { CatalogEntry, configWithDefaults, ContainerView, envValue } from "./lib";
import {
    CNPG_CLUSTER,
    cnpgName,
    FLEXIBLE_SERVER,
    FLEXIBLE_SERVER_CONFIGURATION,
    imageIs,
    isNeo4jChart,
    isReplicaServer,
    NEO4J_IMAGE,
    pgHba,
    POSTGRES_IMAGE,
    REDIS_ENTERPRISE,
    REDIS_ENTERPRISE_DATABASE,
    REDIS_IMAGE,
    REDIS_TYPES,
    STORAGE_ACCOUNT,
} from "./stores";
import { containerLabel, ContainerLabel, onWorkloads, WorkloadView, workloadViewOf } from "./views";

const READS_PASSWORD_ENV = /(^|\/)bitnami\/(redis|valkey)(:|@|$)/;
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

/** The env names a `$(VAR)` / `$VAR` / `${VAR}` reference in a command-line value points at. */
function referencedVars(value: string): string[] {
    return [...value.matchAll(/\$[({]?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
}

/** The value given to `--requirepass`, as separate argv entries or inside a shell command line. */
function requirepassValue(argv: readonly string[]): string | undefined {
    const i = argv.indexOf("--requirepass");
    if (i >= 0) return argv[i + 1] ?? "";
    const inline = argv.map((a) => /--requirepass[ =]+("[^"]*"|'[^']*'|\S+)/.exec(a)?.[1]).find((v) => v !== undefined);
    return inline?.replace(/^["']|["']$/g, "");
}

function checkRedisAuth(w: WorkloadView, c: ContainerView, report: (m: string) => void): void {
    const who = ContainerLabel(c);
    const fromSecret = w.platform === "kubernetes" ? "a secretKeyRef" : "a secretRef";
    const passArg = w.platform === "kubernetes" ? '"$(REDIS_PASSWORD)"' : '"$REDIS_PASSWORD" through sh -c';
    const allowEmpty = envValue(c, "ALLOW_EMPTY_PASSWORD");
    if (allowEmpty !== undefined && ["yes", "true", "1"].includes(allowEmpty.toLowerCase())) {
        report(`Remove ALLOW_EMPTY_PASSWORD from ${containerLabel(c)}: Redis must require a password.`);
    }
    const pass = requirepassValue(c.argv);
    if (pass === undefined) {
        // Bitnami's images turn REDIS_PASSWORD into requirepass; the official image ignores it.
        if (!(
            imageIs(READS_PASSWORD_ENV, c.image) && c.env.some((e) => e.name === "REDIS_PASSWORD" && e.byReference)
        )) {
            report(
                `${who} runs Redis without a password: pass --requirepass ${passArg} with env REDIS_PASSWORD from ${fromSecret}.`,
            );
        }
        return;
    }
    const vars = referencedVars(pass);
    if (vars.length === 0) {
        report(`${who} passes --requirepass a literal: pass ${passArg} with env REDIS_PASSWORD from ${fromSecret}.`);
    }
    for (const v of vars.filter((name) => !c.env.some((e) => e.name === name && e.byReference))) {
        report(`${who} takes --requirepass from ${v}, which is no secret reference: set ${v} from ${fromSecret}.`);
    }
}

/** NEO4J_AUTH exported by a shell command line (`export NEO4J_AUTH="neo4j/$PASSWORD"; exec ...`). */
function neo4jAuthInArgv(argv: readonly string[]): string | undefined {
    const m = argv.map((a) => /NEO4J_AUTH=("[^"]*"|'[^']*'|[^\s;]+)/.exec(a)?.[1]).find((v) => v !== undefined);
    return m?.replace(/^["']|["']$/g, "");
}

function checkNeo4jAuth(c: ContainerView, report: (m: string) => void): void {
    const who = ContainerLabel(c);
    const auth = c.env.find((e) => e.name === "NEO4J_AUTH");
    if (envValue(c, "NEO4J_dbms_security_auth__enabled")?.toLowerCase() === "false") {
        report(`Remove NEO4J_dbms_security_auth__enabled=false from ${containerLabel(c)}.`);
    }
    if (c.env.some((e) => e.name === "NEO4J_AUTH_PATH")) return;
    const exported = auth === undefined ? neo4jAuthInArgv(c.argv) : undefined;
    if (exported !== undefined) {
        const vars = referencedVars(exported);
        if (exported.toLowerCase() === "none" || vars.length === 0) {
            report(
                `${who} exports NEO4J_AUTH without a password from the secret store: export NEO4J_AUTH="neo4j/$<VAR>" with <VAR> a secret reference.`,
            );
        }
        for (const v of vars.filter((name) => !c.env.some((e) => e.name === name && e.byReference))) {
            report(
                `${who} builds NEO4J_AUTH from ${v}, which is no secret reference: set ${v} from a secret reference.`,
            );
        }
        return;
    }
    if (auth === undefined) {
        report(`${who} has no NEO4J_AUTH: set it to neo4j/<password> from a secret reference.`);
    } else if (!auth.byReference) {
        const what = auth.value?.toLowerCase() === "none" ? "NEO4J_AUTH=none" : "NEO4J_AUTH as a literal";
        report(`${who} sets ${what}: set NEO4J_AUTH to neo4j/<password> from a secret reference.`);
    }
}

function checkWorkloadAuth(w: WorkloadView, report: (m: string) => void): void {
    for (const c of w.containers.filter((x) => !x.init)) {
        // Ollama has no authentication at all: data-store-ingress-restricted isolates it instead.
        if (imageIs(REDIS_IMAGE, c.image)) checkRedisAuth(w, c, report);
        if (imageIs(NEO4J_IMAGE, c.image)) checkNeo4jAuth(c, report);
        if (imageIs(POSTGRES_IMAGE, c.image) && envValue(c, "POSTGRES_HOST_AUTH_METHOD")?.toLowerCase() === "trust") {
            report(
                `Remove POSTGRES_HOST_AUTH_METHOD=trust from ${containerLabel(c)}: PostgreSQL must require a password.`,
            );
        }
    }
}

function checkOtherAuth(args: ResourceValidationArgs, report: ReportViolation): void {
    const p = args.props;
    if (args.type === CNPG_CLUSTER) {
        for (const rule of pgHba(p).filter((l) => l.split(" ").pop() === "trust")) {
            report(`Replace method trust in pg_hba rule "${rule}" of Cluster "${cnpgName(p)}" with scram-sha-256.`);
        }
    } else if (isNeo4jChart(args.type, p)) {
        const release = p.name ?? args.name;
        const values = p.values ?? {};
        if (!values.neo4j?.passwordFromSecret) {
            report(
                `Set values.neo4j.passwordFromSecret on Helm release "${release}" to the Secret whose NEO4J_AUTH key holds neo4j/<password>.`,
            );
        }
        if (String(values.config?.["dbms.security.auth_enabled"] ?? "").toLowerCase() === "false") {
            report(`Remove values.config."dbms.security.auth_enabled": "false" from Helm release "${release}".`);
        }
        if (String(values.env?.NEO4J_AUTH ?? "").toLowerCase() === "none") {
            report(`Remove values.env.NEO4J_AUTH "none" from Helm release "${release}".`);
        }
    } else if (REDIS_TYPES.includes(args.type)) {
        const rc = p.redisConfiguration ?? {};
        if (String(rc.authnotrequired ?? "").toLowerCase() === "true") {
            report("Remove redisConfiguration.authnotrequired from this cache: clients must authenticate.");
        }
        if (p.disableAccessKeyAuthentication === true && String(rc.aadEnabled ?? "").toLowerCase() !== "true") {
            report(
                'Set redisConfiguration.aadEnabled: "true" on this cache: with access keys disabled, only Microsoft Entra authentication admits clients.',
            );
        }
    }
}

export const dataAuthRequired: CatalogEntry = {
    policy: {
        name: "data-auth-required",
        description:
            "PostgreSQL, Redis and Neo4j require authentication with credentials from the secret store. Ollama has no authentication, so it is exempt here and isolated by data-store-ingress-restricted.",
        enforcementLevel: "mandatory",
        severity: "critical",
        validateResource: [...onWorkloads((w, _args, report) => checkWorkloadAuth(w, report)), checkOtherAuth],
    },
    meta: {
        requirements: ["GA-LEAST-PRIVILEGE", "GA-CACHE-CREDENTIALS", "GA-GRAPH-CREDENTIALS"],
        checks: [],
    },
};

export const dataPolicies: readonly CatalogEntry[] = [dataTlsOnly, dataAuthRequired, ...dataDurabilityPolicies];
