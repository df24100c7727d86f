/**
 * Average-cost position accounting as pure functions, shared by the in-memory book and every
 * store (a store applies a fill to its own stored row inside the transaction that commits it).
 *
 * - Adding to a position (or opening one) moves the average cost to the quantity-weighted mean.
 * - Reducing a position realises (fill price − average cost) × closed quantity × direction and
 *   keeps the average cost.
 * - Crossing through zero closes the old position (realising its P&L) and opens the remainder
 *   on the other side at the fill price.
 *
 * @module
 */

import type { Fill, OrderCommit, OrderWrite, StoredPosition } from "./ports.ts";

/** Quantities smaller than this are treated as flat (guards float residue). */
const EPSILON = 1e-9;

/** A flat position in `symbol`. */
export function flatPosition(symbol: string): StoredPosition {
  return { symbol, quantity: 0, avgCost: 0, realizedPnl: 0 };
}

/** The position after `fill` (a new object; `position` is not changed). */
export function applyFill(
  position: StoredPosition,
  fill: Pick<Fill, "side" | "quantity" | "price">,
): StoredPosition {
  const { quantity, price } = fill;
  const signed = fill.side === "BUY" ? quantity : -quantity;
  const q = position.quantity;
  let avgCost = position.avgCost;
  let realizedPnl = position.realizedPnl;
  let next: number;
  if (q === 0 || Math.sign(q) === Math.sign(signed)) {
    const total = Math.abs(q) + quantity;
    avgCost = (Math.abs(q) * avgCost + quantity * price) / total;
    next = q + signed;
  } else {
    const closed = Math.min(quantity, Math.abs(q));
    realizedPnl += closed * (price - avgCost) * Math.sign(q);
    next = q + signed;
    if (Math.abs(next) < EPSILON) next = 0;
    if (next === 0) avgCost = 0;
    else if (Math.sign(next) !== Math.sign(q)) avgCost = price;
  }
  return { symbol: position.symbol, quantity: next, avgCost, realizedPnl };
}

/** The reason to refuse an order whose resulting position `worst` breaks the position limit. */
export function positionLimitReason(worst: number, maxPosition: number): string | null {
  return Math.abs(worst) > maxPosition
    ? `Resulting position ${worst} exceeds the limit of ${maxPosition} shares`
    : null;
}

/**
 * What a store commits for `write`, given the symbol's stored position (null: no row yet):
 * without a fill, the order as it is; with one, the position after it, or, when that would
 * break `write.maxPosition`, the order turned `rejected` with nothing filled.
 */
export function settleWrite(write: OrderWrite, stored: StoredPosition | null): OrderCommit {
  const { order, fill } = write;
  if (fill === null) return { order, position: null };
  const position = applyFill(stored ?? flatPosition(fill.symbol), fill);
  const reason = positionLimitReason(position.quantity, write.maxPosition);
  if (reason === null) return { order, position };
  return {
    order: { ...order, status: "rejected", filledQuantity: 0, fillPrice: null, reason },
    position: null,
  };
}
