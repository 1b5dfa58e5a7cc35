import type { GeneratedSecretSpec } from "../components/secrets/generated-secrets";
import type { ServiceName } from "./services";

/** Credentials generated with @pulumi/random (runbooks 000 and 003). */
export const generatedSecretSpecs: readonly GeneratedSecretSpec[] = [
    { id: "jwt-secret", length: 64 },
    { id: "jwt-refresh-secret", length: 64 },
    { id: "session-secret", length: 64 },
    { id: "encryption-key", length: 64 },
    { id: "bootstrap-admin-password", length: 32, special: true },
    { id: "bootstrap-admin-api-key", length: 48 },
];

/** Secrets whose values come from encrypted stack config or are derived, not generated. */
export const providedSecretIds = ["oidc-client-secret", "bootstrap-admin-email", "alert-on-call-key"] as const;

/** Which env var of which service reads which secret. Both JWT names exist in the runbooks (000, 001). */
export const secretEnvByService: Readonly<Record<ServiceName, Readonly<Record<string, string>>>> = {
    api: {
        JWT_SECRET: "jwt-secret",
        JWT_SECRET_KEY: "jwt-secret",
        JWT_REFRESH_SECRET: "jwt-refresh-secret",
        SESSION_SECRET: "session-secret",
        ENCRYPTION_KEY: "encryption-key",
        BOOTSTRAP_ADMIN_EMAIL: "bootstrap-admin-email",
        BOOTSTRAP_ADMIN_PASSWORD: "bootstrap-admin-password",
        BOOTSTRAP_ADMIN_API_KEY: "bootstrap-admin-api-key",
        OIDC_CLIENT_SECRET: "oidc-client-secret",
    },
    gateway: { JWT_SECRET: "jwt-secret", SESSION_SECRET: "session-secret", OIDC_CLIENT_SECRET: "oidc-client-secret" },
    ui: {},
    worker: { JWT_SECRET: "jwt-secret", ENCRYPTION_KEY: "encryption-key" },
};
