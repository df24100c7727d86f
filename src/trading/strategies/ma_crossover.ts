/**
 * Moving-average crossover: a "buy" when the short simple moving average crosses above the long
 * one, a "sell" when it crosses below. Nothing is signalled until the long window is full.
 *
 * @module
 */

import { PriceWindow, type Signal, type Strategy } from "./strategy.ts";

interface State {
  short: PriceWindow;
  long: PriceWindow;
  /** Sign of (short − long) at the previous price: 1, -1, or 0 before it is known. */
  side: number;
}

/** The moving-average crossover strategy. */
export class MaCrossover implements Strategy {
  readonly name = "ma_crossover" as const;
  readonly #short: number;
  readonly #long: number;
  readonly #states = new Map<string, State>();

  /** Short and long window lengths in ticks (defaults 5 and 20). */
  constructor(shortWindow = 5, longWindow = 20) {
    if (!(shortWindow >= 1 && longWindow > shortWindow)) {
      throw new RangeError("The long window must be longer than the short one");
    }
    this.#short = shortWindow;
    this.#long = longWindow;
  }

  onPrice(symbol: string, price: number): Signal | null {
    let s = this.#states.get(symbol);
    if (s === undefined) {
      s = { short: new PriceWindow(this.#short), long: new PriceWindow(this.#long), side: 0 };
      this.#states.set(symbol, s);
    }
    s.short.push(price);
    s.long.push(price);
    if (!s.long.full) return null;
    const diff = s.short.mean - s.long.mean;
    // A relative dead band keeps float noise in flat markets from flapping.
    const side = Math.abs(diff) <= 1e-12 * Math.abs(price) ? 0 : Math.sign(diff);
    if (side === 0) return null;
    const previous = s.side;
    s.side = side;
    if (previous === 0 || previous === side) return null;
    return side > 0 ? "buy" : "sell";
  }
}
