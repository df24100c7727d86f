import assert from "node:assert/strict";
import { MaCrossover } from "../../src/trading/strategies/ma_crossover.ts";
import { MeanReversion } from "../../src/trading/strategies/mean_reversion.ts";
import type { Signal, Strategy } from "../../src/trading/strategies/strategy.ts";

function run(strategy: Strategy, prices: number[], symbol = "XYZ"): [number, Signal][] {
  const out: [number, Signal][] = [];
  prices.forEach((p, i) => {
    const s = strategy.onPrice(symbol, p);
    if (s !== null) out.push([i, s]);
  });
  return out;
}

Deno.test("MA crossover signals buy on an upward cross and sell on a downward cross", () => {
  // Short 2, long 4. Falling prices put the short average below the long one; a jump up then
  // crosses it above (buy), a drop crosses it below (sell).
  const prices = [10, 9, 8, 7, 6, 5, 20, 21, 22, 1, 1, 1];
  const signals = run(new MaCrossover(2, 4), prices);
  // i=3: first full window (short 7.5 < long 8.5), no signal. i=6: short 12.5 > long 9.5 → buy.
  // i=9: short (22+1)/2 = 11.5 < long (20+21+22+1)/4 = 16 → sell.
  assert.deepEqual(signals, [[6, "buy"], [9, "sell"]]);
});

Deno.test("MA crossover stays silent on a steady trend and keeps symbols apart", () => {
  const s = new MaCrossover(5, 20);
  assert.deepEqual(run(s, Array.from({ length: 100 }, (_, i) => 100 + i)), []);
  // Another symbol starts its own windows.
  assert.deepEqual(run(s, [1, 2, 3], "OTHER"), []);
  assert.throws(() => new MaCrossover(5, 5), /longer/);
});

Deno.test("mean reversion buys a 2-sigma drop and sells a 2-sigma spike, once per excursion", () => {
  // Window 4 of alternating 100/102: mean 101, std 1. 98 → z = −3 → buy; 98 again is not
  // re-signalled (disarmed until |z| ≤ 0.5).
  const m = new MeanReversion(4, 2, 0.5);
  const series = [100, 102, 100, 102, 98, 98];
  assert.deepEqual(run(m, series), [[4, "buy"]]);

  // A fresh instance: a spike up sells.
  const m2 = new MeanReversion(4, 2, 0.5);
  assert.deepEqual(run(m2, [100, 102, 100, 102, 104.5]), [[4, "sell"]]);

  // Re-arming: after the buy, a price back at the window mean re-arms, a new drop buys again.
  const m3 = new MeanReversion(4, 2, 0.5);
  // After 98: window [102,100,102,98] mean 100.5 std≈1.66; 100.5 → z = 0 → re-arm.
  // Window [100,102,98,100.5] mean 100.125 std≈1.43; 96 → z≈−2.9 → buy.
  assert.deepEqual(run(m3, [100, 102, 100, 102, 98, 100.5, 96]), [[4, "buy"], [6, "buy"]]);
});

Deno.test("mean reversion is silent on a constant price", () => {
  assert.deepEqual(run(new MeanReversion(), Array(50).fill(42)), []);
});
