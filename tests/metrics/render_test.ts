/**
 * The fast renderer is byte-for-byte prom-client's rendering, in both formats, on a registry
 * with every shape: the real catalog populated, process metrics with collect() hooks, awkward
 * label values, special numbers, histograms with and without labels, series created in any
 * order; and it declines what it does not handle. Both adapter paths (prom-client's internals,
 * and the public API fallback) are held to the same output.
 */
import assert from "node:assert/strict";
import { Counter, Gauge, Histogram, Registry, Summary } from "prom-client";
import { createCatalog } from "../../src/metrics/catalog.ts";
import { createPromAdapter, type PromAdapter } from "../../src/metrics/prom_adapter.ts";
import { registerProcessMetrics } from "../../src/metrics/process.ts";
import { createRecorder } from "../../src/metrics/recorder.ts";
import { renderText } from "../../src/metrics/render.ts";
import { filledOrder } from "../support/orders.ts";

const ADAPTERS: [string, PromAdapter][] = [
  ["direct", createPromAdapter()],
  ["public API", createPromAdapter({ mode: "public" })],
];

async function renderRegistry(
  adapter: PromAdapter,
  registry: Registry,
  om: boolean,
): Promise<string | null> {
  const families = await adapter.snapshot(registry);
  return families && renderText(families, om);
}

const renderWithPromClient = (registry: Registry, om: boolean) =>
  createPromAdapter().renderWithPromClient(registry, om);

function oddRegistry(): Registry {
  const registry = new Registry();
  const registers = [registry];
  const c = new Counter({
    name: "odd_total",
    help: "back\\slash\nnew line",
    labelNames: ["v", "w"],
    registers,
  });
  c.inc({ v: 'quote " here', w: "back\\slash" }, 2);
  c.inc({ w: "new\nline", v: "ünïcödé 💥" }, 0.5); // another label order
  c.inc({ v: "", w: "" });
  const plain = new Counter({ name: "no_suffix", help: "a counter without _total", registers });
  plain.inc(3);
  const g = new Gauge({ name: "odd_gauge", help: "gauge", labelNames: ["k"], registers });
  g.set({ k: "nan" }, NaN);
  g.set({ k: "inf" }, Infinity);
  g.set({ k: "-inf" }, -Infinity);
  g.set({ k: "big" }, 1e21);
  g.set({ k: "small" }, 1.5e-7);
  g.set({ k: "neg" }, -42.125);
  g.set({ k: "big" }, 7); // set again: prom-client replaces the stored object
  new Gauge({ name: "untouched_gauge", help: "never set", registers });
  new Gauge({ name: "empty_labelled", help: "no series yet", labelNames: ["x"], registers });
  const h = new Histogram({
    name: "odd_seconds",
    help: "h",
    labelNames: ["a"],
    buckets: [0.1, 1, 10],
    registers,
  });
  for (const v of [0, 0.1, 0.5, 1, 9.99, 10, 11, -3]) h.observe({ a: 'x"y' }, v);
  h.zero({ a: "zero" });
  const h0 = new Histogram({
    name: "plain_seconds",
    help: "no labels",
    buckets: [1, 2],
    registers,
  });
  h0.observe(1.5);
  const collected = new Gauge({
    name: "collected_gauge",
    help: "set by collect()",
    registers,
    collect() {
      this.set(123);
    },
  });
  void collected;
  return registry;
}

function populatedCatalog(adapter: PromAdapter) {
  const symbols = ["AAPL", "BRK.B", "MSFT"];
  const catalog = createCatalog({ symbols, adapter });
  const pm = registerProcessMetrics(catalog.registry);
  const rec = createRecorder(catalog, { symbols, on: () => () => {} } as never);
  rec.record({
    type: "order",
    order: filledOrder({ fillPrice: 1 }),
    latencySeconds: 0.004,
  });
  rec.recordInvalidOrder("HOLD", 0.0002);
  catalog.metrics.riskVar.set({ confidence_level: "0.95" }, 10.5);
  adapter.counter(catalog.metrics.httpRequests, {
    method: "GET",
    endpoint: "/health",
    status: "200",
  })
    .inc();
  adapter.histogram(catalog.metrics.httpRequestDuration, { method: "GET", endpoint: "/health" })
    .observe(0.03);
  catalog.metrics.httpRequests.inc({ endpoint: "unmatched", method: "OTHER", status: "404" });
  return { catalog, close: () => pm.close() };
}

const PROCESS_LINE = /^(# (HELP|TYPE) )?(process_|deno_)/;

/** Everything but the process metrics (whose values move between two collects). */
function withoutProcess(text: string): string {
  return text.split("\n").filter((l) => !PROCESS_LINE.test(l)).join("\n");
}

/**
 * The process metrics with their sample values masked: names, labels, HELP and TYPE lines, in
 * order. Two renderings of the same registry must agree on these exactly.
 */
function processShape(text: string): string[] {
  return text.split("\n").filter((l) => PROCESS_LINE.test(l)).map((l) =>
    l.startsWith("#") ? l : l.replace(/ [^ ]+( [^ ]+)?$/, " <value>")
  );
}

for (const [mode, adapter] of ADAPTERS) {
  Deno.test(`identical to prom-client (${mode}): odd registry, text and OpenMetrics`, async () => {
    const registry = oddRegistry();
    for (const om of [false, true]) {
      const fast = await renderRegistry(adapter, registry, om);
      assert.ok(fast !== null, "handled");
      assert.equal(fast, await renderWithPromClient(registry, om));
    }
    // And rendering OpenMetrics did not rename anything for the next text render.
    assert.equal(await renderRegistry(adapter, registry, false), await registry.metrics());
  });

  Deno.test(`identical to prom-client (${mode}): the populated catalog with process metrics`, async () => {
    const { catalog, close } = populatedCatalog(adapter);
    try {
      for (const om of [false, true]) {
        const fast = (await renderRegistry(adapter, catalog.registry, om))!;
        const slow = await renderWithPromClient(catalog.registry, om);
        assert.equal(withoutProcess(fast), withoutProcess(slow));
        // The process metrics themselves: the same series, HELP and TYPE, in the same order.
        const shape = processShape(fast);
        assert.deepEqual(shape, processShape(slow));
        assert.ok(shape.length >= 10, `${shape.length} process lines`);
        assert.match(fast, /^process_cpu_seconds_total [\d.e+-]+$/m);
        assert.match(fast, /^process_resident_memory_bytes [\d.e+]+$/m);
      }
      // A second render hits the label cache and still matches after values change.
      catalog.metrics.orderCount.inc({ symbol: "MSFT", side: "SELL", status: "failed" }, 3);
      catalog.metrics.positionValue.set({ symbol: "BRK.B" }, -12.5);
      const again = (await renderRegistry(adapter, catalog.registry, false))!;
      assert.equal(withoutProcess(again), withoutProcess(await catalog.registry.metrics()));
      assert.match(again, /^order_count_total\{symbol="MSFT",side="SELL",status="failed"\} 3$/m);
    } finally {
      close();
    }
  });

  Deno.test(`declines what it does not handle (${mode}): summaries, exemplars, default labels`, async () => {
    const withSummary = new Registry();
    new Summary({ name: "s", help: "s", registers: [withSummary] }).observe(1);
    assert.equal(await renderRegistry(adapter, withSummary, false), null);

    const OpenMetricsRegistry = Registry as unknown as new (contentType: string) => Registry;
    const withExemplars = new OpenMetricsRegistry(Registry.OPENMETRICS_CONTENT_TYPE);
    new Counter({ name: "e_total", help: "e", enableExemplars: true, registers: [withExemplars] });
    assert.equal(await renderRegistry(adapter, withExemplars, true), null);

    const withDefaults = new Registry();
    new Counter({ name: "d_total", help: "d", registers: [withDefaults] }).inc();
    withDefaults.setDefaultLabels({ instance: "x" });
    assert.equal(await renderRegistry(adapter, withDefaults, false), null);
  });
}
