/**
 * Live progress on stderr: one line rewritten in place on a TTY, plain periodic lines otherwise.
 *
 * @module
 */
import { formatMs } from "../duration.ts";

/** What progress shows, read at each tick (one thread's runner and stats, or all workers'). */
export interface LiveView {
  inFlight(): number;
  backlog(): number;
  completed(): number;
  failures(): number;
  dropped(): number;
  /** Latency (ms) at a percentile so far; NaN when none. */
  latencyAt(percentile: number): number;
}

const encoder = new TextEncoder();

/** Periodic progress output; {@link Progress.stop} clears the TTY line. */
export class Progress {
  readonly #tty: boolean;
  readonly #timer: ReturnType<typeof setInterval>;
  #last = performance.now();
  #lastDone = 0;
  #wrote = false;

  /** Start printing every `intervalMs`. */
  constructor(view: LiveView, intervalMs: number) {
    this.#tty = Deno.stderr.isTerminal();
    const started = performance.now();
    this.#timer = setInterval(() => {
      const now = performance.now();
      const dt = (now - this.#last) / 1000;
      this.#last = now;
      const done = view.completed();
      const rate = dt > 0 ? (done - this.#lastDone) / dt : 0;
      this.#lastDone = done;
      const p50 = view.latencyAt(50);
      const lat = Number.isNaN(p50)
        ? "p50 -  p99 -"
        : `p50 ${formatMs(p50)}  p99 ${formatMs(view.latencyAt(99))}`;
      const backlog = view.backlog();
      const text = `[${((now - started) / 1000).toFixed(1).padStart(5)}s] ` +
        `${rate.toFixed(0).padStart(6)} req/s  in flight ${view.inFlight()}` +
        (backlog ? `  backlog ${backlog}` : "") +
        `  done ${done}  errors ${view.failures()}  dropped ${view.dropped()}  ${lat}`;
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
