/**
 * The simulated execution venue (the default adapter of the `Venue` port): a non-blocking log-normal latency (median `latencyMs`; 0 turns
 * it off and resolves without a timer) and a failure probability.
 *
 * @module
 */

import { Rng } from "../rng.ts";
import type { Venue } from "./ports.ts";

/** Log-space standard deviation of the venue latency. */
const LATENCY_SIGMA = 0.5;

const OK: Promise<boolean> = Promise.resolve(true);
const FAILED: Promise<boolean> = Promise.resolve(false);

/** The simulated venue. */
export class SimulatedVenue implements Venue {
  readonly #rng: Rng;
  readonly #latencyMs: number;
  readonly #failRate: number;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  /** Creates a venue; `seed` makes its latencies and failures reproducible. */
  constructor(options: { latencyMs: number; failRate: number; seed: number }) {
    this.#rng = new Rng(options.seed);
    this.#latencyMs = options.latencyMs;
    this.#failRate = options.failRate;
  }

  /** Sends an order; resolves true when the venue accepted it, false when it failed. */
  send(_request?: unknown): Promise<boolean> {
    const ok = this.#failRate <= 0 ? true : this.#rng.next() >= this.#failRate;
    if (this.#latencyMs <= 0) return ok ? OK : FAILED;
    const delay = this.#rng.logNormal(this.#latencyMs, LATENCY_SIGMA);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve(ok);
      }, delay);
      this.#timers.add(timer);
    });
  }

  /** Number of orders currently at the venue. */
  get inFlight(): number {
    return this.#timers.size;
  }
}
