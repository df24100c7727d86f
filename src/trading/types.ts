/**
 * The trading domain's public types: the contract between the pure domain (`src/trading`) and
 * its edges (`src/server`, `src/metrics`). The ports adapters implement are in `ports.ts`.
 * Nothing here imports HTTP or metrics code.
 *
 * @module
 */

import type { PoolState } from "./ports.ts";

/** Order side. */
export type Side = "BUY" | "SELL";
/** Order type: market orders fill at the current quote; limit orders are immediate-or-cancel. */
export type OrderType = "market" | "limit";
/** Final order status; every order reaches one before `placeOrder` resolves. */
export type OrderStatus = "filled" | "cancelled" | "rejected" | "failed";

/** A validated order request (the server validates shape; the domain checks risk). */
export interface OrderRequest {
  symbol: string;
  side: Side;
  quantity: number;
  type: OrderType;
  /** Limit price, required for limit orders. */
  price?: number;
}

/** An order with its final status, as stored and as answered over HTTP. */
export interface Order {
  id: string;
  symbol: string;
  side: Side;
  type: OrderType;
  quantity: number;
  limitPrice: number | null;
  status: OrderStatus;
  filledQuantity: number;
  fillPrice: number | null;
  /** Why the order was rejected or failed; null otherwise. */
  reason: string | null;
  /** ISO-8601 timestamps. */
  receivedAt: string;
  completedAt: string;
}

/** The latest simulated quote of one symbol. */
export interface Quote {
  symbol: string;
  bid: number;
  ask: number;
  last: number;
  /** Exchange timestamp of the tick, ms since the epoch. */
  exchangeTime: number;
  /** When tradewatch processed the tick, ms since the epoch. */
  receivedTime: number;
}

/** One position, average-cost accounting, marked to market on every tick. */
export interface Position {
  symbol: string;
  /** Signed quantity: positive long, negative short, 0 flat. */
  quantity: number;
  avgCost: number;
  marketPrice: number;
  /** quantity × marketPrice. */
  marketValue: number;
  realizedPnl: number;
  unrealizedPnl: number;
}

/** The latest historical-simulation VaR of the current portfolio. */
export interface RiskSnapshot {
  /** One-period VaR in dollars (a positive number is a loss), keyed by confidence level. */
  var: { "0.95": number; "0.99": number };
  /** Number of simulated returns in the window. */
  windowSize: number;
  portfolioValue: number;
  /** ISO-8601 time of the computation. */
  computedAt: string;
}

/** Readiness of the engine's dependencies. */
export interface Readiness {
  database: boolean;
  /** Market data ticked within its staleness bound. */
  marketData: boolean;
  /** The read cache answers (Redis reachable; always true in-process). Not needed for ready. */
  cache: boolean;
  /**
   * This replica's part in the market feed: `local` (simulates alone), `leader` (simulates and
   * publishes), `follower` (applies the leader's rounds).
   */
  feed: "local" | "leader" | "follower";
}

/** A page of recent orders, newest first. */
export interface OrderPage {
  orders: Order[];
  /** Pass as `before` to get the next page; null at the end. */
  nextCursor: string | null;
}

/**
 * What the domain reports as it happens; `src/metrics/recorder.ts` turns these into counter and
 * histogram updates, so the domain stays free of metrics imports. State (positions, VaR, the
 * pool, tick times) is not pushed: gauges read `TradingService.state()` at scrape time.
 */
export type DomainEvent =
  | {
    type: "order";
    order: Order;
    latencySeconds: number;
    /** What the caller of `placeOrder` passed to correlate this order (the edge's trace id). */
    correlation?: string;
  }
  | { type: "signal"; strategy: "ma_crossover" | "mean_reversion"; signal: "buy" | "sell" }
  | { type: "cache"; hit: boolean };

/** Engine configuration (the trading part of the service's Config). */
export interface TradingConfig {
  symbols: readonly string[];
  /** Market tick interval in ms. */
  tickIntervalMs: number;
  /** Annualised volatility of the GBM price feed (e.g. 0.3). */
  volatility: number;
  /** RNG seed; the same seed gives the same price paths. */
  seed: number;
  /** Median simulated feed delay (exchange time to processing) in ms. */
  feedDelayMs: number;
  /** Median simulated venue latency in ms (log-normal); 0 turns it off. */
  venueLatencyMs: number;
  /** Probability (0..1) that the venue fails an order. */
  failRate: number;
  /** Largest absolute position per symbol, in shares. */
  maxPosition: number;
  /** Largest notional of one order, in dollars. */
  maxNotional: number;
  /** Largest quantity of one order. */
  maxOrderQuantity: number;
  /** SQLite file path, ":memory:", or a `postgres://` URL (the PostgreSQL store). */
  dbPath: string;
  /** `redis://` URL of the Redis read cache; null: the in-process cache. */
  cacheUrl: string | null;
  /** Connection pool size. */
  poolSize: number;
  /** Read-cache TTL in ms. */
  cacheTtlMs: number;
  /** VaR window (number of simulated returns) and recomputation interval. */
  varWindow: number;
  varIntervalMs: number;
  /** Market data counts as stale after this many ms without a tick. */
  staleAfterMs: number;
}

/** When the latest tick of a symbol was stamped by the exchange and processed, ms since the epoch. */
export interface TickTimes {
  symbol: string;
  exchangeTime: number;
  receivedTime: number;
}

/** What gauges read at scrape time (`TradingService.state()`). */
export interface TradingState {
  /** Every symbol's position (committed fills, marked to the latest tick), not through the cache. */
  positions: Position[];
  risk: RiskSnapshot;
  /** The store's connection pool at this moment. */
  pool: PoolState;
  /** Per symbol, in universe order, the latest tick's times. */
  ticks: TickTimes[];
}

/** The trading engine as the server sees it. */
export interface TradingService {
  readonly symbols: readonly string[];
  /**
   * Decide, execute and durably store an order. Resolves only after the order's final status
   * is committed (an order answered 2xx survives `kill -9`). `receivedAt` is `performance.now()`
   * at receipt, so latency covers receipt to final status. `correlation`, an opaque string, is
   * carried by the order's event (the edge passes its trace id, which becomes an exemplar).
   */
  placeOrder(request: OrderRequest, receivedAt: number, correlation?: string): Promise<Order>;
  getOrder(id: string): Promise<Order | null>;
  listOrders(options: { limit: number; before?: string }): Promise<OrderPage>;
  /** Positions through the read cache (counts cache hits/misses). */
  positions(): Promise<Position[]>;
  /** A quote through the read cache; null for a symbol outside the universe. */
  quote(symbol: string): Promise<Quote | null>;
  risk(): RiskSnapshot;
  /** The state gauges read at scrape time: synchronous, no cache, no I/O. */
  state(): TradingState;
  ready(): Promise<Readiness>;
  /** Whether the last market-data tick is at most `staleAfterMs` old (synchronous, no I/O). */
  marketDataFresh(): boolean;
  /** Whether the store can write, as far as it knows now (synchronous, no I/O). */
  storeWritable(): boolean;
  /** Subscribe to domain events; returns an unsubscribe function. */
  on(listener: (event: DomainEvent) => void): () => void;
  /** Stop timers, flush pending writes, close the database. */
  close(): Promise<void>;
}
