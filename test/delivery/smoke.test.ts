import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { after, describe, it } from "node:test";

import { parseSmokeArgs, UsageError } from "../../scripts/smoke/args";
import { classifyError, findVector, hasContent } from "../../scripts/smoke/checks";
import { percentile } from "../../scripts/smoke/latency";

const ROOT = path.resolve(__dirname, "../..");
const NODE = path.join(ROOT, "node_modules/.bin/node");
const SCRIPT = path.join(ROOT, "scripts/smoke/smoke.ts");
const APP = "https://app.example.com";
const EVIL = "https://evil.example";
// A fresh, recognisable secret per run, so a leak cannot hide behind a coincidence.
const TOKEN = `smoke-secret-${randomBytes(12).toString("hex")}`;

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface Stub {
    readonly url: string;
    /** `METHOD path authorization-header` of every request, in arrival order. */
    readonly seen: string[];
    readonly server: Server;
}

const servers: Server[] = [];
after(async () => {
    for (const s of servers) {
        s.closeAllConnections();
        await new Promise((resolve) => s.close(resolve));
    }
});

const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(value));
};

/** The healthy API: strict CORS for the app origin, bearer auth on the AI endpoints. */
const healthy: Record<string, Handler> = {
    "GET /healthz": (_q, res) => json(res, 200, { status: "healthy" }),
    "GET /readyz": (_q, res) => json(res, 200, { status: "ready" }),
    OPTIONS: (req, res) => {
        const origin = req.headers.origin;
        const headers: Record<string, string> = { vary: "Origin" };
        if (origin === APP) {
            Object.assign(headers, {
                "access-control-allow-origin": APP,
                "access-control-allow-methods": "GET, POST",
                "access-control-allow-headers": "authorization, content-type",
            });
        }
        res.writeHead(204, headers);
        res.end();
    },
    "POST /api/v1/ai/chat": (req, res, body) => {
        if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, { detail: "unauthorised" });
        assert.ok(JSON.parse(body).messages.length > 0);
        json(res, 200, { message: { role: "assistant", content: "pong" } });
    },
    "POST /api/v1/ai/embeddings": (req, res, body) => {
        if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, { detail: "unauthorised" });
        assert.equal(typeof JSON.parse(body).input, "string");
        json(res, 200, { embeddings: [[0.12, -0.5, 0.33]] });
    },
};

async function stub(overrides: Record<string, Handler> = {}): Promise<Stub> {
    const routes = { ...healthy, ...overrides };
    const seen: string[] = [];
    const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const key = `${req.method} ${req.url}`;
            seen.push(`${key} ${req.headers.authorization ?? "-"}`);
            const handler = routes[key] ?? (req.method === "OPTIONS" ? routes["OPTIONS"] : undefined);
            if (handler === undefined) return json(res, 404, { detail: "not found" });
            handler(req, res, Buffer.concat(chunks).toString("utf8"));
        });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

interface Run {
    readonly code: number;
    readonly out: string;
    readonly err: string;
    /** `check -> line` for every per-check line. */
    readonly lines: Map<string, string>;
}

function smoke(args: string[], env: Record<string, string> = { SMOKE_API_TOKEN: TOKEN }): Promise<Run> {
    return new Promise((resolve) => {
        execFile(
            NODE,
            ["--import", "tsx", SCRIPT, ...args],
            { cwd: ROOT, env: { ...process.env, ...env } },
            (error, out, err) => {
                const lines = new Map<string, string>();
                for (const line of out.split("\n")) {
                    const m = /^smoke check=(\S+) /.exec(line);
                    if (m?.[1] !== undefined) lines.set(m[1], line);
                }
                const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
                resolve({ code, out, err, lines });
            },
        );
    });
}

const standard = (url: string): string[] => [
    "--base-url",
    url,
    "--allowed-origin",
    APP,
    "--disallowed-origin",
    EVIL,
    "--token-env",
    "SMOKE_API_TOKEN",
    "--timeout-ms",
    "5000",
];

function assertNoLeak(run: Run): void {
    assert.ok(!run.out.includes(TOKEN) && !run.err.includes(TOKEN), "the token must never be printed");
    assert.ok(!run.out.includes("Bearer") && !run.err.includes("Bearer"));
}

describe("smoke script against stub APIs", { concurrency: true }, () => {
    it("exits 0 on a healthy API, sends the token only to the AI endpoints, and prints one line per check", async () => {
        const api = await stub();
        const run = await smoke(standard(api.url));
        assert.equal(run.code, 0, run.out + run.err);
        assert.deepEqual(
            [...run.lines.keys()],
            ["healthz", "readyz", "cors-allowed", "cors-disallowed", "chat", "embeddings"],
        );
        for (const line of run.lines.values())
            assert.match(line, /^smoke check=\S+ status=ok http=\d{3} ms=\d+ attempts=1$/);
        assert.match(run.out, /^smoke result=healthy exit=0 ok=6 failed=0 errors=0$/m);
        assert.ok(api.seen.includes(`POST /api/v1/ai/chat Bearer ${TOKEN}`));
        assert.ok(api.seen.includes(`POST /api/v1/ai/embeddings Bearer ${TOKEN}`));
        assert.ok(api.seen.includes("GET /healthz -"), "health probes carry no credentials");
        assert.ok(api.seen.filter((s) => s.startsWith("OPTIONS")).every((s) => s.endsWith(" -")));
        assertNoLeak(run);
    });

    it("exits 2 when /readyz answers 503", async () => {
        const api = await stub({ "GET /readyz": (_q, res) => json(res, 503, { status: "db unreachable" }) });
        const run = await smoke(standard(api.url));
        assert.equal(run.code, 2);
        assert.match(run.lines.get("readyz") ?? "", /status=fail http=503 reason=http_503 /);
        assert.match(run.lines.get("healthz") ?? "", /status=ok/);
        assert.match(run.out, /^smoke result=unhealthy exit=2 ok=5 failed=1 errors=0$/m);
    });

    it("exits 2 when CORS answers with a wildcard origin", async () => {
        const api = await stub({
            OPTIONS: (_q, res) => {
                res.writeHead(204, { "access-control-allow-origin": "*", "access-control-allow-methods": "*" });
                res.end();
            },
        });
        const run = await smoke(standard(api.url));
        assert.equal(run.code, 2);
        assert.match(run.lines.get("cors-allowed") ?? "", /status=fail http=204 reason=origin_wildcard /);
        assert.match(run.lines.get("cors-disallowed") ?? "", /status=fail http=204 reason=origin_wildcard /);
    });

    it("exits 2 when the API reflects any origin, including the disallowed one", async () => {
        const api = await stub({
            OPTIONS: (req, res) => {
                res.writeHead(204, { "access-control-allow-origin": req.headers.origin ?? "", vary: "Origin" });
                res.end();
            },
        });
        const run = await smoke(standard(api.url));
        assert.equal(run.code, 2);
        assert.match(run.lines.get("cors-allowed") ?? "", /status=ok/);
        assert.match(run.lines.get("cors-disallowed") ?? "", /status=fail http=204 reason=origin_echoed /);
    });

    it("exits 2 when embeddings come back empty", async () => {
        const api = await stub({ "POST /api/v1/ai/embeddings": (_q, res) => json(res, 200, { embeddings: [] }) });
        const run = await smoke(standard(api.url));
        assert.equal(run.code, 2);
        assert.match(run.lines.get("embeddings") ?? "", /status=fail http=200 reason=no_vector /);
    });

    it("exits 2 when chat answers 2xx with an empty body", async () => {
        const api = await stub({ "POST /api/v1/ai/chat": (_q, res) => json(res, 200, {}) });
        const run = await smoke(standard(api.url));
        assert.equal(run.code, 2);
        assert.match(run.lines.get("chat") ?? "", /status=fail http=200 reason=empty_body /);
    });

    it("never prints the token or response bodies, even when the API echoes them back", async () => {
        const echo: Handler = (req, res) =>
            json(
                res,
                500,
                { error: `bad token ${req.headers.authorization ?? ""}` },
                { "x-debug": req.headers.authorization ?? "" },
            );
        const api = await stub({ "POST /api/v1/ai/chat": echo, "POST /api/v1/ai/embeddings": echo });
        const run = await smoke(standard(api.url));
        assert.equal(run.code, 2);
        assert.match(run.lines.get("chat") ?? "", /status=fail http=500 reason=http_500 /);
        assert.ok(!run.out.includes("bad token"));
        assertNoLeak(run);
    });

    it("exits 1 when the connection is refused", async () => {
        const api = await stub();
        await new Promise((resolve) => api.server.close(resolve));
        const run = await smoke(standard(api.url));
        assert.equal(run.code, 1);
        assert.match(run.lines.get("healthz") ?? "", /status=error reason=connection_refused /);
        assert.match(run.out, /^smoke result=error exit=1 ok=0 failed=0 errors=6$/m);
        assertNoLeak(run);
    });

    it("exits 1 when a check times out", async () => {
        const api = await stub({ "GET /healthz": () => undefined });
        const run = await smoke([...standard(api.url), "--timeout-ms", "300", "--checks", "healthz"]);
        assert.equal(run.code, 1);
        assert.match(run.lines.get("healthz") ?? "", /status=error reason=timeout /);
    });

    it("retries until the service recovers, and runs only the checks asked for", async () => {
        let calls = 0;
        const api = await stub({
            "GET /healthz": (_q, res) => (++calls < 3 ? json(res, 502, {}) : json(res, 200, { status: "healthy" })),
        });
        const run = await smoke([
            ...standard(api.url),
            "--checks",
            "healthz",
            "--retries",
            "5",
            "--retry-delay-ms",
            "0",
        ]);
        assert.equal(run.code, 0, run.out);
        assert.match(run.lines.get("healthz") ?? "", /status=ok http=200 ms=\d+ attempts=3$/);
        assert.deepEqual([...run.lines.keys()], ["healthz"]);
        assert.deepEqual(api.seen, ["GET /healthz -", "GET /healthz -", "GET /healthz -"]);
    });

    it("exits 1 on bad arguments without contacting anything", async () => {
        const api = await stub();
        const cases: [string[], Record<string, string>, RegExp][] = [
            [["--allowed-origin", APP, "--disallowed-origin", EVIL], {}, /`--base-url` is required/],
            [[...standard(api.url), "--bogus"], { SMOKE_API_TOKEN: TOKEN }, /unrecognised or malformed arguments/],
            [standard(api.url), { SMOKE_API_TOKEN: "" }, /`SMOKE_API_TOKEN` named by `--token-env` is empty or unset/],
            [
                [...standard(api.url), "--retries", "2.5"],
                { SMOKE_API_TOKEN: TOKEN },
                /`--retries` must be a whole number/,
            ],
            [
                [
                    "--base-url",
                    `http://user:${TOKEN}@127.0.0.1:9`,
                    "--allowed-origin",
                    APP,
                    "--disallowed-origin",
                    EVIL,
                ],
                {},
                /must not embed credentials/,
            ],
        ];
        for (const [args, env, message] of cases) {
            const run = await smoke(args, env);
            assert.equal(run.code, 1, args.join(" "));
            assert.match(run.err, message);
            assert.equal(run.lines.size, 0);
            assertNoLeak(run);
        }
        assert.deepEqual(api.seen, []);
    });
});

describe("perf smoke (`--checks latency`, runbook 003)", { concurrency: true }, () => {
    const perf = (url: string, extra: string[]) => [
        "--base-url",
        url,
        "--allowed-origin",
        APP,
        "--disallowed-origin",
        EVIL,
        "--checks",
        "latency",
        ...extra,
    ];
    /** A /readyz that answers after `ms`, counting how many requests it serves at once. */
    const slow =
        (ms: number, seen: { now: number; max: number }): Handler =>
        (_q, res) => {
            seen.now += 1;
            seen.max = Math.max(seen.max, seen.now);
            setTimeout(() => {
                seen.now -= 1;
                json(res, 200, { status: "ready" });
            }, ms);
        };

    it("exits 0 within the p95 budget, sending exactly the requests asked for, a few at a time", async () => {
        const load = { now: 0, max: 0 };
        const api = await stub({ "GET /readyz": slow(20, load) });
        const run = await smoke(
            perf(api.url, ["--latency-requests", "12", "--latency-concurrency", "3", "--latency-p95-ms", "2000"]),
        );
        assert.equal(run.code, 0, run.out + run.err);
        assert.match(
            run.lines.get("latency") ?? "",
            /^smoke check=latency status=ok http=200 ms=\d+ attempts=1 p95_ms=\d+ requests=12$/,
        );
        assert.equal(api.seen.filter((s) => s === "GET /readyz -").length, 12);
        assert.equal(load.max, 3);
    });

    it("exits 2 when p95 is over the budget", async () => {
        const api = await stub({ "GET /readyz": slow(60, { now: 0, max: 0 }) });
        const run = await smoke(perf(api.url, ["--latency-requests", "4", "--latency-p95-ms", "30"]));
        assert.equal(run.code, 2, run.out + run.err);
        assert.match(run.lines.get("latency") ?? "", /status=fail http=200 reason=p95_over_budget /);
    });

    it("exits 2 when any request is not ready, 1 when the service cannot be reached", async () => {
        let n = 0;
        const api = await stub({ "GET /readyz": (_q, res) => json(res, (n += 1) === 3 ? 503 : 200, {}) });
        const flaky = await smoke(perf(api.url, ["--latency-requests", "5"]));
        assert.equal(flaky.code, 2);
        assert.match(flaky.lines.get("latency") ?? "", /status=fail http=503 reason=http_503 /);
        const closed = await stub();
        await new Promise((resolve) => closed.server.close(resolve));
        const down = await smoke(perf(closed.url, ["--latency-requests", "2"]));
        assert.equal(down.code, 1);
        assert.match(down.lines.get("latency") ?? "", /status=error reason=connection_refused /);
    });

    it("is not part of the default checks, which every deploy runs", () => {
        const options = parseSmokeArgs(
            ["--base-url", "https://api.example.com", "--allowed-origin", APP, "--disallowed-origin", EVIL],
            {},
        );
        assert.deepEqual(options.checks, [
            "healthz",
            "readyz",
            "cors-allowed",
            "cors-disallowed",
            "chat",
            "embeddings",
        ]);
        assert.deepEqual(options.latency, { requests: 50, concurrency: 5, p95Ms: 2000 });
    });
});

describe("smoke helpers", () => {
    it("computes the nearest-rank p95", () => {
        assert.equal(percentile([5], 95), 5);
        assert.equal(
            percentile(
                Array.from({ length: 20 }, (_v, i) => 20 - i),
                95,
            ),
            19,
        );
        assert.equal(
            percentile(
                Array.from({ length: 100 }, (_v, i) => i + 1),
                95,
            ),
            95,
        );
        assert.equal(percentile([1, 2, 3, 1000], 95), 1000);
    });

    it("finds embedding vectors in the common response shapes and rejects empty ones", () => {
        assert.deepEqual(findVector({ embeddings: [[1, 2]] }), [1, 2]);
        assert.deepEqual(findVector({ data: [{ embedding: [0.5] }] }), [0.5]);
        assert.deepEqual(findVector({ embedding: [3] }), [3]);
        assert.deepEqual(findVector([4, 5]), [4, 5]);
        for (const empty of [{ embeddings: [] }, { embedding: [] }, { data: [] }, [], {}, null, { embedding: ["1"] }]) {
            assert.equal(findVector(empty), undefined, JSON.stringify(empty));
        }
    });

    it("treats blank and empty JSON bodies as empty", () => {
        for (const body of ["", "  ", "{}", "[ ]", "null", '""']) assert.equal(hasContent(body), false, body);
        assert.equal(hasContent('{"answer":"pong"}'), true);
    });

    it("classifies transport failures into fixed codes", () => {
        assert.equal(classifyError(Object.assign(new Error("x"), { name: "TimeoutError" })), "timeout");
        assert.equal(classifyError(new TypeError("fetch failed", { cause: { code: "ENOTFOUND" } })), "dns");
        assert.equal(
            classifyError(new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } })),
            "connection_refused",
        );
        assert.equal(classifyError(new TypeError("fetch failed", { cause: { code: "CERT_HAS_EXPIRED" } })), "tls");
    });

    it("refuses to send a token over plain http to a non-loopback host", () => {
        const args = [
            "--base-url",
            "http://api.example.com",
            "--allowed-origin",
            APP,
            "--disallowed-origin",
            EVIL,
            "--token-env",
            "T",
        ];
        assert.throws(
            () => parseSmokeArgs(args, { T: "x" }),
            (e: unknown) => e instanceof UsageError && /needs an https/.test(e.message),
        );
        const ok = parseSmokeArgs(["--base-url", "https://api.example.com/", ...args.slice(2)], { T: "x" });
        assert.equal(ok.baseUrl, "https://api.example.com");
        assert.equal(ok.token, "x");
        assert.equal(ok.chatPath, "/api/v1/ai/chat");
    });
});
