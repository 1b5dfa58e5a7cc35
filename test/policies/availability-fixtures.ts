// What keeps the fixture's api available in prod, as the program declares it: an autoscaler
// with a floor of two and a disruption budget letting one pod go at a time.
import type { CapturedResource } from "../../tools/lib/analyzer";
import { kept, res, urnOf } from "./fixtures";

export function apiAutoscaler(): CapturedResource {
    return res("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "api-hpa", {
        metadata: { name: "api", namespace: "estate" },
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" },
            minReplicas: 2,
            maxReplicas: 6,
            metrics: [
                {
                    type: "Resource",
                    resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
                },
            ],
        },
    });
}

export function apiDisruptionBudget(): CapturedResource {
    return res("kubernetes:policy/v1:PodDisruptionBudget", "api-pdb", {
        metadata: { name: "api", namespace: "estate" },
        spec: { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "api" } } },
    });
}

export function k8sAvailability(): CapturedResource[] {
    return [apiAutoscaler(), apiDisruptionBudget()];
}

/** The read replica prod keeps of the fixture's Flexible Server "db" (prod.json asks for one). */
export function dbReadReplica(): CapturedResource {
    return kept(
        res(
            "azure-native:dbforpostgresql:Server",
            "db-replica-1",
            {
                resourceGroupName: "estate",
                createMode: "Replica",
                sourceServerResourceId:
                    "/subscriptions/x/resourceGroups/estate/providers/Microsoft.DBforPostgreSQL/flexibleServers/db",
                network: {
                    publicNetworkAccess: "Disabled",
                    delegatedSubnetResourceId: "/subscriptions/x/subnets/postgres",
                },
            },
            { propertyDependencies: { sourceServerResourceId: [urnOf("azure-native:dbforpostgresql:Server", "db")] } },
        ),
    );
}
