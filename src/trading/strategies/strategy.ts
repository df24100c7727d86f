/**
 * The strategy contract: strategies consume ticks and emit signals; they never trade.
 *
 * @module
 */

/** A trading signal. */
export type Signal = "buy" | "sell";

/** A signal-generating strategy fed one price per symbol per tick. */
export interface Strategy {
  /** The strategy's closed label value. */
  readonly name: "ma_crossover" | "mean_reversion";
  /** Consumes the latest price of `symbol`; returns a signal or null. */
  onPrice(symbol: string, price: number): Signal | null;
}

/** A fixed-capacity ring of recent prices with a running sum and sum of squares. */
export class PriceWindow {
  readonly #values: Float64Array;
  #next = 0;
  #size = 0;
  #sum = 0;
  #sumSquares = 0;

  /** A window of the last `capacity` prices. */
  constructor(capacity: number) {
    this.#values = new Float64Array(capacity);
  }

  /** Adds a price, evicting the oldest when full. */
  push(value: number): void {
    if (this.#size === this.#values.length) {
      const old = this.#values[this.#next];
      this.#sum -= old;
      this.#sumSquares -= old * old;
    } else {
      this.#size++;
    }
    this.#values[this.#next] = value;
    this.#sum += value;
    this.#sumSquares += value * value;
    this.#next = (this.#next + 1) % this.#values.length;
  }

  /** Whether the window is full. */
  get full(): boolean {
    return this.#size === this.#values.length;
  }

  /** Mean of the held prices. */
  get mean(): number {
    return this.#size === 0 ? 0 : this.#sum / this.#size;
  }

  /** Population standard deviation of the held prices. */
  get std(): number {
    if (this.#size === 0) return 0;
    const m = this.mean;
    return Math.sqrt(Math.max(0, this.#sumSquares / this.#size - m * m));
  }
}
