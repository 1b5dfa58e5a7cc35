// Production keeps serving through a node drain, a rollout and a zone loss: enough replicas
// whatever sets them (HPA, KEDA, the workload itself, Container Apps scale), a disruption
// budget that neither lets every pod go nor blocks every drain, rolling updates, read replicas.
import type { PolicyConfigSchema, PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { CONTAINER_APP, isAcaDataStore, NAME_TAG } from "./azure";
import { DEPLOYMENT, isK8sDataStore, LONG_RUNNING_TYPES, namespaceOf, podTemplateOf, selects } from "./k8s";
import { CatalogEntry, configWithDefaults, field, stackEnvironmentProperty, text } from "./lib";
import { FLEXIBLE_SERVER, isReplicaServer } from "./stores";

export const HPA_TYPES: readonly string[] = [
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
];
export const SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject";
export const PDB = "kubernetes:policy/v1:PodDisruptionBudget";

const schema: PolicyConfigSchema = {
    properties: {
        stackEnvironment: stackEnvironmentProperty,
        minReplicas: {
            type: "integer",
            minimum: 2,
            default: 2,
            description:
                "Fewest replicas an application workload runs in prod: one can be drained while another serves.",
        },
        minReadReplicas: {
            type: "integer",
            minimum: 0,
            default: 0,
            description:
                "Read replicas each Flexible Server primary keeps in prod (runbook 003 DATABASE_READ_REPLICAS).",
        },
    },
};
interface Config {
    stackEnvironment: string;
    minReplicas: number;
    minReadReplicas: number;
}

/** An application workload of either platform and the replica count it can fall to. */
interface Floor {
    readonly r: PolicyResource;
    /** The lowest replica count anything that scales it allows. */
    readonly min: number;
}

function targets(scaler: PolicyResource, workload: PolicyResource): boolean {
    const ref = field(scaler.props, "spec", "scaleTargetRef");
    // KEDA's scaleTargetRef.kind defaults to Deployment (keda apis/keda/v1alpha1 scaledobject_types.go).
    const kind = text(ref, "kind") ?? (scaler.type === SCALED_OBJECT ? "Deployment" : undefined);
    return (
        kind === workload.type.split(":").pop() &&
        text(ref, "name") === text(workload.props, "metadata", "name") &&
        namespaceOf(scaler.props) === namespaceOf(workload.props)
    );
}

/** Every scaler's minimum, or the workload's own replicas; reports each one below the floor. */
function k8sFloor(w: PolicyResource, all: readonly PolicyResource[], cfg: Config, report: ReportViolation): Floor {
    const name = text(w.props, "metadata", "name") ?? w.name;
    const mins: number[] = [];
    for (const s of all.filter((r) => (HPA_TYPES.includes(r.type) || r.type === SCALED_OBJECT) && targets(r, w))) {
        // Defaults: an HPA's minReplicas is 1; a ScaledObject's minReplicaCount is 0 (scale to zero).
        const keda = s.type === SCALED_OBJECT;
        const key = keda ? "minReplicaCount" : "minReplicas";
        const min = Number(field(s.props, "spec", key) ?? (keda ? 0 : 1));
        mins.push(min);
        if (min < cfg.minReplicas)
            report(
                `${keda ? "ScaledObject" : "HorizontalPodAutoscaler"} "${s.name}" lets "${name}" fall to ${min} replica${min === 1 ? "" : "s"}: set spec.${key} to at least ${cfg.minReplicas} in prod.`,
                s.urn,
            );
    }
    const replicas = field(w.props, "spec", "replicas");
    if (replicas !== undefined || mins.length === 0) {
        const n = Number(replicas ?? 1);
        if (n < cfg.minReplicas)
            report(
                `${w.type.split(":").pop()} "${name}" runs ${n} replica${n === 1 ? "" : "s"}${replicas === undefined ? " (spec.replicas unset)" : ""}: set spec.replicas to at least ${cfg.minReplicas} in prod, or let an autoscaler with that minimum own it.`,
                w.urn,
            );
        mins.push(n);
    }
    return { r: w, min: Math.min(...mins) };
}

/** A PodDisruptionBudget value as a count of `replicas` pods (rounding as the disruption controller does). */
function podsOf(value: unknown, replicas: number, roundUp: boolean): number | undefined {
    if (typeof value === "number") return value;
    const m = /^(\d+)%$/.exec(String(value ?? ""));
    if (!m) return undefined;
    const exact = (Number(m[1]) * replicas) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

// Kyverno policies best-practices/require-pdb, other/pdb-maxunavailable, other/pdb-minavailable;
// percentages resolve as kubernetes pkg/controller/disruption/disruption.go getExpectedPodCount does
// (intstr.GetScaledValueFromIntOrPercent rounding up, for maxUnavailable and minAvailable alike).
function checkBudgets(f: Floor, all: readonly PolicyResource[], cfg: Config, report: ReportViolation): void {
    // Judged at the replicas prod keeps: a floor already reported too low is not reported twice.
    const replicas = Math.max(f.min, cfg.minReplicas);
    const template = podTemplateOf(f.r.type, f.r.props);
    const labels = template?.metadata?.labels ?? {};
    const name = text(f.r.props, "metadata", "name") ?? f.r.name;
    const budgets = all.filter(
        (r) =>
            r.type === PDB &&
            namespaceOf(r.props) === namespaceOf(f.r.props) &&
            selects(r.props.spec?.selector, labels),
    );
    if (budgets.length === 0) {
        report(
            `No PodDisruptionBudget covers "${name}": add one selecting its pods with maxUnavailable: 1, so a node drain keeps the rest serving.`,
            f.r.urn,
        );
    }
    for (const b of budgets) {
        const maxU = field(b.props, "spec", "maxUnavailable");
        const minA = field(b.props, "spec", "minAvailable");
        const down = maxU !== undefined ? podsOf(maxU, replicas, true) : undefined;
        const up = minA !== undefined ? podsOf(minA, replicas, true) : undefined;
        if ((down !== undefined && down >= replicas) || up === 0)
            report(
                `PodDisruptionBudget "${b.name}" lets every pod of "${name}" go at once (${maxU !== undefined ? `maxUnavailable ${String(maxU)}` : `minAvailable ${String(minA)}`}): set maxUnavailable: 1.`,
                b.urn,
            );
        else if (down === 0 || (up !== undefined && up >= replicas))
            report(
                `PodDisruptionBudget "${b.name}" blocks every eviction of "${name}", so nodes never drain: set maxUnavailable: 1.`,
                b.urn,
            );
    }
}

function checkRollout(w: PolicyResource, report: ReportViolation): void {
    if (w.type !== DEPLOYMENT) return;
    const name = text(w.props, "metadata", "name") ?? w.name;
    const strategy = field(w.props, "spec", "strategy");
    if (text(strategy, "type") === "Recreate")
        report(
            `Deployment "${name}" rolls out by Recreate, stopping every pod first: use strategy.type RollingUpdate with maxUnavailable: 0.`,
            w.urn,
        );
    else if (String(field(strategy, "rollingUpdate", "maxUnavailable") ?? "") === "100%")
        report(
            `Deployment "${name}" may take every pod down in a rollout: set strategy.rollingUpdate.maxUnavailable to 0 or 1.`,
            w.urn,
        );
}

function checkReadReplicas(all: readonly PolicyResource[], cfg: Config, report: ReportViolation): void {
    if (cfg.minReadReplicas === 0) return;
    for (const primary of all.filter((r) => r.type === FLEXIBLE_SERVER && !isReplicaServer(r.props))) {
        const replicas = all.filter(
            (r) =>
                r.type === FLEXIBLE_SERVER &&
                isReplicaServer(r.props) &&
                (r.propertyDependencies?.sourceServerResourceId ?? []).some((d) => d.urn === primary.urn),
        );
        if (replicas.length < cfg.minReadReplicas)
            report(
                `Flexible Server "${primary.name}" has ${replicas.length} read replica${replicas.length === 1 ? "" : "s"}: declare at least ${cfg.minReadReplicas} (createMode Replica, sourceServerResourceId its id) to serve DATABASE_READ_REPLICAS.`,
                primary.urn,
            );
    }
}

function checkAvailability(args: StackValidationArgs, report: ReportViolation): void {
    const cfg = configWithDefaults<Config>(schema, args);
    if (cfg.stackEnvironment !== "prod") args.notApplicable(`stack environment is ${cfg.stackEnvironment}`);
    const all = args.resources;
    for (const w of all.filter(
        (r) => LONG_RUNNING_TYPES.includes(r.type) && !isK8sDataStore(podTemplateOf(r.type, r.props)),
    )) {
        const floor = k8sFloor(w, all, cfg, report);
        checkBudgets(floor, all, cfg, report);
        checkRollout(w, report);
    }
    for (const app of all.filter((r) => r.type === CONTAINER_APP && !isAcaDataStore(r.props))) {
        // Container Apps scale to zero unless told otherwise (Microsoft.App containerApps `scale.minReplicas`).
        const min = Number(field(app.props, "template", "scale", "minReplicas") ?? 0);
        if (min < cfg.minReplicas)
            report(
                `Container App "${text(app.props, "tags", NAME_TAG) ?? app.name}" can fall to ${min} replica${min === 1 ? "" : "s"}: set template.scale.minReplicas to at least ${cfg.minReplicas} in prod.`,
                app.urn,
            );
    }
    checkReadReplicas(all, cfg, report);
}

export const availabilityProd: CatalogEntry = {
    policy: {
        name: "availability-prod",
        description:
            "In prod, every application workload keeps at least two replicas whatever scales it (HPA, KEDA ScaledObject, its own replicas, Container Apps scale), has a PodDisruptionBudget that neither lets every pod go nor blocks every drain, rolls out without Recreate, and each Flexible Server keeps its read replicas.",
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: schema,
        validateStack: checkAvailability,
    },
    meta: {
        requirements: ["GA-PERF-SMOKE", "GA-HA-CACHE"],
        checks: [
            "Kyverno best-practices/require-pdb",
            "Kyverno other/pdb-maxunavailable",
            "Kyverno other/pdb-minavailable",
        ],
    },
};

export const availabilityPolicies: readonly CatalogEntry[] = [availabilityProd];
