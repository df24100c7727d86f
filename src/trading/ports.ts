/**
 * The ports of the trading domain: what the engine needs from the world (durable storage, a read
 * cache, a clock, an execution venue), described by the domain and implemented by adapters
 * (`src/store/sqlite.ts`, `src/cache/memory.ts`, `src/trading/venue.ts`'s simulated venue,
 * `systemClock` in `src/trading/clock.ts`). Adapters import from here; nothing in `src/trading/`
 * imports an adapter. The composition root (`src/app.ts`) picks and wires them.
 *
 * @module
 */

import type { Order, OrderPage, OrderRequest, Side } from "./types.ts";

/** The stored part of a position (market values are recomputed from quotes). */
export interface StoredPosition {
  symbol: string;
  /** Signed quantity: positive long, negative short. */
  quantity: number;
  avgCost: number;
  realizedPnl: number;
}

/** One execution of an order. */
export interface Fill {
  orderId: string;
  symbol: string;
  side: Side;
  quantity: number;
  price: number;
  /** ISO-8601 execution time. */
  time: string;
}

/**
 * Everything one order changes, as the engine decided it. The store writes it in one
 * transaction; for a fill it computes the new position from its own stored row with
 * `applyFill` (`position.ts`; `settleWrite` does all of it) and checks
 * `abs(quantity) <= maxPosition` there.
 */
export interface OrderWrite {
  /** The order with the engine's final status (`filled` exactly when `fill` is set). */
  order: Order;
  fill: Fill | null;
  /** The position limit the fill must respect, in shares (checked inside the transaction). */
  maxPosition: number;
}

/** What the store committed for one {@link OrderWrite}. */
export interface OrderCommit {
  /**
   * The order as stored: the write's order, or the same order turned `rejected` (no fill) when
   * its fill would have taken the stored position beyond `maxPosition`.
   */
  order: Order;
  /** The symbol's committed position after the fill; null when nothing was filled. */
  position: StoredPosition | null;
}

/** Connection-pool state of a store. */
export interface PoolState {
  active: number;
  idle: number;
  waiting: number;
  max: number;
}

/** Durable storage of orders, fills and positions. */
export interface OrderStore {
  /**
   * Queues a write; resolves with what was committed once the transaction holding it has
   * committed (group commit), and rejects if that transaction failed (then nothing of the
   * write is stored; `StoreUnavailableError` when the store cannot write now).
   */
  append(write: OrderWrite): Promise<OrderCommit>;
  /** One order by id, or null. */
  getOrder(id: string): Promise<Order | null>;
  /**
   * Recent orders, newest first. `before` is the `nextCursor` of the previous page.
   * Throws `InvalidCursorError` for a malformed cursor.
   */
  listOrders(options: { limit: number; before?: string }): Promise<OrderPage>;
  /** Every stored position. */
  loadPositions(): Promise<StoredPosition[]>;
  /** Whether the database answers a trivial query and writes still work. */
  ping(): Promise<boolean>;
  /**
   * Whether writes work as far as the store knows now (synchronous, no I/O): false after a failed
   * commit until the store found out it can write again. Absent: assumed true.
   */
  writable?(): boolean;
  /** The connection pool's state now (read at scrape time). */
  readonly poolState: PoolState;
  /** Commits pending writes and closes every connection. */
  close(): Promise<void>;
}

/**
 * The shape of every pagination cursor a store hands out as `nextCursor` (a positive decimal
 * sequence number). An edge can check `before` against it and answer 4xx up front.
 */
export const ORDER_CURSOR_PATTERN: RegExp = /^[1-9][0-9]{0,15}$/;

/**
 * The store cannot write now (disk full, database locked, database lost): nothing of the write
 * was stored. The edge answers 503; the store recovers by itself once the cause goes away.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}

/** A pagination cursor that is not one this store handed out. */
export class InvalidCursorError extends Error {
  /** The request field at fault. */
  readonly field = "before";
  constructor() {
    super("Invalid pagination cursor");
    this.name = "InvalidCursorError";
  }
}

/**
 * A key-value read cache with per-entry time-to-live. Asynchronous and JSON-serialisable values,
 * so that a networked cache (Redis) can implement it.
 */
export interface ReadCache {
  /** The live value under `key`, or undefined when absent or expired (a miss). */
  get<T>(key: string): Promise<T | undefined>;
  /** Stores `value` under `key` for `ttlMs` milliseconds. */
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  /** Removes `key` (e.g. after a write made it stale). */
  delete(key: string): Promise<void>;
  /**
   * In-process caches only: `get` and `set` without a promise. The order path uses them when
   * present (two awaits and an async frame less per order: about 2% of POST /orders' CPU).
   */
  getSync?<T>(key: string): T | undefined;
  setSync?<T>(key: string, value: T, ttlMs: number): void;
  /** Whether a networked backend answers now (absent: in-process, always true). */
  ping?(): Promise<boolean>;
  /** Releases the backend's resources. */
  close(): Promise<void>;
}

/**
 * Time, as the domain reads it: one monotonic reading per event; wall-clock time is
 * `origin + monotonic()` (sub-millisecond), so a timestamp costs one reading.
 */
export interface Clock {
  /** Monotonic time in ms (`performance.now()`); order latencies are measured on it. */
  monotonic(): number;
  /** Wall-clock ms since the epoch at monotonic time 0 (`performance.timeOrigin`). */
  readonly origin: number;
}

/**
 * One round of market data as the feed's leader published it: every symbol's mid price and
 * exchange time, in universe order.
 */
export interface FeedRound {
  /** The leader's round number (increases; a new leader continues after the last one seen). */
  seq: number;
  mids: readonly number[];
  exchangeTimes: readonly number[];
}

/** What a market feed tells the engine. */
export interface FeedHandlers {
  /** This replica became the leader (true) or stopped being it (false). */
  lead(leading: boolean): void;
  /** A round published by the leader (never this replica's own). */
  round(round: FeedRound): void;
}

/**
 * Market data shared by replicas: one leader (elected by the adapter, with failover) simulates
 * the market and publishes each round; the others apply the rounds they receive, so every
 * replica quotes the same prices. Without a feed, the engine simulates on its own.
 */
export interface SharedFeed {
  /** Starts electing and listening (in the background); handlers are called from then on. */
  start(handlers: FeedHandlers): void;
  /** Publishes a round of this replica's simulation (only while leading). */
  publish(round: FeedRound): void;
  /** Whether this replica leads the feed now. */
  readonly leading: boolean;
  /** Whether the feed's connection is up now. */
  readonly connected: boolean;
  /** Stops: gives up leadership, closes the connection. */
  close(): Promise<void>;
}

/** Where risk-checked orders are sent for execution. */
export interface Venue {
  /** Sends an order; resolves true when the venue accepted it, false when it failed it. */
  send(request: OrderRequest): Promise<boolean>;
}
