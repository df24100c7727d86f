/**
 * The trading service: wires market data, strategies, risk, the engine, the portfolio, durable
 * storage and the read cache behind the `TradingService` contract of `types.ts`.
 *
 * Consistency: decisions are synchronous. An order's pre-trade risk check reserves its quantity
 * as pending exposure before it goes to the (asynchronous) venue, and the venue's answer, the
 * release of the reservation and the portfolio update happen in one synchronous step, so
 * concurrent orders can never together breach the position limit. Writes go to the store in
 * decision order, and the store commits them in that order, so every committed state of the
 * database matches a state the in-memory portfolio went through. `placeOrder` resolves only after
 * the order's transaction has committed.
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
} from "./types.ts";
import type { Fill, OrderStore, PoolState, StoredPosition } from "../store/types.ts";
import type { ReadCache } from "../cache/types.ts";
import { SqliteStore } from "../store/sqlite.ts";
import { MemoryCache } from "../cache/memory.ts";
import { defaultTradingConfig, validateTradingConfig } from "./config.ts";
import { EventBus } from "./events.ts";
import { Market, nowMs, type TickRound } from "./market.ts";
import { Portfolio } from "./portfolio.ts";
import { checkRisk, match, type PendingExposure, type RiskLimits } from "./engine.ts";
import { Venue } from "./venue.ts";
import { VarWindow } from "./risk.ts";
import { MaCrossover } from "./strategies/ma_crossover.ts";
import { MeanReversion } from "./strategies/mean_reversion.ts";
import type { Strategy } from "./strategies/strategy.ts";
import { v7 as uuidv7 } from "uuid";

export { defaultTradingConfig };

/** Optional collaborators and switches of the service. */
export interface TradingServiceOptions {
  /** Storage (default: the SQLite store at `config.dbPath`). Closed by the service. */
  store?: OrderStore;
  /** Read cache (default: the in-process cache). Closed by the service. */
  cache?: ReadCache;
  /** Start the market and risk timers (default true; tests pass false and call `tick()`). */
  startTimers?: boolean;
  /** Sees errors thrown by event listeners (default: `console.error`, once per listener). */
  onListenerError?: (error: unknown) => void;
  /** Decorators of the venue and the price feed (the admin API's run-time faults). */
  decorate?: Decorators;
}

/** Decorators of the engine's own adapters, applied when they are built. */
export interface Decorators {
  venue?: (venue: Pick<Venue, "send">) => Pick<Venue, "send">;
  feed?: (market: Market) => Pick<Market, FeedMember>;
  /** Applied to the default store only (a store passed in is used as it is). */
  store?: (store: OrderStore) => OrderStore;
}
type FeedMember =
  | "symbols"
  | "onRound"
  | "quote"
  | "has"
  | "lastTickAt"
  | "start"
  | "step"
  | "close";

const POSITIONS_KEY = "positions";

let lastIsoMs = NaN;
let lastIso = "";

/**
 * The ISO-8601 time of a `performance.now()` value. Orders arrive many per millisecond, and
 * `toISOString()` is one of the costlier steps of an order, so the last string is reused.
 */
function isoAt(performanceMs: number): string {
  const ms = Math.floor(performance.timeOrigin + performanceMs);
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** The trading engine; `createTradingService` builds and starts one. */
export class TradingEngine implements TradingService {
  readonly symbols: readonly string[];
  readonly #config: TradingConfig;
  readonly #limits: RiskLimits;
  readonly #bus: EventBus;
  readonly #store: OrderStore;
  readonly #cache: ReadCache;
  readonly #market: Pick<Market, FeedMember>;
  readonly #portfolio: Portfolio;
  readonly #venue: Pick<Venue, "send">;
  readonly #varWindow: VarWindow;
  readonly #strategies: Strategy[];
  readonly #pending = new Map<string, PendingExposure>();
  #poolState: PoolState | null = null;
  #risk: RiskSnapshot;
  #riskTimer: ReturnType<typeof setInterval> | undefined;
  #positionsCached = false;
  /** Incremented by every fill; detects a fill racing a positions cache refill. */
  #fills = 0;
  #inFlight = 0;
  #drained: (() => void) | null = null;
  #closing: Promise<void> | null = null;

  /** Use `createTradingService`; the constructor expects an already validated config. */
  constructor(
    config: TradingConfig,
    store: OrderStore,
    cache: ReadCache,
    bus: EventBus,
    decorate: Decorators = {},
  ) {
    this.#config = config;
    this.symbols = [...config.symbols];
    this.#limits = {
      maxPosition: config.maxPosition,
      maxNotional: config.maxNotional,
      maxOrderQuantity: config.maxOrderQuantity,
    };
    this.#bus = bus;
    this.#store = store;
    this.#cache = cache;
    const market = new Market(config);
    this.#market = decorate.feed ? decorate.feed(market) : market;
    this.#market.onRound((round) => this.#onRound(round));
    this.#portfolio = new Portfolio(this.symbols, (s) => this.#market.quote(s)!.last);
    const venue = new Venue({
      latencyMs: config.venueLatencyMs,
      failRate: config.failRate,
      seed: (config.seed ^ 0x7e0e) >>> 0,
    });
    this.#venue = decorate.venue ? decorate.venue(venue) : venue;
    this.#varWindow = new VarWindow(this.symbols.length, config.varWindow);
    this.#strategies = [new MaCrossover(), new MeanReversion()];
    for (const s of this.symbols) this.#pending.set(s, { buy: 0, sell: 0 });
    this.#risk = this.#computeRisk();
  }

  /** Records the pool state (the store reports it; replayed to new subscribers). */
  setPoolState(state: PoolState): void {
    this.#poolState = state;
    if (this.#bus.active) this.#bus.emit({ type: "pool", ...state });
  }

  /** Restores stored positions (at start, before any order). */
  restore(positions: readonly StoredPosition[]): void {
    this.#portfolio.restore(positions);
  }

  /** Starts the market and risk timers. */
  start(): void {
    this.#market.start();
    this.#riskTimer = setInterval(() => this.#publishRisk(), this.#config.varIntervalMs);
  }

  /** Advances the market by one round by hand (tests, or without timers). */
  tick(): void {
    this.#market.step();
  }

  /** Recomputes and publishes the VaR now (the timer does this every `varIntervalMs`). */
  recomputeRisk(): RiskSnapshot {
    this.#publishRisk();
    return this.#risk;
  }

  #onRound(round: TickRound): void {
    const bus = this.#bus;
    const emit = bus.active;
    const quotes = round.quotes;
    for (let i = 0; i < quotes.length; i++) {
      const q = quotes[i];
      this.#portfolio.mark(q.symbol, q.last);
      if (emit) {
        bus.emit({
          type: "tick",
          symbol: q.symbol,
          lagSeconds: (q.receivedTime - q.exchangeTime) / 1000,
        });
      }
      for (const strategy of this.#strategies) {
        const signal = strategy.onPrice(q.symbol, q.last);
        if (signal !== null && emit) bus.emit({ type: "signal", strategy: strategy.name, signal });
      }
    }
    this.#varWindow.push(round.returns);
    if (emit) bus.emit({ type: "positions", positions: this.#portfolio.snapshot() });
  }

  #computeRisk(): RiskSnapshot {
    const r = this.#varWindow.compute(this.#portfolio.exposures());
    return {
      var: { "0.95": r.var95, "0.99": r.var99 },
      windowSize: r.windowSize,
      portfolioValue: r.portfolioValue,
      computedAt: new Date().toISOString(),
    };
  }

  #publishRisk(): void {
    this.#risk = this.#computeRisk();
    if (this.#bus.active) this.#bus.emit({ type: "risk", risk: this.#risk });
  }

  async placeOrder(request: OrderRequest, receivedAt: number): Promise<Order> {
    if (this.#closing !== null) throw new Error("The trading service is closed");
    this.#inFlight++;
    try {
      return await this.#execute(request, receivedAt);
    } finally {
      if (--this.#inFlight === 0 && this.#drained !== null) this.#drained();
    }
  }

  async #execute(request: OrderRequest, receivedAt: number): Promise<Order> {
    const { symbol, side, quantity } = request;
    const limitPrice = request.type === "limit" ? (request.price ?? null) : null;
    let status: Order["status"];
    let reason: string | null = null;
    let fillPrice: number | null = null;
    let fill: Fill | null = null;
    let position: StoredPosition | null = null;
    const id = uuidv7();
    const quote = this.#market.quote(symbol);
    const pending = this.#pending.get(symbol);
    if (quote === undefined || pending === undefined) {
      status = "rejected";
      reason = `Unknown symbol ${symbol}`;
    } else {
      reason = checkRisk(request, quote, this.#portfolio.quantity(symbol), pending, this.#limits);
      if (reason !== null) {
        status = "rejected";
      } else {
        if (side === "BUY") pending.buy += quantity;
        else pending.sell += quantity;
        let accepted: boolean;
        try {
          accepted = await this.#venue.send();
        } finally {
          if (side === "BUY") pending.buy -= quantity;
          else pending.sell -= quantity;
        }
        if (!accepted) {
          status = "failed";
          reason = "The venue failed the order";
        } else {
          const result = match(request, this.#market.quote(symbol)!);
          if (result.status === "cancelled") {
            status = "cancelled";
            reason = result.reason;
          } else {
            status = "filled";
            fillPrice = result.price;
            position = this.#portfolio.apply(symbol, side, quantity, fillPrice);
            this.#fills++;
          }
        }
      }
    }
    const completed = performance.now();
    const completedAt = isoAt(completed);
    if (status === "filled") {
      fill = { orderId: id, symbol, side, quantity, price: fillPrice!, time: completedAt };
    }
    const order: Order = {
      id,
      symbol,
      side,
      type: request.type,
      quantity,
      limitPrice,
      status,
      filledQuantity: status === "filled" ? quantity : 0,
      fillPrice,
      reason,
      receivedAt: isoAt(receivedAt),
      completedAt,
    };
    await this.#store.append({ order, fill, position });
    if (position !== null && this.#positionsCached) {
      this.#positionsCached = false;
      await this.#cache.delete(POSITIONS_KEY);
    }
    if (this.#bus.active) {
      this.#bus.emit({
        type: "order",
        order,
        latencySeconds: (performance.now() - receivedAt) / 1000,
      });
    }
    return order;
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
    if (!this.#market.has(symbol)) return null;
    const key = `quote:${symbol}`;
    const cached = await this.#cache.get<Quote>(key);
    this.#emitCache(cached !== undefined);
    if (cached !== undefined) return cached;
    const fresh = this.#market.quote(symbol)!;
    await this.#cache.set(key, fresh, this.#config.cacheTtlMs);
    return fresh;
  }

  #emitCache(hit: boolean): void {
    if (this.#bus.active) this.#bus.emit({ type: "cache", hit });
  }

  risk(): RiskSnapshot {
    return this.#risk;
  }

  async ready(): Promise<Readiness> {
    const open = this.#closing === null;
    const marketData = open && nowMs() - this.#market.lastTickAt <= this.#config.staleAfterMs;
    const database = open && await this.#store.ping();
    return { database, marketData };
  }

  /**
   * Subscribes to domain events. A new subscriber first receives the current pool state,
   * positions and risk, so gauges start with real values.
   */
  on(listener: (event: DomainEvent) => void): () => void {
    const off = this.#bus.on(listener);
    const replay: DomainEvent[] = [];
    if (this.#poolState !== null) replay.push({ type: "pool", ...this.#poolState });
    replay.push({ type: "positions", positions: this.#portfolio.snapshot() });
    replay.push({ type: "risk", risk: this.#risk });
    for (const event of replay) {
      try {
        listener(event);
      } catch {
        // A failing listener must not break subscription; the bus reports its later errors.
      }
    }
    return off;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#market.close();
    if (this.#riskTimer !== undefined) clearInterval(this.#riskTimer);
    this.#riskTimer = undefined;
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

/**
 * Builds the trading service: validates the config, opens the store (reloading positions),
 * and starts the market and risk timers. Throws `TradingConfigError` for an invalid config.
 */
export async function createTradingService(
  config: TradingConfig,
  options: TradingServiceOptions = {},
): Promise<TradingService & TradingEngine> {
  validateTradingConfig(config);
  const bus = new EventBus(options.onListenerError);
  let engine: TradingEngine | null = null;
  let early: PoolState | null = null;
  const store = options.store ?? (options.decorate?.store ?? ((s) => s))(
    new SqliteStore({
      path: config.dbPath,
      poolSize: config.poolSize,
      onPoolChange: (state) => {
        if (engine === null) early = state;
        else engine.setPoolState(state);
      },
    }),
  );
  const cache = options.cache ?? new MemoryCache();
  try {
    engine = new TradingEngine(config, store, cache, bus, options.decorate);
    if (early !== null) engine.setPoolState(early);
    engine.restore(await store.loadPositions());
  } catch (error) {
    await store.close();
    await cache.close();
    throw error;
  }
  if (options.startTimers !== false) engine.start();
  return engine;
}
