/**
 * Checks that share their findings within an expression shape (analysis.ts `findings`) still
 * report each rule at its own position, with its own text, and follow the catalog in use.
 */
import assert from "node:assert/strict";
import { lintCheck, serviceCatalog } from "../helpers.ts";

const file = (exprs: string[]) =>
  [
    "groups:",
    "  - name: g",
    "    rules:",
    ...exprs.flatMap((e, i) => [`      - alert: A${i}`, `        expr: ${e}`]),
  ].join("\n") + "\n";

Deno.test("shape findings: each rule of a shape gets its own position and text", async () => {
  const catalog = await serviceCatalog();
  const exprs = [
    'order_count_total{symbol="AAPL"} > 10',
    'order_count_total{symbol="AAPL"} > 99',
    'histogram_quantile(0.9, sum by (job) (rate(order_latency_seconds_bucket{symbol="AAPL"}[5m]))) > 1',
    'histogram_quantile(0.5, sum by (job) (rate(order_latency_seconds_bucket{symbol="AAPL"}[5m]))) > 7',
    "up",
    "up",
  ];
  const text = file(exprs);
  const counter = lintCheck("promql/counter", text, { prometheus: 2, catalog });
  assert.deepEqual(counter.map((p) => [p.line, p.col, p.text]), [
    [5, 15, 'order_count_total{symbol="AAPL"}'],
    [7, 15, 'order_count_total{symbol="AAPL"}'],
  ]);
  const histogram = lintCheck("promql/histogram", text, { prometheus: 2, catalog });
  assert.deepEqual(histogram.map((p) => [p.line, p.severity]), [[9, "error"], [11, "error"]]);
  assert.ok(histogram.every((p) => p.text.startsWith("sum by (job)")));
  const comparison = lintCheck("alerts/comparison", text, { prometheus: 2, catalog });
  assert.deepEqual(comparison.map((p) => [p.line, p.col, p.text]), [
    [13, 15, "up"],
    [15, 15, "up"],
  ]);
  // The same shapes without the catalog: no catalog findings are reused.
  assert.deepEqual(lintCheck("promql/counter", text, { prometheus: 2 }), []);
});
