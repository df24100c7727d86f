import assert from "node:assert/strict";
import { Portfolio } from "../../src/trading/portfolio.ts";

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `expected ${expected}, got ${actual}`);

function position(p: Portfolio, symbol: string) {
  return p.snapshot().find((x) => x.symbol === symbol)!;
}

Deno.test("average-cost P&L through buy, add, partial sell, flip short, cover and flat", () => {
  const p = new Portfolio(["XYZ", "ABC"], () => 10);

  // Buy 100 @ 10: long 100 at 10.
  let s = p.apply("XYZ", "BUY", 100, 10);
  assert.deepEqual(s, { symbol: "XYZ", quantity: 100, avgCost: 10, realizedPnl: 0 });

  // Add 50 @ 13: average (100×10 + 50×13) / 150 = 11.
  s = p.apply("XYZ", "BUY", 50, 13);
  assert.equal(s.quantity, 150);
  close(s.avgCost, 11);

  // Sell 60 @ 12: realise 60 × (12 − 11) = 60; 90 left at 11.
  s = p.apply("XYZ", "SELL", 60, 12);
  assert.equal(s.quantity, 90);
  close(s.avgCost, 11);
  close(s.realizedPnl, 60);

  // Mark at 14: unrealised 90 × (14 − 11) = 270, market value 1260.
  p.mark("XYZ", 14);
  let pos = position(p, "XYZ");
  close(pos.unrealizedPnl, 270);
  close(pos.marketValue, 1260);
  assert.equal(pos.marketPrice, 14);
  assert.equal(p.openCount, 1);

  // Sell 120 @ 9: closes 90 (realise 90 × (9 − 11) = −180, total −120), opens short 30 @ 9.
  s = p.apply("XYZ", "SELL", 120, 9);
  assert.equal(s.quantity, -30);
  close(s.avgCost, 9);
  close(s.realizedPnl, -120);

  // Mark at 8: short gains, unrealised −30 × (8 − 9) = 30; market value −240.
  p.mark("XYZ", 8);
  pos = position(p, "XYZ");
  close(pos.unrealizedPnl, 30);
  close(pos.marketValue, -240);

  // Buy 10 @ 7 covers part of the short: realise 10 × (9 − 7) = 20, total −100; avg stays 9.
  s = p.apply("XYZ", "BUY", 10, 7);
  assert.equal(s.quantity, -20);
  close(s.avgCost, 9);
  close(s.realizedPnl, -100);

  // Sell 20 @ 8 adds to the short: average (20×9 + 20×8) / 40 = 8.5.
  s = p.apply("XYZ", "SELL", 20, 8);
  assert.equal(s.quantity, -40);
  close(s.avgCost, 8.5);

  // Buy 40 @ 10 covers it all: realise 40 × (8.5 − 10) = −60, total −160; flat.
  s = p.apply("XYZ", "BUY", 40, 10);
  assert.deepEqual(s, { symbol: "XYZ", quantity: 0, avgCost: 0, realizedPnl: s.realizedPnl });
  close(s.realizedPnl, -160);
  pos = position(p, "XYZ");
  assert.equal(pos.unrealizedPnl, 0);
  assert.equal(pos.marketValue, 0);
  assert.equal(p.openCount, 0);

  // The other symbol was never touched.
  assert.deepEqual(position(p, "ABC"), {
    symbol: "ABC",
    quantity: 0,
    avgCost: 0,
    marketPrice: 10,
    marketValue: 0,
    realizedPnl: 0,
    unrealizedPnl: 0,
  });
});

Deno.test("short from flat, then buy through zero into a long", () => {
  const p = new Portfolio(["XYZ"], () => 50);
  p.apply("XYZ", "SELL", 10, 50);
  // Buy 25 @ 45: cover 10 (realise 10 × (50 − 45) = 50), open long 15 @ 45.
  const s = p.apply("XYZ", "BUY", 25, 45);
  assert.equal(s.quantity, 15);
  close(s.avgCost, 45);
  close(s.realizedPnl, 50);
  p.mark("XYZ", 47);
  close(p.snapshot()[0].unrealizedPnl, 30);
  assert.deepEqual(Array.from(p.exposures()), [15 * 47]);
});

Deno.test("restore loads stored positions and ignores symbols outside the universe", () => {
  const p = new Portfolio(["XYZ"], () => 20);
  p.restore([
    { symbol: "XYZ", quantity: -5, avgCost: 21, realizedPnl: 3 },
    { symbol: "GONE", quantity: 7, avgCost: 1, realizedPnl: 0 },
  ]);
  assert.equal(p.quantity("XYZ"), -5);
  assert.equal(p.quantity("GONE"), 0);
  const pos = p.snapshot();
  assert.equal(pos.length, 1);
  close(pos[0].unrealizedPnl, 5);
  assert.throws(() => p.apply("GONE", "BUY", 1, 1), /Unknown symbol/);
});
