/**
 * Whether a store can write, and how it finds out again after a failed commit. A failed commit
 * (disk full, the database locked longer than the busy timeout) marks the store as failing:
 * writes are refused at once (no order waits for a lock that is still held) and a probe write
 * runs every `intervalMs` on a timer that does not keep the process alive; the first probe that
 * commits marks the store as writing again. No restart is needed.
 *
 * @module
 */

/** Why and since when a store cannot write. */
export interface WriteFailure {
  /** The error of the last failed commit or probe. */
  reason: string;
  /** Wall-clock time (ms since the epoch) of the first failure. */
  since: number;
}

/** Options of {@link WriteHealth}. */
export interface WriteHealthOptions {
  /** One probe write: resolves true when it committed. May throw (counts as false). */
  probe: () => boolean | Promise<boolean>;
  /** Time between probes while failing, in ms. */
  intervalMs: number;
  /** Called when the state changes (failing: the failure; writing again: null). */
  onChange?: (failure: WriteFailure | null) => void;
}

/** The write state of one store. */
export class WriteHealth {
  readonly #options: WriteHealthOptions;
  #failure: WriteFailure | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /** A healthy state. */
  constructor(options: WriteHealthOptions) {
    this.#options = options;
  }

  /** The current failure, or null while writes work. */
  get failure(): WriteFailure | null {
    return this.#failure;
  }

  /** Records a failed commit and starts probing. */
  fail(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    if (this.#failure === null) {
      this.#failure = { reason, since: Date.now() };
      this.#options.onChange?.(this.#failure);
    } else {
      this.#failure = { reason, since: this.#failure.since };
    }
    this.#schedule();
  }

  /** Stops probing. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#closed || this.#timer !== undefined) return;
    const timer = setTimeout(() => void this.#probe(), this.#options.intervalMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  async #probe(): Promise<void> {
    let ok = false;
    let error: unknown = null;
    try {
      ok = await this.#options.probe();
    } catch (e) {
      error = e;
    }
    this.#timer = undefined;
    if (this.#closed) return;
    if (ok) {
      this.#failure = null;
      this.#options.onChange?.(null);
      return;
    }
    if (error !== null) this.fail(error);
    else this.#schedule();
  }
}
