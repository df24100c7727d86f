/**
 * Historical-simulation Value at Risk of the current portfolio.
 *
 * The window holds the last `window` rounds of simulated per-tick simple returns of every
 * symbol. Each past round is a scenario: its P&L for the current portfolio is
 * Σ exposure_i × return_i (exposure = quantity × mark), its loss the negative of that.
 *
 * Quantile convention: with the N scenario losses sorted ascending, L(1) ≤ … ≤ L(N), the VaR at
 * confidence α is L(k) with k = ⌈α·N⌉ (the empirical lower α-quantile, inverse of the empirical
 * CDF, no interpolation): the smallest loss that at least α of the scenarios do not exceed.
 * VaR is floored at 0 (a portfolio that gains in that scenario risks nothing). One period is one
 * tick interval.
 *
 * @module
 */

/** The empirical VaR at `confidence` of `losses` (sorted in place), floored at 0. */
export function historicalVar(losses: Float64Array | number[], confidence: number): number {
  const n = losses.length;
  if (n === 0) return 0;
  const sorted = losses instanceof Float64Array ? losses.sort() : Float64Array.from(losses).sort();
  const k = Math.min(n, Math.max(1, Math.ceil(confidence * n - 1e-9)));
  return Math.max(0, sorted[k - 1]);
}

/** The VaR figures of one computation. */
export interface VarResult {
  var95: number;
  var99: number;
  windowSize: number;
  portfolioValue: number;
}

/** A rolling window of per-symbol returns and the VaR they imply for given exposures. */
export class VarWindow {
  readonly #n: number;
  readonly #capacity: number;
  readonly #returns: Float64Array;
  #next = 0;
  #size = 0;

  /** A window of `capacity` rounds for `symbolCount` symbols. */
  constructor(symbolCount: number, capacity: number) {
    this.#n = symbolCount;
    this.#capacity = Math.max(1, Math.trunc(capacity));
    this.#returns = new Float64Array(this.#n * this.#capacity);
  }

  /** Number of rounds held. */
  get size(): number {
    return this.#size;
  }

  /** Adds one round of returns (in universe order), evicting the oldest when full. */
  push(returns: ArrayLike<number>): void {
    const base = this.#next * this.#n;
    for (let i = 0; i < this.#n; i++) this.#returns[base + i] = returns[i];
    this.#next = (this.#next + 1) % this.#capacity;
    if (this.#size < this.#capacity) this.#size++;
  }

  /** VaR at 0.95 and 0.99 for the exposures (dollars per symbol, in universe order). */
  compute(exposures: ArrayLike<number>): VarResult {
    const n = this.#n;
    const losses = new Float64Array(this.#size);
    for (let k = 0; k < this.#size; k++) {
      let pnl = 0;
      const base = k * n;
      for (let i = 0; i < n; i++) pnl += exposures[i] * this.#returns[base + i];
      losses[k] = -pnl;
    }
    let portfolioValue = 0;
    for (let i = 0; i < n; i++) portfolioValue += exposures[i];
    const var99 = historicalVar(losses, 0.99); // sorts losses in place
    const var95 = historicalVar(losses, 0.95);
    return { var95, var99, windowSize: this.#size, portfolioValue };
  }
}
