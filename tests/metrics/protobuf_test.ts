/**
 * The protobuf exposition decodes to what was scraped (classic buckets, native buckets, exemplars,
 * every family); that Prometheus itself reads it is tested in tests/e2e/exposition_test.ts.
 */
import assert from "node:assert/strict";
import protobuf from "protobufjs/light.js";
import { createCatalog } from "../../src/metrics/catalog.ts";
import { DEFAULT_ZERO_THRESHOLD, NATIVE_MAX_BUCKETS } from "../../src/metrics/native_histogram.ts";
import { encodeProtobuf, MetricFamily } from "../../src/metrics/protobuf.ts";
import { renderText } from "../../src/metrics/render.ts";
import { parseExposition } from "../support/exposition.ts";

// deno-lint-ignore no-explicit-any
type Decoded = any;

function decodeAll(bytes: Uint8Array): Decoded[] {
  const reader = protobuf.Reader.create(bytes);
  const out: Decoded[] = [];
  while (reader.pos < reader.len) {
    out.push(
      MetricFamily.toObject(MetricFamily.decodeDelimited(reader), {
        longs: Number,
        defaults: true,
      }),
    );
  }
  return out;
}

Deno.test("protobuf: every family, classic and native buckets, exemplars", async () => {
  const catalog = createCatalog({
    symbols: ["AAPL"],
    native: { schema: 3, zeroThreshold: DEFAULT_ZERO_THRESHOLD, maxBuckets: NATIVE_MAX_BUCKETS },
  });
  const a = catalog.adapter;
  const h = a.histogram(catalog.metrics.orderLatency, { symbol: "AAPL" }, {
    native: catalog.native,
  });
  for (const v of [0.0005, 0.002, 0.002, 0.03, 2]) h.observe(v, { trace_id: "ab".repeat(16) });
  a.counter(catalog.metrics.orderCount, { symbol: "AAPL", side: "BUY", status: "filled" })
    .inc({ trace_id: "cd".repeat(16), order_id: "o-1" });
  catalog.metrics.riskVar.set({ confidence_level: "0.95" }, 12.5);

  const families = (await a.snapshot(catalog.registry))!;
  const decoded = decodeAll(encodeProtobuf(families));
  const text = parseExposition(renderText(families, false));
  assert.deepEqual(decoded.map((f) => f.name), families.map((f) => f.name));
  assert.deepEqual(new Set(decoded.map((f) => f.name)), new Set(text.types.keys()));

  const latency = decoded.find((f) => f.name === "order_latency_seconds");
  assert.equal(latency.type, 4, "HISTOGRAM");
  const m = latency.metric[0];
  assert.deepEqual(m.label, [{ name: "symbol", value: "AAPL" }]);
  const hist = m.histogram;
  assert.equal(hist.sample_count, 5);
  assert.ok(Math.abs(hist.sample_sum - 2.0345) < 1e-12);
  assert.deepEqual(
    hist.bucket.map((b: Decoded) => [b.upper_bound, b.cumulative_count]),
    [[0.001, 1], [0.005, 3], [0.01, 3], [0.025, 3], [0.05, 4], [0.1, 4], [0.25, 4], [0.5, 4], [
      1,
      4,
    ], [Infinity, 5]],
  );
  assert.equal(hist.bucket[1].exemplar.value, 0.002);
  assert.deepEqual(hist.bucket[1].exemplar.label, [{ name: "trace_id", value: "ab".repeat(16) }]);
  assert.equal(hist.schema, 3);
  assert.equal(hist.zero_threshold, DEFAULT_ZERO_THRESHOLD);
  // Native counts add up: spans cover as many buckets as there are deltas, and sum to 5.
  const spans: { offset?: number; length: number }[] = hist.positive_span;
  assert.equal(spans.reduce((a, s) => a + s.length, 0), hist.positive_delta.length);
  let count = 0;
  let total = 0;
  for (const d of hist.positive_delta) total += count += d;
  assert.equal(total + (hist.zero_count ?? 0), 5);

  const orders = decoded.find((f) => f.name === "order_count_total");
  assert.equal(orders.type, 0, "COUNTER, named with _total as client_golang does");
  const filled = orders.metric.find((x: Decoded) =>
    x.label.some((l: Decoded) => l.value === "filled") &&
    x.label.some((l: Decoded) => l.value === "BUY")
  );
  assert.equal(filled.counter.value, 1);
  assert.deepEqual(filled.counter.exemplar.label, [
    { name: "trace_id", value: "cd".repeat(16) },
    { name: "order_id", value: "o-1" },
  ]);
  assert.ok(filled.counter.exemplar.timestamp.seconds > 1.7e9);
  const risk = decoded.find((f) => f.name === "risk_var_dollars");
  assert.equal(risk.type, 1);
  assert.ok(risk.metric.some((x: Decoded) => x.gauge.value === 12.5));
});
