/** Pre-bound series handles render exactly like prom-client's public API, and survive a reset. */
import assert from "node:assert/strict";
import { Counter, Histogram, Registry } from "prom-client";
import { counterHandle, histogramHandle } from "../../src/metrics/fast_series.ts";

function pair() {
  const make = () => {
    const registry = new Registry();
    const counter = new Counter({
      name: "c_total",
      help: "c",
      labelNames: ["method", "endpoint", "status"],
      registers: [registry],
    });
    const histogram = new Histogram({
      name: "h_seconds",
      help: "h",
      labelNames: ["method", "endpoint"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0],
      registers: [registry],
    });
    return { registry, counter, histogram };
  };
  return { fast: make(), slow: make() };
}

const VALUES = [0, 0.001, 0.01, 0.0100001, 0.025, 0.3, 1, 4.99, 5, 5.0001, 100, -1, 1e-9];

Deno.test("handles give the same exposition as inc()/observe()", async () => {
  const { fast, slow } = pair();
  const combos = [
    { method: "GET", endpoint: "/health", status: "200" },
    { method: "POST", endpoint: "/orders", status: "201" },
    { method: "OTHER", endpoint: "unmatched", status: "404" },
  ];
  for (const labels of combos) {
    const c = counterHandle(fast.counter, labels);
    const { status: _, ...hl } = labels;
    const h = histogramHandle(fast.histogram, hl);
    assert.ok(c.direct && h.direct, "the direct path is taken with prom-client 15");
    for (const v of VALUES) {
      c.inc();
      h.observe(v);
      slow.counter.inc(labels);
      slow.histogram.observe(hl, v);
    }
  }
  assert.equal(await fast.registry.metrics(), await slow.registry.metrics());
  assert.match(
    await fast.registry.metrics(),
    /^c_total\{method="GET",endpoint="\/health",status="200"\} 13$/m,
  );
  assert.match(
    await fast.registry.metrics(),
    /^h_seconds_bucket\{le="\+Inf",method="GET",endpoint="\/health"\} 13$/m,
  );
});

Deno.test("a handle rebinds after a reset and keeps the public API's errors", async () => {
  const { fast } = pair();
  const c = counterHandle(fast.counter, { method: "GET", endpoint: "/", status: "200" });
  const h = histogramHandle(fast.histogram, { method: "GET", endpoint: "/" });
  c.inc();
  h.observe(0.02);
  fast.registry.resetMetrics();
  c.inc();
  c.inc();
  h.observe(0.2);
  const text = await fast.registry.metrics();
  assert.match(text, /^c_total\{method="GET",endpoint="\/",status="200"\} 2$/m);
  assert.match(text, /^h_seconds_count\{method="GET",endpoint="\/"\} 1$/m);
  assert.match(text, /^h_seconds_sum\{method="GET",endpoint="\/"\} 0.2$/m);
  assert.throws(() => h.observe(NaN), TypeError);
});

Deno.test("binding to an existing series keeps its counts", async () => {
  const { fast } = pair();
  fast.histogram.observe({ method: "GET", endpoint: "/" }, 0.02);
  fast.counter.inc({ method: "GET", endpoint: "/", status: "200" }, 5);
  histogramHandle(fast.histogram, { method: "GET", endpoint: "/" }).observe(0.3);
  counterHandle(fast.counter, { method: "GET", endpoint: "/", status: "200" }).inc();
  const text = await fast.registry.metrics();
  assert.match(text, /^h_seconds_count\{method="GET",endpoint="\/"\} 2$/m);
  assert.match(text, /^c_total\{method="GET",endpoint="\/",status="200"\} 6$/m);
});
