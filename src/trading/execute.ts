/**
 * Step 2 of the order path: send a risk-checked order to the venue and match what comes back
 * against the quote of that moment.
 *
 * @module
 */

import { match } from "./decide.ts";
import type { Venue } from "./ports.ts";
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
 * Sends `request` to `venue`; a venue failure is `failed`, otherwise the order matches against
 * `quoteNow()` (read after the venue answered): `filled`, or `cancelled` for a limit order that
 * is not marketable.
 */
export async function execute(
  request: OrderRequest,
  venue: Venue,
  quoteNow: () => Quote,
): Promise<Outcome> {
  if (!(await venue.send(request))) {
    return { status: "failed", price: null, reason: "The venue failed the order" };
  }
  const result = match(request, quoteNow());
  return result.status === "filled"
    ? { status: "filled", price: result.price, reason: null }
    : { status: "cancelled", price: null, reason: result.reason };
}
