// Data-store settings that reopen what the components closed, whichever kind declares them:
// the CloudNativePG superuser, statement logging that writes passwords to the logs (CNPG
// parameters and Flexible Server configurations), a chart that logs the initial password,
// a Secret that switches Neo4j auth off, and Redis protected mode turned off.
import { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { CatalogEntry, field, isRecord, revealed, text } from "./lib";
import { CNPG_CLUSTER, cnpgName, FLEXIBLE_SERVER_CONFIGURATION, imageIs, isNeo4jChart, REDIS_IMAGE } from "./stores";
import { ContainerLabel, onWorkloads } from "./views";

const SECRET = "kubernetes:core/v1:Secret";
// log_statement ddl, mod and all log ALTER ROLE ... PASSWORD in clear text; only none keeps
// passwords out (postgresql.org/docs/current/runtime-config-logging.html, log_statement).
const SAFE_LOG_STATEMENT = "none";

function checkCnpg(args: ResourceValidationArgs, report: ReportViolation): void {
    const name = cnpgName(args.props);
    // Off by default: the operator then neither generates nor applies the postgres superuser's
    // password (vendor/cloudnative-pg/postgresql.cnpg.io_clusters.yaml, spec.enableSuperuserAccess).
    if (field(args.props, "spec", "enableSuperuserAccess") === true) {
        report(
            `Set spec.enableSuperuserAccess: false on Cluster "${name}": the application connects as its owner role.`,
        );
    }
    const logStatement = text(args.props, "spec", "postgresql", "parameters", "log_statement");
    if (logStatement !== undefined && logStatement.toLowerCase() !== SAFE_LOG_STATEMENT) {
        report(
            `Remove spec.postgresql.parameters.log_statement "${logStatement}" from Cluster "${name}" (or set "none"): it writes passwords of ALTER ROLE statements to the logs.`,
        );
    }
}

function checkServerConfiguration(args: ResourceValidationArgs, report: ReportViolation): void {
    const name = text(args.props, "configurationName") ?? args.name;
    const value = String(field(args.props, "value") ?? "");
    if (name === "log_statement" && value.toLowerCase() !== SAFE_LOG_STATEMENT) {
        report(
            `Set value "none" on Configuration "log_statement" (it is "${value}"): other values write passwords of ALTER ROLE statements to the logs.`,
        );
    }
}

function checkNeo4jChart(args: ResourceValidationArgs, report: ReportViolation): void {
    // neo4j/helm-charts neo4j/values.yaml: logInitialPassword prints the generated password in
    // the install notes and logs.
    if (field(args.props, "values", "logInitialPassword") === true) {
        report(
            `Set values.logInitialPassword: false on Helm release "${text(args.props, "name") ?? args.name}": the chart prints the initial password.`,
        );
    }
}

function checkSecret(args: ResourceValidationArgs, report: ReportViolation): void {
    const stringData = revealed(field(args.props, "stringData"));
    const data = revealed(field(args.props, "data"));
    const fromString = isRecord(stringData) ? revealed(stringData.NEO4J_AUTH) : undefined;
    const encoded = isRecord(data) ? revealed(data.NEO4J_AUTH) : undefined;
    const auth =
        typeof fromString === "string"
            ? fromString
            : typeof encoded === "string"
              ? Buffer.from(encoded, "base64").toString("utf8")
              : undefined;
    // The Neo4j image turns NEO4J_AUTH=none into dbms.security.auth_enabled=false
    // (neo4j/docker-neo4j docker-entrypoint.sh: NEO4J_dbms_security_auth__enabled=false).
    if (auth !== undefined && auth.trim().toLowerCase() === "none") {
        report(
            `Set NEO4J_AUTH in Secret "${text(args.props, "metadata", "name") ?? args.name}" to neo4j/<password>: "none" switches authentication off.`,
        );
    }
}

/** `--protected-mode no`, as two argv entries or inside a shell command line. */
function protectedModeOff(argv: readonly string[]): boolean {
    const i = argv.indexOf("--protected-mode");
    if (i >= 0 && argv[i + 1]?.toLowerCase() === "no") return true;
    return argv.some((a) => /--protected-mode[ =]+["']?no\b/i.test(a));
}

export const dataStoreSettingsSafe: CatalogEntry = {
    policy: {
        name: "data-store-settings-safe",
        description:
            "Data stores keep their safe settings in every kind that declares them: no CloudNativePG superuser, no statement logging that records passwords (CNPG, Flexible Server), no chart that logs the initial password, no Secret with NEO4J_AUTH=none, Redis protected mode on.",
        enforcementLevel: "mandatory",
        severity: "high",
        validateResource: [
            (args, report) => {
                if (args.type === CNPG_CLUSTER) checkCnpg(args, report);
                else if (args.type === FLEXIBLE_SERVER_CONFIGURATION) checkServerConfiguration(args, report);
                else if (args.type === SECRET) checkSecret(args, report);
                else if (isNeo4jChart(args.type, args.props)) checkNeo4jChart(args, report);
            },
            ...onWorkloads((w, _args, report) => {
                for (const c of w.containers.filter((x) => imageIs(REDIS_IMAGE, x.image) && protectedModeOff(x.argv))) {
                    report(`${ContainerLabel(c)} turns Redis protected mode off: remove --protected-mode no.`);
                }
            }),
        ],
    },
    meta: {
        requirements: ["RAG-NO-SECRETS-IN-LOGS", "GA-LEAST-PRIVILEGE", "GA-GRAPH-CREDENTIALS", "GA-CACHE-CREDENTIALS"],
        checks: ["Kyverno cnpg/disable-superuser"],
    },
};
