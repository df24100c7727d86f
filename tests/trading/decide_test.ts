import assert from "node:assert/strict";
import { checkRisk, match, type RiskLimits } from "../../src/trading/decide.ts";
import { QUOTE as quote, request as order } from "./fixtures.ts";

const limits: RiskLimits = { maxPosition: 100, maxNotional: 5_000, maxOrderQuantity: 40 };
const none = { buy: 0, sell: 0 };

Deno.test("market orders fill at the ask when buying and at the bid when selling", () => {
  assert.deepEqual(match(order({ side: "BUY" }), quote), { status: "filled", price: 100.1 });
  assert.deepEqual(match(order({ side: "SELL" }), quote), { status: "filled", price: 99.9 });
});

Deno.test("limit orders are immediate-or-cancel at the quote", () => {
  const buy = (price: number) => match(order({ type: "limit", side: "BUY", price }), quote);
  const sell = (price: number) => match(order({ type: "limit", side: "SELL", price }), quote);
  assert.deepEqual(buy(100.2), { status: "filled", price: 100.1 });
  assert.deepEqual(buy(100.1), { status: "filled", price: 100.1 });
  assert.equal(buy(100).status, "cancelled");
  assert.deepEqual(sell(99.8), { status: "filled", price: 99.9 });
  assert.deepEqual(sell(99.9), { status: "filled", price: 99.9 });
  const cancelled = sell(100);
  assert.equal(cancelled.status, "cancelled");
  assert.match((cancelled as { reason: string }).reason, /not marketable/);
});

Deno.test("risk checks: quantity, notional, position with pending exposure, limit price", () => {
  assert.equal(checkRisk(order({}), quote, 0, none, limits), null);
  assert.match(checkRisk(order({ quantity: 41 }), quote, 0, none, limits)!, /maximum order/);
  assert.match(checkRisk(order({ quantity: 0 }), quote, 0, none, limits)!, /positive/);
  assert.match(checkRisk(order({ quantity: NaN }), quote, 0, none, limits)!, /positive/);
  // 40 × 100.1 = 4004 is fine; at a limit of 130, 40 × 130 = 5200 is not.
  assert.equal(checkRisk(order({ quantity: 40 }), quote, 0, none, limits), null);
  assert.match(
    checkRisk(order({ quantity: 40, type: "limit", price: 130 }), quote, 0, none, limits)!,
    /Notional 5200.00 exceeds/,
  );
  assert.match(checkRisk(order({ type: "limit" }), quote, 0, none, limits)!, /need a positive/);
  // Position limit 100: long 90 cannot buy 20, can sell 20; short 90 cannot sell 20.
  assert.match(checkRisk(order({ quantity: 20 }), quote, 90, none, limits)!, /position 110/);
  assert.equal(checkRisk(order({ side: "SELL", quantity: 20 }), quote, 90, none, limits), null);
  assert.match(
    checkRisk(order({ side: "SELL", quantity: 20 }), quote, -90, none, limits)!,
    /position -110/,
  );
  // Pending buys count against the limit: 40 held + 50 at the venue + 20 > 100.
  assert.match(checkRisk(order({ quantity: 20 }), quote, 40, { buy: 50, sell: 0 }, limits)!, /110/);
  // Pending sells do not block a buy.
  assert.equal(checkRisk(order({ quantity: 20 }), quote, 40, { buy: 0, sell: 50 }, limits), null);
  // Exactly at the limit is allowed.
  assert.equal(checkRisk(order({ quantity: 10 }), quote, 90, none, limits), null);
});
