import assert from "node:assert/strict";
import { join } from "node:path";
import { openTradingService as createTradingService } from "../../src/app.ts";
import { defaultTradingConfig, testHooks } from "../../src/trading/service.ts";
import type { OrderStore } from "../../src/trading/ports.ts";
import type { DomainEvent, OrderRequest, TradingConfig } from "../../src/trading/types.ts";

function config(extra: Partial<TradingConfig> = {}): TradingConfig {
  return { ...defaultTradingConfig(), dbPath: ":memory:", venueLatencyMs: 0, ...extra };
}
const buy = (
  symbol: string,
  quantity: number,
  extra: Partial<OrderRequest> = {},
): OrderRequest => ({
  symbol,
  side: "BUY",
  quantity,
  type: "market",
  ...extra,
});

Deno.test("default config and validation", async () => {
  const d = defaultTradingConfig();
  assert.deepEqual(d.symbols, ["AAPL", "GOOGL", "MSFT", "AMZN", "TSLA"]);
  assert.equal(d.dbPath, "./data/tradewatch.db");
  assert.equal(d.tickIntervalMs, 250);
  await assert.rejects(createTradingService(config({ failRate: 2 })), /Invalid failRate/);
  await assert.rejects(createTradingService(config({ symbols: [] })), /Invalid symbols/);
  await assert.rejects(createTradingService(config({ symbols: ["A", "A"] })), /twice/);
  await assert.rejects(createTradingService(config({ poolSize: 0 })), /Invalid poolSize/);
});

Deno.test("orders: fill, cancel, reject before the venue, events and storage", async () => {
  const svc = await createTradingService(config({ maxPosition: 100 }), { startTimers: false });
  const events: DomainEvent[] = [];
  try {
    svc.on((e) => events.push(e));
    assert.equal(events.length, 0, "subscribing replays nothing: state is read with state()");

    const q = (await svc.quote("AAPL"))!;
    const filled = await svc.placeOrder(buy("AAPL", 10), performance.now());
    assert.equal(filled.status, "filled");
    assert.equal(filled.fillPrice, q.ask);
    assert.equal(filled.filledQuantity, 10);
    assert.equal(filled.reason, null);
    assert.deepEqual(await svc.getOrder(filled.id), filled);

    const cancelled = await svc.placeOrder(
      buy("AAPL", 5, { type: "limit", price: q.bid - 1 }),
      performance.now(),
    );
    assert.equal(cancelled.status, "cancelled");
    assert.equal(cancelled.limitPrice, q.bid - 1);
    assert.equal(cancelled.fillPrice, null);

    const rejected = await svc.placeOrder(buy("AAPL", 91), performance.now());
    assert.equal(rejected.status, "rejected");
    assert.match(rejected.reason!, /exceeds the limit of 100/);
    const unknown = await svc.placeOrder(buy("NOPE", 1), performance.now());
    assert.equal(unknown.status, "rejected");

    const orders = events.filter((e) => e.type === "order");
    assert.deepEqual(orders.map((e) => e.order.status), [
      "filled",
      "cancelled",
      "rejected",
      "rejected",
    ]);
    for (const e of orders) assert.ok(e.latencySeconds >= 0 && e.latencySeconds < 60);
    assert.deepEqual(
      (await svc.listOrders({ limit: 10 })).orders.map((o) => o.id),
      [unknown.id, rejected.id, cancelled.id, filled.id],
    );
    const aapl = (await svc.positions()).find((p) => p.symbol === "AAPL")!;
    assert.equal(aapl.quantity, 10);
    assert.equal(aapl.avgCost, q.ask);
  } finally {
    await svc.close();
  }
});

Deno.test("a failing venue fails orders; risk rejections never reach it", async () => {
  const svc = await createTradingService(config({ failRate: 1, maxNotional: 1000 }), {
    startTimers: false,
  });
  try {
    const failed = await svc.placeOrder(buy("MSFT", 1), performance.now());
    assert.equal(failed.status, "failed");
    assert.match(failed.reason!, /venue/);
    // 10 × ~410 > 1000: rejected by risk (a venue failing everything would say "failed").
    const rejected = await svc.placeOrder(buy("MSFT", 10), performance.now());
    assert.equal(rejected.status, "rejected");
    assert.match(rejected.reason!, /Notional/);
    assert.equal((await svc.positions()).every((p) => p.quantity === 0), true);
  } finally {
    await svc.close();
  }
});

Deno.test("concurrent orders at a slow venue never breach the position limit", async () => {
  const svc = await createTradingService(config({ venueLatencyMs: 3, maxPosition: 100 }), {
    startTimers: false,
  });
  try {
    const results = await Promise.all(
      Array.from({ length: 30 }, () => svc.placeOrder(buy("TSLA", 10), performance.now())),
    );
    const filled = results.filter((o) => o.status === "filled").length;
    assert.equal(filled, 10);
    assert.equal(results.filter((o) => o.status === "rejected").length, 20);
    assert.equal((await svc.positions()).find((p) => p.symbol === "TSLA")!.quantity, 100);
    // Selling frees room again.
    const sold = await svc.placeOrder(buy("TSLA", 30, { side: "SELL" }), performance.now());
    assert.equal(sold.status, "filled");
    assert.equal((await svc.placeOrder(buy("TSLA", 30), performance.now())).status, "filled");
  } finally {
    await svc.close();
  }
});

Deno.test("close waits for orders at the venue and refuses new ones", async () => {
  const svc = await createTradingService(config({ venueLatencyMs: 20 }), { startTimers: false });
  const inFlight = svc.placeOrder(buy("AMZN", 1), performance.now());
  await svc.close();
  assert.equal((await inFlight).status, "filled");
  await assert.rejects(svc.placeOrder(buy("AMZN", 1), performance.now()), /closed/);
  assert.deepEqual(await svc.ready(), {
    database: false,
    marketData: false,
    cache: false,
    feed: "local",
  });
  await svc.close(); // idempotent
});

Deno.test("ticks: lag, marks, strategies, risk; state is read, not pushed", async () => {
  // No read cache (TTL 0): quote() answers the latest tick, as state() does.
  const svc = await createTradingService(config({ varWindow: 50, cacheTtlMs: 0 }), {
    startTimers: false,
  });
  const events: DomainEvent[] = [];
  try {
    await svc.placeOrder(buy("GOOGL", 100), performance.now());
    await svc.placeOrder(buy("AAPL", 50, { side: "SELL" }), performance.now());
    svc.on((e) => events.push(e));
    events.length = 0;
    for (let i = 0; i < 400; i++) testHooks(svc).tick();
    assert.ok(events.every((e) => e.type === "signal"), "a tick pushes only strategy signals");
    const signals = events.filter((e) => e.type === "signal");
    assert.ok(signals.some((e) => e.strategy === "ma_crossover"));
    assert.ok(signals.some((e) => e.strategy === "mean_reversion"));

    const state = svc.state();
    for (const t of state.ticks) {
      const lag = (t.receivedTime - t.exchangeTime) / 1000;
      assert.ok(lag > 0 && lag < 5, `${t.symbol} lag ${lag}`);
    }
    const g = state.positions.find((p) => p.symbol === "GOOGL")!;
    const q = (await svc.quote("GOOGL"))!;
    assert.equal(g.marketPrice, q.last);
    assert.equal(g.marketValue, 100 * q.last);
    assert.ok(Math.abs(g.unrealizedPnl - 100 * (q.last - g.avgCost)) < 1e-9);

    const risk = testHooks(svc).recomputeRisk();
    assert.equal(risk.windowSize, 50);
    assert.ok(risk.var["0.99"] >= risk.var["0.95"]);
    assert.ok(risk.var["0.95"] > 0);
    assert.ok(
      Math.abs(risk.portfolioValue - (g.marketValue - 50 * (await svc.quote("AAPL"))!.last)) < 1e-6,
    );
    assert.deepEqual(svc.state().risk, risk);
    assert.deepEqual(svc.risk(), risk);
  } finally {
    await svc.close();
  }
});

Deno.test("reads go through the cache: misses, then hits, invalidated by fills", async () => {
  const svc = await createTradingService(config({ cacheTtlMs: 60_000 }), { startTimers: false });
  const hits: boolean[] = [];
  try {
    svc.on((e) => e.type === "cache" && hits.push(e.hit));
    await svc.quote("AAPL");
    await svc.quote("AAPL");
    assert.equal(await svc.quote("NOPE"), null); // not a lookup
    await svc.positions();
    await svc.positions();
    await svc.placeOrder(buy("AAPL", 1), performance.now());
    const after = await svc.positions();
    assert.equal(after.find((p) => p.symbol === "AAPL")!.quantity, 1);
    // quote, quote, positions, positions, the order's quote (cached above), positions.
    assert.deepEqual(hits, [false, true, false, true, true, false]);
  } finally {
    await svc.close();
  }
});

Deno.test("a throwing listener breaks neither the engine nor other listeners", async () => {
  const errors: unknown[] = [];
  const svc = await createTradingService(config(), {
    startTimers: false,
    onListenerError: (e) => errors.push(e),
  });
  try {
    svc.on(() => {
      throw new Error("boom");
    });
    let seen = 0;
    const off = svc.on((e) => e.type === "order" && seen++);
    assert.equal((await svc.placeOrder(buy("AAPL", 1), performance.now())).status, "filled");
    testHooks(svc).tick();
    assert.equal(seen, 1);
    assert.equal(errors.length, 1, "reported once per listener");
    off();
    await svc.placeOrder(buy("AAPL", 1), performance.now());
    assert.equal(seen, 1);
  } finally {
    await svc.close();
  }
});

Deno.test("ready, and positions reloaded from a file database after restart", async () => {
  const dir = await Deno.makeTempDir();
  const dbPath = join(dir, "tw.db");
  try {
    const a = await createTradingService(config({ dbPath, tickIntervalMs: 10 }));
    let id: string;
    try {
      assert.deepEqual(await a.ready(), {
        database: true,
        marketData: true,
        cache: true,
        feed: "local",
      });
      await a.placeOrder(buy("MSFT", 30), performance.now());
      id = (await a.placeOrder(buy("MSFT", 10, { side: "SELL" }), performance.now())).id;
    } finally {
      await a.close();
    }
    const b = await createTradingService(config({ dbPath }), { startTimers: false });
    try {
      const msft = (await b.positions()).find((p) => p.symbol === "MSFT")!;
      assert.equal(msft.quantity, 20);
      assert.ok(msft.realizedPnl < 0, "bought at the ask, sold at the bid");
      assert.equal((await b.getOrder(id))!.side, "SELL");
      // Selling past flat works from the reloaded position: 20 long → 5 short.
      await b.placeOrder(buy("MSFT", 25, { side: "SELL" }), performance.now());
      assert.equal((await b.positions()).find((p) => p.symbol === "MSFT")!.quantity, -5);
    } finally {
      await b.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("market data goes stale without ticks", async () => {
  const svc = await createTradingService(config({ staleAfterMs: 20 }), { startTimers: false });
  try {
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(await svc.ready(), {
      database: true,
      marketData: false,
      cache: true,
      feed: "local",
    });
    testHooks(svc).tick();
    assert.equal((await svc.ready()).marketData, true);
  } finally {
    await svc.close();
  }
});

Deno.test("a failed commit leaves no trace but the error and a failed order event", async () => {
  const { SqliteStore } = await import("../../src/store/sqlite.ts");
  const store = new SqliteStore({ path: ":memory:", poolSize: 1 });
  let failNext = false;
  const faulty: OrderStore = {
    append: (w) => failNext ? Promise.reject(new Error("disk full")) : store.append(w),
    getOrder: (id) => store.getOrder(id),
    listOrders: (o) => store.listOrders(o),
    loadPositions: () => store.loadPositions(),
    ping: () => store.ping(),
    get poolState() {
      return store.poolState;
    },
    close: () => store.close(),
  };
  const svc = await createTradingService(config({ maxPosition: 15 }), {
    startTimers: false,
    store: faulty,
  });
  const orders: DomainEvent[] = [];
  try {
    svc.on((e) => e.type === "order" && orders.push(e));
    assert.equal((await svc.placeOrder(buy("AAPL", 10), performance.now())).status, "filled");
    const before = svc.state();
    failNext = true;
    await assert.rejects(svc.placeOrder(buy("AAPL", 5), performance.now()), /disk full/);
    failNext = false;
    assert.deepEqual(svc.state().positions, before.positions);
    assert.equal((await svc.positions()).find((p) => p.symbol === "AAPL")!.quantity, 10);
    assert.deepEqual(
      orders.map((e) => e.type === "order" && [e.order.status, e.order.reason]),
      [["filled", null], ["failed", "The order could not be stored"]],
    );
    // The reservation was released: the full remaining room (5) can be used.
    assert.equal((await svc.placeOrder(buy("AAPL", 5), performance.now())).status, "filled");
    assert.equal((await svc.listOrders({ limit: 10 })).orders.length, 2);
  } finally {
    await svc.close();
  }
});

Deno.test("state(): positions without the cache, risk, the pool now, tick times", async () => {
  const svc = await createTradingService(config({ cacheTtlMs: 60_000 }), { startTimers: false });
  const cache: boolean[] = [];
  try {
    svc.on((e) => e.type === "cache" && cache.push(e.hit));
    await svc.positions(); // cached now
    testHooks(svc).tick();
    await svc.placeOrder(buy("MSFT", 3), performance.now()); // caches the latest quote
    const s = svc.state();
    assert.equal(s.positions.find((p) => p.symbol === "MSFT")!.quantity, 3);
    assert.deepEqual(s.pool, { active: 0, idle: 4, waiting: 0, max: 4 });
    assert.deepEqual(s.risk, svc.risk());
    assert.deepEqual(s.ticks.map((t) => t.symbol), svc.symbols);
    const q = (await svc.quote("MSFT"))!;
    const t = s.ticks.find((x) => x.symbol === "MSFT")!;
    assert.deepEqual([t.exchangeTime, t.receivedTime], [q.exchangeTime, q.receivedTime]);
    assert.ok(t.receivedTime > t.exchangeTime);
    // positions, the order's quote, quote(): state() does not read the cache.
    assert.deepEqual(cache, [false, false, true], "state() does not read the cache");
  } finally {
    await svc.close();
  }
});

Deno.test("testHooks refuses a service it did not build", () => {
  assert.throws(() => testHooks({} as never), /createTradingService/);
});
