/**
 * The process lifecycle through `deno run main.ts` children: durability across `kill -9`,
 * graceful shutdown on SIGTERM (in-flight requests complete, exit 0), configuration errors
 * (exit 2 with a message) and `--help`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, runMain, startChild } from "./helpers.ts";
import { startArgs } from "../support/service.ts";

interface PositionJson {
  symbol: string;
  quantity: number;
  avgCost: number;
  realizedPnl: number;
}

async function positionsOf(base: string): Promise<PositionJson[]> {
  const body = await (await fetch(`${base}/positions`)).json();
  return (body.positions as PositionJson[])
    .map(({ symbol, quantity, avgCost, realizedPnl }) => ({
      symbol,
      quantity,
      avgCost,
      realizedPnl,
    }))
    .sort((a, b) => a.symbol.localeCompare(b.symbol));
}

Deno.test("durability: every 2xx order and the positions survive kill -9", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tradewatch-durability-" });
  const db = join(dir, "orders.db");
  const args = ["--db", db, "--log-level", "warn", "--venue-latency", "0", "--cache-ttl", "0"];
  try {
    const first = await startChild(args);
    const acknowledged = new Map<string, Record<string, unknown>>();
    let positions: PositionJson[];
    try {
      const symbols = ["AAPL", "MSFT", "TSLA"];
      let n = 0;
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (n < 240) {
          const i = n++;
          const side = i % 3 === 0 ? "SELL" : "BUY";
          const res = await fetch(
            `${first.base}/orders?symbol=${symbols[i % 3]}&side=${side}&quantity=${1 + (i % 7)}`,
            { method: "POST" },
          );
          const order = await res.json();
          if (res.status >= 200 && res.status < 300) acknowledged.set(order.id, order);
        }
      }));
      positions = await positionsOf(first.base);
    } finally {
      const status = await first.stop("SIGKILL");
      assert.equal(status.signal, "SIGKILL");
    }
    assert.ok(acknowledged.size >= 200, `${acknowledged.size} orders acknowledged`);

    const second = await startChild(args);
    try {
      for (const [id, order] of acknowledged) {
        const res = await fetch(`${second.base}/orders/${id}`);
        assert.equal(res.status, 200, `order ${id} is back`);
        assert.deepEqual(await res.json(), order);
      }
      assert.deepEqual(await positionsOf(second.base), positions);
    } finally {
      await second.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("graceful shutdown: SIGTERM lets in-flight orders finish, then exits 0", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tradewatch-shutdown-" });
  const db = join(dir, "orders.db");
  try {
    // Venue latency median 1.5 s: the orders stay at the venue a while. That they are all in
    // flight is observed, not assumed: each reserves its quantity against --max-position 6, so a
    // probe order of 7 is rejected as "Resulting position 13" once all six are at the venue.
    const child = await startChild([
      "--db",
      db,
      "--venue-latency",
      "1500",
      "--max-position",
      "6",
      "--log-level",
      "info",
    ]);
    let signalledAt = Infinity;
    try {
      const inFlight = Array.from({ length: 6 }, async () => {
        const res = await fetch(`${child.base}/orders?symbol=AMZN&side=BUY&quantity=1`, {
          method: "POST",
        });
        return { status: res.status, body: await res.json(), at: performance.now() };
      });
      let probes = 0;
      for (;;) {
        const probe = await fetch(`${child.base}/orders?symbol=AMZN&side=BUY&quantity=7`, {
          method: "POST",
        });
        const body = await probe.json();
        probes++;
        assert.equal(probe.status, 422, JSON.stringify(body));
        if (/Resulting position 13 /.test(body.reason)) break;
        assert.ok(probes < 2000, "the six orders never were at the venue together");
      }
      signalledAt = performance.now();
      const exited = child.stop("SIGTERM");
      const results = await Promise.all(inFlight);
      for (const r of results) assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.ok(results.some((r) => r.at > signalledAt), "at least one order was in flight");
      const status = await exited;
      assert.equal(status.code, 0, child.output());
      assert.match(child.output(), /"msg":"shutting down","reason":"SIGTERM"/);
      assert.match(child.output(), /"msg":"stopped"/);
      await assert.rejects(fetch(`${child.base}/health`), "no longer accepting");
    } finally {
      await child.stop();
    }
    // The answered orders were flushed: a restart has them.
    const again = await startChild(["--db", db, "--log-level", "warn"]);
    try {
      const page = await (await fetch(`${again.base}/orders?limit=500`)).json();
      const filled = page.orders.filter((o: { status: string }) => o.status === "filled");
      assert.equal(filled.length, 6);
    } finally {
      await again.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("configuration errors exit 2 with a clear message", async () => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [["--bogus"], {}, /Unknown flag --bogus/],
    [["--port", "70000"], {}, /Invalid --port "70000": expected an integer from 0 to 65535/],
    [["--port"], {}, /Flag --port needs a value/],
    [["--fail-rate", "2"], {}, /Invalid --fail-rate/],
    [["--log-level", "loud"], {}, /Invalid --log-level "loud": expected debug, info/],
    [["--symbols", "AAPL,AAPL"], {}, /no duplicate symbols/],
    [["stray"], {}, /Unexpected argument "stray"/],
    [[], { PORT: "eighty" }, /Invalid --port "eighty".*environment variable PORT/],
    [[], { TRADEWATCH_NO_METRICS: "maybe" }, /TRADEWATCH_NO_METRICS/],
  ];
  for (const [args, env, message] of cases) {
    const r = await runMain(args, env);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /^tradewatch: [A-Z]/);
    assert.ok(!r.stderr.includes("    at "), "no stack trace");
  }
});

Deno.test("a port already in use exits 1 with a message, not a stack trace", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (listener.addr as Deno.NetAddr).port;
    const r = await runMain(["--host", "127.0.0.1", "--port", String(port), "--db", ":memory:"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`^tradewatch: cannot listen on 127\\.0\\.0\\.1:${port}: address in use`),
    );
    assert.ok(!r.stderr.includes("    at "), "no stack trace");
  } finally {
    listener.close();
  }
});

Deno.test("--help lists every flag with its environment variable and default", async () => {
  const r = await runMain(["--help"]);
  assert.equal(r.code, 0);
  for (
    const [flag, env] of [
      ["--port", "PORT"],
      ["--host", "HOST"],
      ["--db", "TRADEWATCH_DB"],
      ["--symbols", "TRADEWATCH_SYMBOLS"],
      ["--venue-latency", "TRADEWATCH_VENUE_LATENCY"],
      ["--fail-rate", "TRADEWATCH_FAIL_RATE"],
      ["--max-position", "TRADEWATCH_MAX_POSITION"],
      ["--max-notional", "TRADEWATCH_MAX_NOTIONAL"],
      ["--max-order-qty", "TRADEWATCH_MAX_ORDER_QTY"],
      ["--tick-interval", "TRADEWATCH_TICK_INTERVAL"],
      ["--seed", "TRADEWATCH_SEED"],
      ["--log-level", "LOG_LEVEL"],
      ["--no-metrics", "TRADEWATCH_NO_METRICS"],
      ["--metrics-token", "METRICS_TOKEN"],
      ["--body-limit", "TRADEWATCH_BODY_LIMIT"],
      ["--api-token", "TRADEWATCH_API_TOKEN"],
      ["--body-timeout", "TRADEWATCH_BODY_TIMEOUT"],
      ["--shutdown-timeout", "TRADEWATCH_SHUTDOWN_TIMEOUT"],
    ]
  ) {
    assert.match(r.stdout, new RegExp(`^  ${flag}\\b.*\\b${env}\\b`, "m"), flag);
  }
  assert.match(r.stdout, /--port N\s+PORT\s+8000\b/);
  // What the probes mean.
  assert.match(r.stdout, /GET \/health .* 200 while the process answers and\s+its store can write/);
  assert.match(r.stdout, /--db PATH\s+TRADEWATCH_DB\s+\.\/data\/tradewatch\.db/);
  assert.match(r.stdout, /--host ADDR\s+HOST\s+127\.0\.0\.1/);
});

Deno.test("local runs listen on 127.0.0.1 by default; the listening line names host and database", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const [db, shown] of [[":memory:", ":memory:"], [
        join(dir, "books.db"),
        join(dir, "books.db"),
      ]]
    ) {
      // `constructor` is a value (a symbol), never taken for a mode flag.
      const proc = new Deno.Command(Deno.execPath(), {
        args: startArgs(["--port", "0", "--db", db, "--symbols", "constructor"]),
        cwd: ROOT,
        env: { HOST: "" },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      try {
        const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
        let text = "";
        while (!text.includes("\n")) {
          const { value, done } = await reader.read();
          if (done) break;
          text += value;
        }
        reader.releaseLock();
        const line = JSON.parse(text.split("\n")[0]);
        assert.equal(line.msg, "listening");
        assert.equal(line.host, "127.0.0.1");
        assert.equal(line.db, shown);
        const res = await fetch(`http://127.0.0.1:${line.port}/quotes/CONSTRUCTOR`);
        assert.equal(res.status, 200);
        await res.body?.cancel();
        const order = await fetch(
          `http://127.0.0.1:${line.port}/orders?symbol=CONSTRUCTOR&side=BUY&quantity=1`,
          { method: "POST" },
        );
        assert.equal(order.status, 201);
        await order.body?.cancel();
      } finally {
        proc.kill("SIGTERM");
        assert.equal((await proc.status).code, 0);
        await proc.stdout.cancel().catch(() => {});
        await proc.stderr.cancel().catch(() => {});
      }
      // Under the shipped permissions SQLite ignores URI names: :memory: must not leave a file
      // named after the URI in the working directory.
      const strays = [...Deno.readDirSync(ROOT)].filter((e) =>
        e.name.startsWith(`file:tradewatch-mem-${proc.pid}-`)
      );
      assert.deepEqual(strays, []);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
