/**
 * Order fixtures for tests that feed the domain's events to the metrics.
 *
 * @module
 */

import type { Order } from "../../src/trading/types.ts";

/** A market BUY of 1 AAPL, filled at 100, no timestamps; `over` replaces any field. */
export function filledOrder(over: Partial<Order> = {}): Order {
  return {
    id: "1",
    symbol: "AAPL",
    side: "BUY",
    type: "market",
    quantity: 1,
    limitPrice: null,
    status: "filled",
    filledQuantity: 1,
    fillPrice: 100,
    reason: null,
    receivedAt: "",
    completedAt: "",
    ...over,
  };
}
