/**
 * Step 3 of the order path, its pure part: the write that records an order's outcome (the order,
 * its fill, the position limit the store checks when it applies the fill).
 *
 * @module
 */

import type { Outcome } from "./execute.ts";
import type { OrderWrite } from "./ports.ts";
import type { OrderRequest } from "./types.ts";

/** What `orderWrite` needs besides the request and its outcome. */
export interface WriteContext {
  id: string;
  /** ISO-8601 times of receipt and completion. */
  receivedAt: string;
  completedAt: string;
  maxPosition: number;
}

/** The store write of `request` ending in `outcome`. */
export function orderWrite(
  request: OrderRequest,
  outcome: Outcome,
  context: WriteContext,
): OrderWrite {
  const { id, completedAt } = context;
  const { symbol, side, quantity } = request;
  const filled = outcome.status === "filled";
  return {
    order: {
      id,
      symbol,
      side,
      type: request.type,
      quantity,
      limitPrice: request.type === "limit" ? (request.price ?? null) : null,
      status: outcome.status,
      filledQuantity: filled ? quantity : 0,
      fillPrice: outcome.price,
      reason: outcome.reason,
      receivedAt: context.receivedAt,
      completedAt,
    },
    fill: filled
      ? { orderId: id, symbol, side, quantity, price: outcome.price!, time: completedAt }
      : null,
    maxPosition: context.maxPosition,
  };
}
