/**
 * The row shapes every SQL store shares (SQLite, PostgreSQL): the order columns, row → domain
 * mappings and the parameter lists of an order and a fill, in column order.
 *
 * @module
 */

import {
  type Fill,
  InvalidCursorError,
  ORDER_CURSOR_PATTERN,
  type StoredPosition,
} from "../trading/ports.ts";
import type { Order, OrderPage, OrderStatus, OrderType, Side } from "../trading/types.ts";

/** The order columns, in the order of {@link orderValues}. */
export const ORDER_COLUMNS = "id, symbol, side, type, quantity, limit_price, status, " +
  "filled_quantity, fill_price, reason, received_at, completed_at";

/** The fill columns, in the order of {@link fillValues}. */
export const FILL_COLUMNS = "order_id, symbol, side, quantity, price, time";

/** An `orders` row as selected with `seq, ORDER_COLUMNS` (`seq` is a string in PostgreSQL). */
export interface OrderRow {
  seq: number | string;
  id: string;
  symbol: string;
  side: string;
  type: string;
  quantity: number;
  limit_price: number | null;
  status: string;
  filled_quantity: number;
  fill_price: number | null;
  reason: string | null;
  received_at: string;
  completed_at: string;
}

/** The order of a row. */
export function rowToOrder(row: OrderRow): Order {
  return {
    id: row.id,
    symbol: row.symbol,
    side: row.side as Side,
    type: row.type as OrderType,
    quantity: row.quantity,
    limitPrice: row.limit_price,
    status: row.status as OrderStatus,
    filledQuantity: row.filled_quantity,
    fillPrice: row.fill_price,
    reason: row.reason,
    receivedAt: row.received_at,
    completedAt: row.completed_at,
  };
}

/** A `positions` row. */
export interface PositionRow {
  symbol: string;
  quantity: number;
  avg_cost: number;
  realized_pnl: number;
}

/** The stored position of a row. */
export function rowToPosition(r: PositionRow): StoredPosition {
  return {
    symbol: r.symbol,
    quantity: r.quantity,
    avgCost: r.avg_cost,
    realizedPnl: r.realized_pnl,
  };
}

/** An order's values in {@link ORDER_COLUMNS} order. */
export function orderValues(o: Order): [
  string,
  string,
  Side,
  OrderType,
  number,
  number | null,
  OrderStatus,
  number,
  number | null,
  string | null,
  string,
  string,
] {
  return [
    o.id,
    o.symbol,
    o.side,
    o.type,
    o.quantity,
    o.limitPrice,
    o.status,
    o.filledQuantity,
    o.fillPrice,
    o.reason,
    o.receivedAt,
    o.completedAt,
  ];
}

/** A fill's values in {@link FILL_COLUMNS} order. */
export function fillValues(f: Fill): [string, string, Side, number, number, string] {
  return [f.orderId, f.symbol, f.side, f.quantity, f.price, f.time];
}

/**
 * The `seq` a `before` cursor stands for (null without one): cursors are the decimal `seq` of
 * the last order of the previous page.
 * @throws {InvalidCursorError} for a cursor no store hands out
 */
export function cursorSeq(before: string | undefined): number | null {
  if (before === undefined) return null;
  if (!ORDER_CURSOR_PATTERN.test(before)) throw new InvalidCursorError();
  return Number(before);
}

/** A page of at most `limit` orders from up to `limit + 1` rows, newest first. */
export function orderPage(rows: readonly OrderRow[], limit: number): OrderPage {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return {
    orders: page.map(rowToOrder),
    nextCursor: more ? String(page[page.length - 1].seq) : null,
  };
}
