import assert from "node:assert/strict";
import { outcomeOf } from "../../src/trading/execute.ts";
import { settleWrite } from "../../src/trading/position.ts";
import { orderWrite } from "../../src/trading/record.ts";
import type { OrderRequest } from "../../src/trading/types.ts";
import { QUOTE as quote, request } from "./fixtures.ts";

const market: OrderRequest = request();

Deno.test("outcomeOf: a venue failure fails; otherwise the order matches the quote", () => {
  assert.deepEqual(outcomeOf(market, false, quote), {
    status: "failed",
    price: null,
    reason: "The venue failed the order",
  });
  assert.deepEqual(outcomeOf(market, true, quote), {
    status: "filled",
    price: 100.1,
    reason: null,
  });
  const cancelled = outcomeOf(request({ type: "limit", price: 100 }), true, quote);
  assert.equal(cancelled.status, "cancelled");
  assert.match(cancelled.reason!, /not marketable against ask 100.1/);
  const sell = outcomeOf(request({ side: "SELL", type: "limit", price: 99 }), true, quote);
  assert.deepEqual(sell, { status: "filled", price: 99.9, reason: null });
});

Deno.test("orderWrite: a fill exactly for filled orders, limit price only for limit orders", () => {
  const ctx = { id: "o1", receivedAt: "r", completedAt: "c", maxPosition: 50 };
  const filled = orderWrite(market, { status: "filled", price: 100.1, reason: null }, ctx);
  assert.deepEqual(filled.fill, {
    orderId: "o1",
    symbol: "XYZ",
    side: "BUY",
    quantity: 10,
    price: 100.1,
    time: "c",
  });
  assert.equal(filled.order.filledQuantity, 10);
  assert.equal(filled.order.limitPrice, null);
  assert.equal(filled.maxPosition, 50);
  const limit = { ...market, type: "limit" as const, price: 99 };
  const cancelled = orderWrite(limit, { status: "cancelled", price: null, reason: "no" }, ctx);
  assert.equal(cancelled.fill, null);
  assert.equal(cancelled.order.limitPrice, 99);
  assert.equal(cancelled.order.filledQuantity, 0);
  assert.equal(cancelled.order.reason, "no");
});

Deno.test("settleWrite: applies the fill to the stored row, or rejects beyond the limit", () => {
  const ctx = { id: "o1", receivedAt: "r", completedAt: "c", maxPosition: 15 };
  const w = orderWrite(market, { status: "filled", price: 100, reason: null }, ctx);
  assert.deepEqual(settleWrite(w, null).position, {
    symbol: "XYZ",
    quantity: 10,
    avgCost: 100,
    realizedPnl: 0,
  });
  const stored = { symbol: "XYZ", quantity: -8, avgCost: 90, realizedPnl: 1 };
  // Covering 8 short at 100 realises 8 × (100 − 90) × −1 = −80; 2 long remain at 100.
  assert.deepEqual(settleWrite(w, stored).position, {
    symbol: "XYZ",
    quantity: 2,
    avgCost: 100,
    realizedPnl: -79,
  });
  const over = settleWrite(w, { symbol: "XYZ", quantity: 6, avgCost: 90, realizedPnl: 0 });
  assert.equal(over.position, null);
  assert.equal(over.order.status, "rejected");
  assert.equal(over.order.reason, "Resulting position 16 exceeds the limit of 15 shares");
  assert.equal(over.order.fillPrice, null);
  const none = orderWrite(market, { status: "failed", price: null, reason: "x" }, ctx);
  assert.deepEqual(settleWrite(none, stored), { order: none.order, position: null });
});
