/**
 * The Kubernetes platform beyond pod security: RBAC and GCP IAM, buckets, the stores declared
 * through operators and charts, network exposure, prod availability, backups and alerts, and
 * plain-http URLs. Each names the public check or the runbook requirement it breaks.
 */
import { mutationBuilder, sourceIn, type ResourceMutation } from "../mutation";

const k = (kind: string) => `kubernetes:${kind}`;
const T = {
    deployment: k("apps/v1:Deployment"),
    statefulSet: k("apps/v1:StatefulSet"),
    service: k("core/v1:Service"),
    secret: k("core/v1:Secret"),
    ingress: k("networking.k8s.io/v1:Ingress"),
    netpol: k("networking.k8s.io/v1:NetworkPolicy"),
    cluster: k("postgresql.cnpg.io/v1:Cluster"),
    scheduledBackup: k("postgresql.cnpg.io/v1:ScheduledBackup"),
    objectStore: k("barmancloud.cnpg.io/v1:ObjectStore"),
    helm: k("helm.sh/v3:Release"),
    cronJob: k("batch/v1:CronJob"),
    pdb: k("policy/v1:PodDisruptionBudget"),
    hpa: k("autoscaling/v2:HorizontalPodAutoscaler"),
    scaledObject: k("keda.sh/v1alpha1:ScaledObject"),
    rule: k("monitoring.coreos.com/v1:PrometheusRule"),
    alertmanager: k("monitoring.coreos.com/v1alpha1:AlertmanagerConfig"),
    bucket: "gcp:storage/bucket:Bucket",
    bucketMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
    secretMember: "gcp:secretmanager/secretIamMember:SecretIamMember",
    saMember: "gcp:serviceaccount/iAMMember:IAMMember",
};

const checkov = sourceIn("Checkov");
const kics = sourceIn("KICS");
const kyverno = sourceIn("Kyverno");
const cis = sourceIn("CIS GKE");
const runbook = sourceIn("runbook");

const m = mutationBuilder("kubernetes");

const META = { namespace: "estate", labels: { "app.kubernetes.io/part-of": "estate" } };

const access: ResourceMutation[] = [
    m(
        "rbac-cluster-admin-binding",
        "access",
        checkov("CKV_K8S_157"),
        [T.service, "api-service"],
        "binds cluster-admin to the api's service account",
        {
            add: {
                type: k("rbac.authorization.k8s.io/v1:ClusterRoleBinding"),
                name: "api-cluster-admin",
                inputs: {
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "ClusterRoleBinding",
                    metadata: { name: "api-cluster-admin" },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
                    subjects: [{ kind: "ServiceAccount", name: "api", namespace: "estate" }],
                },
            },
        },
    ),
    m(
        "rbac-wildcard-role",
        "access",
        checkov("CKV_K8S_49"),
        [T.service, "api-service"],
        "a Role granting every verb on every resource",
        {
            add: {
                type: k("rbac.authorization.k8s.io/v1:Role"),
                name: "api-everything",
                inputs: {
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "Role",
                    metadata: { name: "api-everything", ...META },
                    rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
                },
            },
        },
    ),
    m(
        "rbac-read-secrets",
        "access",
        kics("b7bca5c4-1dab-4c2c-8cbe-3050b9d59b14"),
        [T.service, "api-service"],
        "a Role reading every Secret",
        {
            add: {
                type: k("rbac.authorization.k8s.io/v1:Role"),
                name: "api-secrets",
                inputs: {
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "Role",
                    metadata: { name: "api-secrets", ...META },
                    rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }],
                },
            },
        },
    ),
    m(
        "rbac-cluster-role-escalate",
        "access",
        checkov("CKV_K8S_158"),
        [T.service, "api-service"],
        "a ClusterRole that may bind and escalate",
        {
            add: {
                type: k("rbac.authorization.k8s.io/v1:ClusterRole"),
                name: "estate-escalate",
                inputs: {
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "ClusterRole",
                    metadata: { name: "estate-escalate" },
                    rules: [
                        {
                            apiGroups: ["rbac.authorization.k8s.io"],
                            resources: ["clusterroles"],
                            verbs: ["bind", "escalate"],
                        },
                    ],
                },
            },
        },
    ),
    m(
        "gcp-bucket-all-users",
        "access",
        checkov("CKV_GCP_28"),
        [T.bucketMember, "backups-objectviewer"],
        "bucket readable by allUsers",
        { set: "member", value: "allUsers" },
    ),
    m(
        "gcp-bucket-all-authenticated",
        "access",
        checkov("CKV_GCP_28"),
        [T.bucketMember, "backups-objectcreator"],
        "bucket writable by allAuthenticatedUsers",
        { set: "member", value: "allAuthenticatedUsers" },
    ),
    m(
        "gcp-bucket-admin-role",
        "access",
        cis("6.2.1"),
        [T.bucketMember, "postgres-backup-writer-access"],
        "backup writer made storage admin",
        { set: "role", value: "roles/storage.admin" },
    ),
    m(
        "gcp-secret-all-users",
        "access",
        checkov("CKV_GCP_122"),
        [T.secretMember, "app-secrets-jwt-secret-reader"],
        "secret readable by allUsers",
        { set: "member", value: "allUsers" },
    ),
    m(
        "gcp-secret-all-authenticated",
        "access",
        checkov("CKV_GCP_122"),
        [T.secretMember, "app-secrets-encryption-key-reader"],
        "secret readable by allAuthenticatedUsers",
        { set: "member", value: "allAuthenticatedUsers" },
    ),
    m(
        "gcp-secret-admin-role",
        "access",
        runbook("GA-LEAST-PRIVILEGE"),
        [T.secretMember, "app-secrets-session-secret-reader"],
        "secret reader made secret admin",
        { set: "role", value: "roles/secretmanager.admin" },
    ),
    m(
        "gcp-secret-owner-role",
        "access",
        cis("1.6"),
        [T.secretMember, "app-secrets-db-host-reader"],
        "secret reader made owner",
        { set: "role", value: "roles/owner" },
    ),
    m(
        "gcp-wi-default-ksa",
        "access",
        cis("5.2.2"),
        [T.saMember, "backups-workload-identity"],
        "workload identity bound to every KSA of the namespace's default",
        { set: "member", value: "serviceAccount:acme-estate-prod.svc.id.goog[estate/default]" },
    ),
    m(
        "gcp-wi-token-creator",
        "access",
        cis("1.6"),
        [T.saMember, "app-secrets-workload-identity"],
        "KSA may mint tokens for the GSA",
        { set: "role", value: "roles/iam.serviceAccountTokenCreator" },
    ),
];

const bucket = (name: string) => [T.bucket, name] as [string, string];
const storage: ResourceMutation[] = ["backups-bucket", "postgres-backups"].flatMap((b) => [
    m(`${b}-uniform-off`, "storage", checkov("CKV_GCP_29"), bucket(b), "uniform bucket-level access off", {
        set: "uniformBucketLevelAccess",
        value: false,
    }),
    m(`${b}-public-access`, "storage", checkov("CKV_GCP_114"), bucket(b), "public access prevention inherited", {
        set: "publicAccessPrevention",
        value: "inherited",
    }),
    m(`${b}-force-destroy`, "storage", runbook("GA-SECURE-STORAGE"), bucket(b), "forceDestroy: true", {
        set: "forceDestroy",
        value: true,
    }),
    // The WAL bucket keeps objects by versioning, not a retention policy (Barman prunes it): see its own mutations below.
    ...(b === "postgres-backups"
        ? []
        : [
              m(`${b}-no-retention`, "storage", cis("5.3"), bucket(b), "retention policy removed", {
                  delete: "retentionPolicy",
              }),
          ]),
    m(`${b}-short-retention`, "storage", runbook("GA-BACKUPS"), bucket(b), "retention of one day", {
        set: "retentionPolicy.retentionPeriod",
        value: "86400",
    }),
    m(`${b}-early-delete`, "storage", runbook("GA-BACKUPS"), bucket(b), "lifecycle deletes after one day", {
        set: "lifecycleRules.0.condition.age",
        value: 1,
    }),
    m(`${b}-soft-delete-off`, "storage", runbook("GA-BACKUPS"), bucket(b), "soft delete off", {
        set: "softDeletePolicy",
        value: { retentionDurationSeconds: 0 },
    }),
]);

storage.push(
    m(
        "postgres-backups-versioning-off",
        "storage",
        checkov("CKV_GCP_78"),
        bucket("postgres-backups"),
        "versioning off on the WAL bucket",
        { set: "versioning.enabled", value: false },
    ),
    m(
        "postgres-backups-noncurrent-1d",
        "storage",
        runbook("GA-BACKUPS"),
        bucket("postgres-backups"),
        "noncurrent versions deleted after a day",
        { set: "lifecycleRules.0.condition.daysSinceNoncurrentTime", value: 1 },
    ),
);

const dataStores: ResourceMutation[] = [
    m(
        "cnpg-superuser",
        "data-stores",
        kyverno("cnpg/disable-superuser"),
        [T.cluster, "postgres-cluster"],
        "CNPG superuser access on",
        { set: "spec.enableSuperuserAccess", value: true },
    ),
    m(
        "cnpg-hba-trust",
        "data-stores",
        runbook("UA-PRIVATE-DATA-NETWORK"),
        [T.cluster, "postgres-cluster"],
        "pg_hba trusts every host",
        { set: "spec.postgresql.pg_hba", value: ["host all all 0.0.0.0/0 trust"] },
    ),
    m("cnpg-hba-no-ssl", "data-stores", runbook("GA-TLS"), [T.cluster, "postgres-cluster"], "pg_hba allows plaintext", {
        set: "spec.postgresql.pg_hba",
        value: ["hostnossl all all all md5"],
    }),
    m("cnpg-tls-1", "data-stores", runbook("GA-TLS"), [T.cluster, "postgres-cluster"], "TLS 1.0 accepted", {
        set: "spec.postgresql.parameters.ssl_min_protocol_version",
        value: "TLSv1",
    }),
    m(
        "cnpg-latest-image",
        "data-stores",
        checkov("CKV_K8S_14"),
        [T.cluster, "postgres-cluster"],
        "image by a moving tag",
        { set: "spec.imageName", value: "ghcr.io/cloudnative-pg/postgresql:latest" },
    ),
    m(
        "cnpg-no-backup",
        "backups-alerts",
        runbook("UA-DAILY-PG-DUMP"),
        [T.cluster, "postgres-cluster"],
        "CNPG WAL archiving (the Barman Cloud plugin) removed",
        { delete: "spec.plugins" },
    ),
    m(
        "cnpg-short-retention",
        "backups-alerts",
        runbook("GA-BACKUPS"),
        [T.objectStore, "postgres-object-store"],
        "CNPG retention of a day",
        { set: "spec.retentionPolicy", value: "1d" },
    ),
    m(
        "cnpg-log-statements",
        "data-stores",
        runbook("RAG-NO-SECRETS-IN-LOGS"),
        [T.cluster, "postgres-cluster"],
        "logs every statement (passwords included)",
        { set: "spec.postgresql.parameters.log_statement", value: "all" },
    ),
    m(
        "neo4j-auth-off",
        "data-stores",
        runbook("GA-GRAPH-CREDENTIALS"),
        [T.helm, "neo4j-release"],
        "Neo4j auth disabled in chart values",
        { set: "values.config.dbms\\.security\\.auth_enabled", value: "false" },
    ),
    m(
        "neo4j-log-password",
        "data-stores",
        runbook("RAG-NO-SECRETS-IN-LOGS"),
        [T.helm, "neo4j-release"],
        "chart logs the initial password",
        { set: "values.logInitialPassword", value: true },
    ),
    m(
        "neo4j-privilege-escalation",
        "pod-security",
        { catalogue: "PSS", id: "restricted/privilege-escalation" },
        [T.helm, "neo4j-release"],
        "chart container may escalate",
        { set: "values.containerSecurityContext.allowPrivilegeEscalation", value: true },
    ),
    m(
        "neo4j-run-as-root",
        "pod-security",
        { catalogue: "PSS", id: "restricted/running-as-non-root" },
        [T.helm, "neo4j-release"],
        "chart pod runs as root",
        { set: "values.securityContext.runAsNonRoot", value: false },
    ),
    m(
        "neo4j-seccomp",
        "pod-security",
        { catalogue: "PSS", id: "baseline/seccomp" },
        [T.helm, "neo4j-release"],
        "chart pod seccomp Unconfined",
        { set: "values.securityContext.seccompProfile.type", value: "Unconfined" },
    ),
    m(
        "neo4j-keeps-capabilities",
        "pod-security",
        { catalogue: "PSS", id: "restricted/capabilities" },
        [T.helm, "neo4j-release"],
        "chart container keeps capabilities",
        { delete: "values.containerSecurityContext.capabilities" },
    ),
    m(
        "neo4j-secret-auth-none",
        "data-stores",
        runbook("GA-GRAPH-CREDENTIALS"),
        [T.secret, "neo4j-auth"],
        "NEO4J_AUTH=none",
        { set: "stringData.value.NEO4J_AUTH", value: "none" },
    ),
    m(
        "redis-no-password",
        "data-stores",
        runbook("GA-CACHE-CREDENTIALS"),
        [T.statefulSet, "redis-statefulset"],
        "redis started without requirepass",
        {
            set: "spec.template.spec.containers.0.args",
            value: ["--port", "6379", "--dir", "/data", "--appendonly", "yes"],
        },
    ),
    m(
        "redis-protected-mode-off",
        "data-stores",
        runbook("GA-CACHE-CREDENTIALS"),
        [T.statefulSet, "redis-statefulset"],
        "redis protected-mode off",
        { append: "spec.template.spec.containers.0.args", value: "--protected-mode" },
        { append: "spec.template.spec.containers.0.args", value: "no" },
    ),
];

const exposure: ResourceMutation[] = [
    m(
        "redis-load-balancer",
        "network-exposure",
        kics("26763a1c-5dda-4772-b507-5fca7fb5f165"),
        [T.service, "redis-service"],
        "redis Service type LoadBalancer",
        { set: "spec.type", value: "LoadBalancer" },
    ),
    m(
        "redis-node-port",
        "network-exposure",
        checkov("CKV_K8S_153"),
        [T.service, "redis-service"],
        "redis Service type NodePort",
        { set: "spec.type", value: "NodePort" },
    ),
    m(
        "ollama-load-balancer",
        "network-exposure",
        kics("26763a1c-5dda-4772-b507-5fca7fb5f165"),
        [T.service, "ollama-service"],
        "ollama Service type LoadBalancer",
        { set: "spec.type", value: "LoadBalancer" },
    ),
    m(
        "redis-external-ip",
        "network-exposure",
        checkov("CKV_K8S_150"),
        [T.service, "redis-service"],
        "redis Service with an external IP",
        { set: "spec.externalIPs", value: ["203.0.113.10"] },
    ),
    m(
        "postgres-load-balancer",
        "network-exposure",
        runbook("UA-PRIVATE-DATA-NETWORK"),
        [T.service, "redis-service"],
        "a LoadBalancer Service in front of the CNPG primary",
        {
            add: {
                type: T.service,
                name: "postgres-public",
                inputs: {
                    apiVersion: "v1",
                    kind: "Service",
                    metadata: { name: "postgres-public", ...META },
                    spec: {
                        type: "LoadBalancer",
                        selector: { "cnpg.io/cluster": "postgres", "cnpg.io/instanceRole": "primary" },
                        ports: [{ port: 5432, targetPort: 5432 }],
                    },
                },
            },
        },
    ),
    m(
        "neo4j-chart-service",
        "network-exposure",
        runbook("UA-PRIVATE-DATA-NETWORK"),
        [T.helm, "neo4j-release"],
        "chart's LoadBalancer service re-enabled",
        { set: "values.services.neo4j.enabled", value: true },
    ),
    m(
        "neo4j-chart-lb-include",
        "network-exposure",
        runbook("UA-PRIVATE-DATA-NETWORK"),
        [T.helm, "neo4j-release"],
        "chart pods joined to its load balancer",
        { set: "values.podSpec.loadbalancer", value: "include" },
        { set: "values.services.neo4j.enabled", value: true },
    ),
    m(
        "cnpg-managed-lb",
        "network-exposure",
        runbook("UA-PRIVATE-DATA-NETWORK"),
        [T.cluster, "postgres-cluster"],
        "CNPG managed LoadBalancer service",
        {
            set: "spec.managed.services.additional",
            value: [
                {
                    selectorType: "rw",
                    serviceTemplate: { metadata: { name: "postgres-public" }, spec: { type: "LoadBalancer" } },
                },
            ],
        },
    ),
    m(
        "ingress-to-redis",
        "network-exposure",
        runbook("UA-PRIVATE-DATA-NETWORK"),
        [T.ingress, "api-ingress"],
        "an Ingress path to the redis Service",
        {
            append: "spec.rules.0.http.paths",
            value: {
                path: "/redis",
                pathType: "Prefix",
                backend: { service: { name: "redis", port: { number: 6379 } } },
            },
        },
    ),
    m(
        "ingress-to-ollama",
        "network-exposure",
        runbook("UA-PRIVATE-DATA-NETWORK"),
        [T.ingress, "gateway-ingress"],
        "an Ingress path to ollama",
        {
            append: "spec.rules.0.http.paths",
            value: {
                path: "/ollama",
                pathType: "Prefix",
                backend: { service: { name: "ollama", port: { number: 11434 } } },
            },
        },
    ),
    m("ingress-no-tls", "https", runbook("UA-EDGE-TLS"), [T.ingress, "api-ingress"], "Ingress without TLS", {
        delete: "spec.tls",
    }),
    m(
        "ingress-no-ssl-redirect",
        "https",
        runbook("UA-EDGE-TLS"),
        [T.ingress, "ui-ingress"],
        "Ingress stops redirecting to https",
        { set: "metadata.annotations.nginx\\.ingress\\.kubernetes\\.io/force-ssl-redirect", value: "false" },
    ),
    m(
        "default-deny-removed",
        "network-exposure",
        kyverno("best-practices/add-network-policy"),
        [T.netpol, "foundation-default-deny"],
        "default-deny NetworkPolicy removed",
        { remove: true },
    ),
    m(
        "redis-netpol-removed",
        "network-exposure",
        runbook("UA-PRIVATE-DATA-NETWORK"),
        [T.netpol, "redis-netpol"],
        "redis NetworkPolicy removed",
        { remove: true },
    ),
    m(
        "redis-netpol-any-pod",
        "network-exposure",
        runbook("UA-PRIVATE-DATA-NETWORK"),
        [T.netpol, "redis-netpol"],
        "redis reachable from every pod",
        { set: "spec.ingress", value: [{}] },
    ),
    m(
        "redis-netpol-any-namespace",
        "network-exposure",
        runbook("UA-PRIVATE-DATA-NETWORK"),
        [T.netpol, "redis-netpol"],
        "redis reachable from every namespace",
        { append: "spec.ingress.0.from", value: { namespaceSelector: {} } },
    ),
    m(
        "neo4j-netpol-cidr",
        "network-exposure",
        runbook("UA-PRIVATE-DATA-NETWORK"),
        [T.netpol, "neo4j-netpol"],
        "neo4j reachable from 0.0.0.0/0",
        { set: "spec.ingress", value: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] },
    ),
    m(
        "redis-host-network",
        "network-exposure",
        { catalogue: "PSS", id: "baseline/host-namespaces" },
        [T.statefulSet, "redis-statefulset"],
        "redis on the node's network",
        { set: "spec.template.spec.hostNetwork", value: true },
    ),
];

const availability: ResourceMutation[] = [
    m("api-pdb-removed", "availability", kyverno("best-practices/require-pdb"), [T.pdb, "api-pdb"], "api PDB removed", {
        remove: true,
    }),
    m(
        "gateway-pdb-removed",
        "availability",
        kyverno("best-practices/require-pdb"),
        [T.pdb, "gateway-pdb"],
        "gateway PDB removed",
        { remove: true },
    ),
    m(
        "ui-pdb-all-unavailable",
        "availability",
        kyverno("best-practices/pdb-maxunavailable"),
        [T.pdb, "ui-pdb"],
        "ui PDB allows every pod down",
        { set: "spec.maxUnavailable", value: "100%" },
    ),
    m(
        "worker-pdb-zero-min",
        "availability",
        kyverno("best-practices/pdb-minavailable"),
        [T.pdb, "worker-pdb"],
        "worker PDB minAvailable 0",
        { delete: "spec.maxUnavailable" },
        { set: "spec.minAvailable", value: 0 },
    ),
    m(
        "api-scaler-min-1",
        "availability",
        runbook("UA-ENVIRONMENT"),
        [T.scaledObject, "monitoring-api-scaler"],
        "api scales down to one replica",
        { set: "spec.minReplicaCount", value: 1 },
    ),
    m(
        "gateway-scaler-min-0",
        "availability",
        runbook("UA-ENVIRONMENT"),
        [T.scaledObject, "monitoring-gateway-scaler"],
        "gateway scales to zero",
        { set: "spec.minReplicaCount", value: 0 },
    ),
    m(
        "worker-hpa-min-1",
        "availability",
        runbook("UA-ENVIRONMENT"),
        [T.hpa, "worker-hpa"],
        "worker HPA minimum of one",
        { set: "spec.minReplicas", value: 1 },
    ),
    m(
        "cnpg-single-instance",
        "availability",
        runbook("GA-HA-CACHE"),
        [T.cluster, "postgres-cluster"],
        "CNPG one instance",
        { set: "spec.instances", value: 1 },
    ),
    m(
        "cnpg-no-anti-affinity",
        "availability",
        runbook("GA-HA-CACHE"),
        [T.cluster, "postgres-cluster"],
        "CNPG instances may share a zone",
        { set: "spec.affinity.enablePodAntiAffinity", value: false },
    ),
    m(
        "ui-single-replica",
        "availability",
        runbook("UA-ENVIRONMENT"),
        [T.deployment, "ui-deployment"],
        "ui pinned to one replica",
        { set: "spec.replicas", value: 1 },
    ),
    m(
        "api-recreate",
        "availability",
        runbook("UA-ENVIRONMENT"),
        [T.deployment, "api-deployment"],
        "api rolls out by Recreate",
        { set: "spec.strategy", value: { type: "Recreate" } },
    ),
];

const cron = (name: string) => [T.cronJob, name] as [string, string];
const backups: ResourceMutation[] = [
    ...[
        "redis-backup-cronjob",
        "neo4j-backup-cronjob",
        "pg-backup-estate-cronjob",
        "pg-restore-drill-cronjob",
        "redis-restore-drill-cronjob",
        "neo4j-restore-drill-cronjob",
    ].map((c) =>
        m(`${c}-suspended`, "backups-alerts", runbook("GA-BACKUPS"), cron(c), `${c} suspended`, {
            set: "spec.suspend",
            value: true,
        }),
    ),
    m(
        "redis-backup-weekly",
        "backups-alerts",
        runbook("UA-DAILY-PG-DUMP"),
        cron("redis-backup-cronjob"),
        "redis backup weekly",
        { set: "spec.schedule", value: "15 2 * * 0" },
    ),
    m(
        "pg-backup-weekly",
        "backups-alerts",
        runbook("UA-DAILY-PG-DUMP"),
        cron("pg-backup-estate-cronjob"),
        "pg dump weekly",
        { set: "spec.schedule", value: "0 2 * * 0" },
    ),
    m(
        "redis-backup-retention-1",
        "backups-alerts",
        runbook("GA-BACKUPS"),
        cron("redis-backup-cronjob"),
        "backup script keeps a day",
        { set: "spec.jobTemplate.spec.template.spec.containers.0.env.[name=BACKUP_RETENTION_DAYS].value", value: "1" },
    ),
    m(
        "redis-backup-unencrypted",
        "backups-alerts",
        runbook("UA-ENCRYPTED-BACKUPS"),
        cron("redis-backup-cronjob"),
        "backup without an age recipient",
        { delete: "spec.jobTemplate.spec.template.spec.containers.0.env.[name=BACKUP_AGE_RECIPIENT]" },
    ),
    m(
        "scheduled-backup-suspended",
        "backups-alerts",
        runbook("UA-DAILY-PG-DUMP"),
        [T.scheduledBackup, "postgres-scheduled-backup"],
        "CNPG ScheduledBackup suspended",
        { set: "spec.suspend", value: true },
    ),
    m(
        "scheduled-backup-weekly",
        "backups-alerts",
        runbook("UA-DAILY-PG-DUMP"),
        [T.scheduledBackup, "postgres-scheduled-backup"],
        "CNPG base backup weekly",
        { set: "spec.schedule", value: "0 0 3 * * 0" },
    ),
    m(
        "scheduled-backup-removed",
        "backups-alerts",
        runbook("UA-DAILY-PG-DUMP"),
        [T.scheduledBackup, "postgres-scheduled-backup"],
        "CNPG ScheduledBackup removed",
        { remove: true },
    ),
    m(
        "backup-rule-for-hours",
        "backups-alerts",
        runbook("GA-MONITORING"),
        [T.rule, "monitoring-backup-rules"],
        "BackupStale waits six hours",
        { set: "spec.groups.0.rules.0.for", value: "6h" },
    ),
    m(
        "backup-rule-never-fires",
        "backups-alerts",
        runbook("GA-MONITORING"),
        [T.rule, "monitoring-backup-rules"],
        "BackupStale can never fire",
        { set: "spec.groups.0.rules.0.expr", value: "vector(0) > 1" },
    ),
    m(
        "backup-rule-removed",
        "backups-alerts",
        runbook("GA-MONITORING"),
        [T.rule, "monitoring-backup-rules"],
        "backup rules removed",
        { remove: true },
    ),
    m(
        "api-rules-for-hours",
        "backups-alerts",
        runbook("UA-SLO-ALERT-RULES"),
        [T.rule, "monitoring-api-rules"],
        "api alerts wait six hours",
        { set: "spec.groups.0.rules.0.for", value: "6h" },
    ),
    m(
        "api-rules-never-fire",
        "backups-alerts",
        runbook("UA-SLO-ALERT-RULES"),
        [T.rule, "monitoring-api-rules"],
        "api alert can never fire",
        { set: "spec.groups.0.rules.0.expr", value: "vector(0) > 1" },
    ),
    m(
        "api-rules-unless-constant",
        "backups-alerts",
        runbook("UA-SLO-ALERT-RULES"),
        [T.rule, "monitoring-api-rules"],
        "PostgresDown silenced by `unless on() vector(0)`",
        {
            set: "spec.groups.1.rules.0.expr",
            value: 'max by (service, dependency) (estate_dependency_up{service="api",dependency="postgres"}) < 1 unless on() vector(0)',
        },
    ),
    m(
        "api-rules-loose-threshold",
        "backups-alerts",
        runbook("UA-SLO-ALERT-RULES"),
        [T.rule, "monitoring-api-rules"],
        "api rules removed",
        { remove: true },
    ),
    m(
        "alertmanager-no-receivers",
        "backups-alerts",
        runbook("UA-ALERTS-TO-ONCALL"),
        [T.alertmanager, "monitoring-alertmanager-config"],
        "alerts routed nowhere",
        { set: "spec.receivers", value: [{ name: "on-call" }, { name: "tickets" }] },
    ),
];

const https: ResourceMutation[] = [
    ...(
        [
            ["ALLOWED_ORIGINS", "http://app.estate.example.com", "GA-CORS"],
            ["OIDC_ISSUER", "http://login.example.com/realms/estate", "GA-TLS"],
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://otel.estate.example.com/v1/traces", "GA-TLS"],
            ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://otel.estate.example.com/v1/metrics", "GA-TLS"],
        ] as const
    ).map(([env, value, req]) =>
        m(
            `api-${env.toLowerCase()}-http`,
            "https",
            runbook(req),
            [T.deployment, "api-deployment"],
            `${env} over http`,
            { set: `spec.template.spec.containers.0.env.[name=${env}].value`, value },
        ),
    ),
    m(
        "worker-webhook-http",
        "https",
        runbook("RAG-UPSTREAM-HTTPS"),
        [T.deployment, "worker-deployment"],
        "a webhook URL over http",
        {
            append: "spec.template.spec.containers.0.env",
            value: { name: "ALERT_WEBHOOK_URL", value: "http://hooks.example.com/estate" },
        },
    ),
];

export const kubernetesMutations: ResourceMutation[] = [
    ...access,
    ...storage,
    ...dataStores,
    ...exposure,
    ...availability,
    ...backups,
    ...https,
];
