import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Checkpointer } from "../../src/store/checkpointer.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { withDbFile } from "./helpers.ts";
import type { OrderWrite } from "../../src/trading/ports.ts";

function write(i: number): OrderWrite {
  const time = new Date(1_700_000_000_000 + i).toISOString();
  const symbol = ["AAPL", "MSFT", "GOOGL"][i % 3];
  return {
    order: {
      id: `order-${i}-${"x".repeat(40)}`,
      symbol,
      side: i % 2 ? "BUY" : "SELL",
      type: "market",
      quantity: 1 + (i % 50),
      limitPrice: null,
      status: "filled",
      filledQuantity: 1 + (i % 50),
      fillPrice: 100 + (i % 7),
      reason: null,
      receivedAt: time,
      completedAt: time,
    },
    fill: {
      orderId: `order-${i}`,
      symbol,
      side: i % 2 ? "BUY" : "SELL",
      quantity: 1 + (i % 50),
      price: 100 + (i % 7),
      time,
    },
    maxPosition: 1e12,
  };
}

/** Size of a file, 0 when it does not exist. */
function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

function integrity(path: string): { ok: string; orders: number; mode: string } {
  const db = new DatabaseSync(path);
  try {
    return {
      ok: String(db.prepare("PRAGMA integrity_check").get()!.integrity_check),
      orders: Number(db.prepare("SELECT count(*) AS n FROM orders").get()!.n),
      mode: String(db.prepare("PRAGMA journal_mode").get()!.journal_mode),
    };
  } finally {
    db.close();
  }
}

Deno.test("the checkpoint worker keeps the WAL bounded under a stream of writes", async () => {
  await withDbFile(async (path) => {
    const restartBytes = 256 * 1024;
    const store = new SqliteStore({
      path,
      poolSize: 2,
      checkpoint: { intervalMs: 5, restartBytes },
    });
    const waves = 30;
    const perWave = 1500;
    let maxWal = 0;
    let waveBytes = 0;
    try {
      // The worker is up (it may take a while to load) before the writes begin.
      assert.equal(await store.checkpointNow(), true);
      // Each wave commits its batches back to back; after it, one checkpoint round is awaited (an
      // event, not a hope that the worker's timer kept up on a busy machine). The bound below then
      // follows from the design: a RESTART resets the WAL once it is past restartBytes, so the
      // file never holds much more than the threshold plus what one wave writes.
      for (let w = 0; w < waves; w++) {
        await Promise.all(
          Array.from({ length: perWave }, (_, i) => store.append(write(w * perWave + i))),
        );
        const wal = sizeOf(`${path}-wal`);
        if (w === 0) waveBytes = wal; // the first wave starts on an empty WAL
        maxWal = Math.max(maxWal, wal);
        await store.checkpointNow();
      }
      const stats = store.checkpointStats!;
      assert.equal(stats.alive, true);
      assert.equal(stats.failures, 0, `worker errors: ${stats.lastError}`);
      assert.ok(stats.passive > 0, "passive checkpoints ran");
      // The writes never paused long enough for a passive checkpoint to catch up every time.
      assert.ok(stats.restart > 0, "RESTART checkpoints ran");
      // Once the writes stop, a few rounds give the WAL file's space back (TRUNCATE when idle).
      for (let round = 0; round < 6 && sizeOf(`${path}-wal`) > 0; round++) {
        await store.checkpointNow();
      }
      assert.equal(sizeOf(`${path}-wal`), 0, "the idle WAL was truncated");
      await store.checkpointNow(); // its report has arrived after this answer
      assert.ok(store.checkpointStats!.truncate > 0, "a TRUNCATE checkpoint ran");
    } finally {
      await store.close();
    }
    const db = sizeOf(path);
    const check = integrity(path);
    assert.deepEqual(check, { ok: "ok", orders: waves * perWave, mode: "wal" });
    // Without checkpoints the WAL would hold every page written (more than the database file);
    // with them it stays within a few times the RESTART threshold.
    assert.ok(db > 8 * 1024 * 1024, `enough was written to tell (database ${db} bytes)`);
    assert.ok(maxWal < db / 2, `WAL peaked at ${maxWal} bytes for a ${db}-byte database`);
    assert.ok(waveBytes > restartBytes, `one wave writes ${waveBytes} bytes to the WAL`);
    assert.ok(
      maxWal <= restartBytes + 2 * waveBytes,
      `WAL peaked at ${maxWal} bytes (threshold ${restartBytes}, one wave ${waveBytes})`,
    );
  });
});

Deno.test("close() runs a final checkpoint, stops the worker and leaves a consistent database", async () => {
  await withDbFile(async (path) => {
    const store = new SqliteStore({ path, poolSize: 3 });
    await Promise.all(Array.from({ length: 5000 }, (_, i) => store.append(write(i))));
    assert.ok(sizeOf(`${path}-wal`) > 0, "the commits are in the WAL");
    assert.equal(store.checkpointStats!.alive, true);
    await store.close();
    await store.close(); // idempotent
    const stats = store.checkpointStats!;
    assert.equal(stats.alive, false, "the worker was terminated");
    assert.ok(stats.truncate >= 1, "the final TRUNCATE checkpoint ran");
    assert.equal(stats.failures, 0, `worker errors: ${stats.lastError}`);
    // The worker's connection closed last: the WAL was copied back and removed.
    assert.equal(sizeOf(`${path}-wal`), 0);
    assert.deepEqual(integrity(path), { ok: "ok", orders: 5000, mode: "wal" });
    // Reopened, it works on (and its worker stops again on close: the test sanitizers check).
    const again = new SqliteStore({ path, poolSize: 1 });
    try {
      await again.append(write(5000));
      assert.equal((await again.listOrders({ limit: 1 })).orders[0].id, write(5000).order.id);
    } finally {
      await again.close();
    }
  });
});

Deno.test("a commit waits for another connection's write lock on a timer, not in the event loop", async () => {
  await withDbFile(async (path) => {
    const store = new SqliteStore({ path, poolSize: 1 });
    try {
      await store.append(write(1));
      // Another connection holds the write lock (as the worker's RESTART step does).
      const blocker = new DatabaseSync(path);
      blocker.exec("BEGIN IMMEDIATE");
      let committed = false;
      const pending = store.append(write(2)).then(() => committed = true);
      try {
        // Timers keep firing while the commit waits: SQLite's busy handler would block them.
        for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 2));
        assert.equal(committed, false, "the commit waits for the lock");
      } finally {
        blocker.exec("ROLLBACK");
        blocker.close();
      }
      await pending;
      assert.equal((await store.listOrders({ limit: 10 })).orders.length, 2);
    } finally {
      await store.close();
    }
  });
});

Deno.test("a :memory: store or checkpoint: false runs no worker", async () => {
  const memory = new SqliteStore({ path: ":memory:", poolSize: 1 });
  assert.equal(memory.checkpointStats, null);
  assert.equal(await memory.checkpointNow(), false);
  await memory.close();
  await withDbFile(async (path) => {
    const auto = new SqliteStore({ path, poolSize: 1, checkpoint: false });
    try {
      assert.equal(auto.checkpointStats, null);
      await auto.append(write(1));
    } finally {
      await auto.close();
    }
    assert.equal(integrity(path).orders, 1);
  });
});

Deno.test("a worker that cannot open the database reports itself unavailable and stops", async () => {
  await withDbFile(async (_path, dir) => {
    const { promise, resolve } = Promise.withResolvers<Error>();
    const checkpointer = new Checkpointer({
      path: join(dir, "missing", "orders.db"), // the directory does not exist
      pageSize: 4096,
      onUnavailable: resolve,
    });
    const error = await promise;
    assert.match(error.message, /checkpoint worker failed/);
    assert.equal(checkpointer.alive, false);
    await assert.rejects(checkpointer.checkpoint(), /not running/);
    await checkpointer.close();
  });
});
