/**
 * The market-data faults, a decorator of the price feed: `feed_stall` stops delivering the ticks
 * of some (or all) symbols, so their quotes, lag and marks freeze (and with every symbol stalled
 * the feed is stale: `/ready` turns 503 after `--stale-after`); `price_shock` moves a symbol's published prices by N% while it is active (the
 * first tick after it is set is an N% jump, the first tick after it is cleared jumps back).
 * The engine sees only the decorated feed, so marks, fills, P&L and VaR all follow the prices it
 * publishes; nothing stored changes but through ordinary orders filled at those prices.
 *
 * @module
 */
import type { Quote } from "../trading/types.ts";
import type { MarketFeed as Feed, TickRound } from "../trading/market.ts";
import type { FaultRegistry } from "./registry.ts";

function scaled(q: Quote, factor: number): Quote {
  return {
    ...q,
    bid: Math.round(q.bid * factor * 100) / 100,
    ask: Math.round(q.ask * factor * 100) / 100,
    last: Math.round(q.last * factor * 10_000) / 10_000,
  };
}

/** `feed` under the registry's `feed_stall` and `price_shock` faults. */
export class FaultyFeed implements Feed {
  readonly symbols: readonly string[];
  readonly #feed: Feed;
  readonly #faults: FaultRegistry;
  readonly #index = new Map<string, number>();
  /** The quote last published per symbol when it differs from the feed's (else undefined). */
  readonly #published: (Quote | undefined)[];
  /** When each stalled symbol last ticked (wall-clock ms). */
  readonly #stalledSince = new Map<number, number>();
  #handler: (round: TickRound) => void = () => {};
  /** The feed's quotes of the previous round. */
  #last: readonly Quote[] | undefined;

  constructor(feed: Feed, faults: FaultRegistry) {
    this.#feed = feed;
    this.#faults = faults;
    this.symbols = feed.symbols;
    this.symbols.forEach((s, i) => this.#index.set(s, i));
    this.#published = new Array(this.symbols.length).fill(undefined);
    feed.onRound((round) => this.#onRound(round));
  }

  onRound(handler: (round: TickRound) => void): void {
    this.#handler = handler;
  }

  quote(symbol: string): Quote | undefined {
    const i = this.#index.get(symbol);
    if (i === undefined) return undefined;
    return this.#published[i] ?? this.#feed.quote(symbol);
  }

  has(symbol: string): boolean {
    return this.#feed.has(symbol);
  }

  /**
   * When the feed last published a tick: the feed's own time while any symbol still ticks (a
   * stalled symbol shows in its frozen quote and lag, not as a dead feed), the newest tick of the
   * stalled symbols once all of them are stalled (then `/ready` and orders see stale data).
   */
  get lastTickAt(): number {
    if (this.#stalledSince.size < this.symbols.length) return this.#feed.lastTickAt;
    return Math.max(...this.#stalledSince.values());
  }

  start(): void {
    this.#feed.start();
  }

  step(dueAt?: number): TickRound {
    return this.#feed.step(dueAt);
  }

  close(): void {
    this.#feed.close();
  }

  #onRound(round: TickRound): void {
    const stall = this.#faults.get("feed_stall");
    const shock = this.#faults.get("price_shock");
    const last = this.#last;
    this.#last = round.quotes;
    if (stall === undefined && shock === undefined && this.#clean()) return this.#handler(round);
    // Stalled symbols are left out of the round (no tick: lag, marks and strategies freeze).
    const quotes: Quote[] = [];
    const returns = Float64Array.from(round.returns);
    for (let i = 0; i < round.quotes.length; i++) {
      const raw = round.quotes[i];
      const prior = this.#published[i];
      if (stall !== undefined && (stall.symbols === "all" || stall.symbols.includes(raw.symbol))) {
        const held = prior ?? last?.[i] ?? raw;
        if (!this.#stalledSince.has(i)) this.#stalledSince.set(i, held.receivedTime);
        this.#published[i] = held;
        returns[i] = 0;
        continue;
      }
      this.#stalledSince.delete(i);
      const q = shock?.symbol === raw.symbol ? scaled(raw, 1 + shock.percent / 100) : raw;
      if (prior !== undefined) returns[i] = q.last / prior.last - 1;
      else if (q !== raw) returns[i] = (1 + returns[i]) * (q.last / raw.last) - 1;
      quotes.push(q);
      this.#published[i] = q === raw ? undefined : q;
    }
    this.#handler({ quotes, returns });
  }

  /** No symbol is published differently from the feed. */
  #clean(): boolean {
    return this.#stalledSince.size === 0 && this.#published.every((q) => q === undefined);
  }
}
