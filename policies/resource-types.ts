// The resource classes the policies filter on, without loading the provider SDKs at run time.
// `validateResourceOfType` reads one thing from the class it is given: its `__pulumiType` token
// (pulumi/pulumi-policy sdk/nodejs/policy/server.ts `isTypeOf`, policy.ts `getPulumiType`). So a
// stand-in carrying the token, typed as the real class through a type-only import, filters and
// types exactly as the class would, and the published pack needs no provider SDK to run: the
// SDKs are build-time (type) dependencies only. test/policies/package.test.ts checks every token
// against the real class.
import type * as k8sApps from "@pulumi/kubernetes/apps/v1";
import type * as k8sBatch from "@pulumi/kubernetes/batch/v1";
import type * as k8sCore from "@pulumi/kubernetes/core/v1";
import type * as k8sHelm from "@pulumi/kubernetes/helm/v3";
import type * as k8sNetworking from "@pulumi/kubernetes/networking/v1";
import type * as azureApp from "@pulumi/azure-native/app";
import type * as azurePostgres from "@pulumi/azure-native/dbforpostgresql";
import type * as azureStorage from "@pulumi/azure-native/storage";
import type * as gcpSecretManager from "@pulumi/gcp/secretmanager";
import type * as gcpStorage from "@pulumi/gcp/storage";

function resourceClass<TClass>(pulumiType: string): TClass {
    return { __pulumiType: pulumiType } as unknown as TClass;
}

export const Deployment = resourceClass<typeof k8sApps.Deployment>("kubernetes:apps/v1:Deployment");
export const StatefulSet = resourceClass<typeof k8sApps.StatefulSet>("kubernetes:apps/v1:StatefulSet");
export const Job = resourceClass<typeof k8sBatch.Job>("kubernetes:batch/v1:Job");
export const CronJob = resourceClass<typeof k8sBatch.CronJob>("kubernetes:batch/v1:CronJob");
export const Service = resourceClass<typeof k8sCore.Service>("kubernetes:core/v1:Service");
export const ServiceAccount = resourceClass<typeof k8sCore.ServiceAccount>("kubernetes:core/v1:ServiceAccount");
export const Ingress = resourceClass<typeof k8sNetworking.Ingress>("kubernetes:networking.k8s.io/v1:Ingress");
export const HelmRelease = resourceClass<typeof k8sHelm.Release>("kubernetes:helm.sh/v3:Release");
export const ContainerApp = resourceClass<typeof azureApp.ContainerApp>("azure-native:app:ContainerApp");
export const ContainerAppJob = resourceClass<typeof azureApp.Job>("azure-native:app:Job");
export const PostgresServer = resourceClass<typeof azurePostgres.Server>("azure-native:dbforpostgresql:Server");
export const StorageAccount = resourceClass<typeof azureStorage.StorageAccount>("azure-native:storage:StorageAccount");
export const BlobContainer = resourceClass<typeof azureStorage.BlobContainer>("azure-native:storage:BlobContainer");
export const GcpBucket = resourceClass<typeof gcpStorage.Bucket>("gcp:storage/bucket:Bucket");
export const GcpSecret = resourceClass<typeof gcpSecretManager.Secret>("gcp:secretmanager/secret:Secret");
