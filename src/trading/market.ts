/**
 * Simulated market data: one geometric Brownian motion per symbol, ticking on a timer.
 *
 * Each round, every symbol's mid price takes one GBM step (zero drift, annualised volatility,
 * `dt` = tick interval as a fraction of a 365-day year), and a bid/ask quote around it is
 * published. Every tick carries an exchange timestamp: the exchange stamps the tick, the feed
 * delays it by a log-normal delay (median `feedDelayMs`), and the tick is processed when the
 * timer actually fires, so the lag (processing time − exchange time) is the simulated feed delay
 * plus the real lateness of the event loop.
 *
 * @module
 */

import type { Quote, TradingConfig } from "./types.ts";
import type { Clock } from "./ports.ts";
import { systemClock, wallNow } from "./clock.ts";
import { hashString, Rng } from "../rng.ts";

/** Milliseconds in the 365-day year the volatility is annualised over. */
const YEAR_MS = 365 * 24 * 3600 * 1000;
/** Half the bid/ask spread as a fraction of the mid price (1 basis point each side). */
const HALF_SPREAD = 0.0001;
/** Log-space standard deviation of the simulated feed delay. */
const FEED_DELAY_SIGMA = 0.5;

/** Starting prices of well-known symbols; other symbols get a deterministic price from a hash. */
const STARTING_PRICES: Readonly<Record<string, number>> = {
  AAPL: 190,
  GOOGL: 140,
  MSFT: 410,
  AMZN: 180,
  TSLA: 250,
};

/** The starting price of a symbol: a known one, or 20..520 derived from the symbol's name. */
export function startingPrice(symbol: string): number {
  return STARTING_PRICES[symbol] ?? 20 + (hashString(symbol) % 50_000) / 100;
}

/** Options of the simulated feed: its part of the engine's configuration, and a clock. */
export interface MarketOptions
  extends
    Pick<TradingConfig, "symbols" | "tickIntervalMs" | "volatility" | "seed" | "feedDelayMs"> {
  /** Wall time of ticks and timers (default: the system clock). */
  clock?: Clock;
}

/** One round of ticks: a quote and the simple return of the mid price for every symbol. */
export interface TickRound {
  /** Quotes in the order of `symbols`. */
  quotes: readonly Quote[];
  /** Simple returns (new mid / old mid − 1) in the order of `symbols`. */
  returns: Float64Array;
}

function quoteOf(symbol: string, mid: number, exchangeTime: number, receivedTime: number): Quote {
  const bid = Math.floor(mid * (1 - HALF_SPREAD) * 100) / 100;
  let ask = Math.ceil(mid * (1 + HALF_SPREAD) * 100) / 100;
  if (ask <= bid) ask = bid + 0.01;
  return {
    symbol,
    bid,
    ask: Math.round(ask * 100) / 100,
    last: Math.round(mid * 10_000) / 10_000,
    exchangeTime,
    receivedTime,
  };
}

/**
 * The price feed as the engine uses it: the simulated `Market`, or a decorator of it (the
 * market-data faults of the admin API).
 */
export type MarketFeed = Pick<
  Market,
  "symbols" | "onRound" | "quote" | "has" | "lastTickAt" | "start" | "step" | "close"
>;

/** The simulated price feed. Call `start()` to tick on a timer or `step()` to tick by hand. */
export class Market {
  readonly symbols: readonly string[];
  readonly #index = new Map<string, number>();
  readonly #mids: Float64Array;
  readonly #rngs: Rng[];
  readonly #delayRng: Rng;
  readonly #sigmaStep: number;
  readonly #options: MarketOptions;
  readonly #clock: Clock;
  readonly #quotes: Quote[];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #due = 0;
  #lastTickAt: number;
  #onRound: (round: TickRound) => void = () => {};

  /** Creates the feed with every symbol at its starting price; nothing ticks yet. */
  constructor(options: MarketOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.symbols = [...options.symbols];
    this.#mids = new Float64Array(this.symbols.length);
    this.#rngs = [];
    const now = wallNow(this.#clock);
    this.#lastTickAt = now;
    this.#quotes = [];
    this.symbols.forEach((symbol, i) => {
      this.#index.set(symbol, i);
      this.#mids[i] = startingPrice(symbol);
      // One generator per symbol: adding a symbol does not change the others' paths.
      this.#rngs.push(new Rng((options.seed ^ hashString(symbol)) >>> 0));
      this.#quotes.push(quoteOf(symbol, this.#mids[i], now, now));
    });
    this.#delayRng = new Rng((options.seed ^ 0x5eed) >>> 0);
    this.#sigmaStep = options.volatility * Math.sqrt(options.tickIntervalMs / YEAR_MS);
  }

  /** Registers the single consumer of tick rounds (the service). */
  onRound(handler: (round: TickRound) => void): void {
    this.#onRound = handler;
  }

  /** The latest quote of a symbol, or undefined outside the universe. */
  quote(symbol: string): Quote | undefined {
    const i = this.#index.get(symbol);
    return i === undefined ? undefined : this.#quotes[i];
  }

  /** Whether the symbol is in the universe. */
  has(symbol: string): boolean {
    return this.#index.has(symbol);
  }

  /** Wall-clock ms of the latest processed round (the creation time before the first). */
  get lastTickAt(): number {
    return this.#lastTickAt;
  }

  /**
   * Advances every symbol by one GBM step and publishes the round. `dueAt` is when the round
   * was due (ms since the epoch); exchange times are `dueAt` minus the simulated feed delay.
   */
  step(dueAt: number = wallNow(this.#clock)): TickRound {
    const n = this.symbols.length;
    const returns = new Float64Array(n);
    const sigma = this.#sigmaStep;
    const drift = -0.5 * sigma * sigma;
    const receivedTime = wallNow(this.#clock);
    const feedDelay = this.#options.feedDelayMs;
    for (let i = 0; i < n; i++) {
      const old = this.#mids[i];
      const mid = old * Math.exp(drift + sigma * this.#rngs[i].normal());
      this.#mids[i] = mid;
      returns[i] = mid / old - 1;
      const delay = feedDelay > 0 ? this.#delayRng.logNormal(feedDelay, FEED_DELAY_SIGMA) : 0;
      this.#quotes[i] = quoteOf(this.symbols[i], mid, dueAt - delay, receivedTime);
    }
    this.#lastTickAt = receivedTime;
    const round: TickRound = { quotes: this.#quotes.slice(), returns };
    this.#onRound(round);
    return round;
  }

  /** The current mid prices, in universe order (what a feed leader publishes). */
  mids(): number[] {
    return Array.from(this.#mids);
  }

  /**
   * Applies a round another replica simulated: its mids and exchange times become this
   * market's quotes (received now, so the lag is the real one to this replica), with the
   * returns from the previous mids; the round is published as if simulated here. Answers false
   * (and changes nothing) for a round of another universe.
   */
  apply(mids: readonly number[], exchangeTimes: readonly number[]): boolean {
    const n = this.symbols.length;
    if (mids.length !== n || exchangeTimes.length !== n) return false;
    const returns = new Float64Array(n);
    const receivedTime = wallNow(this.#clock);
    for (let i = 0; i < n; i++) {
      const mid = mids[i];
      if (!(mid > 0)) return false;
    }
    for (let i = 0; i < n; i++) {
      const old = this.#mids[i];
      const mid = mids[i];
      this.#mids[i] = mid;
      returns[i] = mid / old - 1;
      this.#quotes[i] = quoteOf(this.symbols[i], mid, exchangeTimes[i], receivedTime);
    }
    this.#lastTickAt = receivedTime;
    this.#onRound({ quotes: this.#quotes.slice(), returns });
    return true;
  }

  /** Whether the timer is running (this replica simulates). */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Starts ticking every `tickIntervalMs` (drift-free; a late timer skips, never bursts). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#due = wallNow(this.#clock) + this.#options.tickIntervalMs;
    this.#schedule();
  }

  #schedule(): void {
    const wait = Math.max(0, this.#due - wallNow(this.#clock));
    this.#timer = setTimeout(() => this.#fire(), wait);
  }

  #fire(): void {
    const due = this.#due;
    try {
      this.step(due);
    } finally {
      const interval = this.#options.tickIntervalMs;
      const now = wallNow(this.#clock);
      this.#due = due + interval;
      if (this.#due < now) this.#due = now + interval; // fell behind: skip, do not burst
      if (this.#timer !== undefined) this.#schedule();
    }
  }

  /** Stops the timer. */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
