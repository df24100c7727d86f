/** Shared inputs of the order-path tests: a quote and an order request builder. */
import type { OrderRequest, Quote } from "../../src/trading/types.ts";

/** A quote of XYZ: bid 99.9, ask 100.1, last 100. */
export const QUOTE: Quote = {
  symbol: "XYZ",
  bid: 99.9,
  ask: 100.1,
  last: 100,
  exchangeTime: 0,
  receivedTime: 0,
};

/** A market BUY of 10 XYZ, with `o` on top. */
export const request = (o: Partial<OrderRequest> = {}): OrderRequest => ({
  symbol: "XYZ",
  side: "BUY",
  quantity: 10,
  type: "market",
  ...o,
});
