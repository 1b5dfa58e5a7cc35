// Neo4j, Ollama and the network they share, as the real program declares them with
// `--platform azure`, for both stacks: exact inputs, protection, privacy and secret handling.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { NEO4J_IMAGE } from "../../components/data/azure/neo4j";
import { storageAccountPrefix } from "../../components/data/azure/files";
import { OLLAMA_IMAGE, ollamaSizes } from "../../components/ai/azure/ollama";
import { NETWORK_PLAN } from "../../components/platform/azure/network";
import { SECRET_SIG, SECRET_VALUE, type CapturedResource, type ProgramCapture } from "../../tools/lib/mock-run";
import { inputsOf, plan, resource } from "../support/program";

const RG = "foundation-rg-offline";
const ollamaEnv = [
    { name: "OLLAMA_HOST", value: "0.0.0.0:11434" },
    { name: "OLLAMA_MODELS", value: "/models" },
    { name: "OLLAMA_KEEP_ALIVE", value: "24h" },
];

function stateful(r: CapturedResource, prod: boolean) {
    assert.deepEqual(
        [r.options.protect, r.options.retainOnDelete],
        [prod, prod],
        `${r.type} ${r.name} protect/retainOnDelete`,
    );
}

/** Storage account + share + environment storage of one Azure Files volume. */
function assertFilesVolume(capture: ProgramCapture, name: string, quota: number, component: string, prod: boolean) {
    const accountName = storageAccountPrefix(name);
    const account = resource(capture, "azure-native:storage:StorageAccount", accountName);
    assert.deepEqual(inputsOf(account), {
        resourceGroupName: RG,
        location: "westeurope",
        kind: "StorageV2",
        sku: { name: prod ? "Standard_ZRS" : "Standard_LRS" },
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: "TLS1_2",
        allowBlobPublicAccess: false,
        allowCrossTenantReplication: false,
        networkRuleSet: {
            defaultAction: "Deny",
            bypass: "AzureServices",
            virtualNetworkRules: [{ virtualNetworkResourceId: "foundation-network-apps-id", action: "Allow" }],
        },
        tags: { "estate-component": component, "estate-name": component === "graph" ? "neo4j" : "ollama" },
    });
    const share = resource(capture, "azure-native:storage:FileShare", `${name}-share`);
    assert.deepEqual(inputsOf(share), {
        resourceGroupName: RG,
        accountName: `${accountName}offline`,
        shareName: name,
        shareQuota: quota,
        enabledProtocols: "SMB",
    });
    stateful(account, prod);
    stateful(share, prod);
    const storage = resource(capture, "azure-native:app:ManagedEnvironmentsStorage", `${name}-env-storage`);
    const key = (storage.inputs as { properties: { azureFile: { accountKey: unknown } } }).properties.azureFile
        .accountKey;
    assert.deepEqual(
        key,
        { [SECRET_SIG]: SECRET_VALUE, value: "offline-storage-key-not-a-secret" },
        "the account key comes from the account, as a secret",
    );
    assert.deepEqual(inputsOf(storage), {
        resourceGroupName: RG,
        environmentName: "foundation-env-offline",
        storageName: name,
        properties: {
            azureFile: {
                accountName: `${accountName}offline`,
                accountKey: "offline-storage-key-not-a-secret",
                shareName: name,
                accessMode: "ReadWrite",
            },
        },
    });
}

for (const stack of ["staging", "prod"] as const) {
    const prod = stack === "prod";
    describe(`Neo4j, Ollama and the network on azure (${stack})`, () => {
        let capture: ProgramCapture;
        before(async () => {
            capture = await plan(stack, { platform: "azure" });
        });

        it("puts the Container Apps environment in a VNet with one subnet per data path", () => {
            const env = inputsOf(resource(capture, "azure-native:app:ManagedEnvironment", "foundation-env"));
            assert.deepEqual(env.vnetConfiguration, {
                infrastructureSubnetId: "foundation-network-apps-id",
                internal: false,
            });
            assert.deepEqual(env.workloadProfiles, [{ name: "Consumption", workloadProfileType: "Consumption" }]);
            assert.deepEqual(
                inputsOf(resource(capture, "azure-native:network:VirtualNetwork", "foundation-network-vnet"))
                    .addressSpace,
                { addressPrefixes: ["10.40.0.0/16"] },
            );
            const subnet = (name: string) =>
                resource(capture, "azure-native:network:Subnet", `foundation-network-${name}`);
            const view = (name: string) => {
                const s = inputsOf(subnet(name));
                return [
                    s.subnetName,
                    s.addressPrefix,
                    (s.delegations ?? []).map((d: { serviceName: string }) => d.serviceName),
                    (s.serviceEndpoints ?? []).map((e: { service: string }) => e.service),
                ];
            };
            assert.deepEqual(["apps", "postgres", "endpoints"].map(view), [
                ["apps", NETWORK_PLAN.apps, ["Microsoft.App/environments"], ["Microsoft.Storage"]],
                ["postgres", NETWORK_PLAN.postgres, ["Microsoft.DBforPostgreSQL/flexibleServers"], []],
                ["endpoints", NETWORK_PLAN.endpoints, [], []],
            ]);
            assert.ok(
                subnet("postgres").dependencies.includes(subnet("apps").urn) &&
                    subnet("endpoints").dependencies.includes(subnet("postgres").urn),
                "subnets are created one at a time",
            );
        });

        it("runs Neo4j as one internal TCP app on the bolt port, data on Azure Files, password from Key Vault", () => {
            const app = resource(capture, "azure-native:app:ContainerApp", "neo4j-app");
            assert.deepEqual(inputsOf(app), {
                containerAppName: "neo4j",
                resourceGroupName: RG,
                managedEnvironmentId: "foundation-env-id",
                identity: { type: "UserAssigned", userAssignedIdentities: ["neo4j-identity-id"] },
                tags: { "estate-component": "graph", "estate-name": "neo4j" },
                configuration: {
                    activeRevisionsMode: "Single",
                    ingress: {
                        external: false,
                        transport: "tcp",
                        targetPort: 7687,
                        exposedPort: 7687,
                        allowInsecure: false,
                    },
                    secrets: [
                        {
                            name: "neo4j-auth",
                            keyVaultUrl: "https://neo4j-auth-vault-offline.vault.azure.net/secrets/neo4j-auth",
                            identity: "neo4j-identity-id",
                        },
                    ],
                },
                template: {
                    containers: [
                        {
                            name: "neo4j",
                            image: NEO4J_IMAGE,
                            env: [
                                { name: "NEO4J_AUTH", secretRef: "neo4j-auth" },
                                { name: "NEO4J_server_memory_heap_max__size", value: "2G" },
                                { name: "NEO4J_server_memory_pagecache_size", value: "1G" },
                                { name: "NEO4J_PLUGINS", value: '["apoc"]' },
                            ],
                            resources: { cpu: 2, memory: "4Gi" },
                            volumeMounts: [{ volumeName: "data", mountPath: "/data" }],
                            probes: ["Startup", "Liveness", "Readiness"].map((type) => ({
                                type,
                                tcpSocket: { port: 7687 },
                                // Container Apps allows 10 failures: the 5-minute start-up budget is 10 × 30 s.
                                periodSeconds: type === "Startup" ? 30 : 10,
                                timeoutSeconds: 5,
                                failureThreshold: type === "Startup" ? 10 : 3,
                            })),
                        },
                    ],
                    volumes: [
                        {
                            name: "data",
                            storageType: "AzureFile",
                            storageName: "neo4j-data",
                            mountOptions: "uid=7474,gid=7474,dir_mode=0750,file_mode=0640,nobrl,mfsymlinks",
                        },
                    ],
                    scale: { minReplicas: 1, maxReplicas: 1 },
                },
            });
            assertFilesVolume(capture, "neo4j-data", 20, "graph", prod);
        });

        it("keeps the Neo4j password only as a Key Vault secret the app's identity may read", () => {
            const secret = resource(capture, "azure-native:keyvault:Secret", "neo4j-auth-neo4j-auth");
            // In wire form: the secret's signature beside its value.
            const value = (secret.inputs as { properties: { value: Record<string, string> } }).properties.value;
            assert.equal(value[SECRET_SIG], SECRET_VALUE, "the password is a Pulumi secret");
            assert.match(value.value, /^neo4j\/offline-generated-not-a-secret-secrets-neo4j-password$/);
            stateful(secret, prod);
            stateful(resource(capture, "azure-native:keyvault:Vault", "neo4j-auth-vault"), prod);
            const app = resource(capture, "azure-native:app:ContainerApp", "neo4j-app");
            assert.doesNotMatch(JSON.stringify(app.inputs), /not-a-secret/, "no credential in the app definition");
            // Neo4j's own identity, on that one secret (not the vault).
            const role = inputsOf(
                resource(capture, "azure-native:authorization:RoleAssignment", "neo4j-auth-reader-neo4j-auth"),
            );
            assert.deepEqual(
                [role.principalId, role.scope],
                ["neo4j-identity-principal-id", "neo4j-auth-neo4j-auth-id"],
            );
        });

        it("runs Ollama as one internal TCP app on 11434 that pulls both models before it serves", () => {
            const app = resource(capture, "azure-native:app:ContainerApp", "ollama-app");
            const sizes = ollamaSizes(false);
            const volumeMounts = [{ volumeName: "models", mountPath: "/models" }];
            const pull = [
                "ollama serve >/tmp/ollama-serve.log 2>&1 &",
                "set -eu",
                "export OLLAMA_HOST='http://127.0.0.1:11434'",
                "for i in $(seq 1 60); do ollama list >/dev/null 2>&1 && break; sleep 5; done",
                "ollama pull 'llama3.1:8b'",
                "ollama pull 'nomic-embed-text'",
                "ollama list",
            ].join("\n");
            assert.deepEqual(inputsOf(app), {
                containerAppName: "ollama",
                resourceGroupName: RG,
                managedEnvironmentId: "foundation-env-id",
                tags: { "estate-component": "ai-runtime", "estate-name": "ollama" },
                configuration: {
                    activeRevisionsMode: "Single",
                    ingress: {
                        external: false,
                        transport: "tcp",
                        targetPort: 11434,
                        exposedPort: 11434,
                        allowInsecure: false,
                    },
                },
                template: {
                    initContainers: [
                        {
                            name: "pull-models",
                            image: OLLAMA_IMAGE,
                            command: ["/bin/sh", "-c"],
                            args: [pull],
                            env: ollamaEnv,
                            resources: sizes.pull,
                            volumeMounts,
                        },
                    ],
                    containers: [
                        {
                            name: "ollama",
                            image: OLLAMA_IMAGE,
                            env: ollamaEnv,
                            resources: { cpu: 3.5, memory: "7Gi" },
                            volumeMounts,
                            probes: ["Startup", "Liveness", "Readiness"].map((type) => ({
                                type,
                                httpGet: { path: "/api/version", port: 11434, scheme: "HTTP" },
                                // Container Apps allows 10 failures: the 5-minute start-up budget is 10 × 30 s.
                                periodSeconds: type === "Startup" ? 30 : 10,
                                timeoutSeconds: 5,
                                failureThreshold: type === "Startup" ? 10 : 3,
                            })),
                        },
                    ],
                    volumes: [{ name: "models", storageType: "AzureFile", storageName: "ollama-models" }],
                    scale: { minReplicas: 1, maxReplicas: 1 },
                },
            });
            assertFilesVolume(capture, "ollama-models", 50, "ai-runtime", prod);
        });
    });
}

describe("Ollama on azure with a GPU", () => {
    it("adds the serverless GPU profile to the environment and sizes the app to it", async () => {
        const capture = await plan("prod", { platform: "azure", ollamaGpu: "true", ollamaStorageGb: "120" });
        assert.deepEqual(
            inputsOf(resource(capture, "azure-native:app:ManagedEnvironment", "foundation-env")).workloadProfiles,
            [
                { name: "Consumption", workloadProfileType: "Consumption" },
                { name: "gpu", workloadProfileType: "Consumption-GPU-NC8as-T4" },
            ],
        );
        const app = inputsOf(resource(capture, "azure-native:app:ContainerApp", "ollama-app"));
        assert.equal(app.workloadProfileName, "gpu");
        assert.deepEqual(
            [app.template.containers[0].resources, app.template.initContainers[0].resources],
            [
                { cpu: 7.5, memory: "52Gi" },
                { cpu: 0.5, memory: "4Gi" },
            ],
        );
        assert.equal(
            inputsOf(resource(capture, "azure-native:storage:FileShare", "ollama-models-share")).shareQuota,
            120,
        );
    });

    it("sizes server and pull step to exactly what each profile offers", () => {
        const total = (gpu: boolean) => {
            const s = ollamaSizes(gpu);
            return [s.server.cpu + s.pull.cpu, parseFloat(s.server.memory) + parseFloat(s.pull.memory)];
        };
        assert.deepEqual(
            [total(false), total(true)],
            [
                [4, 8],
                [8, 56],
            ],
        );
    });

    it("names storage accounts within Azure's rules", () => {
        assert.equal(storageAccountPrefix("ollama-models"), "ollamamodels");
        assert.equal(storageAccountPrefix("A-very-long-graph-store-name"), "averylonggraphst");
        assert.throws(() => storageAccountPrefix("--"), /`name` "--" has no letters or digits/);
    });
});
