// The SDK's own RPC handlers, in-process: the exact server semantics (deserialisation, unknown
// checks, type filtering, message format) without starting a process per test.
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { allPolicies, packEnforcementLevel } from "../../policies/catalog";
import type { CapturedResource, Violation } from "../../tools/lib/analyzer";
import { analyzeRequests, analyzeStackRequest, violationsOf } from "../../tools/lib/analyzer";
import { capture } from "./fixtures";

type Handler<Req> = (call: { request: Req }, cb: (err: unknown, resp: pb.AnalyzeResponse) => void) => Promise<void>;
// server.d.ts declares nothing, but the module exports the handlers the gRPC server uses.
const server = require("@pulumi/policy/server") as {
    makeAnalyzeRpcFun(name: string, version: string, level: string, policies: unknown): Handler<pb.AnalyzeRequest>;
    makeAnalyzeStackRpcFun(
        name: string,
        version: string,
        level: string,
        policies: unknown,
    ): Handler<pb.AnalyzeStackRequest>;
};

const analyzeFn = server.makeAnalyzeRpcFun("estate", "0.1.0", packEnforcementLevel, allPolicies);
const analyzeStackFn = server.makeAnalyzeStackRpcFun("estate", "0.1.0", packEnforcementLevel, allPolicies);

function invoke<Req>(fn: Handler<Req>, request: Req): Promise<pb.AnalyzeResponse> {
    return new Promise((resolve, reject) => {
        void fn({ request }, (err, resp) => (err ? reject(err) : resolve(resp)));
    });
}

/** Every violation of the pack (default config) over these resources: per resource, then stack. */
export async function violations(resources: CapturedResource[]): Promise<Violation[]> {
    const c = capture(resources);
    const out: Violation[] = [];
    for (const req of analyzeRequests(c)) {
        out.push(...violationsOf(await invoke(analyzeFn, req), req.getUrn()));
    }
    out.push(...violationsOf(await invoke(analyzeStackFn, analyzeStackRequest(c))));
    return out;
}

/** Policy name and message only, for exact comparison. */
export async function findings(resources: CapturedResource[]): Promise<Array<[string, string]>> {
    return (await violations(resources)).map((v) => [v.policy, v.message]);
}
