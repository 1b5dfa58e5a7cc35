/**
 * Resource options as the Pulumi engine turns them into what it stores and sends to analyzers
 * (proto/pulumi/analyzer.proto `AnalyzerResourceOptions`), ported from pulumi/pulumi.
 */

/** Custom timeouts in seconds, as the engine passes them to policies; absent operations have none. */
export interface CustomTimeoutsSeconds {
    create?: number;
    update?: number;
    delete?: number;
    read?: number;
}

const UNIT_NANOSECONDS: Readonly<Record<string, bigint>> = {
    ns: 1n,
    us: 1_000n,
    µs: 1_000n,
    μs: 1_000n,
    ms: 1_000_000n,
    s: 1_000_000_000n,
    m: 60_000_000_000n,
    h: 3_600_000_000_000n,
};
const MAX_DURATION = 2n ** 63n - 1n;

/**
 * Port of Go's `time.ParseDuration` (golang/go src/time/format.go): a signed sequence of decimal
 * numbers, each with an optional fraction and a unit (`300ms`, `1.5h`, `2h45m`); `0` alone needs no
 * unit; more than about 292 years overflows. Returns seconds, or undefined when Go refuses it.
 */
export function parseGoDurationSeconds(text: string): number | undefined {
    let s = text;
    let negative = false;
    if (s.startsWith("-") || s.startsWith("+")) {
        negative = s.startsWith("-");
        s = s.slice(1);
    }
    if (s === "0") return 0;
    if (s === "") return undefined;
    let total = 0n;
    const part = /^(\d*)(?:\.(\d*))?([^\d.]+)/u;
    while (s !== "") {
        const match = part.exec(s);
        if (!match) return undefined;
        const [whole, digits = "", fraction, unit = ""] = match;
        if (digits === "" && !fraction) return undefined;
        const scale = UNIT_NANOSECONDS[unit];
        if (scale === undefined) return undefined;
        // Go keeps the fraction's precision down to a nanosecond of the unit.
        const fractionDigits = fraction ?? "";
        const fractionNs =
            fractionDigits === "" ? 0n : (BigInt(fractionDigits) * scale) / 10n ** BigInt(fractionDigits.length);
        total += BigInt(digits || "0") * scale + fractionNs;
        if (total > MAX_DURATION) return undefined;
        s = s.slice(whole.length);
    }
    const seconds = Number(total) / 1e9;
    return negative ? -seconds : seconds;
}

/**
 * Port of the engine's custom-timeout handling in `RegisterResource` (pkg/resource/deploy/source_eval.go,
 * `generateTimeoutInSeconds`): each non-empty duration string becomes seconds; one Go cannot parse
 * fails the registration with the engine's message.
 */
export function customTimeoutsSeconds(timeouts: {
    create: string;
    update: string;
    delete: string;
    read: string;
}): { timeouts: CustomTimeoutsSeconds } | { error: string } {
    const result: CustomTimeoutsSeconds = {};
    for (const operation of ["create", "update", "delete", "read"] as const) {
        const value = timeouts[operation];
        if (value === "") continue;
        const seconds = parseGoDurationSeconds(value);
        if (seconds === undefined) return { error: `unable to parse customTimeout Value ${value}` };
        result[operation] = seconds;
    }
    return { timeouts: result };
}
