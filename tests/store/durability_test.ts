import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { Portfolio } from "../../src/trading/portfolio.ts";
import { openTradingService } from "../../src/app.ts";
import { defaultTradingConfig } from "../../src/trading/service.ts";
import type { Side } from "../../src/trading/types.ts";

const FIXTURE = new URL("./fixtures/place_orders.ts", import.meta.url).pathname;
const ACKS_BEFORE_KILL = 3000;

/** The lines of a byte stream (the last, unterminated one included). */
async function* linesOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest !== "") yield rest;
}

Deno.test("every acknowledged order and consistent positions survive kill -9", async () => {
  await killedAndReopened([]);
});

Deno.test("kill -9 amid frequent WAL checkpoints (RESTART past 128 KiB) loses no acknowledged order", async () => {
  await killedAndReopened(["frequent-checkpoints"]);
});

/** Runs the fixture, kills it after ACKS_BEFORE_KILL acknowledgements, checks the database. */
async function killedAndReopened(fixtureArgs: string[]): Promise<void> {
  const dir = await Deno.makeTempDir();
  const dbPath = join(dir, "data", "tw.db");
  const acked = new Map<string, string>();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", FIXTURE, dbPath, "7", ...fixtureArgs],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    let killed = false;
    try {
      const lines = linesOf(child.stdout);
      // Read to the end: lines written before the kill are acknowledgements too.
      for await (const line of lines) {
        const [tag, id, status] = line.split(" ");
        if (tag !== "ack") continue;
        acked.set(id, status);
        if (!killed && acked.size >= ACKS_BEFORE_KILL) {
          child.kill("SIGKILL");
          killed = true;
        }
      }
    } finally {
      if (!killed) child.kill("SIGKILL");
      const status = await child.status;
      assert.equal(status.signal, "SIGKILL", "the fixture was killed, not finished");
    }
    assert.ok(acked.size >= ACKS_BEFORE_KILL);
    if (fixtureArgs.includes("frequent-checkpoints")) {
      // The worker copied WAL pages into the database file before the kill (with no
      // checkpoints everything would still be in the WAL, the file at its schema's size).
      const { size } = await Deno.stat(dbPath);
      assert.ok(size > 64 * 1024, `the database file holds checkpointed pages (${size} bytes)`);
    }

    // Every acknowledged order is there, with its status.
    const store = new SqliteStore({ path: dbPath, poolSize: 1 });
    try {
      for (const [id, status] of acked) {
        const order = await store.getOrder(id);
        assert.ok(order !== null, `acknowledged order ${id} is missing`);
        assert.equal(order.status, status);
      }
    } finally {
      await store.close();
    }

    // Positions agree with a replay of every stored fill, in commit order.
    const db = new DatabaseSync(dbPath);
    const symbols = defaultTradingConfig().symbols;
    const replay = new Portfolio(symbols, () => 0);
    let fills = 0;
    try {
      for (
        const f of db.prepare("SELECT symbol, side, quantity, price FROM fills ORDER BY seq").all()
      ) {
        replay.apply(String(f.symbol), f.side as Side, Number(f.quantity), Number(f.price));
        fills++;
      }
      const filledOrders = db.prepare("SELECT count(*) AS n FROM orders WHERE status = 'filled'")
        .get()!.n;
      assert.equal(filledOrders, fills);
      const stored = db.prepare("SELECT symbol, quantity, avg_cost, realized_pnl FROM positions")
        .all();
      assert.ok(stored.length > 0);
      for (const p of stored) {
        const expected = replay.snapshot().find((x) => x.symbol === p.symbol)!;
        assert.equal(p.quantity, expected.quantity, `${p.symbol} quantity`);
        assert.ok(Math.abs(Number(p.avg_cost) - expected.avgCost) < 1e-6, `${p.symbol} cost`);
        assert.ok(Math.abs(Number(p.realized_pnl) - expected.realizedPnl) < 1e-6);
      }
    } finally {
      db.close();
    }

    // The service restarts on the crashed database with those positions and keeps trading.
    const service = await openTradingService(
      { ...defaultTradingConfig(), dbPath, venueLatencyMs: 0 },
      { startTimers: false },
    );
    try {
      const positions = await service.positions();
      for (const p of positions) assert.equal(p.quantity, replay.quantity(p.symbol));
      const next = await service.placeOrder(
        { symbol: "AAPL", side: "BUY", quantity: 1, type: "market" },
        performance.now(),
      );
      assert.ok(!acked.has(next.id));
      assert.notEqual(await service.getOrder(next.id), null);
    } finally {
      await service.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
