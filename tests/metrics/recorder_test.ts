/**
 * The recorder turns domain events into counter and histogram updates, and the gauges read the
 * service's state at scrape time, with closed label values only.
 */
import assert from "node:assert/strict";
import { createCatalog } from "../../src/metrics/catalog.ts";
import { createRecorder } from "../../src/metrics/recorder.ts";
import type { DomainEvent, TradingService, TradingState } from "../../src/trading/types.ts";
import { parseExposition, sumOf } from "../server/helpers.ts";
import { filledOrder } from "../support/orders.ts";

/** A service stand-in that only delivers events: the recorder needs `symbols` and `on`. */
function eventSource(symbols: string[]) {
  let listener: ((e: DomainEvent) => void) | null = null;
  const service = {
    symbols,
    on(l: (e: DomainEvent) => void) {
      listener = l;
      return () => (listener = null);
    },
  } as unknown as TradingService;
  return { service, emit: (e: DomainEvent) => listener?.(e), subscribed: () => listener !== null };
}

Deno.test("events become counts, state becomes gauges; foreign label values are mapped, never added", async () => {
  let state: TradingState = {
    positions: [],
    risk: { var: { "0.95": 0, "0.99": 0 }, windowSize: 0, portfolioValue: 0, computedAt: "" },
    pool: { active: 0, idle: 0, waiting: 0, max: 0 },
    ticks: [],
  };
  let reads = 0;
  const catalog = createCatalog({
    symbols: ["AAPL", "MSFT"],
    state: () => (reads++, state),
  });
  const src = eventSource(["AAPL", "MSFT"]);
  const rec = createRecorder(catalog, src.service);
  src.emit({ type: "order", order: filledOrder(), latencySeconds: 0.003 });
  src.emit({
    type: "order",
    order: filledOrder({ symbol: "EVIL", status: "rejected" }),
    latencySeconds: 0.001,
  });
  src.emit({
    type: "order",
    order: filledOrder({ side: "SHORT" as "BUY", status: "failed" }),
    latencySeconds: NaN,
  });
  src.emit({ type: "signal", strategy: "ma_crossover", signal: "buy" });
  src.emit({ type: "signal", strategy: "mean_reversion", signal: "sell" });
  state = {
    positions: [
      {
        symbol: "AAPL",
        quantity: 10,
        avgCost: 100,
        marketPrice: 101,
        marketValue: 1010,
        realizedPnl: 5,
        unrealizedPnl: 10,
      },
      {
        symbol: "MSFT",
        quantity: 0,
        avgCost: 0,
        marketPrice: 300,
        marketValue: 0,
        realizedPnl: -2,
        unrealizedPnl: 0,
      },
    ],
    risk: {
      var: { "0.95": 12.5, "0.99": 20 },
      windowSize: 10,
      portfolioValue: 1010,
      computedAt: "",
    },
    pool: { active: 1, idle: 3, waiting: 0, max: 4 },
    ticks: [
      { symbol: "MSFT", exchangeTime: 1000, receivedTime: 1012 },
      { symbol: "EVIL", exchangeTime: 0, receivedTime: 1000 },
    ],
  };
  src.emit({ type: "cache", hit: true });
  src.emit({ type: "cache", hit: true });
  src.emit({ type: "cache", hit: false });
  rec.recordInvalidOrder("sell", 0.0001);
  rec.recordInvalidOrder("SELL", 0.0001);
  rec.recordInvalidOrder(undefined, 0.0001);

  const e = parseExposition(await catalog.registry.metrics());
  assert.equal(sumOf(e, "order_count_total", { symbol: "AAPL", side: "BUY", status: "filled" }), 1);
  assert.equal(
    sumOf(e, "order_count_total", { symbol: "INVALID", side: "BUY", status: "rejected" }),
    1,
  );
  assert.equal(
    sumOf(e, "order_count_total", { symbol: "AAPL", side: "INVALID", status: "failed" }),
    1,
  );
  assert.equal(
    sumOf(e, "order_count_total", { symbol: "INVALID", side: "SELL", status: "rejected" }),
    1,
  );
  assert.equal(
    sumOf(e, "order_count_total", { symbol: "INVALID", side: "INVALID", status: "rejected" }),
    2,
  );
  assert.equal(
    sumOf(e, "order_latency_seconds_count", { symbol: "AAPL" }),
    1,
    "NaN latency skipped",
  );
  assert.equal(sumOf(e, "order_latency_seconds_bucket", { symbol: "AAPL", le: "0.005" }), 1);
  assert.equal(sumOf(e, "order_latency_seconds_bucket", { symbol: "AAPL", le: "0.001" }), 0);
  assert.equal(sumOf(e, "market_data_lag_seconds", { symbol: "MSFT" }), 0.012);
  assert.equal(sumOf(e, "position_value_dollars", { symbol: "AAPL" }), 1010);
  assert.equal(sumOf(e, "trade_pnl_dollars", { symbol: "AAPL" }), 15);
  assert.equal(sumOf(e, "trade_pnl_dollars", { symbol: "MSFT" }), -2);
  assert.equal(sumOf(e, "open_positions_count"), 1);
  assert.equal(
    sumOf(e, "strategy_signals_total", { strategy: "ma_crossover", signal_type: "buy" }),
    1,
  );
  assert.equal(
    sumOf(e, "strategy_signals_total", { strategy: "ma_crossover", signal_type: "sell" }),
    0,
  );
  assert.equal(sumOf(e, "risk_var_dollars", { confidence_level: "0.95" }), 12.5);
  assert.equal(sumOf(e, "risk_var_dollars", { confidence_level: "0.99" }), 20);
  assert.equal(sumOf(e, "db_connection_pool_size", { status: "idle" }), 3);
  assert.equal(sumOf(e, "db_connection_pool_size", { status: "max" }), 4);
  assert.equal(sumOf(e, "redis_cache_hits_total"), 2);
  assert.equal(sumOf(e, "redis_cache_misses_total"), 1);
  assert.ok(!e.samples.some((s) => Object.values(s.labels).includes("EVIL")));
  assert.ok(!e.samples.some((s) => Object.values(s.labels).includes("SHORT")));

  assert.equal(reads, 1, "one scrape reads state() once");

  rec.close();
  assert.equal(src.subscribed(), false);
});
