/**
 * Step 2 of the order path: a risk-checked order goes to the venue (the `Venue` port, awaited by
 * the engine), and what comes back is matched against the quote of that moment.
 *
 * @module
 */

import { match } from "./decide.ts";
import type { OrderRequest, OrderStatus, Quote } from "./types.ts";

/** How an order ended before it is stored: filled at a price, or not filled for a reason. */
export type Outcome =
  | { status: "filled"; price: number; reason: null }
  | { status: Exclude<OrderStatus, "filled">; price: null; reason: string };

/** The outcome of an order the engine refused: `rejected` with `reason`. */
export function rejected(reason: string): Outcome {
  return { status: "rejected", price: null, reason };
}

/**
 * The outcome of a risk-checked order once the venue answered: `failed` when it did not accept
 * it; otherwise matched against `quote` (read after the venue answered): `filled`, or
 * `cancelled` for a limit order that is not marketable. The engine awaits the venue (a port)
 * and calls this; it is pure.
 */
export function outcomeOf(request: OrderRequest, accepted: boolean, quote: Quote): Outcome {
  if (!accepted) return { status: "failed", price: null, reason: "The venue failed the order" };
  const result = match(request, quote);
  return result.status === "filled"
    ? { status: "filled", price: result.price, reason: null }
    : { status: "cancelled", price: null, reason: result.reason };
}
