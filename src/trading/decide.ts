/**
 * The first step of the order path, pure: decide whether an order may go to the venue
 * (pre-trade risk checks), and how an order that came back from it matches the quote. No I/O,
 * no clocks.
 *
 * - Market orders fill in full at the ask (BUY) or the bid (SELL).
 * - Limit orders are immediate-or-cancel: they fill at the quote when it is at or better than
 *   the limit (ask ≤ limit for BUY, bid ≥ limit for SELL), otherwise they are cancelled.
 * - Risk checks run before the venue: quantity limit, notional limit (quantity × the quote the
 *   order would take, or × the limit price for a limit order: its worst case), and the position
 *   limit on the worst case of the current position plus every order still at the venue.
 *
 * @module
 */

import type { OrderRequest, Quote } from "./types.ts";
import { positionLimitReason } from "./position.ts";

/** Risk limits of the engine. */
export interface RiskLimits {
  maxPosition: number;
  maxNotional: number;
  maxOrderQuantity: number;
}

/** Quantities of orders sent to the venue but not yet completed, per side. */
export interface PendingExposure {
  buy: number;
  sell: number;
}

/** The price a market order would take now. */
export function marketPrice(side: OrderRequest["side"], quote: Quote): number {
  return side === "BUY" ? quote.ask : quote.bid;
}

/**
 * Pre-trade risk check. Returns the reason to reject the order, or null to send it on.
 * `position` is the signed current position; `pending` the exposure still at the venue.
 */
export function checkRisk(
  request: OrderRequest,
  quote: Quote,
  position: number,
  pending: PendingExposure,
  limits: RiskLimits,
): string | null {
  const { quantity } = request;
  if (!Number.isFinite(quantity) || quantity <= 0) return "Quantity must be a positive number";
  if (quantity > limits.maxOrderQuantity) {
    return `Quantity exceeds the maximum order quantity of ${limits.maxOrderQuantity}`;
  }
  let price: number;
  if (request.type === "limit") {
    const limit = request.price;
    if (limit === undefined || !Number.isFinite(limit) || limit <= 0) {
      return "Limit orders need a positive price";
    }
    price = limit;
  } else {
    price = marketPrice(request.side, quote);
  }
  const notional = quantity * price;
  if (notional > limits.maxNotional) {
    return `Notional ${notional.toFixed(2)} exceeds the limit of ${limits.maxNotional}`;
  }
  const worst = request.side === "BUY"
    ? position + pending.buy + quantity
    : position - pending.sell - quantity;
  return positionLimitReason(worst, limits.maxPosition);
}

/**
 * Step 1 of the order path: the reason to reject `request` before the venue, or null to send it
 * on. `quote` and `pending` are undefined for a symbol outside the universe.
 */
export function decide(
  request: OrderRequest,
  quote: Quote | undefined,
  position: number,
  pending: PendingExposure | undefined,
  limits: RiskLimits,
): string | null {
  if (quote === undefined || pending === undefined) return `Unknown symbol ${request.symbol}`;
  return checkRisk(request, quote, position, pending, limits);
}

/** The outcome of matching an order against a quote. */
export type MatchResult =
  | { status: "filled"; price: number }
  | { status: "cancelled"; reason: string };

/** Matches a risk-checked order against the current quote (market: fill; limit: IOC). */
export function match(request: OrderRequest, quote: Quote): MatchResult {
  const price = marketPrice(request.side, quote);
  if (request.type === "limit") {
    const limit = request.price!;
    const marketable = request.side === "BUY" ? price <= limit : price >= limit;
    if (!marketable) {
      return {
        status: "cancelled",
        reason: `Limit ${limit} not marketable against ${
          request.side === "BUY" ? "ask" : "bid"
        } ${price}`,
      };
    }
  }
  return { status: "filled", price };
}
