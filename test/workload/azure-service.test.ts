import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { ContainerAppService, type ContainerAppServiceArgs } from "../../components/workload/azure/service";
import { UNBOUND_IDENTITY } from "../../components/secrets/azure/key-vault";
import { runComponents } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";
import { refusalOf } from "../support/components";

const KEY_VAULT_REF = {
    kind: "key-vault",
    secretUri: "https://kv.vault.azure.net/secrets/db-password",
    identityId: "/identities/api",
    name: "db-password",
} as const;

/** An internal service the way the Azure platform declares it; each test changes one thing. */
function args(overrides: Partial<ContainerAppServiceArgs> = {}): ContainerAppServiceArgs {
    return {
        image: "ghcr.io/acme/api:1.2.0",
        previousImage: "ghcr.io/acme/api:1.1.0",
        port: 8080,
        minReplicas: 2,
        maxReplicas: 6,
        probes: {
            livenessPath: "/healthz",
            readinessPath: "/readyz",
            periodSeconds: 15,
            timeoutSeconds: 3,
            failureThreshold: 3,
            startupFailureThreshold: 20,
        },
        env: { LOG_LEVEL: "info" },
        secretEnv: { DATABASE_PASSWORD: KEY_VAULT_REF },
        resourceGroupName: "rg-estate",
        environmentId: "/environments/estate",
        identityId: "/identities/api",
        ...overrides,
    };
}

async function declare(overrides: Partial<ContainerAppServiceArgs> = {}) {
    let service!: ContainerAppService;
    const capture = await runComponents(() => {
        service = new ContainerAppService("api", args(overrides));
    });
    const url = await new Promise<string | undefined>((resolve) => service.url.apply(resolve));
    const internalUrl = await new Promise<string>((resolve) => service.internalUrl.apply(resolve));
    const app = inputsOf(resource(capture, "azure-native:app:ContainerApp", "api-app"));
    return { capture, url, internalUrl, app, names: capture.resources.filter((r) => r.custom).map((r) => r.name) };
}

/** The message the constructor throws, caught inside the run so the run itself completes. */
function refusal(overrides: Partial<ContainerAppServiceArgs>): Promise<string> {
    return refusalOf(() => {
        new ContainerAppService("api", args(overrides));
    });
}

describe("ContainerAppService (component)", () => {
    it("declares one Container App under the component, internal and HTTPS-only by default", async () => {
        const { capture, names, app, url, internalUrl } = await declare();
        assert.deepEqual(names, ["api-app"]);
        const component = capture.resources.find((r) => r.type === "estate:workload:ContainerAppService");
        assert.equal(resource(capture, "azure-native:app:ContainerApp", "api-app").parent, component?.urn);
        assert.equal(app.containerAppName, "api");
        assert.equal(app.managedEnvironmentId, "/environments/estate");
        assert.deepEqual(app.identity, { type: "UserAssigned", userAssignedIdentities: ["/identities/api"] });
        const ingress = app.configuration.ingress;
        assert.deepEqual([ingress.external, ingress.allowInsecure, ingress.targetPort], [false, false, 8080]);
        assert.equal(ingress.corsPolicy, undefined);
        assert.equal(app.configuration.registries, undefined);
        assert.deepEqual([url, internalUrl], [undefined, "http://api"]);
    });

    it("keeps several revisions and tags the previous image, so a rollback is one traffic move", async () => {
        const { app } = await declare();
        assert.deepEqual(
            [app.configuration.activeRevisionsMode, app.configuration.maxInactiveRevisions],
            ["Multiple", 5],
        );
        assert.deepEqual(app.configuration.ingress.traffic, [{ latestRevision: true, weight: 100, label: "current" }]);
        assert.equal(app.tags["estate-previous-image"], "ghcr.io/acme/api:1.1.0");
        assert.equal(app.tags["estate-tier"], "app");
        assert.equal(app.tags["estate-name"], "api");
    });

    it("is external with an https URL when a host is set", async () => {
        const { app, url } = await declare({ host: "api.example.com" });
        assert.equal(app.configuration.ingress.external, true);
        assert.equal(url, "https://api.offline-env.westeurope.azurecontainerapps.io");
    });

    it("reads secrets as Key Vault references only, the env by secretRef", async () => {
        const { app } = await declare();
        assert.deepEqual(app.configuration.secrets, [
            { name: "db-password", keyVaultUrl: KEY_VAULT_REF.secretUri, identity: "/identities/api" },
        ]);
        assert.deepEqual(app.template.containers[0].env, [
            { name: "LOG_LEVEL", value: "info" },
            { name: "DATABASE_PASSWORD", secretRef: "db-password" },
        ]);
    });

    it("probes start-up with the Kubernetes budget inside the Container Apps limits", async () => {
        const probes = (await declare()).app.template.containers[0].probes;
        const startup = { path: "/healthz", port: 8080, scheme: "HTTP" };
        assert.deepEqual(probes, [
            { type: "Startup", httpGet: startup, timeoutSeconds: 3, periodSeconds: 30, failureThreshold: 10 },
            { type: "Liveness", httpGet: startup, timeoutSeconds: 3, periodSeconds: 15, failureThreshold: 3 },
            {
                type: "Readiness",
                httpGet: { ...startup, path: "/readyz" },
                timeoutSeconds: 3,
                periodSeconds: 15,
                failureThreshold: 3,
            },
        ]);
    });

    it("sizes the container on a Container Apps pair and scales on concurrency and CPU", async () => {
        const { app } = await declare({ cpu: "600m", targetCpuPercent: 60, concurrentRequestsPerReplica: 20 });
        assert.deepEqual(app.template.containers[0].resources, { cpu: 0.75, memory: "1.5Gi" });
        assert.deepEqual(app.template.scale, {
            minReplicas: 2,
            maxReplicas: 6,
            rules: [
                { name: "http-concurrency", http: { metadata: { concurrentRequests: "20" } } },
                { name: "cpu", custom: { type: "cpu", metadata: { type: "Utilization", value: "60" } } },
            ],
        });
        const defaults = (await declare()).app.template.scale.rules;
        assert.deepEqual(
            [defaults[0].http.metadata.concurrentRequests, defaults[1].custom.metadata.value],
            ["50", "70"],
        );
    });

    it("allows the configured and the extra CORS origins, and appends the extra ones to ALLOWED_ORIGINS", async () => {
        const { app } = await declare({
            corsAllowedOrigins: ["https://ui.example.com"],
            extraCorsOrigins: [pulumi.output("https://ui.azurecontainerapps.io")],
            env: { ALLOWED_ORIGINS: "https://ui.example.com" },
        });
        assert.deepEqual(app.configuration.ingress.corsPolicy, {
            allowedOrigins: ["https://ui.example.com", "https://ui.azurecontainerapps.io"],
            allowedMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allowCredentials: true,
        });
        assert.deepEqual(app.template.containers[0].env[0], {
            name: "ALLOWED_ORIGINS",
            value: "https://ui.example.com,https://ui.azurecontainerapps.io",
        });
    });

    it("pulls from a private registry as the given identity", async () => {
        const registries = [{ server: "acme.azurecr.io", identity: "/identities/api" }];
        assert.deepEqual((await declare({ registries })).app.configuration.registries, registries);
    });

    it("refuses a Kubernetes secret reference", async () => {
        assert.equal(
            await refusal({ secretEnv: { TOKEN: { kind: "kubernetes-secret", secretName: "api", key: "token" } } }),
            "`secretEnv.TOKEN` is a kubernetes-secret reference; Container Apps read secrets as Key Vault references",
        );
    });

    it("refuses a Key Vault reference not yet granted to the workload's identity", async () => {
        assert.equal(
            await refusal({ secretEnv: { TOKEN: { ...KEY_VAULT_REF, identityId: UNBOUND_IDENTITY } } }),
            "`secretEnv.TOKEN` is not bound to the workload's identity: grant it with KeyVaultStore.grantRead",
        );
    });
});
