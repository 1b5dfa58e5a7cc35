import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as tls from "@pulumi/tls";
import { KeyVaultStore, type KeyVaultStoreArgs } from "../../secrets/azure/key-vault";
import { NEO4J_BOLT_PORT, NEO4J_USER, neo4jUri, type Neo4jArgs, type Neo4jOutputs } from "../neo4j";
import { NEO4J_DATA_LUN, neo4jCloudInit } from "./neo4j-cloud-init";
import { estateTags } from "../../platform/azure/tags";

/** Ubuntu 24.04 LTS, generation 2 (Trusted Launch); the newest image at creation, patched by the platform after. */
export const NEO4J_VM_IMAGE = { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" };
/** Host name of the VM in the estate's internal zone. */
export const NEO4J_VM_HOST = "neo4j";
/** The VM's administrator: SSH only, with a key nobody holds outside the state (NSG admits no SSH). */
const ADMIN_USER = "estateops";

export interface Neo4jVirtualMachineArgs
    extends Neo4jArgs, Pick<KeyVaultStoreArgs, "nameSeed" | "endpointsSubnetId" | "privateDnsZoneId" | "workspaceId"> {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    /** Availability zone of the VM and its data disk (a zonal disk attaches only in its zone). */
    readonly zone: string;
    /** A size with premium storage (`s`), e.g. Standard_D4s_v5. */
    readonly vmSize: string;
    /** The graph subnet: not delegated, Bolt from the apps subnet only, egress through NAT. */
    readonly subnetId: pulumi.Input<string>;
    /** Private zone the VM's A record goes in (linked to the VNet). */
    readonly internalZoneName: pulumi.Input<string>;
    readonly tenantId: pulumi.Input<string>;
    readonly subscriptionId: pulumi.Input<string>;
    /** Neo4j's own identity: reads its password and Bolt key from Key Vault, nothing else. */
    readonly identityId: pulumi.Input<string>;
    readonly identityPrincipalId: pulumi.Input<string>;
    readonly identityClientId: pulumi.Input<string>;
    /** What name resolution needs first: the vault zone's and the internal zone's VNet links. */
    readonly networkReadiness?: readonly pulumi.Resource[];
}

/**
 * Neo4j Community on one Linux VM in the VNet, its store on a Premium SSD managed disk. Neo4j
 * supports no network file system for its store (Container Apps volumes are Azure Files only),
 * and a VM is one process on one store: no revision overlap (docs/neo4j-azure.md). No public
 * address; Bolt with TLS required; secrets read at boot from Key Vault as the VM's identity.
 */
export class Neo4jVirtualMachine extends pulumi.ComponentResource implements Neo4jOutputs {
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly uri: pulumi.Output<string>;
    readonly user: pulumi.Output<string>;
    readonly password: pulumi.Output<string>;
    readonly virtualMachine: compute.VirtualMachine;
    readonly dataDisk: compute.Disk;

    constructor(name: string, args: Neo4jVirtualMachineArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:data:Neo4jVirtualMachine", name, {}, opts);
        if (args.publicAccess)
            throw new pulumi.ResourceError(
                `${name}: publicAccess is not available on Azure, where the graph's VM has no public address; remove neo4j from estate:publicDataStores and reach it from the VNet`,
                this,
            );
        const protect = args.protect ?? false;
        const tags = estateTags("graph", "neo4j");
        const placement = { resourceGroupName: args.resourceGroupName, location: args.location };
        const zones = [args.zone];
        this.host = pulumi.interpolate`${NEO4J_VM_HOST}.${args.internalZoneName}`;

        // Bolt's certificate: self-signed for the VM's internal name, renewed by `pulumi up` a month before it expires.
        const boltKey = new tls.PrivateKey(
            `${name}-bolt-key`,
            { algorithm: "ECDSA", ecdsaCurve: "P256" },
            { parent: this },
        );
        const boltCert = new tls.SelfSignedCert(
            `${name}-bolt-cert`,
            {
                privateKeyPem: boltKey.privateKeyPem,
                subject: { commonName: this.host, organization: "estate" },
                dnsNames: [this.host],
                allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
                validityPeriodHours: 24 * 365,
                earlyRenewalHours: 24 * 30,
            },
            { parent: this },
        );
        const store = new KeyVaultStore(
            `${name}-auth`,
            {
                ...placement,
                tenantId: args.tenantId,
                subscriptionId: args.subscriptionId,
                entries: [
                    { id: "neo4j-password", value: pulumi.secret(pulumi.output(args.password)) },
                    // Neo4j reads PKCS#8 keys (operations manual, "SSL framework").
                    { id: "neo4j-bolt-key", value: pulumi.secret(boltKey.privateKeyPemPkcs8) },
                    { id: "neo4j-bolt-cert", value: boltCert.certPem },
                ],
                reader: { id: args.identityId, principalId: args.identityPrincipalId },
                nameSeed: args.nameSeed,
                workspaceId: args.workspaceId,
                endpointsSubnetId: args.endpointsSubnetId,
                privateDnsZoneId: args.privateDnsZoneId,
                ...(args.networkReadiness ? { networkReadiness: args.networkReadiness } : {}),
                protect,
            },
            { parent: this },
        );
        const uriOf = (id: string) => pulumi.output(store.refs[id]!.secretUri);

        this.dataDisk = new compute.Disk(
            `${name}-data`,
            {
                ...placement,
                zones,
                sku: { name: "Premium_LRS" },
                diskSizeGB: args.storageGb,
                creationData: { createOption: "Empty" },
                // No SAS export of the store and no public endpoint for it.
                networkAccessPolicy: "DenyAll",
                publicNetworkAccess: "Disabled",
                tags,
            },
            // The store outlives the VM: replacing the VM re-attaches this disk.
            { parent: this, protect, retainOnDelete: protect },
        );
        const nic = new network.NetworkInterface(
            `${name}-nic`,
            {
                ...placement,
                ipConfigurations: [
                    {
                        name: "primary",
                        primary: true,
                        subnet: { id: args.subnetId },
                        privateIPAllocationMethod: "Dynamic",
                        privateIPAddressVersion: "IPv4",
                    },
                ],
                tags,
            },
            { parent: this },
        );
        // Never used: SSH is closed by the NSG, operators use `az vm run-command`. Azure requires a key
        // once password login is off (learn.microsoft.com/azure/virtual-machines/linux/create-ssh-keys-detailed).
        const adminKey = new tls.PrivateKey(`${name}-admin-key`, { algorithm: "RSA", rsaBits: 4096 }, { parent: this });
        const customData = pulumi
            .all([args.identityClientId, uriOf("neo4j-password"), uriOf("neo4j-bolt-key"), uriOf("neo4j-bolt-cert")])
            .apply(([identityClientId, passwordSecretUri, tlsKeySecretUri, tlsCertSecretUri]) =>
                Buffer.from(
                    neo4jCloudInit({ identityClientId, passwordSecretUri, tlsKeySecretUri, tlsCertSecretUri }),
                ).toString("base64"),
            );
        this.virtualMachine = new compute.VirtualMachine(
            `${name}-vm`,
            {
                ...placement,
                vmName: name,
                zones,
                hardwareProfile: { vmSize: args.vmSize },
                identity: { type: "UserAssigned", userAssignedIdentities: [args.identityId] },
                securityProfile: {
                    securityType: "TrustedLaunch",
                    uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
                },
                osProfile: {
                    computerName: NEO4J_VM_HOST,
                    adminUsername: ADMIN_USER,
                    customData,
                    linuxConfiguration: {
                        disablePasswordAuthentication: true,
                        provisionVMAgent: true,
                        ssh: {
                            publicKeys: [
                                {
                                    path: `/home/${ADMIN_USER}/.ssh/authorized_keys`,
                                    keyData: adminKey.publicKeyOpenssh,
                                },
                            ],
                        },
                        patchSettings: { patchMode: "AutomaticByPlatform", assessmentMode: "AutomaticByPlatform" },
                    },
                },
                storageProfile: {
                    imageReference: NEO4J_VM_IMAGE,
                    osDisk: {
                        createOption: "FromImage",
                        caching: "ReadWrite",
                        managedDisk: { storageAccountType: "Premium_LRS" },
                        deleteOption: "Delete",
                    },
                    dataDisks: [
                        {
                            lun: NEO4J_DATA_LUN,
                            createOption: "Attach",
                            managedDisk: { id: this.dataDisk.id },
                            // Neo4j fsyncs its transaction log: no host write cache in between.
                            caching: "None",
                            deleteOption: "Detach",
                        },
                    ],
                },
                networkProfile: { networkInterfaces: [{ id: nic.id, primary: true, deleteOption: "Detach" }] },
                diagnosticsProfile: { bootDiagnostics: { enabled: true } },
                tags,
            },
            {
                parent: this,
                // The boot unit reads the vault as this identity: the role and the endpoint first.
                dependsOn: [...store.readiness],
                // Custom data is fixed at creation (ARM refuses to change it): a change replaces the VM.
                replaceOnChanges: ["osProfile.customData"],
                // The data disk attaches to one VM at a time: the old VM goes before the new one attaches it.
                deleteBeforeReplace: true,
            },
        );
        const record = new privatedns.PrivateRecordSet(
            `${name}-dns`,
            {
                resourceGroupName: args.resourceGroupName,
                privateZoneName: args.internalZoneName,
                relativeRecordSetName: NEO4J_VM_HOST,
                recordType: "A",
                ttl: 300,
                aRecords: [{ ipv4Address: nic.ipConfigurations.apply((c) => c?.[0]?.privateIPAddress ?? "") }],
            },
            { parent: this },
        );

        this.port = pulumi.output(NEO4J_BOLT_PORT);
        // Bolt is encrypted end to end; `+ssc`: the drivers accept the self-signed certificate
        // (clients verifying it against a CA need the CA in their trust store: README, known gaps).
        this.uri = pulumi.all([this.host, record.id]).apply(([host]) => neo4jUri(host, NEO4J_BOLT_PORT, "self-signed"));
        this.user = pulumi.output(NEO4J_USER);
        this.password = pulumi.secret(args.password);
        this.registerOutputs({ host: this.host, port: this.port, uri: this.uri, user: this.user });
    }
}
