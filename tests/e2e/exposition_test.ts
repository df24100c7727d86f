/**
 * The exposition against real Prometheus 2.42 (Debian's): the service, started as `deno task
 * start` starts it, is scraped every second by two Prometheus servers at once:
 *
 * - "native": `--enable-feature=native-histograms,exemplar-storage`, which negotiates the
 *   protobuf exposition: it must ingest the native histograms (their `histogram_quantile` agrees
 *   with the classic one within the buckets' resolution) and store exemplars whose `order_id`s are
 *   orders the service answers on `GET /orders/:id` and whose `trace_id`s are the ones we sent;
 * - "plain": no flags, which negotiates OpenMetrics: it sees exactly the series a text scrape
 *   shows (classic buckets, every seed metric, nothing new) and stores no exemplars.
 */
import assert from "node:assert/strict";
import { parseExposition } from "../support/exposition.ts";
import { ManagedProcess } from "./process.ts";
import { freePort, query, waitUntil } from "./prom_api.ts";
import { startTradingApi } from "./stack.ts";

const ORDER_LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];
/** The growth between native buckets at the default bucket factor 1.1 (schema 3). */
const NATIVE_GROWTH = 2 ** (1 / 8);

async function startPrometheus(
  dir: string,
  name: string,
  target: string,
  features: string[],
): Promise<{ proc: ManagedProcess; url: string }> {
  const port = freePort();
  const config = `${dir}/${name}.yml`;
  await Deno.writeTextFile(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 900ms",
      "scrape_configs:",
      "  - job_name: trading_api",
      "    static_configs:",
      `      - targets: ["${target}"]`,
      "",
    ].join("\n"),
  );
  const proc = ManagedProcess.start("prometheus", "prometheus", [
    `--config.file=${config}`,
    `--storage.tsdb.path=${dir}/${name}-data`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--log.level=warn",
    ...(features.length ? [`--enable-feature=${features.join(",")}`] : []),
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => {
    if (proc.exited) throw new Error("prometheus exited");
    const res = await fetch(`${url}/-/ready`);
    await res.body?.cancel();
    return res.ok ? true : undefined;
  }, { timeoutMs: 20_000, intervalMs: 100, describe: () => `${name} ready\n${proc.tail()}` });
  return { proc, url };
}

interface ExemplarResult {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

async function exemplars(base: string, promql: string): Promise<ExemplarResult[]> {
  const now = Date.now() / 1000;
  const params = new URLSearchParams({ query: promql, start: String(now - 600), end: String(now) });
  const body = await (await fetch(`${base}/api/v1/query_exemplars?${params}`)).json();
  if (body.status !== "success") throw new Error(`query_exemplars failed: ${body.error}`);
  return body.data ?? [];
}

async function targetHealth(base: string): Promise<string> {
  const body = await (await fetch(`${base}/api/v1/targets`)).json();
  return JSON.stringify(
    body.data.activeTargets.map((
      t: { health: string; lastError: string },
    ) => [t.health, t.lastError]),
  );
}

/** The classic bucket (lower, upper] holding `q`. */
function classicBucket(q: number): [number, number] {
  let lower = 0;
  for (const upper of ORDER_LATENCY_BUCKETS) {
    if (q <= upper) return [lower, upper];
    lower = upper;
  }
  return [lower, Infinity];
}

Deno.test({
  name:
    "Prometheus 2.42: native histograms and exemplars over protobuf; a plain one sees no change",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "tradewatch-expo-" });
    const apiPort = freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    const procs: ManagedProcess[] = [];
    try {
      const service = startTradingApi(apiPort, [
        "--db",
        `${dir}/tradewatch.db`,
        "--venue-latency",
        "8",
      ]);
      procs.push(service);
      await service.waitFor(/"msg":"listening"/, 30_000);
      const native = await startPrometheus(dir, "native", `127.0.0.1:${apiPort}`, [
        "native-histograms",
        "exemplar-storage",
      ]);
      procs.push(native.proc);
      const plain = await startPrometheus(dir, "plain", `127.0.0.1:${apiPort}`, []);
      procs.push(plain.proc);

      // Orders for ~15 s, half of them with a traceparent of our own.
      const sentTraces = new Set<string>();
      const orderIds = new Set<string>();
      const until = Date.now() + 15_000;
      const worker = async (w: number) => {
        for (let i = 0; Date.now() < until; i++) {
          const headers: Record<string, string> = {};
          if (i % 2 === 0) {
            const trace = crypto.randomUUID().replaceAll("-", "");
            sentTraces.add(trace);
            headers.traceparent = `00-${trace}-${"1".repeat(15)}${w % 10}-01`;
          }
          const side = i % 2 === 0 ? "BUY" : "SELL";
          const res = await fetch(`${api}/orders?symbol=AAPL&side=${side}&quantity=1`, {
            method: "POST",
            headers,
          });
          const body = await res.json();
          if (res.status === 201) orderIds.add(body.id);
          if (headers.traceparent) {
            const echoed = res.headers.get("traceparent") ?? "";
            assert.equal(echoed.split("-")[1], headers.traceparent.split("-")[1]);
          }
        }
      };
      await Promise.all([0, 1, 2, 3].map(worker));
      assert.ok(orderIds.size > 100, `${orderIds.size} orders`);

      // Both have scraped the traffic: wait for the counts to be in.
      const total = await waitUntil(async () => {
        const [n] = await query(plain.url, 'sum(order_count_total{symbol="AAPL"})');
        const [m] = await query(native.url, 'sum(order_count_total{symbol="AAPL"})');
        return n && m && n.value >= orderIds.size && m.value >= orderIds.size ? n.value : undefined;
      }, {
        timeoutMs: 15_000,
        describe: async () =>
          `both Prometheus servers saw the orders; targets: ${await targetHealth(
            native.url,
          )} / ${await targetHealth(plain.url)}`,
      });
      assert.ok(total >= orderIds.size);

      // The native Prometheus ingested native histograms: histogram_quantile works on the
      // histogram itself, and agrees with the classic-bucket quantile of the plain one.
      const nativeQ = await query(
        native.url,
        'histogram_quantile(0.95, sum(rate(order_latency_seconds{symbol="AAPL"}[1m])))',
      );
      const classicQ = await query(
        plain.url,
        'histogram_quantile(0.95, sum by (le) (rate(order_latency_seconds_bucket{symbol="AAPL"}[1m])))',
      );
      assert.equal(nativeQ.length, 1, "a native histogram quantile");
      assert.equal(classicQ.length, 1, "a classic quantile");
      const qn = nativeQ[0].value;
      const qc = classicQ[0].value;
      const [lower, upper] = classicBucket(qc);
      console.log(`p95 native ${qn} s, classic ${qc} s (classic bucket (${lower}, ${upper}])`);
      assert.ok(
        qn >= lower / NATIVE_GROWTH && qn <= upper * NATIVE_GROWTH,
        `native p95 ${qn} within the classic bucket (${lower}, ${upper}] of the classic p95 ${qc}`,
      );

      // Exemplars: stored by the native one (from protobuf), for orders that exist.
      const found = await waitUntil(async () => {
        const r = [
          ...await exemplars(native.url, 'order_count_total{symbol="AAPL"}'),
          ...await exemplars(native.url, 'order_latency_seconds{symbol="AAPL"}'),
        ];
        const withOrder = r.flatMap((s) => s.exemplars).filter((e) => e.labels.order_id);
        return withOrder.length > 0 ? withOrder : undefined;
      }, { timeoutMs: 15_000, describe: () => "exemplars with order_id" });
      for (const e of found.slice(0, 10)) {
        assert.match(e.labels.trace_id, /^[0-9a-f]{32}$/);
        assert.ok(e.labels.trace_id.length + e.labels.order_id.length + 16 <= 128);
        const res = await fetch(`${api}/orders/${e.labels.order_id}`);
        assert.equal(res.status, 200, `GET /orders/${e.labels.order_id}`);
        const order = await res.json();
        assert.equal(order.id, e.labels.order_id);
      }
      assert.ok(
        found.some((e) => sentTraces.has(e.labels.trace_id)),
        "a trace id we sent in traceparent is an exemplar",
      );

      // The plain one: no exemplars stored, and exactly the series a text scrape shows.
      assert.deepEqual(await exemplars(plain.url, 'order_count_total{symbol="AAPL"}'), []);
      const text = await (await fetch(`${api}/metrics`)).text();
      const textNames = new Set(parseExposition(text).samples.map((s) => s.name));
      const stored = await query(plain.url, 'count by (__name__) ({job="trading_api"})');
      const storedNames = new Set(stored.map((s) => s.metric.__name__));
      for (const n of textNames) assert.ok(storedNames.has(n), `plain Prometheus has ${n}`);
      const scrapeOwn = new Set([
        "up",
        "scrape_duration_seconds",
        "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
      ]);
      for (const n of storedNames) {
        assert.ok(textNames.has(n) || scrapeOwn.has(n), `plain Prometheus has nothing new: ${n}`);
      }
      const les = await query(
        plain.url,
        'count by (le) (order_latency_seconds_bucket{symbol="AAPL"})',
      );
      const bound = (le: string) => le === "+Inf" ? Infinity : Number(le);
      assert.deepEqual(
        les.map((s) => bound(s.metric.le)).sort((a, b) => a - b),
        [...ORDER_LATENCY_BUCKETS, Infinity],
        "the seed's buckets, exactly",
      );
    } finally {
      for (const p of procs.reverse()) await p.stop().catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
