/**
 * What the providers compute on create, so outputs that components read (FQDNs, secret URIs,
 * generated passwords) have plausible values offline. Generated credentials are returned as
 * secrets, as the real providers mark them.
 */
import { wireSecret as secret } from "./wire";

type Inputs = Record<string, unknown>;

export function computedOutputs(type: string, name: string, inputs: Inputs): Inputs {
    switch (type) {
        case "random:index/randomPassword:RandomPassword": {
            // A new keeper (a rotation's generation) means a new value, as the provider replaces the password.
            const generation = (inputs["keepers"] as Record<string, unknown> | undefined)?.["generation"] ?? "1";
            const suffix = generation === "1" ? "" : `-g${String(generation)}`;
            return { result: secret(`offline-generated-not-a-secret-${name}${suffix}`) };
        }
        case "azure-native:app:ContainerApp": {
            const configuration = (inputs["configuration"] ?? {}) as { ingress?: Record<string, unknown> };
            const appName = String(inputs["containerAppName"] ?? name);
            const external = configuration.ingress?.["external"] === true;
            const fqdn = `${appName}.${external ? "" : "internal."}offline-env.westeurope.azurecontainerapps.io`;
            return {
                configuration: { ...configuration, ingress: { ...configuration.ingress, fqdn } },
                latestRevisionFqdn: fqdn,
            };
        }
        case "azure-native:keyvault:Secret": {
            // Key Vault never returns the value: the response carries only the URIs.
            const secretUri = `https://${String(inputs["vaultName"])}.vault.azure.net/secrets/${String(inputs["secretName"])}`;
            return { properties: { secretUri, secretUriWithVersion: `${secretUri}/0` } };
        }
        case "azure-native:network:NetworkInterface": {
            // Azure assigns the first free address of the subnet (the first four are reserved).
            const configs = (inputs["ipConfigurations"] ?? []) as Record<string, unknown>[];
            return { ipConfigurations: configs.map((c) => ({ ...c, privateIPAddress: "10.40.4.4" })) };
        }
        case "tls:index/privateKey:PrivateKey": {
            const pem = `-----BEGIN PRIVATE KEY-----\noffline-${name}\n-----END PRIVATE KEY-----\n`;
            return {
                privateKeyPem: secret(pem),
                privateKeyPemPkcs8: secret(pem),
                publicKeyOpenssh: `ssh-rsa offline-${name}\n`,
                publicKeyPem: `-----BEGIN PUBLIC KEY-----\noffline-${name}\n-----END PUBLIC KEY-----\n`,
            };
        }
        case "tls:index/selfSignedCert:SelfSignedCert":
            return { certPem: `-----BEGIN CERTIFICATE-----\noffline-${name}\n-----END CERTIFICATE-----\n` };
        case "azure-native:app:Job":
            return { name: String(inputs["jobName"] ?? `${name}-offline`) };
        case "azure-native:applicationinsights:Component":
            // The connection string names the component's ingestion key; the provider marks it secret.
            return {
                connectionString: secret(
                    `InstrumentationKey=${name}-offline-key;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/`,
                ),
            };
        case "azure-native:app:ManagedEnvironment":
            return { name: `${name}-offline`, defaultDomain: "offline-env.westeurope.azurecontainerapps.io" };
        case "azure-native:app:ManagedEnvironmentsStorage":
            return { name: String(inputs["storageName"] ?? name) };
        case "azure-native:dbforpostgresql:Server": {
            const serverName = String(inputs["serverName"] ?? `${name}-offline`);
            return { name: serverName, fullyQualifiedDomainName: `${serverName}.postgres.database.azure.com` };
        }
        case "azure-native:dbforpostgresql:Database":
            return { name: String(inputs["databaseName"] ?? name) };
        case "azure-native:redis:Redis": {
            const cacheName = String(inputs["name"] ?? `${name}-offline`);
            return { name: cacheName, hostName: `${cacheName}.redis.cache.windows.net`, port: 6379, sslPort: 6380 };
        }
        case "azure-native:storage:StorageAccount":
            // Storage account names allow no dashes; Azure autonaming appends a random suffix.
            return { name: String(inputs["accountName"] ?? `${name}offline`) };
        case "azure-native:storage:FileShare":
            return { name: String(inputs["shareName"] ?? name) };
        case "azure-native:privatedns:PrivateZone":
            return { name: String(inputs["privateZoneName"] ?? name) };
        case "azure-native:network:VirtualNetwork":
        case "azure-native:network:Subnet":
        case "azure-native:network:PrivateEndpoint":
            return { name: String(inputs["subnetName"] ?? `${name}-offline`) };
        case "azure-native:resources:ResourceGroup":
        case "azure-native:operationalinsights:Workspace":
        case "azure-native:keyvault:Vault":
        case "azure-native:managedidentity:UserAssignedIdentity":
            return {
                name:
                    inputs["resourceGroupName"] && type.endsWith("ResourceGroup")
                        ? inputs["resourceGroupName"]
                        : `${name}-offline`,
                customerId: `${name}-customer-id`,
                principalId: `${name}-principal-id`,
                clientId: `${name}-client-id`,
            };
        // Azure echoes the name the program chose.
        case "azure-native:storage:StorageAccount":
            return { name: inputs["accountName"] };
        case "azure-native:storage:BlobContainer":
            return { name: inputs["containerName"] };
        case "gcp:serviceaccount/account:Account":
            return {
                email: `${String(inputs["accountId"])}@${String(inputs["project"])}.iam.gserviceaccount.com`,
                name: `projects/${String(inputs["project"])}/serviceAccounts/${String(inputs["accountId"])}`,
            };
        default:
            return {};
    }
}

export function invokeResult(token: string, inputs: Inputs): Inputs {
    switch (token) {
        case "azure-native:authorization:getClientConfig":
            return {
                tenantId: "00000000-0000-0000-0000-000000000001",
                subscriptionId: "00000000-0000-0000-0000-000000000002",
                objectId: "00000000-0000-0000-0000-000000000003",
                clientId: "00000000-0000-0000-0000-000000000004",
            };
        case "azure-native:operationalinsights:getSharedKeys":
            return {
                primarySharedKey: secret("offline-shared-key-not-a-secret"),
                secondarySharedKey: secret("offline-shared-key-not-a-secret-2"),
            };
        case "azure-native:redis:listRedisKeys":
            return {
                primaryKey: secret("offline-redis-key-not-a-secret"),
                secondaryKey: secret("offline-redis-key-not-a-secret-2"),
            };
        case "azure-native:storage:listStorageAccountKeys":
            return {
                keys: [{ keyName: "key1", permissions: "FULL", value: secret("offline-storage-key-not-a-secret") }],
            };
        default:
            return inputs;
    }
}
