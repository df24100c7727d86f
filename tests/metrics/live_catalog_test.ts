/**
 * A live scrape of the real service (`deno run main.ts` as a child, real HTTP): every seed metric
 * with its exact name, type, HELP, label names and buckets (the seed text is the oracle here,
 * not catalog.ts), live values after a few orders, the process metrics, and
 * `promtool check metrics` reporting only the known seed-name note.
 */
import assert from "node:assert/strict";
import { type Exposition, parseExposition, startChild, sumOf } from "../server/helpers.ts";

/** The seed's 13 metrics, copied from the tutorial text. */
const SEED = [
  ["order_count_total", "counter", "Total number of orders placed", ["symbol", "side", "status"]],
  ["order_latency_seconds", "histogram", "Order execution latency in seconds", ["symbol"]],
  ["position_value_dollars", "gauge", "Current position value in dollars", ["symbol"]],
  ["trade_pnl_dollars", "gauge", "Profit/loss on trades in dollars", ["symbol"]],
  ["open_positions_count", "gauge", "Number of open positions", []],
  ["http_requests_total", "counter", "Total HTTP requests", ["method", "endpoint", "status"]],
  [
    "http_request_duration_seconds",
    "histogram",
    "HTTP request duration in seconds",
    ["method", "endpoint"],
  ],
  ["db_connection_pool_size", "gauge", "Database connection pool size", ["status"]],
  ["redis_cache_hits_total", "counter", "Total Redis cache hits", []],
  ["redis_cache_misses_total", "counter", "Total Redis cache misses", []],
  ["market_data_lag_seconds", "gauge", "Market data lag in seconds", ["symbol"]],
  ["strategy_signals_total", "counter", "Trading signals generated", ["strategy", "signal_type"]],
  ["risk_var_dollars", "gauge", "Value at Risk in dollars", ["confidence_level"]],
] as const;

const SEED_BUCKETS: Record<string, string[]> = {
  order_latency_seconds: [
    "0.001",
    "0.005",
    "0.01",
    "0.025",
    "0.05",
    "0.1",
    "0.25",
    "0.5",
    "1",
    "+Inf",
  ],
  http_request_duration_seconds: [
    "0.01",
    "0.025",
    "0.05",
    "0.1",
    "0.25",
    "0.5",
    "1",
    "2.5",
    "5",
    "+Inf",
  ],
};

const PROCESS = [
  ["process_cpu_seconds_total", "counter"],
  ["process_cpu_user_seconds_total", "counter"],
  ["process_cpu_system_seconds_total", "counter"],
  ["process_start_time_seconds", "gauge"],
  ["process_resident_memory_bytes", "gauge"],
  ["process_open_fds", "gauge"],
  ["process_heap_bytes", "gauge"],
  ["deno_heap_size_used_bytes", "gauge"],
  ["deno_eventloop_lag_seconds", "gauge"],
  ["tradewatch_build_info", "gauge"],
] as const;

function samplesOf(e: Exposition, family: string, type: string) {
  const names = type === "histogram"
    ? [`${family}_bucket`, `${family}_sum`, `${family}_count`]
    : [family];
  return e.samples.filter((s) => names.includes(s.name));
}

Deno.test("live scrape: the seed's metrics, exactly, with live values; promtool is clean", async () => {
  const child = await startChild([
    "--db",
    ":memory:",
    "--log-level",
    "warn",
    "--venue-latency",
    "0",
    "--tick-interval",
    "20",
    "--var-interval",
    "50",
  ]);
  try {
    for (const [symbol, side] of [["AAPL", "BUY"], ["MSFT", "SELL"], ["AAPL", "BUY"]]) {
      const r = await fetch(`${child.base}/orders?symbol=${symbol}&side=${side}&quantity=5`, {
        method: "POST",
      });
      assert.equal(r.status, 201, await r.text());
    }
    for (const p of ["/positions", "/positions", "/quotes/AAPL", "/nope"]) {
      await (await fetch(child.base + p)).body?.cancel();
    }
    // Ticks and the VaR are observed, not waited for: /risk shows a VaR of the open positions
    // once enough returns are in its window.
    for (let i = 0;; i++) {
      const risk = await (await fetch(`${child.base}/risk`)).json();
      if (risk.var["0.99"] > 0 && risk.windowSize >= 5) break;
      assert.ok(i < 400, `no VaR after ${i} polls: ${JSON.stringify(risk)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const res = await fetch(`${child.base}/metrics`);
    assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    const e = parseExposition(text);

    for (const [name, type, help, labels] of SEED) {
      assert.equal(e.types.get(name), type, `${name} type`);
      assert.equal(e.help.get(name), help, `${name} HELP`);
      const samples = samplesOf(e, name, type);
      assert.ok(samples.length > 0, `${name} has samples`);
      for (const s of samples) {
        const got = Object.keys(s.labels).filter((l) => l !== "le").sort();
        assert.deepEqual(got, [...labels].sort(), `${name} labels`);
      }
      if (type === "histogram") {
        const first = samples.find((s) => s.name === `${name}_bucket`)!;
        const les = samples
          .filter((s) =>
            s.name === `${name}_bucket` &&
            Object.keys(first.labels).every((k) => k === "le" || s.labels[k] === first.labels[k])
          )
          .map((s) => s.labels.le);
        assert.deepEqual(les, SEED_BUCKETS[name], `${name} buckets`);
      }
    }
    for (const [name, type] of PROCESS) assert.equal(e.types.get(name), type, name);
    assert.ok(sumOf(e, "process_resident_memory_bytes") > 1e6);
    assert.ok(sumOf(e, "process_cpu_seconds_total") > 0);
    assert.ok(sumOf(e, "process_open_fds") > 2);

    // Live values, each backed by real computation.
    assert.equal(sumOf(e, "order_count_total", { symbol: "AAPL", status: "filled" }), 2);
    assert.equal(sumOf(e, "order_latency_seconds_count", { symbol: "MSFT" }), 1);
    assert.equal(sumOf(e, "open_positions_count"), 2);
    assert.notEqual(sumOf(e, "position_value_dollars", { symbol: "AAPL" }), 0);
    assert.ok(sumOf(e, "position_value_dollars", { symbol: "MSFT" }) < 0, "short MSFT");
    assert.ok(sumOf(e, "redis_cache_hits_total") + sumOf(e, "redis_cache_misses_total") >= 3);
    assert.ok(sumOf(e, "market_data_lag_seconds", { symbol: "AAPL" }) > 0);
    assert.ok(sumOf(e, "db_connection_pool_size", { status: "max" }) >= 1);
    const var95 = sumOf(e, "risk_var_dollars", { confidence_level: "0.95" });
    const var99 = sumOf(e, "risk_var_dollars", { confidence_level: "0.99" });
    assert.ok(var95 > 0 && var99 >= var95, `VaR 0.95 ${var95}, 0.99 ${var99}`);
    assert.equal(
      sumOf(e, "http_requests_total", { method: "GET", endpoint: "unmatched", status: "404" }),
      1,
    );
    assert.equal(
      sumOf(e, "http_requests_total", {
        method: "POST",
        endpoint: "/orders",
        status: "201",
      }),
      3,
    );

    const promtool = new Deno.Command("promtool", {
      args: ["check", "metrics"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = promtool.stdin.getWriter();
    await w.write(new TextEncoder().encode(text));
    await w.close();
    const out = await promtool.output();
    const report = (new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr))
      .trim().split("\n").filter(Boolean);
    assert.deepEqual(report, [
      'open_positions_count non-histogram and non-summary metrics should not have "_count" suffix',
    ]);
  } finally {
    await child.stop();
  }
});
