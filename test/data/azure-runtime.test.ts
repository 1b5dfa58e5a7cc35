// Neo4j, Ollama and the network they share, as the real program declares them with
// `--platform azure`, for both stacks: exact inputs, protection, privacy and secret handling.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { NEO4J_VM_IMAGE } from "../../components/data/azure/neo4j";
import { neo4jCloudInit } from "../../components/data/azure/neo4j-cloud-init";
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
            assert.deepEqual(["apps", "postgres", "endpoints", "graph"].map(view), [
                ["apps", NETWORK_PLAN.apps, ["Microsoft.App/environments"], ["Microsoft.Storage"]],
                ["postgres", NETWORK_PLAN.postgres, ["Microsoft.DBforPostgreSQL/flexibleServers"], []],
                ["endpoints", NETWORK_PLAN.endpoints, [], []],
                ["graph", NETWORK_PLAN.graph, [], []],
            ]);
            assert.ok(
                subnet("postgres").dependencies.includes(subnet("apps").urn) &&
                    subnet("endpoints").dependencies.includes(subnet("postgres").urn) &&
                    subnet("graph").dependencies.includes(subnet("endpoints").urn),
                "subnets are created one at a time",
            );
            const graph = inputsOf(subnet("graph"));
            assert.deepEqual(
                [graph.networkSecurityGroup, graph.natGateway, graph.defaultOutboundAccess],
                [{ id: "foundation-network-graph-nsg-id" }, { id: "foundation-network-egress-id" }, false],
                "the graph subnet: its own NSG, egress only through the NAT gateway",
            );
        });

        it("runs Neo4j on one zonal VM with no public address, its store on a Premium SSD that outlives the VM", () => {
            const vm = resource(capture, "azure-native:compute:VirtualMachine", "neo4j-vm");
            const inputs = inputsOf(vm);
            assert.deepEqual(
                [inputs.vmName, inputs.zones, inputs.hardwareProfile, inputs.identity],
                [
                    "neo4j",
                    ["1"],
                    { vmSize: "Standard_D4s_v5" },
                    { type: "UserAssigned", userAssignedIdentities: ["neo4j-identity-id"] },
                ],
            );
            assert.deepEqual(inputs.storageProfile.imageReference, NEO4J_VM_IMAGE);
            assert.deepEqual(inputs.storageProfile.dataDisks, [
                {
                    lun: 0,
                    createOption: "Attach",
                    managedDisk: { id: "neo4j-data-id" },
                    caching: "None",
                    deleteOption: "Detach",
                },
            ]);
            assert.deepEqual(inputs.networkProfile, {
                networkInterfaces: [{ id: "neo4j-nic-id", primary: true, deleteOption: "Detach" }],
            });
            assert.equal(inputs.osProfile.linuxConfiguration.disablePasswordAuthentication, true);
            assert.equal(vm.options.deleteBeforeReplace, true, "the disk attaches to one VM at a time");
            const nic = inputsOf(resource(capture, "azure-native:network:NetworkInterface", "neo4j-nic"));
            assert.deepEqual(nic.ipConfigurations, [
                {
                    name: "primary",
                    primary: true,
                    subnet: { id: "foundation-network-graph-id" },
                    privateIPAllocationMethod: "Dynamic",
                    privateIPAddressVersion: "IPv4",
                },
            ]);
            const disk = resource(capture, "azure-native:compute:Disk", "neo4j-data");
            assert.deepEqual(inputsOf(disk), {
                resourceGroupName: RG,
                location: "westeurope",
                zones: ["1"],
                sku: { name: "Premium_LRS" },
                diskSizeGB: 20,
                creationData: { createOption: "Empty" },
                networkAccessPolicy: "DenyAll",
                publicNetworkAccess: "Disabled",
                tags: { "estate-component": "graph", "estate-name": "neo4j" },
            });
            stateful(disk, prod);
            assert.deepEqual(
                inputsOf(resource(capture, "azure-native:privatedns:PrivateRecordSet", "neo4j-dns")).aRecords,
                [{ ipv4Address: "10.40.4.4" }],
            );
        });

        it("boots Neo4j from cloud-init that holds no secret, and hands the apps a TLS Bolt URI", () => {
            const vm = resource(capture, "azure-native:compute:VirtualMachine", "neo4j-vm");
            const customData = inputsOf(vm).osProfile.customData as string;
            const cloudInit = Buffer.from(customData, "base64").toString("utf8");
            assert.equal(
                cloudInit,
                neo4jCloudInit({
                    identityClientId: "neo4j-identity-client-id",
                    passwordSecretUri: "https://neo4j-auth-vault-offline.vault.azure.net/secrets/neo4j-password",
                    tlsKeySecretUri: "https://neo4j-auth-vault-offline.vault.azure.net/secrets/neo4j-bolt-key",
                    tlsCertSecretUri: "https://neo4j-auth-vault-offline.vault.azure.net/secrets/neo4j-bolt-cert",
                }),
            );
            assert.doesNotMatch(
                JSON.stringify(vm.inputs),
                /not-a-secret|PRIVATE KEY/,
                "no credential in the VM definition",
            );
            const uri = resource(capture, "azure-native:keyvault:Secret", "app-secrets-neo4j-uri");
            const value = (uri.inputs as { properties: { value: Record<string, string> } }).properties.value;
            assert.equal(value.value, "neo4j+ssc://neo4j.estate.internal:7687");
        });

        it("keeps the Neo4j password and Bolt key only as Key Vault secrets the VM's identity may read", () => {
            for (const id of ["neo4j-password", "neo4j-bolt-key"]) {
                const secret = resource(capture, "azure-native:keyvault:Secret", `neo4j-auth-${id}`);
                // In wire form: the secret's signature beside its value.
                const value = (secret.inputs as { properties: { value: Record<string, string> } }).properties.value;
                assert.equal(value[SECRET_SIG], SECRET_VALUE, `${id} is a Pulumi secret`);
                stateful(secret, prod);
                // Neo4j's own identity, on that one secret (not the vault).
                const role = inputsOf(
                    resource(capture, "azure-native:authorization:RoleAssignment", `neo4j-auth-reader-${id}`),
                );
                assert.deepEqual(
                    [role.principalId, role.scope],
                    ["neo4j-identity-principal-id", `neo4j-auth-${id}-id`],
                );
            }
            stateful(resource(capture, "azure-native:keyvault:Vault", "neo4j-auth-vault"), prod);
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
