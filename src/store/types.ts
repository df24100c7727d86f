/**
 * The storage contract of the trading domain: orders, fills and positions, durably stored.
 * Implementations: `sqlite.ts` (node:sqlite, group commit, connection pool).
 *
 * @module
 */

import type { Order, OrderPage, Side } from "../trading/types.ts";

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

/** Everything one order changes, written atomically (in the same transaction). */
export interface OrderWrite {
  order: Order;
  fill: Fill | null;
  /** The symbol's position after this order, when it changed. */
  position: StoredPosition | null;
}

/** Connection-pool state, reported on every change. */
export interface PoolState {
  active: number;
  idle: number;
  waiting: number;
  max: number;
}

/** Durable storage of orders, fills and positions. */
export interface OrderStore {
  /**
   * Queues a write; resolves once the transaction holding it has committed (group commit), and
   * rejects if that transaction failed. After a failed commit the store refuses every later
   * write (fail-stop) and `ping()` answers false.
   */
  append(write: OrderWrite): Promise<void>;
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
  /** Commits pending writes and closes every connection. */
  close(): Promise<void>;
}

/**
 * The shape of every pagination cursor a store hands out as `nextCursor` (a positive decimal
 * sequence number). An edge can check `before` against it and answer 4xx up front.
 */
export const ORDER_CURSOR_PATTERN: RegExp = /^[1-9][0-9]{0,15}$/;

/** A pagination cursor that is not one this store handed out. */
export class InvalidCursorError extends Error {
  /** The request field at fault. */
  readonly field = "before";
  constructor() {
    super("Invalid pagination cursor");
    this.name = "InvalidCursorError";
  }
}
