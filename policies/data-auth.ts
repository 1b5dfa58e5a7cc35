// Data stores at the door: PostgreSQL, Redis and Neo4j require credentials from the secret store.
import { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { CatalogEntry, ContainerView, envValue } from "./lib";
import {
    CNPG_CLUSTER,
    cnpgName,
    imageIs,
    isNeo4jChart,
    NEO4J_IMAGE,
    pgHba,
    POSTGRES_IMAGE,
    REDIS_IMAGE,
    REDIS_TYPES,
} from "./stores";
import { containerLabel, ContainerLabel, onWorkloads, WorkloadView } from "./views";

const READS_PASSWORD_ENV = /(^|\/)bitnami\/(redis|valkey)(:|@|$)/;

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
