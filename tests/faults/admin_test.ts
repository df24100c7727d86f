/**
 * The admin API and the run-time faults against the real service (started as `deno task start`
 * runs it): existence only with a token, 401/400 answers, PUT/GET/DELETE, the warn log, the
 * `tradewatch_fault_active` gauge, and what each fault does to ordinary requests.
 */
import assert from "node:assert/strict";
import { FAULT_NAMES } from "../../src/metrics/labels.ts";
import { scrape, sumOf } from "../support/exposition.ts";
import { type Child, runMain, startChild } from "../support/service.ts";

const TOKEN = "test-admin-token";
const AUTH = { authorization: `Bearer ${TOKEN}` };

function put(child: Child, body: unknown, headers: HeadersInit = AUTH): Promise<Response> {
  return fetch(`${child.base}/admin/faults`, {
    method: "PUT",
    headers: { ...headers, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

// deno-lint-ignore no-explicit-any
async function json(res: Promise<Response> | Response): Promise<{ status: number; body: any }> {
  const r = await res;
  return { status: r.status, body: await r.json() };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function activeFaults(child: Child): Promise<Record<string, number>> {
  const e = await scrape(child.base);
  return Object.fromEntries(
    e.samples.filter((s) => s.name === "tradewatch_fault_active").map((s) => [
      s.labels.fault,
      s.value,
    ]),
  );
}

Deno.test("admin API: absent without a token, every fault 0 on /metrics", async () => {
  const child = await startChild(["--db", ":memory:"]);
  try {
    for (const method of ["GET", "PUT", "DELETE"]) {
      const res = await fetch(`${child.base}/admin/faults`, { method, headers: AUTH });
      assert.equal(res.status, 404, method);
      await res.body?.cancel();
    }
    const faults = await activeFaults(child);
    assert.deepEqual(Object.keys(faults).sort(), [...FAULT_NAMES].sort());
    assert.ok(Object.values(faults).every((v) => v === 0));
    const e = await scrape(child.base);
    assert.equal(sumOf(e, "http_requests_total", { endpoint: "unmatched", status: "404" }), 3);
  } finally {
    await child.stop();
  }
});

Deno.test("admin API: an empty or short token is a configuration error (flag and variable)", async () => {
  for (
    const [args, env] of [
      [["--admin-token", ""], {}],
      [["--admin-token", "short"], {}],
      [[], { TRADEWATCH_ADMIN_TOKEN: "" }],
    ] as [string[], Record<string, string>][]
  ) {
    const out = await runMain(["--db", ":memory:", "--port", "0", ...args], env);
    assert.equal(out.code, 2, JSON.stringify({ args, env, out }));
    assert.match(out.stderr, /Invalid (--admin-token|TRADEWATCH_ADMIN_TOKEN)/);
  }
});

Deno.test("admin API: tokens, validation naming the field, PUT/GET/DELETE, warn log, gauge", async () => {
  const child = await startChild(["--db", ":memory:", "--admin-token", TOKEN]);
  try {
    const url = `${child.base}/admin/faults`;
    const bad: Record<string, string>[] = [{}, { authorization: "Bearer wrong" }, {
      authorization: TOKEN,
    }];
    for (const headers of bad) {
      const r = await json(fetch(url, { headers }));
      assert.equal(r.status, 401);
      assert.equal(r.body.field, "authorization");
    }
    assert.equal((await json(put(child, {}, { authorization: "Bearer nope" }))).status, 401);

    const invalid: [unknown, string][] = [
      ["{", "body"],
      [[], "body"],
      [{}, "body"],
      [{ venue_failure: { rate: 2 } }, "venue_failure.rate"],
      [{ venue_failure: {} }, "venue_failure.rate"],
      [{ venue_latency: { distribution: "pareto" } }, "venue_latency.distribution"],
      [{ venue_latency: { distribution: "uniform", minMs: 5, maxMs: 1 } }, "venue_latency.minMs"],
      [{ feed_stall: { symbols: ["NOPE"] } }, "feed_stall.symbols.0"],
      [{ price_shock: { symbol: "AAPL", percent: -100 } }, "price_shock.percent"],
      [{ db_pool_hold: { connections: 5 } }, "db_pool_hold.connections"],
      [{ cache: { mode: "slow" } }, "cache.mode"],
      [{ http_errors: { endpoint: "/admin/faults", ratio: 1 } }, "http_errors.endpoint"],
      [{ http_errors: { endpoint: "/risk", ratio: 1, status: 418 } }, "http_errors.status"],
      [{ cpu_burn: { busyMs: 100, everyMs: 50 } }, "cpu_burn.busyMs"],
      [{ cache: { mode: "bypass" }, ttl: "1ms" }, "ttl"],
      [{ disk_full: true }, "disk_full"],
      [{ cache: { mode: "bypass", extra: 1 } }, "cache.extra"],
    ];
    for (const [body, field] of invalid) {
      const r = await json(put(child, body));
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.field, field, JSON.stringify({ body, answer: r.body }));
    }
    assert.deepEqual((await json(fetch(url, { headers: AUTH }))).body, { faults: {} });

    const set = await json(put(child, {
      venue_failure: { rate: 1 },
      http_errors: { endpoint: "/risk", ratio: 1, status: 503 },
      ttl: "10m",
    }));
    assert.equal(set.status, 200);
    assert.deepEqual(Object.keys(set.body.faults), ["venue_failure", "http_errors"]);
    assert.deepEqual(set.body.faults.http_errors.params, {
      endpoint: "/risk",
      ratio: 1,
      status: 503,
    });
    const ttl = Date.parse(set.body.faults.venue_failure.expiresAt) -
      Date.parse(set.body.faults.venue_failure.setAt);
    assert.equal(ttl, 600_000);
    assert.deepEqual((await json(fetch(url, { headers: AUTH }))).body, set.body);
    const gauge = await activeFaults(child);
    assert.equal(gauge.venue_failure, 1);
    assert.equal(gauge.http_errors, 1);
    assert.equal(gauge.cache, 0);

    // The faults act on ordinary requests.
    const order = await json(fetch(`${child.base}/orders?symbol=AAPL&side=BUY&quantity=1`, {
      method: "POST",
    }));
    assert.equal(order.status, 502);
    assert.equal(order.body.status, "failed");
    assert.equal((await json(fetch(`${child.base}/risk`))).status, 503);
    assert.equal((await json(fetch(`${child.base}/positions`))).status, 200);

    // null clears one fault, the other stays.
    const one = await json(put(child, { venue_failure: null }));
    assert.deepEqual(Object.keys(one.body.faults), ["http_errors"]);
    const cleared = await json(fetch(url, { method: "DELETE", headers: AUTH }));
    assert.deepEqual(cleared, { status: 200, body: { faults: {} } });
    assert.ok(Object.values(await activeFaults(child)).every((v) => v === 0));
    assert.equal((await json(fetch(`${child.base}/risk`))).status, 200);

    const e = await scrape(child.base);
    assert.equal(sumOf(e, "http_requests_total", { endpoint: "/risk", status: "503" }), 1);
    assert.ok(sumOf(e, "http_requests_total", { endpoint: "/admin/faults", status: "400" }) >= 17);

    // The log is written asynchronously: wait for the three lines.
    const warnLines = () =>
      child.output().split("\n").filter((l) => l.includes('"level":"warn"')).map((l) =>
        JSON.parse(l)
      );
    const warns = await until(
      "three warn lines",
      () => Promise.resolve(warnLines().length >= 3 ? warnLines() : undefined),
    );
    assert.deepEqual(warns.map((w) => w.msg), ["faults set", "faults cleared", "faults cleared"]);
    assert.deepEqual(warns[0].set.venue_failure, { rate: 1 });
    assert.deepEqual(warns[2].cleared, ["http_errors"]);
  } finally {
    await child.stop();
  }
});

Deno.test("faults: held pool connections, cache bypass, a stalled feed, a price shock, TTL", async () => {
  const child = await startChild([
    "--db",
    ":memory:",
    "--admin-token",
    TOKEN,
    "--stale-after",
    "500",
    "--tick-interval",
    "50",
  ]);
  try {
    const pool = async () => {
      const e = await scrape(child.base);
      return Object.fromEntries(
        ["active", "idle", "waiting", "max"].map((s) => [
          s,
          sumOf(e, "db_connection_pool_size", { status: s }),
        ]),
      );
    };
    // Every connection held: a read waits for one, and completes after the clear.
    assert.equal((await put(child, { db_pool_hold: { connections: "all" } })).status, 200);
    await until("connections held", async () => (await pool()).idle === 0 ? true : undefined);
    const read = fetch(`${child.base}/orders`);
    const during = await until("a waiting reader", async () => {
      const p = await pool();
      return p.waiting >= 1 ? p : undefined;
    });
    assert.deepEqual(during, { active: 4, idle: 0, waiting: 1, max: 4 });
    await fetch(`${child.base}/admin/faults`, { method: "DELETE", headers: AUTH });
    assert.equal((await read).status, 200);
    await until("connections back", async () => (await pool()).idle === 4 ? true : undefined);

    // Bypass: lookups miss and hit nothing.
    const before = await scrape(child.base);
    await put(child, { cache: { mode: "bypass" } });
    for (let i = 0; i < 5; i++) await (await fetch(`${child.base}/quotes/AAPL`)).body?.cancel();
    const after = await scrape(child.base);
    const delta = (e: typeof after, n: string) => sumOf(e, n) - sumOf(before, n);
    assert.equal(delta(after, "redis_cache_misses_total"), 5);
    assert.equal(delta(after, "redis_cache_hits_total"), 0);
    // Outage, as the Redis adapter lives one: lookups miss, /ready reports the cache down,
    // reads and orders go on.
    await put(child, { cache: { mode: "outage" } });
    assert.equal((await json(fetch(`${child.base}/quotes/AAPL`))).status, 200);
    assert.equal((await json(fetch(`${child.base}/ready`))).body.cache, false);
    const placed = await json(fetch(`${child.base}/orders?symbol=AAPL&side=BUY&quantity=1`, {
      method: "POST",
    }));
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    const outage = await scrape(child.base);
    assert.equal(delta(outage, "redis_cache_hits_total"), 0);
    assert.equal(delta(outage, "redis_cache_misses_total"), 6 + 1 /* the order's quote */);
    await put(child, { cache: null });
    assert.equal((await json(fetch(`${child.base}/ready`))).body.cache, true);

    // A stalled symbol: its quote freezes while the others tick on (the feed is alive).
    await put(child, { feed_stall: { symbols: ["MSFT"] } });
    const frozen = (await json(fetch(`${child.base}/quotes/MSFT`))).body;
    const aapl0 = (await json(fetch(`${child.base}/quotes/AAPL`))).body;
    await until("AAPL ticks on", async () => {
      const q = (await json(fetch(`${child.base}/quotes/AAPL`))).body;
      return q.receivedTime > aapl0.receivedTime + 600 ? true : undefined;
    });
    assert.deepEqual((await json(fetch(`${child.base}/quotes/MSFT`))).body, frozen);
    assert.equal((await json(fetch(`${child.base}/ready`))).status, 200);
    // Every symbol stalled: the feed is stale, /ready turns 503.
    await put(child, { feed_stall: { symbols: "all" } });
    const stale = await until("not ready", async () => {
      const r = await json(fetch(`${child.base}/ready`));
      return r.status === 503 ? r.body : undefined;
    });
    assert.equal(stale.marketData, false);
    await put(child, { feed_stall: null });
    await until(
      "ready again",
      async () =>
        (await fetch(`${child.base}/ready`).then((r) => r.status)) === 200 ? true : undefined,
    );
    assert.ok(
      (await json(fetch(`${child.base}/quotes/MSFT`))).body.receivedTime > frozen.receivedTime,
    );

    // A price shock moves the published price by the percentage; its TTL clears it.
    const price = async () => (await json(fetch(`${child.base}/quotes/TSLA`))).body.last as number;
    const p0 = await price();
    await put(child, { price_shock: { symbol: "TSLA", percent: 100 }, ttl: "1s" });
    const shocked = await until("shocked", async () => {
      const p = await price();
      return p > 1.8 * p0 ? p : undefined;
    });
    assert.ok(shocked < 2.2 * p0, `${shocked} vs ${p0}`);
    await until("expired", async () => {
      const p = await price();
      return p < 1.2 * p0 ? p : undefined;
    });
    assert.deepEqual((await json(fetch(`${child.base}/admin/faults`, { headers: AUTH }))).body, {
      faults: {},
    });
    assert.ok(child.output().includes('"msg":"faults expired"'));
  } finally {
    assert.equal((await child.stop("SIGTERM")).code, 0);
  }
});
