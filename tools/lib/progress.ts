/**
 * Progress of a long command on stderr, so stdout keeps only the `pulumi preview`-like report.
 * On a terminal a counter is redrawn in place; in a log (CI, a pipe) it prints plain lines.
 */
export class Progress {
    /** Progress that prints nothing (measurements, tests). */
    static readonly silent = () => new Progress({ write: () => true }, false);

    private readonly started = performance.now();
    private counting: { label: string; count: number; lastDraw: number } | undefined;

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

    /** Counts items (registered resources) as they come. */
    tick(label: string): void {
        if (!this.counting || this.counting.label !== label) {
            this.endCount();
            this.counting = { label, count: 0, lastDraw: 0 };
        }
        const c = this.counting;
        c.count++;
        if (this.tty) {
            const now = performance.now();
            // Redrawing on every resource costs more than the resource; ten times a second is enough.
            if (now - c.lastDraw > 100) {
                c.lastDraw = now;
                this.stream.write(`\r\x1b[2K${this.stamp()} ${label}: ${c.count}`);
            }
        } else if (c.count % this.every === 0) this.stream.write(`${this.stamp()} ${label}: ${c.count}\n`);
    }

    /** Closes a count with its total; returns it. */
    endCount(): number {
        const c = this.counting;
        if (!c) return 0;
        this.counting = undefined;
        this.stream.write(`${this.tty ? "\r\x1b[2K" : ""}${this.stamp()} ${c.label}: ${c.count}, done\n`);
        return c.count;
    }
}
