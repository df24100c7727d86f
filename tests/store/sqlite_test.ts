import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { type OrderWrite, type PoolState, type StoredPosition } from "../../src/trading/ports.ts";
import { applyFill, flatPosition } from "../../src/trading/position.ts";
import { order, write } from "./contract.ts";
import { withDbFile } from "./helpers.ts";

/** The positions that the fills of `writes` add up to, by symbol. */
function replay(writes: OrderWrite[]): StoredPosition[] {
  const book = new Map<string, StoredPosition>();
  for (const { fill } of writes) {
    if (fill !== null) {
      book.set(fill.symbol, applyFill(book.get(fill.symbol) ?? flatPosition(fill.symbol), fill));
    }
  }
  return [...book.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
}

Deno.test("the pool reports its size, leases and returns (the rest: contract.ts)", async () => {
  const pool: PoolState[] = [];
  const store = new SqliteStore({
    path: ":memory:",
    poolSize: 3,
    onPoolChange: (s) => pool.push(s),
  });
  try {
    // 25 concurrent appends form one group-commit batch, which leases a connection.
    const writes = Array.from({ length: 25 }, (_, i) => write(i + 1));
    await Promise.all(writes.map((w) => store.append(w)));
    assert.deepEqual(await store.loadPositions(), replay(writes));
    assert.deepEqual(pool[0], { active: 0, idle: 3, waiting: 0, max: 3 });
    assert.ok(pool.some((s) => s.active === 1));
    assert.deepEqual(store.poolState, { active: 0, idle: 3, waiting: 0, max: 3 });
  } finally {
    await store.close();
  }
  await assert.rejects(store.append(write(99)), /closed/);
});

Deno.test("a file store survives close and reopen; ids stay unique", async () => {
  await withDbFile(async (_path, dir) => {
    const path = join(dir, "nested", "deeper", "orders.db"); // parent directories are created
    const a = new SqliteStore({ path, poolSize: 2 });
    await Promise.all([1, 2, 3].map((i) => a.append(write(i))));
    await a.close();
    const b = new SqliteStore({ path, poolSize: 2 });
    try {
      assert.deepEqual((await b.listOrders({ limit: 10 })).orders.map((o) => o.id), [
        "order-3",
        "order-2",
        "order-1",
      ]);
      assert.equal((await b.loadPositions()).length, 2);
      await b.append(write(4));
      assert.equal((await b.listOrders({ limit: 10 })).orders.length, 4);
      // A duplicate id is refused, and nothing of its batch is stored.
      await assert.rejects(b.append(write(2)), /UNIQUE/);
      assert.equal((await b.listOrders({ limit: 10 })).orders.length, 4);
    } finally {
      await b.close();
    }
    const check = new DatabaseSync(path);
    try {
      assert.deepEqual({ ...check.prepare("PRAGMA journal_mode").get() }, { journal_mode: "wal" });
    } finally {
      check.close();
    }
  });
});

Deno.test("group commit: many writes, few transactions, all visible after one await", async () => {
  const store = new SqliteStore({ path: ":memory:", poolSize: 1, maxBatch: 100 });
  try {
    // With one connection, each batch leases it once (when it opens, or to commit): the pool
    // turns active once per transaction.
    let leases = 0;
    let active = 0;
    const counted = new SqliteStore({
      path: ":memory:",
      poolSize: 1,
      maxBatch: 100,
      onPoolChange: (s) => {
        if (s.active > active) leases++;
        active = s.active;
      },
    });
    try {
      await Promise.all(Array.from({ length: 1000 }, (_, i) => counted.append(write(i + 1))));
      assert.equal(leases, 10, "1000 writes, 10 batches of 100");
    } finally {
      await counted.close();
    }
    const pending = Array.from({ length: 1000 }, (_, i) => store.append(write(i + 1)));
    await Promise.all(pending);
    const page = await store.listOrders({ limit: 1000 });
    assert.equal(page.orders.length, 1000);
    assert.equal(page.nextCursor, null);
  } finally {
    await store.close();
  }
});

Deno.test("the pool hands connections to waiters in order", async () => {
  const { Pool } = await import("../../src/store/pool.ts");
  const states: PoolState[] = [];
  const pool = new Pool(["c1", "c2"], (s) => states.push(s));
  const a = pool.tryAcquire()!;
  const b = await pool.acquire();
  assert.equal(pool.tryAcquire(), null);
  const waiting = pool.acquire();
  assert.deepEqual(pool.state, { active: 2, idle: 0, waiting: 1, max: 2 });
  pool.release(a);
  assert.equal(await waiting, a);
  assert.deepEqual(pool.state, { active: 2, idle: 0, waiting: 0, max: 2 });
  pool.release(a);
  pool.release(b);
  assert.deepEqual(states.at(-1), { active: 0, idle: 2, waiting: 0, max: 2 });
  pool.close();
  assert.throws(() => pool.tryAcquire(), /closed/);
});

/** Resolves once `check()` is true (polled every 10 ms), or throws after `ms`. */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("a lock held beyond the busy timeout: 503-class refusal, ping false, recovery without a restart", async () => {
  await withDbFile(async (path) => {
    const store = new SqliteStore({ path, poolSize: 2, busyTimeoutMs: 100, probeIntervalMs: 20 });
    const holder = new DatabaseSync(path);
    try {
      await store.append(write(1));
      // Another process's connection takes the write lock and keeps it.
      holder.exec("BEGIN IMMEDIATE");
      const [failed, alsoFailed] = await Promise.allSettled([
        store.append(write(2)),
        store.append(write(3)),
      ]);
      assert.equal(failed.status, "rejected");
      assert.equal((failed as PromiseRejectedResult).reason.name, "StoreUnavailableError");
      assert.equal(alsoFailed.status, "rejected", "same batch");
      assert.equal(await store.ping(), false);
      assert.match(store.writeFailure?.reason ?? "", /locked/);
      // While it cannot write, writes are refused at once instead of waiting for the lock again.
      const t0 = performance.now();
      for (let i = 0; i < 5; i++) {
        await assert.rejects(store.append(write(4)), { name: "StoreUnavailableError" });
      }
      assert.ok(performance.now() - t0 < 100, "refused without waiting");
      assert.equal(store.poolState.active, 0, "refused batches give their connection back");
      // The cause goes away: the probe finds out, and writes work again.
      holder.exec("ROLLBACK");
      await until(() => store.ping(), "ping true after the lock is released");
      assert.equal(store.writeFailure, null);
      await store.append(write(5));
      // Only the committed orders are stored.
      assert.deepEqual((await store.listOrders({ limit: 10 })).orders.map((o) => o.id), [
        "order-5",
        "order-1",
      ]);
    } finally {
      holder.close();
      await store.close();
    }
  });
});

Deno.test("one store per file: a second one is refused while the first is open, not after", async () => {
  await withDbFile(async (path) => {
    const a = new SqliteStore({ path, poolSize: 1 });
    try {
      assert.throws(
        () => new SqliteStore({ path, poolSize: 1 }),
        (e: Error) => e.name === "DatabaseInUseError" && e.message.includes(`PID ${Deno.pid}`),
      );
    } finally {
      await a.close();
    }
    const b = new SqliteStore({ path, poolSize: 1 });
    await b.close();
  });
});

Deno.test("at open: a position that is not the sum of its fills, or a damaged file, is refused", async () => {
  await withDbFile(async (path) => {
    const a = new SqliteStore({ path, poolSize: 1 });
    await Promise.all([1, 2, 3, 4].map((i) => a.append(write(i))));
    await a.close();
    // Reopening the untouched file works.
    await new SqliteStore({ path, poolSize: 1 }).close();
    const edit = new DatabaseSync(path);
    edit.exec("UPDATE positions SET quantity = quantity + 1 WHERE symbol = 'AAPL'");
    edit.close();
    assert.throws(
      () => new SqliteStore({ path, poolSize: 1 }),
      (e: Error) =>
        e.name === "DatabaseIntegrityError" &&
        /position of AAPL .* sum of its fills/.test(e.message),
    );
    // The refused open released the writer lock.
    const fix = new DatabaseSync(path);
    fix.exec("UPDATE positions SET quantity = quantity - 1 WHERE symbol = 'AAPL'");
    fix.close();
    await new SqliteStore({ path, poolSize: 1 }).close();
    // Damage: overwrite pages in the middle of the file.
    const bytes = await Deno.readFile(path);
    assert.ok(bytes.length >= 4096 * 3, `${bytes.length} bytes`);
    bytes.fill(0x5a, 4096 + 100, 4096 * 3);
    await Deno.writeFile(path, bytes);
    assert.throws(
      () => new SqliteStore({ path, poolSize: 1 }),
      (e: Error) => /damaged|malformed|not a database/.test(e.message),
    );
  });
});

Deno.test("an open write batch holds a pooled connection; readers wait for it", async () => {
  const states: PoolState[] = [];
  const store = new SqliteStore({
    path: ":memory:",
    poolSize: 1,
    onPoolChange: (s) => states.push(s),
  });
  try {
    const written = store.append(write(1));
    assert.deepEqual(store.poolState, { active: 1, idle: 0, waiting: 0, max: 1 });
    // The only connection belongs to the open batch: the read waits, then sees the commit.
    const read = store.getOrder("order-1");
    assert.deepEqual(store.poolState, { active: 1, idle: 0, waiting: 1, max: 1 });
    await written;
    assert.deepEqual(await read, order(1));
    assert.deepEqual(store.poolState, { active: 0, idle: 1, waiting: 0, max: 1 });
    assert.ok(states.some((s) => s.waiting === 1));
  } finally {
    await store.close();
  }
});
