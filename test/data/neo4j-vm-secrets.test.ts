// The Neo4j VM's boot unit against a stand-in instance metadata service and Key Vault: what it
// asks for, where it writes, and that a missing grant stops the boot instead of starting Neo4j.
import assert from "node:assert/strict";
import { describe, it, before, after } from "node:test";
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../tools/lib/mock-run";

const SCRIPT = join(PROJECT_ROOT, "components/data/azure/scripts/neo4j-vm-secrets.sh");
const SECRETS: Record<string, string> = {
    "neo4j-password": "p@ss word",
    "neo4j-bolt-key": "-----BEGIN PRIVATE KEY-----\nk\n-----END PRIVATE KEY-----",
    "neo4j-bolt-cert": "-----BEGIN CERTIFICATE-----\nc\n-----END CERTIFICATE-----",
};

describe("neo4j-vm-secrets.sh", () => {
    let server: Server;
    let base = "";
    let home = "";
    const requests: string[] = [];
    let denied = new Set<string>();

    before(async () => {
        server = createServer((req, res) => {
            const url = new URL(req.url ?? "/", "http://x");
            requests.push(
                `${req.method} ${url.pathname} ${req.headers["metadata"] ?? req.headers["authorization"] ?? ""}`,
            );
            if (url.pathname === "/metadata/identity/oauth2/token") {
                const ok =
                    url.searchParams.get("resource") === "https://vault.azure.net" &&
                    url.searchParams.get("client_id") === "client-1";
                res.writeHead(ok ? 200 : 400).end(JSON.stringify({ access_token: "tok" }));
                return;
            }
            const id = url.pathname.replace("/secrets/", "");
            const allowed = req.headers.authorization === "Bearer tok" && !denied.has(id) && id in SECRETS;
            res.writeHead(allowed ? 200 : 403).end(
                JSON.stringify(allowed ? { value: SECRETS[id] } : { error: "Forbidden" }),
            );
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => server.close());

    function run(extra: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
        home = mkdtempSync(join(tmpdir(), "neo4j-home-"));
        const admin = join(home, "neo4j-admin");
        writeFileSync(admin, `#!/usr/bin/env bash\nprintf '%s\\n' "$@" > "${home}/admin-args"\n`);
        chmodSync(admin, 0o755);
        const env = {
            PATH: process.env["PATH"] ?? "",
            IMDS_ENDPOINT: base,
            IDENTITY_CLIENT_ID: "client-1",
            PASSWORD_SECRET_URI: `${base}/secrets/neo4j-password`,
            TLS_KEY_SECRET_URI: `${base}/secrets/neo4j-bolt-key`,
            TLS_CERT_SECRET_URI: `${base}/secrets/neo4j-bolt-cert`,
            NEO4J_HOME: home,
            BOLT_CERT_DIR: join(home, "certificates/bolt"),
            NEO4J_ADMIN: admin,
            ...extra,
        };
        return new Promise((resolve) => {
            execFile("bash", [SCRIPT], { env }, (error, _stdout, stderr) =>
                resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
            );
        });
    }

    it("passes shellcheck", () => {
        execFileSync("shellcheck", ["--severity=style", SCRIPT]);
    });

    it("installs key and certificate for Neo4j's bolt policy and sets the initial password once", async () => {
        denied = new Set();
        const { code, stderr } = await run();
        try {
            assert.equal(code, 0, stderr);
            assert.equal(readFileSync(join(home, "certificates/bolt/private.key"), "utf8"), SECRETS["neo4j-bolt-key"]);
            assert.equal(readFileSync(join(home, "certificates/bolt/public.crt"), "utf8"), SECRETS["neo4j-bolt-cert"]);
            assert.equal(statSync(join(home, "certificates/bolt/private.key")).mode & 0o777, 0o600);
            assert.equal(readFileSync(join(home, "admin-args"), "utf8"), "dbms\nset-initial-password\np@ss word\n");
            assert.ok(
                requests.some((r) => r.startsWith("GET /metadata/identity/oauth2/token true")),
                requests.join("\n"),
            );
            assert.ok(requests.includes("GET /secrets/neo4j-bolt-key Bearer tok"), requests.join("\n"));
        } finally {
            rmSync(home, { recursive: true, force: true });
        }
    });

    it("fails the boot when the identity may not read a secret, leaving no half-written key", async () => {
        denied = new Set(["neo4j-bolt-key"]);
        // One attempt: the unit's own retries are for RBAC propagation, not for this test.
        const { code } = await run({ CURL_RETRIES: "0" });
        try {
            assert.notEqual(code, 0);
            assert.equal(existsSync(join(home, "certificates/bolt/private.key")), false);
            assert.equal(existsSync(join(home, "admin-args")), false, "no password is set on a failed boot");
        } finally {
            rmSync(home, { recursive: true, force: true });
        }
    });
});
