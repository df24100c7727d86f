/**
 * The Hono app in-process (app.fetch) against the real trading service on :memory:: routes,
 * validation errors with their field, status codes, request IDs and route-template labels.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { parseConfig } from "../../src/config.ts";
import { ROUTE_TEMPLATES } from "../../src/metrics/labels.ts";
import { assertRouteTemplates, createApp } from "../../src/server/app.ts";
import { createLogger } from "../../src/server/logger.ts";
import { openTradingService } from "../../src/app.ts";
import { appFixture, parseExposition, req, sumOf } from "./helpers.ts";

async function metricsOf(app: Hono) {
  return parseExposition((await req(app, "GET", "/metrics")).text);
}

Deno.test("every registered route is a ROUTE_TEMPLATES member, and an unknown one is refused", async () => {
  const f = await appFixture();
  try {
    const paths = new Set(f.app.routes.map((r) => r.path).filter((p) => p !== "/*" && p !== "*"));
    assert.deepEqual([...paths].sort(), [...ROUTE_TEMPLATES].sort());
    const rogue = new Hono();
    rogue.get("/orders/:id/raw", (c) => c.text("x"));
    assert.throws(() => assertRouteTemplates(rogue), /not in ROUTE_TEMPLATES/);
  } finally {
    await f.close();
  }
});

Deno.test("seed-style query order is filled with 201, Location and the order JSON", async () => {
  const f = await appFixture();
  try {
    const r = await req(f.app, "POST", "/orders?symbol=aapl&side=buy&quantity=10");
    assert.equal(r.status, 201, r.text);
    const order = r.json!;
    assert.equal(order.status, "filled");
    assert.equal(order.symbol, "AAPL");
    assert.equal(order.side, "BUY");
    assert.equal(order.filledQuantity, 10);
    assert.equal(typeof order.fillPrice, "number");
    assert.equal(r.res.headers.get("location"), `/orders/${order.id}`);
    const again = await req(f.app, "GET", `/orders/${order.id}`);
    assert.equal(again.status, 200);
    assert.deepEqual(again.json, order);
    const list = await req(f.app, "GET", "/orders?limit=1");
    assert.equal((list.json!.orders as unknown[]).length, 1);
    const m = await metricsOf(f.app);
    assert.equal(
      sumOf(m, "order_count_total", { symbol: "AAPL", side: "BUY", status: "filled" }),
      1,
    );
    assert.equal(sumOf(m, "order_latency_seconds_count", { symbol: "AAPL" }), 1);
  } finally {
    await f.close();
  }
});

Deno.test("JSON body orders: market and limit (a non-marketable limit is cancelled, 201)", async () => {
  const f = await appFixture();
  try {
    const json = (body: unknown) => ({
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const market = await req(
      f.app,
      "POST",
      "/orders",
      json({ symbol: "MSFT", side: "SELL", quantity: 3 }),
    );
    assert.equal(market.status, 201, market.text);
    assert.equal(market.json!.type, "market");
    const cheap = await req(
      f.app,
      "POST",
      "/orders",
      json({ symbol: "MSFT", side: "BUY", quantity: 1, type: "limit", price: 0.01 }),
    );
    assert.equal(cheap.status, 201, cheap.text);
    assert.equal(cheap.json!.status, "cancelled");
    assert.equal(cheap.json!.limitPrice, 0.01);
    // Query and body combine; the same field in both is ambiguous.
    const mixed = await req(
      f.app,
      "POST",
      "/orders?symbol=TSLA",
      json({ side: "buy", quantity: 1 }),
    );
    assert.equal(mixed.status, 201, mixed.text);
    const twice = await req(f.app, "POST", "/orders?symbol=TSLA", json({ symbol: "TSLA" }));
    assert.equal(twice.status, 400);
    assert.equal(twice.json!.field, "symbol");
  } finally {
    await f.close();
  }
});

Deno.test("validation errors answer {error, field} and count as rejected under INVALID", async () => {
  const f = await appFixture(["--max-order-qty", "500"]);
  try {
    const cases: Array<[string, number, string]> = [
      ["symbol=NOPE&side=BUY&quantity=1", 422, "symbol"],
      ["side=BUY&quantity=1", 422, "symbol"],
      ["symbol=AAPL&side=HOLD&quantity=1", 422, "side"],
      ["symbol=AAPL&side=BUY&quantity=0", 422, "quantity"],
      ["symbol=AAPL&side=BUY&quantity=-5", 422, "quantity"],
      ["symbol=AAPL&side=BUY&quantity=abc", 422, "quantity"],
      ["symbol=AAPL&side=BUY&quantity=Infinity", 422, "quantity"],
      ["symbol=AAPL&side=BUY&quantity=1e400", 422, "quantity"],
      ["symbol=AAPL&side=BUY&quantity=501", 422, "quantity"],
      ["symbol=AAPL&side=BUY&quantity=1&type=limit", 422, "price"],
      ["symbol=AAPL&side=BUY&quantity=1&type=limit&price=-1", 422, "price"],
      ["symbol=AAPL&side=BUY&quantity=1&type=stop", 422, "type"],
      ["symbol=AAPL&side=BUY&quantity=1&colour=red", 422, "colour"],
      ["symbol=AAPL&symbol=MSFT&side=BUY&quantity=1", 400, "symbol"],
    ];
    for (const [query, status, field] of cases) {
      const r = await req(f.app, "POST", `/orders?${query}`);
      assert.equal(r.status, status, `${query}: ${r.text}`);
      assert.equal(r.json!.field, field, query);
      assert.equal(typeof r.json!.error, "string");
      assert.ok(!(r.json!.error as string).includes("NOPE"), "input is never echoed");
    }
    const m = await metricsOf(f.app);
    const sides = ["BUY", "INVALID"];
    const invalid = sides.reduce(
      (a, side) =>
        a + sumOf(m, "order_count_total", { symbol: "INVALID", side, status: "rejected" }),
      0,
    );
    assert.equal(invalid, cases.length);
    assert.equal(
      sumOf(m, "order_count_total", { symbol: "INVALID", side: "INVALID", status: "rejected" }),
      1,
      "only the HOLD order has an invalid side",
    );
    assert.equal(sumOf(m, "order_count_total", { status: "filled" }), 0);
  } finally {
    await f.close();
  }
});

Deno.test("malformed bodies: 400 bad JSON, 400 non-object, 415 wrong type, 413 too large", async () => {
  const f = await appFixture(["--body-limit", "256"]);
  try {
    const post = (body: BodyInit, type = "application/json") =>
      req(f.app, "POST", "/orders", { body, headers: { "content-type": type } });
    let r = await post("{not json");
    assert.deepEqual([r.status, r.json!.field], [400, "body"]);
    r = await post("[1,2]");
    assert.deepEqual([r.status, r.json!.field], [400, "body"]);
    r = await post("symbol=AAPL", "application/x-www-form-urlencoded");
    assert.deepEqual([r.status, r.json!.field], [415, "content-type"]);
    r = await post(JSON.stringify({ symbol: "AAPL", pad: "x".repeat(1000) }));
    assert.deepEqual([r.status, r.json!.field], [413, "body"]);
    // Without Content-Length (a stream), the limit still holds.
    const stream = new Blob(["{" + " ".repeat(5000) + "}"]).stream();
    r = await post(stream);
    assert.equal(r.status, 413);
    const ok = await post(
      JSON.stringify({ symbol: "AAPL", side: "BUY", quantity: 1 }),
      "application/json; charset=utf-8",
    );
    assert.equal(ok.status, 201, ok.text);
  } finally {
    await f.close();
  }
});

Deno.test("a risk-rejected order answers 422 with the order, counted under its symbol", async () => {
  const f = await appFixture(["--max-notional", "1000"]);
  try {
    const r = await req(f.app, "POST", "/orders?symbol=AAPL&side=BUY&quantity=100");
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json!.status, "rejected");
    assert.equal(typeof r.json!.id, "string");
    assert.equal(typeof r.json!.error, "string");
    const m = await metricsOf(f.app);
    assert.equal(
      sumOf(m, "order_count_total", { symbol: "AAPL", side: "BUY", status: "rejected" }),
      1,
    );
  } finally {
    await f.close();
  }
});

Deno.test("a venue failure answers 502 with the order and counts status=failed", async () => {
  const f = await appFixture(["--fail-rate", "1"]);
  try {
    const r = await req(f.app, "POST", "/orders?symbol=GOOGL&side=SELL&quantity=2");
    assert.equal(r.status, 502, r.text);
    assert.equal(r.json!.status, "failed");
    const m = await metricsOf(f.app);
    assert.equal(
      sumOf(m, "order_count_total", { symbol: "GOOGL", side: "SELL", status: "failed" }),
      1,
    );
  } finally {
    await f.close();
  }
});

Deno.test("read endpoints answer JSON; unknown ids and symbols 404 with field", async () => {
  const f = await appFixture();
  try {
    const index = await req(f.app, "GET", "/");
    assert.equal(index.status, 200);
    assert.deepEqual(index.json!.symbols, f.service.symbols);
    assert.deepEqual((await req(f.app, "GET", "/health")).json, { status: "healthy" });
    const quotes = await req(f.app, "GET", "/quotes");
    assert.equal((quotes.json!.quotes as unknown[]).length, f.service.symbols.length);
    const q = await req(f.app, "GET", "/quotes/tsla");
    assert.equal(q.status, 200);
    assert.equal(q.json!.symbol, "TSLA");
    const noSym = await req(f.app, "GET", "/quotes/NOPE");
    assert.deepEqual([noSym.status, noSym.json!.field], [404, "symbol"]);
    const noOrder = await req(f.app, "GET", "/orders/does-not-exist");
    assert.deepEqual([noOrder.status, noOrder.json!.field], [404, "id"]);
    const positions = await req(f.app, "GET", "/positions");
    assert.ok(Array.isArray(positions.json!.positions));
    const risk = await req(f.app, "GET", "/risk");
    assert.equal(typeof (risk.json!.var as Record<string, number>)["0.99"], "number");
    const badLimit = await req(f.app, "GET", "/orders?limit=0");
    assert.deepEqual([badLimit.status, badLimit.json!.field], [422, "limit"]);
    for (const cursor of ["%00%01", "abc", "0", "-1", "9".repeat(40)]) {
      const badCursor = await req(f.app, "GET", `/orders?before=${cursor}`);
      assert.deepEqual([badCursor.status, badCursor.json!.field], [422, "before"], cursor);
    }
    const page = await req(f.app, "GET", "/orders?before=12345&limit=500");
    assert.equal(page.status, 200, page.text);
  } finally {
    await f.close();
  }
});

Deno.test("/ready reflects market-data freshness (no ticks: 503)", async () => {
  const f = await appFixture(["--stale-after", "1"]);
  try {
    await new Promise((r) => setTimeout(r, 20));
    const r = await req(f.app, "GET", "/ready");
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json!.marketData, false);
    assert.equal(r.json!.database, true);
  } finally {
    await f.close();
  }
});

Deno.test("unknown paths 404 JSON (endpoint=unmatched); wrong methods 405 with Allow", async () => {
  const f = await appFixture();
  try {
    const nf = await req(f.app, "GET", "/orders/1/2/3");
    assert.equal(nf.status, 404);
    assert.deepEqual(nf.json, { error: "not found", field: null });
    const put = await req(f.app, "PUT", "/orders");
    assert.equal(put.status, 405);
    assert.equal(put.res.headers.get("allow"), "POST, GET, HEAD, OPTIONS");
    const del = await req(f.app, "DELETE", "/health");
    assert.equal(del.status, 405);
    const opt = await req(f.app, "OPTIONS", "/quotes/AAPL");
    assert.equal(opt.status, 204);
    const weird = await req(f.app, "PROPFIND", "/risk");
    assert.equal(weird.status, 405);
    const head = await req(f.app, "HEAD", "/health");
    assert.equal(head.status, 200);
    const m = await metricsOf(f.app);
    const get = (labels: Record<string, string>) => sumOf(m, "http_requests_total", labels);
    assert.equal(get({ method: "GET", endpoint: "unmatched", status: "404" }), 1);
    assert.equal(get({ method: "PUT", endpoint: "/orders", status: "405" }), 1);
    assert.equal(get({ method: "DELETE", endpoint: "/health", status: "405" }), 1);
    assert.equal(get({ method: "OPTIONS", endpoint: "/quotes/:symbol", status: "204" }), 1);
    assert.equal(get({ method: "OTHER", endpoint: "/risk", status: "405" }), 1);
    assert.equal(get({ method: "HEAD", endpoint: "/health", status: "200" }), 1);
    // The scrape that produced `m` was itself recorded by the time of the next scrape.
    const m2 = await metricsOf(f.app);
    assert.ok(
      sumOf(m2, "http_requests_total", { method: "GET", endpoint: "/metrics", status: "200" }) >= 1,
    );
    assert.ok(
      sumOf(m2, "http_request_duration_seconds_count", { method: "GET", endpoint: "/metrics" }) >=
        1,
    );
  } finally {
    await f.close();
  }
});

Deno.test("X-Request-Id: a plain incoming id is echoed, anything else is replaced", async () => {
  const f = await appFixture();
  try {
    const keep = await req(f.app, "GET", "/health", { headers: { "x-request-id": "abc-123" } });
    assert.equal(keep.res.headers.get("x-request-id"), "abc-123");
    const long = "x".repeat(500);
    for (const bad of [long, "a b", "<script>", "é"]) {
      const r = await req(f.app, "GET", "/nope", { headers: { "x-request-id": bad } });
      const id = r.res.headers.get("x-request-id")!;
      assert.ok(id && id !== bad && id.length <= 64, id);
    }
    const a = (await req(f.app, "GET", "/health")).res.headers.get("x-request-id");
    const b = (await req(f.app, "GET", "/health")).res.headers.get("x-request-id");
    assert.notEqual(a, b);
    const err = await req(f.app, "POST", "/orders?symbol=X");
    assert.ok(err.res.headers.get("x-request-id"));
  } finally {
    await f.close();
  }
});

Deno.test("/metrics honours a bearer token (constant-time compare) and --no-metrics", async () => {
  const f = await appFixture(["--metrics-token", "s3cret-token"]);
  try {
    const none = await req(f.app, "GET", "/metrics");
    assert.equal(none.status, 401);
    assert.match(none.res.headers.get("www-authenticate") ?? "", /^Bearer/);
    const wrong = await req(f.app, "GET", "/metrics", {
      headers: { authorization: "Bearer s3cret-tokem" },
    });
    assert.equal(wrong.status, 401);
    const ok = await req(f.app, "GET", "/metrics", {
      headers: { authorization: "Bearer s3cret-token" },
    });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /^# HELP order_count_total/m);
  } finally {
    await f.close();
  }
  const config = parseConfig(
    ["--db", ":memory:", "--no-metrics"],
    () => undefined,
  );
  const service = await openTradingService(config.trading, { startTimers: false });
  try {
    const app = createApp({
      service,
      catalog: null,
      recorder: null,
      config,
      logger: createLogger("silent"),
    });
    assert.equal((await req(app, "GET", "/metrics")).status, 404);
    assert.equal((await req(app, "POST", "/orders?symbol=AAPL&side=BUY&quantity=1")).status, 201);
  } finally {
    await service.close();
  }
});

Deno.test("every route template is reachable and recorded as its own endpoint label", async () => {
  const f = await appFixture();
  try {
    const order = await req(f.app, "POST", "/orders?symbol=AAPL&side=BUY&quantity=1");
    const hits: Record<string, [string, string]> = {
      "/": ["GET", "/"],
      "/health": ["GET", "/health"],
      "/ready": ["GET", "/ready"],
      "/metrics": ["GET", "/metrics"],
      "/orders": ["GET", "/orders"],
      "/orders/:id": ["GET", `/orders/${order.json!.id}`],
      "/positions": ["GET", "/positions"],
      "/quotes": ["GET", "/quotes"],
      "/quotes/:symbol": ["GET", "/quotes/MSFT"],
      "/risk": ["GET", "/risk"],
    };
    assert.deepEqual(Object.keys(hits).sort(), [...ROUTE_TEMPLATES].sort());
    for (const [method, path] of Object.values(hits)) await req(f.app, method, path);
    const m = await metricsOf(f.app);
    for (const template of ROUTE_TEMPLATES) {
      assert.ok(
        sumOf(m, "http_requests_total", { method: "GET", endpoint: template }) >= 1,
        template,
      );
      assert.ok(
        sumOf(m, "http_request_duration_seconds_count", { method: "GET", endpoint: template }) >=
          1,
        template,
      );
    }
    assert.equal(
      sumOf(m, "http_requests_total", { endpoint: `/orders/${order.json!.id}` }),
      0,
      "never the raw path",
    );
  } finally {
    await f.close();
  }
});
