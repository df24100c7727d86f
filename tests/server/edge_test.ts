/**
 * The edge's answers to hostile or unlucky input, in-process (app.fetch) on the real service:
 * protected endpoints, duplicate JSON keys, whole-share quantities, stale market data, HEAD
 * lengths, a stalled body, empty tokens, and /health while the store cannot write.
 */
import assert from "node:assert/strict";
import { parseConfig } from "../../src/config.ts";
import { createLogger } from "../../src/server/logger.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { UsageError } from "../../src/cli/mod.ts";
import { appFixture, req } from "./helpers.ts";

/** The app on a :memory: service; `lines` receives every log line. */
async function fixture(args: string[] = [], options: { store?: SqliteStore } = {}) {
  const lines: string[] = [];
  const sink = {
    write(p: Uint8Array) {
      lines.push(...new TextDecoder().decode(p).split("\n").filter((l) => l !== ""));
      return Promise.resolve(p.length);
    },
  };
  const logger = createLogger("info", sink);
  const f = await appFixture(args, { ...options, logger });
  return { ...f, lines, flush: () => logger.flush() };
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const READ_API = ["/positions", "/risk", "/orders", "/orders/no-such-order"];

Deno.test("--api-token guards every endpoint revealing the book, /metrics included; failures logged without the token", async () => {
  const f = await fixture(["--api-token", "api-secret-1", "--metrics-token", "scrape-secret"]);
  try {
    for (const path of [...READ_API, "/metrics"]) {
      const none = await req(f.app, "GET", path);
      assert.equal(none.status, 401, path);
      assert.deepEqual(none.json, {
        error: "a valid bearer token is required",
        field: "authorization",
      });
      assert.match(none.res.headers.get("www-authenticate") ?? "", /^Bearer realm=/);
      assert.equal((await req(f.app, "GET", path, bearer("wrong-token-x"))).status, 401, path);
      const ok = await req(f.app, "GET", path, bearer("api-secret-1"));
      assert.equal(ok.status, path === "/orders/no-such-order" ? 404 : 200, path);
    }
    // Prometheus's token reads /metrics only, not the order history.
    assert.equal((await req(f.app, "GET", "/metrics", bearer("scrape-secret"))).status, 200);
    assert.equal((await req(f.app, "GET", "/positions", bearer("scrape-secret"))).status, 401);
    // Probes, quotes and placing an order stay open.
    for (const path of ["/", "/health", "/ready", "/quotes", "/quotes/AAPL"]) {
      assert.equal((await req(f.app, "GET", path)).status, 200, path);
    }
    assert.equal(
      (await req(f.app, "POST", "/orders?symbol=AAPL&side=BUY&quantity=1")).status,
      201,
    );
    await f.flush();
    const failures = f.lines.map((l) => JSON.parse(l)).filter((l) =>
      l.msg === "authentication failed"
    );
    assert.ok(failures.length >= 10, `${failures.length} failures logged`);
    assert.ok(failures.every((l) => l.level === "info"));
    assert.ok(failures.some((l) => l.reason === "wrong token"));
    assert.ok(failures.some((l) => l.reason === "no authorization header"));
    assert.ok(
      !f.lines.some((l) => l.includes("wrong-token-x")),
      "the presented token is not logged",
    );
  } finally {
    await f.close();
  }
});

Deno.test("--metrics-token alone guards the read API too (no endpoint shows P&L without it)", async () => {
  const f = await fixture(["--metrics-token", "scrape-secret"]);
  try {
    for (const path of [...READ_API, "/metrics"]) {
      assert.equal((await req(f.app, "GET", path)).status, 401, path);
      assert.notEqual((await req(f.app, "GET", path, bearer("scrape-secret"))).status, 401, path);
    }
  } finally {
    await f.close();
  }
  const open = await fixture();
  try {
    for (const path of READ_API) assert.notEqual((await req(open.app, "GET", path)).status, 401);
  } finally {
    await open.close();
  }
});

Deno.test("an empty token variable is a configuration error, not 'no authentication'", () => {
  for (const name of ["METRICS_TOKEN", "TRADEWATCH_API_TOKEN"]) {
    assert.throws(
      () => parseConfig([], (n) => (n === name ? "" : undefined)),
      (e: Error) => e instanceof UsageError && e.message.includes(`${name}: it is set but empty`),
    );
  }
  assert.throws(() => parseConfig(["--api-token", ""], () => undefined), UsageError);
});

Deno.test("duplicate JSON keys are a 400 naming the key; whole shares only", async () => {
  const f = await fixture();
  try {
    const post = (body: string) =>
      req(f.app, "POST", "/orders", { headers: { "content-type": "application/json" }, body });
    const dup = await post('{"symbol":"AAPL","side":"BUY","quantity":1,"quantity":1000}');
    assert.equal(dup.status, 400, dup.text);
    assert.deepEqual(dup.json, { error: "field is given more than once", field: "quantity" });
    // Escaped spellings of the same key are the same key.
    const escaped = await post('{"symbol":"AAPL","side":"BUY","quantity":1,"quantit\\u0079":2}');
    assert.equal(escaped.status, 400);
    // The same key in different objects, or inside strings, is no duplicate.
    const fine = await post('{"symbol":"AAPL","side":"BUY","quantity":2,"type":"market"}');
    assert.equal(fine.status, 201, fine.text);
    const nested = await post('{"symbol":"AAPL","side":"BUY","quantity":1,"x":{"quantity":1}}');
    assert.equal(nested.status, 422, "unknown field x, not a duplicate");
    assert.equal(nested.json!.field, "x");
    for (const q of ["0.5", "1.0000000004", "2.5e0"]) {
      const r = await req(f.app, "POST", `/orders?symbol=AAPL&side=BUY&quantity=${q}`);
      assert.equal(r.status, 422, q);
      assert.deepEqual(r.json, {
        error: "quantity must be a whole number of shares",
        field: "quantity",
      });
    }
    // Sells and buys of whole shares leave no residue.
    for (const [side, q] of [["BUY", 3], ["SELL", 1], ["SELL", 2]] as const) {
      assert.equal(
        (await req(f.app, "POST", `/orders?symbol=MSFT&side=${side}&quantity=${q}`)).status,
        201,
      );
    }
    const positions = (await req(f.app, "GET", "/positions")).json!.positions as {
      symbol: string;
      quantity: number;
    }[];
    assert.equal(positions.find((p) => p.symbol === "MSFT")?.quantity, 0);
  } finally {
    await f.close();
  }
});

Deno.test("orders are refused with 503 while market data is stale; nothing is stored", async () => {
  const f = await fixture(["--stale-after", "1"]);
  try {
    // No tick since the start (timers off): after 1 ms the data is stale.
    await new Promise((r) => setTimeout(r, 20));
    const r = await req(f.app, "POST", "/orders?symbol=AAPL&side=BUY&quantity=1");
    assert.equal(r.status, 503, r.text);
    assert.match(String(r.json!.error), /market data is stale/);
    assert.equal(r.res.headers.get("retry-after"), "1");
    assert.deepEqual((await f.service.listOrders({ limit: 5 })).orders, []);
    // Bad input is still a 4xx first.
    assert.equal((await req(f.app, "POST", "/orders?symbol=AAPL&side=UP&quantity=1")).status, 422);
  } finally {
    await f.close();
  }
});

Deno.test("HEAD answers carry the Content-Length of GET", async () => {
  const f = await fixture();
  try {
    for (const path of ["/", "/health", "/positions", "/quotes/AAPL", "/risk", "/nope"]) {
      const get = await req(f.app, "GET", path);
      const head = await req(f.app, "HEAD", path);
      assert.equal(head.status, get.status, path);
      assert.equal(head.text, "", path);
      assert.equal(
        head.res.headers.get("content-length"),
        String(new TextEncoder().encode(get.text).length),
        path,
      );
    }
  } finally {
    await f.close();
  }
});

Deno.test("a body that stalls is cut off with 408 after --body-timeout", async () => {
  const f = await fixture(["--body-timeout", "50ms"]);
  try {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"symbol":"AAPL",'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const t0 = performance.now();
    const r = await req(f.app, "POST", "/orders", {
      headers: { "content-type": "application/json" },
      body,
      // @ts-ignore: Deno's RequestInit accepts a streaming body with duplex
      duplex: "half",
    });
    assert.equal(r.status, 408, r.text);
    assert.equal(r.json!.field, "body");
    assert.ok(cancelled, "the body stream was cancelled");
    assert.ok(performance.now() - t0 < 2000);
  } finally {
    await f.close();
  }
});

Deno.test("/health is 503 while the store cannot write, and 200 again once it can", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/orders.db`;
  const store = new SqliteStore({ path, poolSize: 2, busyTimeoutMs: 50, probeIntervalMs: 20 });
  const f = await fixture([], { store });
  const { DatabaseSync } = await import("node:sqlite");
  const holder = new DatabaseSync(path);
  try {
    assert.equal((await req(f.app, "GET", "/health")).status, 200);
    holder.exec("BEGIN IMMEDIATE");
    const order = await req(f.app, "POST", "/orders?symbol=AAPL&side=BUY&quantity=1");
    assert.equal(order.status, 503, order.text);
    assert.match(String(order.json!.error), /database/);
    const health = await req(f.app, "GET", "/health");
    assert.equal(health.status, 503);
    assert.deepEqual(health.json, { status: "unhealthy", database: false });
    assert.equal((await req(f.app, "GET", "/ready")).status, 503);
    // The book did not move.
    const positions = (await req(f.app, "GET", "/positions")).json!.positions as {
      quantity: number;
    }[];
    assert.ok(positions.every((p) => p.quantity === 0));
    holder.exec("ROLLBACK");
    const deadline = Date.now() + 5000;
    while ((await req(f.app, "GET", "/health")).status !== 200) {
      assert.ok(Date.now() < deadline, "/health back to 200");
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal((await req(f.app, "POST", "/orders?symbol=AAPL&side=BUY&quantity=1")).status, 201);
  } finally {
    holder.close();
    await f.close();
    await Deno.remove(dir, { recursive: true });
  }
});
