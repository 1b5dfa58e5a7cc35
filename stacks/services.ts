/**
 * The estate's service topology: which workloads exist, what they listen on, whether they face
 * the internet and which dependencies they need. This is architecture, not per-stack tuning,
 * so it lives in code; the stack files only choose images, tags and replica bounds.
 */
export const serviceNames = ["api", "gateway", "ui", "worker"] as const;
export type ServiceName = (typeof serviceNames)[number];

export const dependencyNames = ["postgres", "redis", "neo4j", "ollama"] as const;
export type DependencyName = (typeof dependencyNames)[number];

export interface ServiceBlueprint {
    /** Container port the process listens on; probes and the Service target it. */
    readonly port: number;
    /** Whether the service gets a public, TLS-terminated ingress. */
    readonly public: boolean;
    /** Host prefix under the stack's domain, e.g. `api` → `api.<domain>`. */
    readonly hostPrefix: string;
    /** Dependencies the service talks to; they gate its readiness (`/readyz`). */
    readonly needs: readonly DependencyName[];
    /** Services allowed to call this one inside the cluster. */
    readonly calledBy: readonly ServiceName[];
    /** Whether the service owns the database schema and so runs the Alembic migration job. */
    readonly ownsSchema: boolean;
}

export const serviceBlueprints: Readonly<Record<ServiceName, ServiceBlueprint>> = {
    api: {
        port: 8000,
        public: true,
        hostPrefix: "api",
        needs: ["postgres", "redis", "neo4j", "ollama"],
        calledBy: ["gateway", "ui"],
        ownsSchema: true,
    },
    gateway: { port: 8080, public: true, hostPrefix: "gateway", needs: ["redis"], calledBy: ["ui"], ownsSchema: false },
    ui: { port: 3000, public: true, hostPrefix: "app", needs: [], calledBy: [], ownsSchema: false },
    worker: {
        port: 8000,
        public: false,
        hostPrefix: "worker",
        needs: ["postgres", "redis", "ollama"],
        calledBy: [],
        ownsSchema: false,
    },
};
