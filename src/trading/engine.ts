/**
 * The trading engine: market data, strategies, risk, the in-memory book and the order path
 * behind the `TradingService` contract of `types.ts`, on the ports of `ports.ts` (store, cache,
 * clock, venue). `service.ts` builds one.
 *
 * The order path is three steps: decide (`decide.ts`, pure: pre-trade risk), execute (the venue
 * port, then `execute.ts`'s `outcomeOf`, pure: matching), record (`record.ts` builds the write;
 * the store commits it and answers the committed order and position; the book takes the
 * committed position).
 *
 * Consistency: an order's effect on positions, P&L and risk becomes visible only once its
 * transaction has committed. The risk check reserves the order's quantity as pending exposure
 * from the decision until the store's answer; the book's update and the release of the
 * reservation happen in one synchronous step, so concurrent orders can never together breach the
 * position limit, and the store checks the limit again on its own stored position. A failed
 * commit changes nothing but the error and the `failed` order event. `placeOrder` resolves only
 * after the order's transaction has committed.
 *
 * @module
 */

import type {
  DomainEvent,
  Order,
  OrderPage,
  OrderRequest,
  Position,
  Quote,
  Readiness,
  RiskSnapshot,
  TradingConfig,
  TradingService,
  TradingState,
} from "./types.ts";
import type {
  Clock,
  FeedRound,
  OrderCommit,
  OrderStore,
  OrderWrite,
  ReadCache,
  SharedFeed,
  Venue,
} from "./ports.ts";
import { wallNow } from "./clock.ts";
import { decide, type PendingExposure, type RiskLimits } from "./decide.ts";
import type { EventBus } from "./events.ts";
import { type Outcome, outcomeOf, rejected } from "./execute.ts";
import { Market, type MarketFeed, type TickRound } from "./market.ts";
import { Portfolio } from "./portfolio.ts";
import { orderWrite } from "./record.ts";
import { VarWindow } from "./risk.ts";
import { MaCrossover } from "./strategies/ma_crossover.ts";
import { MeanReversion } from "./strategies/mean_reversion.ts";
import type { Strategy } from "./strategies/strategy.ts";
import { v7 as uuidv7 } from "uuid";

/** The engine's collaborators (the ports, wired by the composition root). */
export interface EnginePorts {
  store: OrderStore;
  cache: ReadCache;
  venue: Venue;
  clock: Clock;
  bus: EventBus;
  /** Decorates the simulated market before the engine uses it (the market-data faults). */
  feed?: (market: Market) => MarketFeed;
  /** Market data shared by replicas; absent: this engine simulates the market alone. */
  shared?: SharedFeed;
}

/** What tests may do besides the `TradingService` contract (`testHooks()` in `service.ts`). */
export interface TradingTestHooks {
  /** Advances the market by one round by hand (tests, or without timers). */
  tick(): void;
  /** Recomputes the VaR now (the timer does this every `varIntervalMs`). */
  recomputeRisk(): RiskSnapshot;
}

const POSITIONS_KEY = "positions";

/** The reason of an order whose transaction did not commit. */
export const NOT_STORED_REASON = "The order could not be stored";

let lastIsoMs = NaN;
let lastIso = "";

/**
 * The ISO-8601 time of a wall-clock time in ms. Orders arrive many per millisecond, and
 * `toISOString()` is one of the costlier steps of an order, so the last string is reused.
 */
function isoAt(wallMs: number): string {
  const ms = Math.floor(wallMs);
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

function reserve(pending: PendingExposure, request: OrderRequest): void {
  if (request.side === "BUY") pending.buy += request.quantity;
  else pending.sell += request.quantity;
}

function release(pending: PendingExposure, request: OrderRequest): void {
  if (request.side === "BUY") pending.buy -= request.quantity;
  else pending.sell -= request.quantity;
}

/** The trading engine. */
export class TradingEngine implements TradingService, TradingTestHooks {
  readonly symbols: readonly string[];
  readonly #config: TradingConfig;
  readonly #limits: RiskLimits;
  readonly #bus: EventBus;
  readonly #store: OrderStore;
  readonly #cache: ReadCache;
  readonly #venue: Venue;
  readonly #clock: Clock;
  readonly #market: MarketFeed;
  readonly #portfolio: Portfolio;
  readonly #varWindow: VarWindow;
  readonly #strategies: Strategy[];
  readonly #pending = new Map<string, PendingExposure>();
  readonly #quoteKeys = new Map<string, string>();
  readonly #feed: SharedFeed | null;
  /** The simulation itself (under the fault decorator `#market`): a follower applies rounds to it. */
  readonly #sim: Market;
  #feedSeq = 0;
  #refreshTimer: ReturnType<typeof setInterval> | undefined;
  #risk: RiskSnapshot;
  #riskTimer: ReturnType<typeof setInterval> | undefined;
  #positionsCached = false;
  /** Incremented by every committed fill; detects a fill racing a positions cache refill. */
  #fills = 0;
  #inFlight = 0;
  #drained: (() => void) | null = null;
  #closing: Promise<void> | null = null;

  /** Use `createTradingService`; the constructor expects an already validated config. */
  constructor(config: TradingConfig, ports: EnginePorts) {
    this.#config = config;
    this.symbols = [...config.symbols];
    this.#limits = {
      maxPosition: config.maxPosition,
      maxNotional: config.maxNotional,
      maxOrderQuantity: config.maxOrderQuantity,
    };
    this.#bus = ports.bus;
    this.#store = ports.store;
    this.#cache = ports.cache;
    this.#venue = ports.venue;
    this.#clock = ports.clock;
    this.#feed = ports.shared ?? null;
    const market = new Market({ ...config, clock: ports.clock });
    this.#sim = market;
    this.#market = ports.feed ? ports.feed(market) : market;
    this.#market.onRound((round) => this.#onRound(round));
    this.#portfolio = new Portfolio(this.symbols, (s) => this.#market.quote(s)!.last);
    this.#varWindow = new VarWindow(this.symbols.length, config.varWindow);
    this.#strategies = [new MaCrossover(), new MeanReversion()];
    for (const s of this.symbols) this.#pending.set(s, { buy: 0, sell: 0 });
    this.#risk = this.#computeRisk();
  }

  /** Loads the stored positions into the book (at start, before any order). */
  async restore(): Promise<void> {
    this.#portfolio.restore(await this.#store.loadPositions());
  }

  /**
   * Starts the market and risk timers. With a feed, the market ticks only while this replica
   * leads it; otherwise the leader's rounds are applied, and the book is reloaded from the store
   * every `varIntervalMs` (other replicas' fills), so every replica shows the one stored book.
   */
  start(): void {
    this.#riskTimer = setInterval(() => this.#publishRisk(), this.#config.varIntervalMs);
    const feed = this.#feed;
    if (feed === null) {
      this.#market.start();
      return;
    }
    feed.start({
      lead: (leading) => {
        if (this.#closing !== null) return;
        if (leading) this.#market.start();
        else this.#market.close();
      },
      round: (round) => this.#applyRound(round),
    });
    this.#refreshTimer = setInterval(() => void this.#refreshBook(), this.#config.varIntervalMs);
  }

  #applyRound(round: FeedRound): void {
    if (this.#closing !== null || this.#sim.running) return;
    if (round.seq <= this.#feedSeq && round.seq > this.#feedSeq - 1_000) return; // replayed
    if (this.#sim.apply(round.mids, round.exchangeTimes)) this.#feedSeq = round.seq;
  }

  /** Reloads the stored positions (other replicas' fills) unless a fill raced the read. */
  async #refreshBook(): Promise<void> {
    const fills = this.#fills;
    let stored;
    try {
      stored = await this.#store.loadPositions();
    } catch {
      return; // the database is away: /ready says so; the next refresh tries again
    }
    if (this.#fills !== fills || this.#closing !== null) return;
    for (const p of stored) this.#portfolio.set(p);
  }

  tick(): void {
    this.#market.step();
  }

  recomputeRisk(): RiskSnapshot {
    this.#publishRisk();
    return this.#risk;
  }

  #onRound(round: TickRound): void {
    const bus = this.#bus;
    const feed = this.#feed;
    if (feed !== null && this.#sim.running) {
      feed.publish({
        seq: ++this.#feedSeq,
        mids: this.#sim.mids(),
        exchangeTimes: round.quotes.map((q) => q.exchangeTime),
      });
    }
    // Every replica runs the strategies on the same rounds (so a new leader has warm state);
    // only the one simulating the market reports their signals, so none is counted twice.
    const emit = bus.active && (feed === null || this.#sim.running);
    const quotes = round.quotes;
    for (let i = 0; i < quotes.length; i++) {
      const q = quotes[i];
      this.#portfolio.mark(q.symbol, q.last);
      for (const strategy of this.#strategies) {
        const signal = strategy.onPrice(q.symbol, q.last);
        if (signal !== null && emit) bus.emit({ type: "signal", strategy: strategy.name, signal });
      }
    }
    this.#varWindow.push(round.returns);
  }

  #computeRisk(): RiskSnapshot {
    const r = this.#varWindow.compute(this.#portfolio.exposures());
    return {
      var: { "0.95": r.var95, "0.99": r.var99 },
      windowSize: r.windowSize,
      portfolioValue: r.portfolioValue,
      computedAt: new Date(wallNow(this.#clock)).toISOString(),
    };
  }

  #publishRisk(): void {
    this.#risk = this.#computeRisk();
  }

  /** decide → execute → record (one function, so that an order costs few promise hops). */
  async placeOrder(
    request: OrderRequest,
    receivedAt: number,
    correlation?: string,
  ): Promise<Order> {
    if (this.#closing !== null) throw new Error("The trading service is closed");
    this.#inFlight++;
    try {
      const id = uuidv7();
      const { symbol } = request;
      const pending = this.#pending.get(symbol);
      // 1. decide (pure). It reads its quote through the read cache, as a trading API reads
      // cached market data (a Redis miss or outage falls back to the feed's latest quote).
      const cache = this.#cache;
      const reason = decide(
        request,
        cache.getSync !== undefined && cache.setSync !== undefined
          ? this.#cachedQuoteSync(symbol)
          : await this.#cachedQuote(symbol),
        this.#portfolio.quantity(symbol),
        pending,
        this.#limits,
      );
      if (reason !== null) {
        return await this.#record(id, request, rejected(reason), receivedAt, null, correlation);
      }
      // 2. execute: the quantity stays reserved from here until the store answered (#record).
      reserve(pending!, request);
      let accepted: boolean;
      try {
        accepted = await this.#venue.send(request);
      } catch (error) {
        release(pending!, request);
        throw error;
      }
      const outcome = outcomeOf(request, accepted, this.#market.quote(symbol)!);
      // 3. record
      return await this.#record(id, request, outcome, receivedAt, pending!, correlation);
    } finally {
      if (--this.#inFlight === 0 && this.#drained !== null) this.#drained();
    }
  }

  /**
   * Stores the order and, once committed, moves the book to the committed position (releasing
   * the reservation in the same step), invalidates the cached positions and reports the order.
   */
  async #record(
    id: string,
    request: OrderRequest,
    outcome: Outcome,
    receivedAt: number,
    held: PendingExposure | null,
    correlation: string | undefined,
  ): Promise<Order> {
    const origin = this.#clock.origin;
    const write: OrderWrite = orderWrite(request, outcome, {
      id,
      receivedAt: isoAt(origin + receivedAt),
      completedAt: isoAt(origin + this.#clock.monotonic()),
      maxPosition: this.#limits.maxPosition,
    });
    let commit: OrderCommit;
    try {
      commit = await this.#store.append(write);
    } catch (error) {
      if (held !== null) release(held, request);
      const failed: Order = {
        ...write.order,
        status: "failed",
        filledQuantity: 0,
        fillPrice: null,
        reason: NOT_STORED_REASON,
      };
      this.#emitOrder(failed, receivedAt, correlation);
      throw error;
    }
    if (held !== null) release(held, request);
    if (commit.position !== null) {
      this.#portfolio.set(commit.position);
      this.#fills++;
      if (this.#positionsCached) {
        this.#positionsCached = false;
        await this.#cache.delete(POSITIONS_KEY);
      }
    }
    this.#emitOrder(commit.order, receivedAt, correlation);
    return commit.order;
  }

  #emitOrder(order: Order, receivedAt: number, correlation: string | undefined): void {
    if (this.#bus.active) {
      this.#bus.emit({
        type: "order",
        order,
        latencySeconds: (this.#clock.monotonic() - receivedAt) / 1000,
        correlation,
      });
    }
  }

  getOrder(id: string): Promise<Order | null> {
    return this.#store.getOrder(id);
  }

  listOrders(options: { limit: number; before?: string }): Promise<OrderPage> {
    return this.#store.listOrders(options);
  }

  async positions(): Promise<Position[]> {
    const cached = await this.#cache.get<Position[]>(POSITIONS_KEY);
    this.#emitCache(cached !== undefined);
    if (cached !== undefined) return cached;
    const version = this.#fills;
    const fresh = this.#portfolio.snapshot();
    await this.#cache.set(POSITIONS_KEY, fresh, this.#config.cacheTtlMs);
    this.#positionsCached = true;
    // A fill during an asynchronous set would leave a stale entry behind: drop it.
    if (this.#fills !== version) await this.#cache.delete(POSITIONS_KEY);
    return fresh;
  }

  async quote(symbol: string): Promise<Quote | null> {
    return (await this.#cachedQuote(symbol)) ?? null;
  }

  /** The quote through the read cache (counted as a hit or a miss); undefined off-universe. */
  async #cachedQuote(symbol: string): Promise<Quote | undefined> {
    if (!this.#market.has(symbol)) return undefined;
    const key = this.#quoteKey(symbol);
    const cached = await this.#cache.get<Quote>(key);
    this.#emitCache(cached !== undefined);
    if (cached !== undefined) return cached;
    const fresh = this.#market.quote(symbol)!;
    await this.#cache.set(key, fresh, this.#config.cacheTtlMs);
    return fresh;
  }

  /** `#cachedQuote` on an in-process cache's `getSync`/`setSync` (no promise). */
  #cachedQuoteSync(symbol: string): Quote | undefined {
    if (!this.#market.has(symbol)) return undefined;
    const key = this.#quoteKey(symbol);
    const cached = this.#cache.getSync!<Quote>(key);
    this.#emitCache(cached !== undefined);
    if (cached !== undefined) return cached;
    const fresh = this.#market.quote(symbol)!;
    this.#cache.setSync!(key, fresh, this.#config.cacheTtlMs);
    return fresh;
  }

  /** The cache key of a symbol's quote (built once per symbol). */
  #quoteKey(symbol: string): string {
    let key = this.#quoteKeys.get(symbol);
    if (key === undefined) this.#quoteKeys.set(symbol, key = `quote:${symbol}`);
    return key;
  }

  #emitCache(hit: boolean): void {
    if (this.#bus.active) this.#bus.emit({ type: "cache", hit });
  }

  risk(): RiskSnapshot {
    return this.#risk;
  }

  state(): TradingState {
    return {
      positions: this.#portfolio.snapshot(),
      risk: this.#risk,
      pool: this.#store.poolState,
      ticks: this.symbols.map((symbol) => {
        const q = this.#market.quote(symbol)!;
        return { symbol, exchangeTime: q.exchangeTime, receivedTime: q.receivedTime };
      }),
    };
  }

  storeWritable(): boolean {
    return this.#closing === null && (this.#store.writable?.() ?? true);
  }

  marketDataFresh(): boolean {
    return wallNow(this.#clock) - this.#market.lastTickAt <= this.#config.staleAfterMs;
  }

  async ready(): Promise<Readiness> {
    const open = this.#closing === null;
    const marketData = open && this.marketDataFresh();
    const [database, cache] = open
      ? await Promise.all([this.#store.ping(), this.#cache.ping?.() ?? true])
      : [false, false];
    const feed = this.#feed;
    const role = feed === null ? "local" : feed.leading ? "leader" : "follower";
    return { database, marketData, cache, feed: role };
  }

  /** Subscribes to domain events (orders, signals, cache lookups). */
  on(listener: (event: DomainEvent) => void): () => void {
    return this.#bus.on(listener);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#market.close();
    if (this.#riskTimer !== undefined) clearInterval(this.#riskTimer);
    this.#riskTimer = undefined;
    if (this.#refreshTimer !== undefined) clearInterval(this.#refreshTimer);
    this.#refreshTimer = undefined;
    await this.#feed?.close();
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => (this.#drained = resolve));
    }
    try {
      await this.#store.close();
    } finally {
      await this.#cache.close();
    }
  }
}
