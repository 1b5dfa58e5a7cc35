import { describe } from "node:test";
import type { CapturedResource } from "../../tools/lib/analyzer";
import { aca, acaContainer, api, Case, get, itReportsEachCase, setEnv } from "./cases";
import { res, secret } from "./fixtures";

const ingress = (rs: CapturedResource[]) => get(rs, "networking.k8s.io/v1:Ingress", "api");
const webTest = (url: string) =>
    res("azure-native:applicationinsights:WebTest", "api-availability", {
        resourceGroupName: "estate",
        kind: "standard",
        enabled: true,
        request: { httpVerb: "GET", requestUrl: url },
    });

const cases: Case[] = [
    {
        name: "OIDC issuer over plain http",
        mutate: (rs) => setEnv(api(rs), "OIDC_ISSUER", { value: "http://login.example.com/realms/estate" }),
        expect: [
            [
                "urls-https",
                'Use an https:// URL in OIDC_ISSUER on container "api" (host login.example.com is reached over plain http).',
            ],
        ],
    },
    {
        name: "one http origin in a list of CORS origins",
        mutate: (rs) =>
            setEnv(api(rs), "ALLOWED_ORIGINS", { value: "https://app.example.com,http://admin.example.com" }),
        expect: [
            [
                "urls-https",
                'Use an https:// URL in ALLOWED_ORIGINS on container "api" (host admin.example.com is reached over plain http).',
            ],
        ],
    },
    {
        name: "localhost and in-cluster service URLs may stay http",
        mutate: (rs) => {
            setEnv(api(rs), "ALLOWED_ORIGINS", { value: "https://app.example.com,http://localhost:3000" });
            setEnv(api(rs), "OTEL_EXPORTER_OTLP_ENDPOINT", { value: "http://otel-collector.monitoring.svc:4318" });
            setEnv(api(rs), "PUSHGATEWAY_URL", { value: "http://pushgateway:9091" });
        },
        expect: [],
    },
    {
        name: "OTLP endpoint on an external host over http, on Container Apps",
        mutate: (rs) =>
            setEnv(acaContainer(rs), "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", {
                value: "http://otel.example.com/v1/traces",
            }),
        expect: [
            [
                "urls-https",
                'Use an https:// URL in OTEL_EXPORTER_OTLP_TRACES_ENDPOINT on container "api" (host otel.example.com is reached over plain http).',
            ],
        ],
    },
    {
        name: "an upstream *_BASE_URL over http is outbound-https's finding alone",
        mutate: (rs) => setEnv(api(rs), "REDMINE_BASE_URL", { value: "http://redmine.example.com" }),
        expect: [
            [
                "outbound-https",
                'Use an https:// URL for REDMINE_BASE_URL on container "api" (host redmine.example.com).',
            ],
        ],
    },
    {
        name: "Container Apps CORS origin over http",
        mutate: (rs) => (aca(rs).configuration.ingress.corsPolicy.allowedOrigins = ["http://app.example.com"]),
        expect: [
            [
                "urls-https",
                "Use https:// in configuration.ingress.corsPolicy.allowedOrigins[0] (host app.example.com is reached over plain http).",
            ],
        ],
    },
    {
        name: "availability test over http",
        mutate: (rs) => rs.push(webTest("http://api.example.com/healthz")),
        expect: [
            ["urls-https", "Use https:// in request.requestUrl (host api.example.com is reached over plain http)."],
        ],
    },
    {
        name: "availability test over https",
        mutate: (rs) => rs.push(webTest("https://api.example.com/healthz")),
        expect: [],
    },
    {
        name: "alert webhook over http, its credentials never printed",
        mutate: (rs) =>
            (get(rs, "monitor:ActionGroup", "on-call").webhookReceivers[0].serviceUri = secret(
                "http://events.pagerduty.com/integration/fixture-routing-key/enqueue",
            )),
        expect: [
            [
                "urls-https",
                "Use https:// in webhookReceivers[0].serviceUri (host events.pagerduty.com is reached over plain http).",
            ],
        ],
    },
    {
        name: "Alertmanager webhook over http",
        mutate: (rs) =>
            get(rs, "v1alpha1:AlertmanagerConfig", "on-call").spec.receivers.push({
                name: "hooks",
                webhookConfigs: [{ url: "http://hooks.example.com/alerts" }],
            }),
        expect: [
            [
                "urls-https",
                "Use https:// in spec.receivers[2].webhookConfigs[0].url (host hooks.example.com is reached over plain http).",
            ],
        ],
    },
    {
        name: "autoscaler querying a Prometheus outside the cluster over http",
        mutate: (rs) =>
            rs.push(
                res("kubernetes:keda.sh/v1alpha1:ScaledObject", "api-scaler", {
                    metadata: { name: "api", namespace: "estate" },
                    spec: {
                        scaleTargetRef: { name: "api" },
                        minReplicaCount: 3,
                        triggers: [
                            {
                                type: "prometheus",
                                metadata: { serverAddress: "http://prometheus.example.com:9090", threshold: "2" },
                            },
                            {
                                type: "prometheus",
                                metadata: { serverAddress: "http://prometheus-operated.monitoring.svc:9090" },
                            },
                        ],
                    },
                }),
            ),
        expect: [
            [
                "urls-https",
                "Use https:// in spec.triggers[0].metadata.serverAddress (host prometheus.example.com is reached over plain http).",
            ],
        ],
    },
    {
        name: "ingress-nginx CORS origin over http",
        mutate: (rs) =>
            (ingress(rs).metadata.annotations = {
                "nginx.ingress.kubernetes.io/enable-cors": "true",
                "nginx.ingress.kubernetes.io/cors-allow-origin": "https://app.example.com, http://admin.example.com",
            }),
        expect: [
            [
                "urls-https",
                'Use https:// in metadata.annotations["nginx.ingress.kubernetes.io/cors-allow-origin"] (host admin.example.com is reached over plain http).',
            ],
        ],
    },
    {
        name: "Ingress that stops redirecting http to https",
        mutate: (rs) =>
            (ingress(rs).metadata.annotations = { "nginx.ingress.kubernetes.io/force-ssl-redirect": "false" }),
        expect: [
            [
                "ingress-tls",
                'Remove annotation nginx.ingress.kubernetes.io/force-ssl-redirect: "false" (or set it "true") so plain http is redirected to https.',
            ],
        ],
    },
];

describe("https policies: every configured URL, Ingress redirects", () => {
    itReportsEachCase(cases);
});
