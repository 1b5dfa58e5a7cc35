// What each Azure workload runs as: its own managed identity, grants on exactly the secrets it
// reads, the AcrPull grant for its image, and the Application Insights component it reports to.
import * as pulumi from "@pulumi/pulumi";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { ServiceInsights } from "../../observability/azure/insights";
import type { KeyVaultStore, ReaderIdentity } from "../../secrets/azure/key-vault";
import type { SecretRef } from "../../workload/service";
import type { AzureFoundation } from "./foundation";
import { registryPull } from "./registry";
import { estateTags } from "./tags";

export interface WorkloadAccessArgs {
    readonly location: string;
    /** The estate's Azure Container Registry; images elsewhere need no pull grant. */
    readonly containerRegistryId: string | undefined;
    readonly subscriptionId: pulumi.Input<string>;
    /** Protect the telemetry components (prod). */
    readonly protect: boolean;
}

/** Declares each workload's identity and grants beside the platform's resources (under its parent). */
export class AzureWorkloadAccess {
    /** Application Insights component of each service, declared before its app so the app gets its connection string. */
    private readonly insights = new Map<string, pulumi.Output<string>>();
    /** The store services read their secrets from; service telemetry connection strings go there too. */
    private appStore: KeyVaultStore | undefined;

    constructor(
        private readonly foundation: AzureFoundation,
        private readonly args: WorkloadAccessArgs,
        private readonly parent: pulumi.Resource,
    ) {}

    /** The first store declared is the one workloads read from. */
    useStore(store: KeyVaultStore): void {
        this.appStore ??= store;
    }

    /** Application Insights component id of each service declared so far. */
    componentIds(): Record<string, pulumi.Output<string>> {
        return Object.fromEntries(this.insights);
    }

    /**
     * The service's Application Insights component and the Key Vault reference to its connection
     * string: without it the service's telemetry reaches no component and every alert on it is blind.
     */
    telemetry(name: string) {
        const store = this.requireStore(name);
        const insights = new ServiceInsights(
            `${name}-telemetry`,
            {
                ...this.placement(),
                workspaceId: this.foundation.workspaceId,
                service: name,
                protect: this.args.protect,
            },
            { parent: this.parent },
        );
        this.insights.set(name, insights.componentId);
        return store.addSecret(`${name}-appinsights-connection`, insights.connectionString);
    }

    /** The workload's own identity: it reads only the secrets it is granted and pulls its image. */
    workloadIdentity(name: string): managedidentity.UserAssignedIdentity {
        return new managedidentity.UserAssignedIdentity(
            `${name}-identity`,
            { ...this.placement(), tags: estateTags("identity", name) },
            { parent: this.parent },
        );
    }

    /**
     * Grants the workload's identity exactly the secrets its env reads (at secret scope) and
     * returns the env bound to that identity with what the workload must wait for.
     */
    bindSecrets(workload: string, identity: ReaderIdentity, secretEnv: Readonly<Record<string, SecretRef>>) {
        if (Object.keys(secretEnv).length === 0) return { secretEnv: {}, readiness: [] as pulumi.Resource[] };
        const store = this.requireStore(workload);
        const secretIds = Object.entries(secretEnv).map(([envName, ref]) => {
            if (ref.kind !== "key-vault")
                throw new pulumi.ResourceError(
                    `\`secretEnv.${envName}\` of \`${workload}\` is a ${ref.kind} reference; Container Apps read Key Vault references`,
                    this.parent,
                );
            return [envName, ref.name] as const;
        });
        const grant = store.grantRead(
            workload,
            identity,
            secretIds.map(([, id]) => id),
        );
        return {
            secretEnv: Object.fromEntries(secretIds.map(([envName, id]) => [envName, grant.refs[id]!])),
            readiness: [...grant.readiness],
        };
    }

    /** The registry entry and AcrPull grant a workload needs when its image is in the estate's registry. */
    pullFor(workload: string, image: string, identity: ReaderIdentity) {
        return registryPull(
            workload,
            {
                registryId: this.args.containerRegistryId,
                subscriptionId: this.args.subscriptionId,
                image,
                identity,
            },
            this.parent,
        );
    }

    private requireStore(workload: string): KeyVaultStore {
        if (!this.appStore)
            throw new pulumi.ResourceError(
                `\`${workload}\` is declared before the secret store; declare \`secretStore\` first`,
                this.parent,
            );
        return this.appStore;
    }

    private placement() {
        return { resourceGroupName: this.foundation.resourceGroupName, location: this.args.location };
    }
}
