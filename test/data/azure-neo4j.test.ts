import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import Ajv from "ajv";
import { parse } from "yaml";
import { Neo4jVirtualMachine, type Neo4jVirtualMachineArgs } from "../../components/data/azure/neo4j";
import { NEO4J_VM_SETTINGS, neo4jCloudInit } from "../../components/data/azure/neo4j-cloud-init";
import { NEO4J_VERSION } from "../../components/data/neo4j";
import { PROJECT_ROOT, runComponents, SECRET_SIG, SECRET_VALUE } from "../../tools/lib/mock-run";
import { inputsOf, resource } from "../support/program";
import { refusalOf, valueOf } from "../support/components";

/** Neo4j the way the Azure platform declares it; each test changes one thing. */
function args(overrides: Partial<Neo4jVirtualMachineArgs> = {}): Neo4jVirtualMachineArgs {
    return {
        password: pulumi.secret("p@ss"),
        storageGb: 32,
        resourceGroupName: "rg-estate",
        location: "westeurope",
        zone: "2",
        vmSize: "Standard_D4s_v5",
        subnetId: "/subnets/graph",
        internalZoneName: "estate.internal",
        tenantId: "tenant-1",
        subscriptionId: "sub-1",
        identityId: "/identities/neo4j",
        identityPrincipalId: "neo4j-principal",
        identityClientId: "neo4j-client",
        nameSeed: "estate/staging/neo4j",
        endpointsSubnetId: "/subnets/endpoints",
        privateDnsZoneId: "/zones/vault",
        workspaceId: "/workspaces/estate",
        ...overrides,
    };
}

async function declare(overrides: Partial<Neo4jVirtualMachineArgs> = {}) {
    let neo4j!: Neo4jVirtualMachine;
    const capture = await runComponents(() => {
        neo4j = new Neo4jVirtualMachine("neo4j", args(overrides));
    });
    const vm = resource(capture, "azure-native:compute:VirtualMachine", "neo4j-vm");
    return { capture, neo4j, vm, vmInputs: inputsOf(vm) };
}

const cloudInitArgs = {
    identityClientId: "client-1",
    passwordSecretUri: "https://v.vault.azure.net/secrets/neo4j-password",
    tlsKeySecretUri: "https://v.vault.azure.net/secrets/neo4j-bolt-key",
    tlsCertSecretUri: "https://v.vault.azure.net/secrets/neo4j-bolt-cert",
};

describe("Neo4jVirtualMachine (component)", () => {
    it("declares its certificate, vault, disk, NIC, VM and DNS record, all under the component", async () => {
        const { capture } = await declare();
        const component = capture.resources.find((r) => r.type === "estate:data:Neo4jVirtualMachine");
        const children = capture.resources.filter((r) => r.parent === component?.urn).map((r) => `${r.type} ${r.name}`);
        assert.deepEqual(children.sort(), [
            "azure-native:compute:Disk neo4j-data",
            "azure-native:compute:VirtualMachine neo4j-vm",
            "azure-native:network:NetworkInterface neo4j-nic",
            "azure-native:privatedns:PrivateRecordSet neo4j-dns",
            "estate:secrets:KeyVaultStore neo4j-auth",
            "tls:index/privateKey:PrivateKey neo4j-admin-key",
            "tls:index/privateKey:PrivateKey neo4j-bolt-key",
            "tls:index/selfSignedCert:SelfSignedCert neo4j-bolt-cert",
        ]);
    });

    it("puts the VM and its data disk in the zone it is given, the disk attached at LUN 0 without write cache", async () => {
        const { capture, vmInputs } = await declare();
        const disk = inputsOf(resource(capture, "azure-native:compute:Disk", "neo4j-data"));
        assert.deepEqual(
            [vmInputs.zones, disk.zones, disk.diskSizeGB, disk.sku],
            [["2"], ["2"], 32, { name: "Premium_LRS" }],
        );
        assert.deepEqual(vmInputs.storageProfile.dataDisks, [
            {
                lun: 0,
                createOption: "Attach",
                managedDisk: { id: "neo4j-data-id" },
                caching: "None",
                deleteOption: "Detach",
            },
        ]);
        assert.deepEqual(vmInputs.hardwareProfile, { vmSize: "Standard_D4s_v5" });
    });

    it("has no public address and no password login, and patches itself", async () => {
        const { capture, vmInputs } = await declare();
        const nic = inputsOf(resource(capture, "azure-native:network:NetworkInterface", "neo4j-nic"));
        assert.equal(JSON.stringify(nic).includes("publicIPAddress"), false);
        assert.deepEqual(nic.ipConfigurations[0].subnet, { id: "/subnets/graph" });
        const linux = vmInputs.osProfile.linuxConfiguration;
        assert.equal(linux.disablePasswordAuthentication, true);
        assert.equal(vmInputs.osProfile.adminPassword, undefined);
        assert.equal(linux.ssh.publicKeys.length, 1);
        assert.deepEqual(linux.patchSettings, {
            patchMode: "AutomaticByPlatform",
            assessmentMode: "AutomaticByPlatform",
        });
        assert.deepEqual(vmInputs.securityProfile.securityType, "TrustedLaunch");
    });

    it("stores password, Bolt key and certificate in its own vault, read by its identity, and boots after the grants", async () => {
        const { capture, vm } = await declare();
        const secret = resource(capture, "azure-native:keyvault:Secret", "neo4j-auth-neo4j-password");
        assert.deepEqual(secret.inputs.properties, { value: { [SECRET_SIG]: SECRET_VALUE, value: "p@ss" } });
        const key = resource(capture, "azure-native:keyvault:Secret", "neo4j-auth-neo4j-bolt-key");
        assert.equal((key.inputs.properties as { value: Record<string, string> }).value[SECRET_SIG], SECRET_VALUE);
        for (const id of ["neo4j-password", "neo4j-bolt-key", "neo4j-bolt-cert"]) {
            const grant = resource(capture, "azure-native:authorization:RoleAssignment", `neo4j-auth-reader-${id}`);
            assert.equal(inputsOf(grant).principalId, "neo4j-principal");
            assert.ok(vm.dependencies.includes(grant.urn), `the VM waits for ${id}'s grant`);
        }
        assert.ok(
            vm.dependencies.includes(
                resource(capture, "azure-native:network:PrivateEndpoint", "neo4j-auth-endpoint").urn,
            ),
        );
        assert.doesNotMatch(JSON.stringify(vm.inputs), /p@ss|PRIVATE KEY/, "no credential in the VM definition");
    });

    it("is replaced delete-first, and keeps its disk when protected", async () => {
        const { vm } = await declare();
        assert.equal(vm.options.deleteBeforeReplace, true);
        assert.deepEqual(vm.options.replaceOnChanges, ["osProfile.customData"], "a new cloud-init means a new VM");
        const kept = resource((await declare({ protect: true })).capture, "azure-native:compute:Disk", "neo4j-data");
        assert.deepEqual([kept.options.protect, kept.options.retainOnDelete], [true, true]);
        const plain = resource((await declare()).capture, "azure-native:compute:Disk", "neo4j-data");
        assert.deepEqual([plain.options.protect, plain.options.retainOnDelete], [false, false]);
    });

    it("is reached by its internal name over Bolt with TLS, as the neo4j user with a secret password", async () => {
        const { neo4j, capture } = await declare();
        assert.deepEqual(
            await Promise.all([valueOf(neo4j.host), valueOf(neo4j.port), valueOf(neo4j.uri), valueOf(neo4j.user)]),
            ["neo4j.estate.internal", 7687, "neo4j+ssc://neo4j.estate.internal:7687", "neo4j"],
        );
        assert.equal(await pulumi.isSecret(neo4j.password), true);
        const cert = inputsOf(resource(capture, "tls:index/selfSignedCert:SelfSignedCert", "neo4j-bolt-cert"));
        assert.deepEqual(cert.dnsNames, ["neo4j.estate.internal"]);
    });

    it("refuses a public endpoint, which the VM cannot have", async () => {
        assert.equal(
            await refusalOf(() => new Neo4jVirtualMachine("neo4j", args({ publicAccess: true }))),
            "neo4j: publicAccess is not available on Azure, where the graph's VM has no public address; remove neo4j from estate:publicDataStores and reach it from the VNet",
        );
    });
});

describe("Neo4j's cloud-init", () => {
    const text = neo4jCloudInit(cloudInitArgs);
    const config = parse(text) as Record<string, unknown>;

    it("is valid against cloud-init's own schema (vendor/cloud-init)", () => {
        const schema = JSON.parse(
            readFileSync(join(PROJECT_ROOT, "vendor/cloud-init/schema-cloud-config-v1.json"), "utf8"),
        ) as Record<string, unknown>;
        delete schema["$schema"];
        // cloud-init's schema annotates keys with its own keywords (deprecated, changed, ...).
        const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false }).compile(
            schema,
        );
        assert.equal(text.startsWith("#cloud-config\n"), true);
        assert.equal(validate(config), true, JSON.stringify(validate.errors));
        const broken = { ...config, mounts: [["LABEL=neo4j-data", 7]] };
        assert.equal(validate(broken), false, "a malformed mount is refused by the same schema");
    });

    it("installs the estate's Neo4j version with services held back until the password is set", () => {
        const runcmd = (config["runcmd"] as string[][]).map((c) => c.join(" "));
        const install = runcmd.findIndex((c) => c.includes(`apt-get install -y neo4j=1:${NEO4J_VERSION}`));
        const block = runcmd.findIndex((c) => c.includes("/usr/sbin/policy-rc.d") && c.includes("exit 101"));
        const start = runcmd.findIndex((c) => c.startsWith("systemctl start"));
        assert.ok(block >= 0 && block < install && install < start, runcmd.join("\n"));
    });

    it("requires TLS on Bolt and carries no secret, only where to read them", () => {
        assert.equal(NEO4J_VM_SETTINGS["server.bolt.tls_level"], "REQUIRED");
        assert.match(text, /server\.bolt\.tls_level=REQUIRED/);
        assert.match(text, /TLS_KEY_SECRET_URI=https:\/\/v\.vault\.azure\.net\/secrets\/neo4j-bolt-key/);
        // The boot unit writes the key where Neo4j's bolt policy reads it.
        assert.match(text, /BOLT_CERT_DIR=\/var\/lib\/neo4j\/certificates\/bolt\\n/);
        assert.match(text, /dbms\.ssl\.policy\.bolt\.base_directory=\/var\/lib\/neo4j\/certificates\/bolt\\n/);
        assert.doesNotMatch(text, /PRIVATE KEY|p@ss/);
        // The timer's run restarts Neo4j on a new certificate without waiting on the unit that waits for it.
        assert.match(text, /NEO4J_RESTART=systemctl --no-block try-restart neo4j\.service/);
    });
});
