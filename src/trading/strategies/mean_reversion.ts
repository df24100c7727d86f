/**
 * Mean reversion on a rolling z-score: z = (price − mean) / std over the last `window` prices.
 * A "buy" when z falls to −entry or below, a "sell" when it rises to +entry or above; after a
 * signal the strategy re-arms only once |z| is back within `exit`, so one excursion gives one
 * signal.
 *
 * @module
 */

import { PriceWindow, type Signal, type Strategy } from "./strategy.ts";

interface State {
  window: PriceWindow;
  armed: boolean;
}

/** The mean-reversion strategy. */
export class MeanReversion implements Strategy {
  readonly name = "mean_reversion" as const;
  readonly #window: number;
  readonly #entry: number;
  readonly #exit: number;
  readonly #states = new Map<string, State>();

  /** Window length in ticks and entry/exit z-score thresholds (defaults 20, 2, 0.5). */
  constructor(window = 20, entry = 2, exit = 0.5) {
    if (!(window >= 2 && entry > exit && exit >= 0)) {
      throw new RangeError("Mean reversion needs window ≥ 2 and entry > exit ≥ 0");
    }
    this.#window = window;
    this.#entry = entry;
    this.#exit = exit;
  }

  onPrice(symbol: string, price: number): Signal | null {
    let s = this.#states.get(symbol);
    if (s === undefined) {
      s = { window: new PriceWindow(this.#window), armed: true };
      this.#states.set(symbol, s);
    }
    // The z-score compares the new price with the window before it.
    const ready = s.window.full;
    const mean = s.window.mean;
    const std = s.window.std;
    s.window.push(price);
    if (!ready || !(std > 0)) return null;
    const z = (price - mean) / std;
    if (!s.armed) {
      if (Math.abs(z) <= this.#exit) s.armed = true;
      return null;
    }
    if (z <= -this.#entry) {
      s.armed = false;
      return "buy";
    }
    if (z >= this.#entry) {
      s.armed = false;
      return "sell";
    }
    return null;
  }
}
