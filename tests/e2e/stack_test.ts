/**
 * End to end with the real parts: the trading API, Debian's Prometheus 2.42 scraping it every
 * second with the repo's rules (configs generated from configs/), Alertmanager 0.25 with the
 * repo's routing and inhibitions, and a webhook sink.
 *
 * 1. The trading_api target comes up; traffic runs; each of the seed's six PromQL queries gives
 *    a plausible, non-empty answer; every dashboard expression runs on the real Prometheus.
 * 2. Nothing fires on the healthy service, with the fault alerts at `for: 1s`. Making every
 *    alert fire (faults, inhibition, notification) is gameday_test.ts.
 *
 * Each part prints how long it took.
 */
import assert from "node:assert/strict";
import {
  DEFAULT_SYMBOLS,
  HTTP_METHODS,
  HTTP_STATUSES,
  INVALID_LABEL,
  ROUTE_TEMPLATES,
  UNMATCHED_ENDPOINT,
} from "../../src/metrics/labels.ts";
import { HTTP_DURATION_BUCKETS } from "../../src/metrics/catalog.ts";
import { dashboardQueries, readDashboard } from "../configs/dashboard.ts";
import { prometheusAlerts, query, type Sample, waitUntil } from "./prom_api.ts";
import { Stack } from "./stack.ts";

/** The seed's six queries (Part 6), verbatim. */
const SEED = {
  requestRate: "rate(http_requests_total[5m])",
  orderVolume: "sum by (symbol) (rate(order_count_total[5m]))",
  p95: "histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m]))",
  ordersLastHour: "increase(order_count_total[1h])",
  positionValues: "position_value_dollars",
  cacheHitRate: "rate(redis_cache_hits_total[5m]) /\n" +
    "(rate(redis_cache_hits_total[5m]) + rate(redis_cache_misses_total[5m]))",
};
/** The corrected p95 (configs/alert_rules.yml): one answer for the whole API. */
const P95_CORRECTED =
  "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))";

const FAST_ALERTS = ["HighOrderFailureRate", "High5xxErrorRatio", "HighAPILatency"];

/** Print one part's duration (the closing note reports these). */
function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  return fn().finally(() => {
    console.log(`e2e timing: ${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
}

const sum = (samples: Sample[]) => samples.reduce((s, x) => s + x.value, 0);

Deno.test({
  name: "e2e: Prometheus scrapes tradewatch, seed queries and dashboard answer, nothing fires",
  async fn() {
    const total = performance.now();
    const stack = await timed(
      "start service, Prometheus, Alertmanager",
      () => Stack.start({ fastAlerts: FAST_ALERTS }),
    );
    const prom = stack.prometheusUrl;
    const diag = () => stack.diagnostics();
    try {
      await timed("trading_api target up", () =>
        waitUntil(async () => {
          const up = await query(prom, 'up{job="trading_api"} == 1');
          return up.length === 1 ? up : undefined;
        }, { timeoutMs: 30_000, describe: () => `up{job="trading_api"} == 1\n${diag()}` }));

      const report = await timed("--loadgen, 4 s at 60 req/s", () =>
        stack.runLoadgen([
          "--rate",
          "60",
          "--duration",
          "4s",
          "--mix",
          "orders=60,quotes=20,positions=20",
          "--seed",
          "7",
        ]));
      const ordersSent = report.scenarios.orders.requests;
      assert.ok(ordersSent > 50, `only ${ordersSent} orders sent`);
      assert.deepEqual(Object.keys(report.statuses).sort(), ["200", "201"]);

      await timed("Prometheus catches up with the service", () =>
        waitUntil(async () => {
          const own = await (await fetch(`${stack.apiUrl}/metrics`)).text();
          const served = [...own.matchAll(/^order_count_total\{[^}]*\} (\S+)$/gm)]
            .reduce((s, m) => s + Number(m[1]), 0);
          const scraped = sum(await query(prom, 'sum(order_count_total{job="trading_api"})'));
          return served === ordersSent && scraped === served ? scraped : undefined;
        }, { timeoutMs: 15_000, describe: () => `Prometheus sees every order\n${diag()}` }));

      await timed("the seed's six queries", async () => {
        // 1. HTTP request rate: label values from the closed sets, POST /orders above zero.
        const rates = await query(prom, SEED.requestRate);
        assert.ok(rates.length > 0, "request rate: empty");
        const endpoints: readonly string[] = [...ROUTE_TEMPLATES, UNMATCHED_ENDPOINT];
        for (const s of rates) {
          assert.ok((HTTP_METHODS as readonly string[]).includes(s.metric.method));
          assert.ok(endpoints.includes(s.metric.endpoint), s.metric.endpoint);
          assert.ok((HTTP_STATUSES as readonly string[]).includes(s.metric.status));
          assert.ok(s.value >= 0 && Number.isFinite(s.value));
        }
        const orders = rates.find((s) =>
          s.metric.method === "POST" && s.metric.endpoint === "/orders" &&
          s.metric.status === "201"
        );
        assert.ok(orders && orders.value > 0, "request rate: no POST /orders 201");

        // 2. Order volume by symbol: every symbol traded, nothing outside the universe.
        const volume = await query(prom, SEED.orderVolume);
        const universe = [...DEFAULT_SYMBOLS, INVALID_LABEL];
        for (const s of volume) assert.ok(universe.includes(s.metric.symbol), s.metric.symbol);
        for (const symbol of DEFAULT_SYMBOLS) {
          const v = volume.find((s) => s.metric.symbol === symbol);
          assert.ok(v && v.value > 0, `order volume of ${symbol}: ${v?.value}`);
        }

        // 3. p95 latency: the seed's per-series form and the corrected one stay inside the
        //    buckets' range (histogram_quantile answers at most the highest finite bound).
        const top = HTTP_DURATION_BUCKETS[HTTP_DURATION_BUCKETS.length - 1];
        const perSeries = (await query(prom, SEED.p95)).filter((s) => !Number.isNaN(s.value));
        assert.ok(perSeries.length > 0, "p95 per series: empty");
        for (const s of perSeries) assert.ok(s.value > 0 && s.value <= top, `p95 ${s.value}`);
        const [p95] = await query(prom, P95_CORRECTED);
        assert.ok(p95 && p95.value > 0 && p95.value <= top, `p95: ${p95?.value}`);

        // 4. Orders in the last hour: close to what the service counted.
        const lastHour = sum(await query(prom, SEED.ordersLastHour));
        assert.ok(
          lastHour > 0.5 * ordersSent && lastHour < 1.5 * ordersSent,
          `increase over 1h ${lastHour} vs ${ordersSent} orders sent`,
        );

        // 5. Position values: one series per symbol of the universe; each held symbol's value
        //    is its quantity at the current price. The gauges follow the orders on the next
        //    market tick, so the last scrape may predate the last fills: poll until it does not.
        const { positions } = await (await fetch(`${stack.apiUrl}/positions`)).json() as {
          positions: { symbol: string; quantity: number; marketPrice: number }[];
        };
        const held = positions.filter((p) => p.quantity !== 0);
        assert.ok(held.length > 0, "no position held after the traffic");
        let mismatches: string[] = [];
        const values = await waitUntil(async () => {
          const values = await query(prom, SEED.positionValues);
          assert.deepEqual(
            values.map((s) => s.metric.symbol).sort(),
            [...DEFAULT_SYMBOLS].sort(),
          );
          mismatches = held.flatMap((p) => {
            const series = values.filter((s) => s.metric.symbol === p.symbol);
            const expected = p.quantity * p.marketPrice;
            return series.length === 1 &&
                Math.abs(series[0].value - expected) <= 0.01 * Math.abs(expected)
              ? []
              : [`${p.symbol}: ${JSON.stringify(series)}, expected about ${expected}`];
          });
          return mismatches.length ? undefined : values;
        }, { timeoutMs: 10_000, describe: () => `position values: ${mismatches.join("; ")}` });

        // 6. Cache hit rate: one ratio within 0..1.
        const hit = await query(prom, SEED.cacheHitRate);
        assert.equal(hit.length, 1, "cache hit rate: one answer");
        assert.ok(hit[0].value >= 0 && hit[0].value <= 1, `cache hit rate ${hit[0].value}`);

        console.log(
          `e2e answers: ${
            JSON.stringify({
              postOrdersRate: orders.value,
              volume: Object.fromEntries(volume.map((s) => [s.metric.symbol, s.value])),
              p95: p95.value,
              ordersLastHour: lastHour,
              ordersSent: ordersSent,
              positionValues: Object.fromEntries(values.map((s) => [s.metric.symbol, s.value])),
              cacheHitRate: hit[0].value,
            })
          }`,
        );
      });

      await timed("every dashboard expression on the real Prometheus", async () => {
        const queries = dashboardQueries(await readDashboard());
        const failures: string[] = [];
        await Promise.all(queries.map(async (q) => {
          try {
            await query(prom, q.promql);
          } catch (e) {
            failures.push(`${q.panel} ${q.refId}: ${(e as Error).message}`);
          }
        }));
        assert.deepEqual(failures, []);
      });

      // Nothing fires on a healthy service, even with the alerts under test at `for: 1s`.
      const healthy = (await prometheusAlerts(prom)).filter((a) =>
        FAST_ALERTS.includes(a.labels.alertname)
      );
      assert.deepEqual(healthy, [], "alerts on a healthy service");
    } finally {
      await stack.close();
      console.log(`e2e timing: total: ${((performance.now() - total) / 1000).toFixed(1)} s`);
    }
  },
});
