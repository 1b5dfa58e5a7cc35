/**
 * Progress of a long command on stderr, so stdout keeps only the `pulumi preview`-like report.
 * On a terminal a counter is redrawn in place; in a log (CI, a pipe) it prints plain lines.
 */
export class Progress {
    /** Progress that prints nothing (measurements, tests). */
    static readonly silent = () => new Progress({ write: () => true }, false);

    private readonly started = performance.now();
    private tally: { label: string; counts: Map<string, number>; lastDraw: number; lastLine: number } | undefined;

    constructor(
        private readonly stream: { write(text: string): unknown; isTTY?: boolean } = process.stderr,
        private readonly tty: boolean = stream.isTTY === true,
        /** In a log, one line per this many counted items. */
        private readonly every = 50,
    ) {}

    /** Seconds since the command started, as shown at the start of each line. */
    private stamp(): string {
        return `[${((performance.now() - this.started) / 1000).toFixed(1).padStart(4)}s]`;
    }

    step(text: string): void {
        this.endCount();
        this.stream.write(`${this.stamp()} ${text}\n`);
    }

    /** Counts items as they come, several kinds on one line: "Resources: 120 declared, 80 registered". */
    tick(label: string, kind: string): void {
        if (!this.tally || this.tally.label !== label) {
            this.endCount();
            this.tally = { label, counts: new Map(), lastDraw: 0, lastLine: 0 };
        }
        const t = this.tally;
        t.counts.set(kind, (t.counts.get(kind) ?? 0) + 1);
        if (this.tty) {
            const now = performance.now();
            // Redrawing on every resource costs more than the resource; ten times a second is enough.
            if (now - t.lastDraw > 100) {
                t.lastDraw = now;
                this.stream.write(`\r\x1b[2K${this.line(t)}`);
            }
        } else {
            const total = [...t.counts.values()].reduce((a, b) => a + b, 0);
            if (total - t.lastLine >= this.every) {
                t.lastLine = total;
                this.stream.write(`${this.line(t)}\n`);
            }
        }
    }

    /** Closes the counter line with its totals; returns the count of `kind` (or of the first kind). */
    endCount(kind?: string): number {
        const t = this.tally;
        if (!t) return 0;
        this.tally = undefined;
        this.stream.write(`${this.tty ? "\r\x1b[2K" : ""}${this.line(t)}, done\n`);
        return t.counts.get(kind ?? [...t.counts.keys()][0]!) ?? 0;
    }

    private line(t: NonNullable<Progress["tally"]>): string {
        return `${this.stamp()} ${t.label}: ${[...t.counts].map(([kind, n]) => `${n} ${kind}`).join(", ")}`;
    }
}
