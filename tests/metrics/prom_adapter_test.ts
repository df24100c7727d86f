/**
 * The prom-client adapter: its layout self-check passes on the pinned prom-client; pre-bound
 * series handles render exactly like prom-client's public API and survive a reset, on the direct
 * path and on the public-API fallback alike; snapshots carry exemplars and native buckets.
 */
import assert from "node:assert/strict";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { checkLayout, createPromAdapter } from "../../src/metrics/prom_adapter.ts";

const MODES = [
  { name: "direct", adapter: createPromAdapter(), direct: true },
  { name: "public API", adapter: createPromAdapter({ mode: "public" }), direct: false },
];

Deno.test("the layout self-check passes on the pinned prom-client", () => {
  assert.equal(checkLayout(), null);
  assert.equal(createPromAdapter().direct, true);
  const fallback = createPromAdapter({ mode: "public" });
  assert.equal(fallback.direct, false);
  assert.match(fallback.reason ?? "", /public/);
});

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

for (const { name, adapter, direct } of MODES) {
  Deno.test(`${name}: handles give the same exposition as inc()/observe()`, async () => {
    const { fast, slow } = pair();
    const combos = [
      { method: "GET", endpoint: "/health", status: "200" },
      { method: "POST", endpoint: "/orders", status: "201" },
      { method: "OTHER", endpoint: "unmatched", status: "404" },
    ];
    for (const labels of combos) {
      const c = adapter.counter(fast.counter, labels);
      const { status: _, ...hl } = labels;
      const h = adapter.histogram(fast.histogram, hl);
      assert.equal(c.direct && h.direct, direct);
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

  Deno.test(`${name}: a handle rebinds after a reset and keeps the public API's errors`, async () => {
    const { fast } = pair();
    const c = adapter.counter(fast.counter, { method: "GET", endpoint: "/", status: "200" });
    const h = adapter.histogram(fast.histogram, { method: "GET", endpoint: "/" });
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

  Deno.test(`${name}: binding to an existing series keeps its counts`, async () => {
    const { fast } = pair();
    fast.histogram.observe({ method: "GET", endpoint: "/" }, 0.02);
    fast.counter.inc({ method: "GET", endpoint: "/", status: "200" }, 5);
    adapter.histogram(fast.histogram, { method: "GET", endpoint: "/" }).observe(0.3);
    adapter.counter(fast.counter, { method: "GET", endpoint: "/", status: "200" }).inc();
    const text = await fast.registry.metrics();
    assert.match(text, /^h_seconds_count\{method="GET",endpoint="\/"\} 2$/m);
    assert.match(text, /^c_total\{method="GET",endpoint="\/",status="200"\} 6$/m);
  });

  Deno.test(`${name}: gauge handles, exemplars and native buckets in the snapshot`, async () => {
    const registry = new Registry();
    const g = new Gauge({ name: "g", help: "g", labelNames: ["k"], registers: [registry] });
    const c = new Counter({ name: "e_total", help: "e", labelNames: ["k"], registers: [registry] });
    const h = new Histogram({
      name: "n_seconds",
      help: "n",
      labelNames: ["k"],
      buckets: [0.01, 0.1],
      registers: [registry],
    });
    const gh = adapter.gauge(g, { k: "a" });
    gh.set(4.5);
    gh.set(-1);
    adapter.counter(c, { k: "a" }).inc({ trace_id: "t1", order_id: "o1" });
    const hh = adapter.histogram(h, { k: "a" }, {
      native: { schema: 3, zeroThreshold: 2 ** -128, maxBuckets: 160 },
    });
    hh.observe(0.005, { trace_id: "t2" });
    hh.observe(0.05);
    hh.observe(0, { trace_id: "t3" });
    const families = (await adapter.snapshot(registry))!;
    const by = new Map(families.map((f) => [f.name, f]));
    const gs = by.get("g")!;
    assert.equal(gs.type, "gauge");
    assert.deepEqual(gs.series.map((s) => s.labels), [{ k: "a" }]);
    assert.equal((gs.series[0] as { value: number }).value, -1);
    const cs = by.get("e_total")!;
    assert.deepEqual((cs.series[0] as { exemplar?: unknown }).exemplar, {
      ...((cs.series[0] as { exemplar: object }).exemplar),
      labels: { trace_id: "t1", order_id: "o1" },
      value: 1,
    });
    const hs = by.get("n_seconds")!;
    assert.equal(hs.type, "histogram");
    const s = hs.series[0] as {
      cumulative: number[];
      count: number;
      exemplars: ({ labels: object; value: number } | undefined)[];
      native: { schema: number; zeroCount: number; positive: [number, number][] };
    };
    assert.deepEqual(s.cumulative, [2, 3]);
    assert.equal(s.count, 3);
    assert.deepEqual(s.exemplars[0]?.labels, { trace_id: "t3" }, "the latest one in its bucket");
    assert.equal(s.exemplars[1], undefined);
    assert.equal(s.native.schema, 3);
    assert.equal(s.native.zeroCount, 1);
    assert.equal(s.native.positive.reduce((a, [, n]) => a + n, 0), 2);
    // Text still matches prom-client's own: the extras live beside the series.
    assert.match(await registry.metrics(), /^n_seconds_count\{k="a"\} 3$/m);
  });
}
