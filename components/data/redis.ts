import type * as pulumi from "@pulumi/pulumi";

/** What every platform's Redis takes. */
export interface RedisArgs {
    /**
     * Password clients authenticate with, where the platform lets the estate choose it
     * (Kubernetes `requirepass`). Platforms that issue their own access key (Azure Cache) ignore
     * it and output that key instead.
     */
    readonly password: pulumi.Input<string>;
    /** Persist the dataset to disk (AOF on Kubernetes, RDB on a Premium cache). */
    readonly persistence: boolean;
    /** Services that connect; the store admits only them and job pods. @default none */
    readonly clients?: readonly string[];
    /** Job workloads (migrations, backups, drills, by `app.kubernetes.io/name`) that connect. @default none */
    readonly jobClients?: readonly string[];
    /** Give the cache a public endpoint. Break-glass only: the policy pack refuses it. @default false */
    readonly publicAccess?: boolean;
    /** Protect the cache and its volumes against deletion, and keep them on delete (prod). @default false */
    readonly protect?: boolean;
}

export interface RedisOutputs {
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    /** Whether clients must speak TLS (`rediss://`). */
    readonly tls: pulumi.Output<boolean>;
    /** The password or access key clients use (secret). */
    readonly password: pulumi.Output<string>;
    /** `redis://:…@host:port/0` or `rediss://…` (secret). */
    readonly url: pulumi.Output<string>;
}

export const REDIS_PORT = 6379;
export const REDIS_TLS_PORT = 6380;

/** Redis URL with the password as the default user's; `rediss` when TLS is on. */
export function redisUrl(parts: {
    readonly host: string;
    readonly port: number;
    readonly password: string;
    readonly tls: boolean;
    readonly db?: number;
}): string {
    return `${parts.tls ? "rediss" : "redis"}://:${encodeURIComponent(parts.password)}@${parts.host}:${parts.port}/${parts.db ?? 0}`;
}

export interface CacheTtls {
    readonly short: number;
    readonly medium: number;
    readonly long: number;
    readonly daily: number;
    readonly session: number;
    readonly default: number;
}

/** Runbook 001 cache TTL variables as plain service env (seconds). */
export function cacheTtlEnv(ttl: CacheTtls): Record<string, string> {
    return {
        CACHE_TTL_SHORT: String(ttl.short),
        CACHE_TTL_MEDIUM: String(ttl.medium),
        CACHE_TTL_LONG: String(ttl.long),
        CACHE_TTL_DAILY: String(ttl.daily),
        CACHE_TTL_SESSION: String(ttl.session),
        CACHE_TTL_DEFAULT: String(ttl.default),
    };
}
