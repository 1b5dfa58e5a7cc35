import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { aca, acaContainer, api, apiPod, Case, estate, get, itReportsEachCase, postgres, setEnv } from "./cases";
import { findings } from "./harness";

const cases: Case[] = [
    {
        name: "ENVIRONMENT is staging on a prod stack",
        mutate: (rs) => setEnv(api(rs), "ENVIRONMENT", { value: "staging" }),
        expect: [["environment-prod", 'Set env ENVIRONMENT to "prod" on container "api" (it is "staging").']],
    },
    {
        name: "ENVIRONMENT missing on a Container App",
        mutate: (rs) => setEnv(acaContainer(rs), "ENVIRONMENT", undefined),
        expect: [["environment-prod", 'Set env ENVIRONMENT to "prod" on container "api" (it is not set).']],
    },
    {
        name: "no liveness probe",
        mutate: (rs) => delete api(rs).livenessProbe,
        expect: [
            ["health-probes", 'Container "api" has no liveness probe: add livenessProbe with httpGet.path `/healthz`.'],
        ],
    },
    {
        name: "readiness probe on the wrong path",
        mutate: (rs) => (api(rs).readinessProbe.httpGet.path = "/health"),
        expect: [
            ["health-probes", 'Container "api" readiness probe must be an HTTP GET of `/readyz` (it is "/health").'],
        ],
    },
    {
        name: "Container App without a startup probe",
        mutate: (rs) => acaContainer(rs).probes.pop(),
        expect: [["health-probes", 'Container "api" has no startup probe: add a probes[] entry of type Startup.']],
    },
    {
        name: "data store without a startup probe",
        mutate: (rs) => delete postgres(rs).startupProbe,
        expect: [["health-probes", 'Container "postgres" has no startup probe: add startupProbe.']],
    },
    {
        name: "privilege escalation allowed",
        mutate: (rs) => (api(rs).securityContext.allowPrivilegeEscalation = true),
        expect: [
            ["pod-security-restricted", 'Set securityContext.allowPrivilegeEscalation: false on container "api".'],
        ],
    },
    {
        name: "runAsNonRoot missing",
        mutate: (rs) => delete api(rs).securityContext.runAsNonRoot,
        expect: [
            ["pod-security-restricted", 'Set securityContext.runAsNonRoot: true on container "api" or on the pod.'],
        ],
    },
    {
        name: "runAsNonRoot set on the pod instead of the container",
        mutate: (rs) => {
            delete api(rs).securityContext.runAsNonRoot;
            apiPod(rs).securityContext = { runAsNonRoot: true };
        },
        expect: [],
    },
    {
        name: "no seccomp profile",
        mutate: (rs) => delete api(rs).securityContext.seccompProfile,
        expect: [
            [
                "pod-security-restricted",
                'Set securityContext.seccompProfile.type: RuntimeDefault on container "api" or on the pod.',
            ],
        ],
    },
    {
        name: "capabilities not dropped",
        mutate: (rs) => (api(rs).securityContext.capabilities = { drop: ["NET_RAW"], add: ["SYS_ADMIN"] }),
        expect: [
            ["pod-security-restricted", 'Set securityContext.capabilities.drop: ["ALL"] on container "api".'],
            [
                "pod-security-restricted",
                'Remove capabilities.add `SYS_ADMIN` from container "api"; only NET_BIND_SERVICE may be added.',
            ],
        ],
    },
    {
        name: "writable root filesystem",
        mutate: (rs) => (api(rs).securityContext.readOnlyRootFilesystem = false),
        expect: [
            [
                "pod-security-restricted",
                'Set securityContext.readOnlyRootFilesystem: true on container "api" (mount an emptyDir where it writes).',
            ],
        ],
    },
    {
        name: "host network",
        mutate: (rs) => (apiPod(rs).hostNetwork = true),
        expect: [["pod-security-restricted", "Remove spec.hostNetwork: true from the pod template."]],
    },
    {
        name: "no memory limit",
        mutate: (rs) => delete api(rs).resources.limits.memory,
        expect: [["resource-requests-limits", 'Set resources limits.memory on container "api".']],
    },
    {
        name: "Container App without resources",
        mutate: (rs) => delete acaContainer(rs).resources,
        expect: [["resource-requests-limits", 'Set resources.cpu and resources.memory on container "api".']],
    },
    {
        name: "service account token automounted on the pod",
        mutate: (rs) => delete apiPod(rs).automountServiceAccountToken,
        expect: [
            [
                "service-account-token-not-automounted",
                "Set automountServiceAccountToken: false on the pod template spec.",
            ],
        ],
    },
    {
        name: "service account token automounted on the ServiceAccount",
        mutate: (rs) => (get(rs, ":ServiceAccount", "api").automountServiceAccountToken = true),
        expect: [
            ["service-account-token-not-automounted", "Set automountServiceAccountToken: false on the ServiceAccount."],
        ],
    },
    {
        name: "API without a rate limit",
        mutate: (rs) => setEnv(api(rs), "RATE_LIMIT_PER_MINUTE", undefined),
        expect: [
            [
                "rate-limits-set",
                "Set RATE_LIMIT_PER_MINUTE or RATE_LIMIT_MAX to a positive integer on the api workload.",
            ],
        ],
    },
    {
        name: "rate limit of zero",
        mutate: (rs) => setEnv(acaContainer(rs), "RATE_LIMIT_PER_MINUTE", { value: "0" }),
        expect: [["rate-limits-set", 'Set RATE_LIMIT_PER_MINUTE to a positive integer (it is "0").']],
    },
    {
        name: "RATE_LIMIT_MAX satisfies the rate limit",
        mutate: (rs) => {
            setEnv(api(rs), "RATE_LIMIT_PER_MINUTE", undefined);
            setEnv(api(rs), "RATE_LIMIT_MAX", { value: "600" });
        },
        expect: [],
    },
    {
        name: "CORS wildcard in env",
        mutate: (rs) => setEnv(api(rs), "ALLOWED_ORIGINS", { value: "https://app.example.com,*" }),
        expect: [
            ["cors-restricted", 'Set ALLOWED_ORIGINS on container "api" to the exact origins allowed, without "*".'],
        ],
    },
    {
        name: "CORS wildcard on Container Apps ingress",
        mutate: (rs) => (aca(rs).configuration.ingress.corsPolicy.allowedOrigins = ["*"]),
        expect: [
            [
                "cors-restricted",
                'Replace "*" in configuration.ingress.corsPolicy.allowedOrigins with the exact origins allowed.',
            ],
        ],
    },
];

describe("workload policies", () => {
    it("pass the compliant estate", async () => {
        assert.deepEqual(await findings(estate()), []);
    });
    itReportsEachCase(cases);
});
