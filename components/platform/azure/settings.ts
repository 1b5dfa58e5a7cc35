import { z } from "zod";
import { SECRET_STORE_KEY_DESCRIPTION } from "../../secrets/secret-store";

/**
 * The `estate:*` keys only the Azure platform reads, each with its description, default and
 * bounds. The config schema joins them with the common keys in its union on `platform`; on
 * another platform they are accepted (Pulumi.yaml's defaults reach every stack) and ignored.
 */
export const azureSettingsShape = {
    azureLocation: z.string().min(1).default("westeurope").meta({ description: "Azure region (azure)." }),
    secretStore: z
        .enum(["key-vault"], {
            error: "Container Apps reference secrets from Key Vault; use key-vault (or leave unset)",
        })
        .optional()
        .meta({ description: SECRET_STORE_KEY_DESCRIPTION }),
    postgresSku: z
        .string()
        .min(1)
        .default("Standard_D2ds_v5")
        .meta({ description: "Flexible Server compute SKU, General Purpose tier (azure)." }),
    redisReplicas: z
        .int()
        .min(0)
        .max(3)
        .default(0)
        .meta({ description: "Replicas per primary of the Premium Azure cache (azure)." }),
    azureZone: z.enum(["1", "2", "3"], { error: "an availability zone of the region: 1, 2 or 3" }).default("1").meta({
        description:
            "Availability zone of the zonal single-instance resources (azure): the Neo4j VM, its data disk and the NAT gateway of its subnet.",
    }),
    neo4jVmSize: z
        .string()
        .regex(/^Standard_[A-Z]+\d+[a-z]*s[a-z]*(_v\d+)?$/, {
            error: "must be a VM size with premium storage (an `s` in its capabilities, e.g. Standard_D4s_v5): the data disk is a Premium SSD",
        })
        .default("Standard_D4s_v5")
        .meta({
            description:
                "Size of Neo4j's virtual machine (azure); heap and page cache follow neo4j-admin's memory recommendation for it.",
        }),
    azureContainerRegistryId: z
        .string()
        .regex(
            /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ContainerRegistry\/registries\/[a-zA-Z0-9]{5,50}$/,
            {
                error: "must be the resource id of an Azure Container Registry (/subscriptions/…/providers/Microsoft.ContainerRegistry/registries/<name>)",
            },
        )
        .optional()
        .meta({
            description:
                "Azure Container Registry the private images come from (azure): each workload whose image is on `<name>.azurecr.io` pulls it as its own identity, granted AcrPull. Unset: public images only.",
        }),
};

type AzureKeys = z.output<z.ZodObject<typeof azureSettingsShape>>;

/** The parsed keys as the Azure platform reads them. */
export function azureSettings(c: AzureKeys) {
    return {
        location: c.azureLocation,
        secretStore: c.secretStore ?? "key-vault",
        postgres: { sku: c.postgresSku },
        redis: { replicas: c.redisReplicas },
        zone: c.azureZone,
        neo4j: { vmSize: c.neo4jVmSize },
        /** ARM id of the Azure Container Registry private images are pulled from; absent: public images. */
        ...(c.azureContainerRegistryId !== undefined ? { containerRegistryId: c.azureContainerRegistryId } : {}),
    } as const;
}

/** The Azure settings schema: the keys above, parsed into what the platform reads. */
export const azureSettingsSchema = z.object(azureSettingsShape).transform(azureSettings);
export type AzureSettings = z.output<typeof azureSettingsSchema>;
