import assert from "node:assert/strict";
import { historicalVar, VarWindow } from "../../src/trading/risk.ts";

Deno.test("historicalVar takes the ceil(alpha*N)-th smallest loss, floored at zero", () => {
  // Losses 1..20: k95 = ceil(19) = 19 → 19; k99 = ceil(19.8) = 20 → 20; k90 = 18 → 18.
  const losses = Array.from({ length: 20 }, (_, i) => 20 - i);
  assert.equal(historicalVar(losses, 0.95), 19);
  assert.equal(historicalVar(losses, 0.99), 20);
  assert.equal(historicalVar(losses, 0.9), 18);
  // Ten losses: k95 = ceil(9.5) = 10 → the largest.
  assert.equal(historicalVar([5, -1, 3, 0, 2, 9, 1, 4, 7, 6], 0.95), 9);
  // All gains: nothing at risk.
  assert.equal(historicalVar([-3, -2, -1], 0.99), 0);
  assert.equal(historicalVar([], 0.99), 0);
});

Deno.test("VarWindow: hand-computed two-symbol portfolio", () => {
  // Exposures: long $1000 of A, short $2000 of B.
  // Rounds k = 1..19: A returns −k/1000, B 0 → loss k.
  // Round 20: A −0.020, B −0.010 → P&L = 1000×(−0.02) + (−2000)×(−0.01) = 0 → loss 0.
  // Sorted losses 0,1,…,19: VaR95 = L(19) = 18, VaR99 = L(20) = 19.
  const w = new VarWindow(2, 20);
  for (let k = 1; k <= 19; k++) w.push([-k / 1000, 0]);
  w.push([-0.02, -0.01]);
  const r = w.compute([1000, -2000]);
  assert.equal(r.windowSize, 20);
  assert.equal(r.portfolioValue, -1000);
  assert.ok(Math.abs(r.var95 - 18) < 1e-9, `VaR95 ${r.var95}`);
  assert.ok(Math.abs(r.var99 - 19) < 1e-9, `VaR99 ${r.var99}`);

  // A 21st round evicts round 1 (loss 1) and adds a loss of 50 (A −5%):
  // losses 0,2,…,19,50 → VaR95 = L(19) = 19, VaR99 = L(20) = 50.
  w.push([-0.05, 0]);
  const r2 = w.compute([1000, -2000]);
  assert.equal(r2.windowSize, 20);
  assert.ok(Math.abs(r2.var95 - 19) < 1e-9, `VaR95 ${r2.var95}`);
  assert.ok(Math.abs(r2.var99 - 50) < 1e-9, `VaR99 ${r2.var99}`);

  // A flat portfolio risks nothing.
  assert.deepEqual(w.compute([0, 0]), { var95: 0, var99: 0, windowSize: 20, portfolioValue: 0 });
});
