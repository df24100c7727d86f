/**
 * Live progress on stderr: one line rewritten in place on a TTY, plain periodic lines otherwise.
 *
 * @module
 */
import { formatMs } from "../duration.ts";
import type { Runner } from "./runner.ts";
import type { Stats } from "./stats.ts";

const encoder = new TextEncoder();

/** Periodic progress output; {@link Progress.stop} clears the TTY line. */
export class Progress {
  readonly #tty: boolean;
  readonly #timer: ReturnType<typeof setInterval>;
  #last = performance.now();
  #wrote = false;

  /** Start printing every `intervalMs`. */
  constructor(stats: Stats, runner: Runner, intervalMs: number) {
    this.#tty = Deno.stderr.isTerminal();
    const started = performance.now();
    this.#timer = setInterval(() => {
      const now = performance.now();
      const dt = (now - this.#last) / 1000;
      this.#last = now;
      const rate = dt > 0 ? stats.intervalDone / dt : 0;
      stats.intervalDone = 0;
      const h = stats.latency;
      const lat = h.totalCount === 0
        ? "p50 -  p99 -"
        : `p50 ${formatMs(h.getValueAtPercentile(50) / 1000)}  p99 ${
          formatMs(h.getValueAtPercentile(99) / 1000)
        }`;
      const text = `[${((now - started) / 1000).toFixed(1).padStart(5)}s] ` +
        `${rate.toFixed(0).padStart(6)} req/s  in flight ${runner.inFlight}` +
        (runner.backlog ? `  backlog ${runner.backlog}` : "") +
        `  done ${stats.completed}  errors ${stats.failures}  dropped ${stats.dropped}  ${lat}`;
      this.#write(this.#tty ? `\r\x1b[2K${text}` : `${text}\n`);
      this.#wrote = true;
    }, intervalMs);
  }

  /** Stop; on a TTY, clear the progress line. */
  stop(): void {
    clearInterval(this.#timer);
    if (this.#tty && this.#wrote) this.#write("\r\x1b[2K");
  }

  #write(s: string): void {
    try {
      Deno.stderr.writeSync(encoder.encode(s));
    } catch {
      // stderr closed: progress is best effort
    }
  }
}
