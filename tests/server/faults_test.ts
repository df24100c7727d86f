/**
 * The fault suite: each case starts its own tradewatch exactly as `deno task start` does, breaks
 * its environment (descriptors, disk, locks, a second process, the file itself, a stalled
 * client) and checks what matters afterwards: the process is alive (or refused to start with a
 * clear message and a non-zero exit), `/positions` equals the sum of the committed fills in the
 * database, and every order answered 2xx is in the database.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { applyFill, flatPosition } from "../../src/trading/position.ts";
import type { StoredPosition } from "../../src/trading/ports.ts";
import type { Side } from "../../src/trading/types.ts";
import { startArgs } from "../support/service.ts";
import { type Child, ROOT, startChild } from "./helpers.ts";

const BASE_ARGS = ["--log-level", "warn", "--venue-latency", "0", "--cache-ttl", "0"];
const SYMBOLS = ["AAPL", "MSFT", "TSLA"];

/** Polls `check` every 50 ms until it is true; throws after `ms`. */
async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // Not yet.
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function status(url: string): Promise<number> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  await res.body?.cancel();
  return res.status;
}

interface Placed {
  /** Orders answered 2xx, by id. */
  acked: Set<string>;
  /** How many answers had each status. */
  statuses: Map<number, number>;
  /** The JSON of the first non-2xx answers, per status. */
  errors: Map<number, unknown>;
}

/** Places `n` market orders, `concurrency` at a time. */
async function placeOrders(base: string, n: number, concurrency = 8): Promise<Placed> {
  const placed: Placed = { acked: new Set(), statuses: new Map(), errors: new Map() };
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      const side = i % 3 === 0 ? "SELL" : "BUY";
      const res = await fetch(
        `${base}/orders?symbol=${SYMBOLS[i % 3]}&side=${side}&quantity=${1 + (i % 5)}`,
        { method: "POST", signal: AbortSignal.timeout(15_000) },
      );
      const body = await res.json();
      placed.statuses.set(res.status, (placed.statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 200 && res.status < 300) placed.acked.add(body.id);
      else if (!placed.errors.has(res.status)) placed.errors.set(res.status, body);
    }
  }));
  return placed;
}

/** The served positions (quantity per symbol, flat ones left out). */
async function servedPositions(base: string): Promise<Map<string, number>> {
  const body = await (await fetch(`${base}/positions`)).json();
  const out = new Map<string, number>();
  for (const p of body.positions as StoredPosition[]) {
    if (p.quantity !== 0) out.set(p.symbol, p.quantity);
  }
  return out;
}

/**
 * The invariants, checked on the database file after the service stopped: `served` (what
 * /positions said last) equals the sum of the committed fills, so do the stored positions, and
 * every acknowledged order is stored.
 */
function assertBooks(dbPath: string, served: Map<string, number>, acked: Iterable<string>): void {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const replayed = new Map<string, StoredPosition>();
    for (
      const f of db.prepare("SELECT symbol, side, quantity, price FROM fills ORDER BY seq")
        .all() as { symbol: string; side: Side; quantity: number; price: number }[]
    ) {
      replayed.set(f.symbol, applyFill(replayed.get(f.symbol) ?? flatPosition(f.symbol), f));
    }
    const fromFills = new Map(
      [...replayed].filter(([, p]) => p.quantity !== 0).map(([s, p]) => [s, p.quantity]),
    );
    assert.deepEqual(served, fromFills, "/positions equals the sum of the committed fills");
    const stored = new Map(
      (db.prepare("SELECT symbol, quantity FROM positions WHERE quantity != 0").all() as {
        symbol: string;
        quantity: number;
      }[]).map((r) => [r.symbol, r.quantity]),
    );
    assert.deepEqual(stored, fromFills, "stored positions equal the sum of the committed fills");
    const has = db.prepare("SELECT 1 AS ok FROM orders WHERE id = ?");
    let n = 0;
    for (const id of acked) {
      assert.ok(has.get(id) !== undefined, `order ${id} answered 2xx is in the database`);
      n++;
    }
    assert.ok(n > 0, "some orders were acknowledged");
  } finally {
    db.close();
  }
}

/** A raw keep-alive HTTP/1.1 client on one connection. */
class RawClient {
  readonly #conn: Deno.Conn;
  #buffer = "";
  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }
  static async open(port: number): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }
  /** Sends a GET and reads its answer; resolves to the status code. */
  async get(path: string, timeoutMs = 5000): Promise<number> {
    await this.#conn.write(
      new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`),
    );
    const deadline = Date.now() + timeoutMs;
    const chunk = new Uint8Array(65536);
    for (;;) {
      const end = this.#buffer.indexOf("\r\n\r\n");
      if (end >= 0) {
        const head = this.#buffer.slice(0, end);
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (this.#buffer.length >= end + 4 + length) {
          this.#buffer = this.#buffer.slice(end + 4 + length);
          return Number(head.split(" ")[1]);
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer to GET ${path} within ${timeoutMs} ms`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const n = await Promise.race([
        this.#conn.read(chunk),
        new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), left))),
      ]);
      clearTimeout(timer);
      if (n === "timeout") continue;
      if (n === null) throw new Error(`connection closed before the answer to GET ${path}`);
      this.#buffer += new TextDecoder().decode(chunk.subarray(0, n));
    }
  }
  /** Writes raw bytes. */
  async send(text: string): Promise<void> {
    await this.#conn.write(new TextEncoder().encode(text));
  }
  close(): void {
    try {
      this.#conn.close();
    } catch { /* closed already */ }
  }
}

/**
 * Runs `deno task start`'s command with `args` and waits for it to exit, at most `ms` (then it is
 * killed: a process that should have refused to start but serves instead fails the test).
 */
/**
 * The end of every fault case: once `/health` answers 200 again (`what` names the wait), `n` new
 * orders are all acknowledged, the service stops with exit 0 on SIGTERM, and the books on file
 * equal the committed fills, with every order of `earlier` and the new ones stored.
 * `beforeStop` runs after the last /positions read, before SIGTERM.
 */
async function recoversWithBooks(
  child: Child,
  db: string,
  what: string,
  n: number,
  earlier: Iterable<string>,
  beforeStop?: () => Promise<void> | void,
): Promise<void> {
  await until(what, async () => (await status(`${child.base}/health`)) === 200);
  const after = await placeOrders(child.base, n);
  assert.equal(after.acked.size, n, JSON.stringify([...after.statuses]));
  await alive(child);
  const served = await servedPositions(child.base);
  await beforeStop?.();
  assert.equal((await child.stop("SIGTERM")).code, 0, child.output());
  assertBooks(db, served, [...earlier, ...after.acked]);
}

async function runMain(
  args: string[],
  ms = 20_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = new Deno.Command(Deno.execPath(), {
    args: startArgs(args),
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => proc.kill("SIGKILL"), ms);
  const out = await proc.output();
  clearTimeout(timer);
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

async function withDir(prefix: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function alive(child: Child): Promise<void> {
  assert.equal(await status(`${child.base}/health`), 200, "the process is alive and healthy");
}

Deno.test("fault: descriptor exhaustion (ulimit -n 256, 600 idle connections): stays up, serves established clients, recovers", async () => {
  await withDir("tradewatch-fds-", async (dir) => {
    const db = join(dir, "orders.db");
    const child = await startChild(["--db", db, ...BASE_ARGS], { shell: "ulimit -n 256" });
    const flood: Deno.Conn[] = [];
    let established: RawClient | null = null;
    try {
      const before = await placeOrders(child.base, 60);
      established = await RawClient.open(child.port);
      assert.equal(await established.get("/health"), 200);
      // Idle connections (no request at all) and slow ones (half a request head) beyond the
      // descriptor limit; refused connects end the flood.
      for (let i = 0; i < 600; i++) {
        try {
          const c = await Deno.connect({ hostname: "127.0.0.1", port: child.port });
          if (i % 2) await c.write(new TextEncoder().encode("GET /health HTTP/1.1\r\nHos"));
          flood.push(c);
        } catch {
          break;
        }
      }
      // The limit was reached: the accept loop failed (and the process lived on).
      await until(
        "the listener to run out of descriptors",
        () => /the listener failed.*Too many open files/.test(child.output()),
        10_000,
      );
      // The established client is still answered during the flood.
      assert.equal(await established.get("/positions"), 200);
      for (const c of flood.splice(0)) {
        try {
          c.close();
        } catch { /* reset by the server */ }
      }
      // As soon as the flood stops, new clients are answered again.
      await recoversWithBooks(
        child,
        db,
        "/health to answer 200 after the flood",
        60,
        before.acked,
        () => {
          established?.close();
          established = null;
        },
      );
    } finally {
      for (const c of flood) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      established?.close();
      await child.stop();
    }
  });
});

Deno.test("fault: idle and slow-header connections that never leave (--idle-timeout, --header-timeout, ulimit -n 256): closed by the service, which answers new clients meanwhile", async () => {
  await withDir("tradewatch-idle-", async (dir) => {
    const db = join(dir, "orders.db");
    const child = await startChild([
      "--db",
      db,
      ...BASE_ARGS,
      "--idle-timeout",
      "500ms",
      "--header-timeout",
      "500ms",
    ], { shell: "ulimit -n 256" });
    const flood: Deno.Conn[] = [];
    try {
      const before = await placeOrders(child.base, 30);
      // 400 connections that stay open on the client side: idle ones, and ones that sent half a
      // request head (three descriptors each in the service: beyond its limit).
      for (let i = 0; i < 400; i++) {
        const c = await Deno.connect({ hostname: "127.0.0.1", port: child.port });
        if (i % 2) await c.write(new TextEncoder().encode("GET /health HTTP/1.1\r\nHos"));
        flood.push(c);
      }
      // The service closes them (read sees the end) although the clients never do.
      const t0 = Date.now();
      const ends = await Promise.all(flood.map(async (c) => {
        try {
          return await c.read(new Uint8Array(256));
        } catch {
          return null; // reset
        }
      }));
      assert.ok(ends.every((n) => n === null), "every idle or slow connection was closed");
      assert.ok(Date.now() - t0 < 20_000, `closed within ${Date.now() - t0} ms`);
      // Meanwhile and after, new clients are served.
      await recoversWithBooks(
        child,
        db,
        "/health 200 with the flood still open on the client side",
        30,
        before.acked,
      );
    } finally {
      for (const c of flood) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await child.stop();
    }
  });
});

/** Whether this machine lets the tests mount a tmpfs (root, no container restrictions). */
function canMount(): boolean {
  try {
    const dir = Deno.makeTempDirSync({ prefix: "tradewatch-mount-probe-" });
    try {
      const m = new Deno.Command("mount", { args: ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir] })
        .outputSync();
      if (!m.success) return false;
      new Deno.Command("umount", { args: [dir] }).outputSync();
      return true;
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  } catch {
    return false;
  }
}

const MOUNT = canMount();
if (!MOUNT) {
  console.warn("faults_test: SKIPPING the disk-full case: this machine cannot mount a tmpfs");
}

Deno.test({
  name:
    "fault: disk full (a 4 MiB tmpfs): 503 JSON, /ready and /health 503, recovery once space is freed, no restart",
  ignore: !MOUNT,
  fn: async () => {
    await withDir("tradewatch-full-", async (dir) => {
      const mnt = join(dir, "mnt");
      await Deno.mkdir(mnt);
      const m = await new Deno.Command("mount", {
        args: ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt],
      }).output();
      assert.ok(m.success, new TextDecoder().decode(m.stderr));
      try {
        const db = join(mnt, "orders.db");
        const child = await startChild(["--db", db, ...BASE_ARGS]);
        try {
          const first = await placeOrders(child.base, 50);
          assert.equal(first.acked.size, 50);
          // Fill what is left of the file system.
          const filler = await Deno.open(join(mnt, "filler"), { write: true, create: true });
          try {
            const block = new Uint8Array(64 * 1024);
            for (;;) await filler.write(block);
          } catch {
            // ENOSPC: full.
          } finally {
            filler.close();
          }
          // Orders until the WAL has to grow and cannot.
          const full = { acked: new Set<string>(), statuses: new Map(), errors: new Map() };
          for (let round = 0; round < 40 && !full.statuses.has(503); round++) {
            const r = await placeOrders(child.base, 200, 16);
            for (const id of r.acked) full.acked.add(id);
            for (const [s, n] of r.statuses) full.statuses.set(s, (full.statuses.get(s) ?? 0) + n);
            for (const [s, e] of r.errors) if (!full.errors.has(s)) full.errors.set(s, e);
          }
          assert.ok(full.statuses.has(503), JSON.stringify([...full.statuses]));
          assert.ok(![...full.statuses.keys()].some((s) => s >= 500 && s !== 503));
          const error = full.errors.get(503) as { error: string; field: null };
          assert.match(error.error, /database/);
          assert.equal(await status(`${child.base}/ready`), 503);
          assert.equal(await status(`${child.base}/health`), 503);
          // The cause goes away: the store finds out by itself.
          await Deno.remove(join(mnt, "filler"));
          await until(
            "/health 200 once space is freed",
            async () => (await status(`${child.base}/health`)) === 200,
          );
          assert.equal(await status(`${child.base}/ready`), 200);
          await recoversWithBooks(child, db, "/health 200 once space is freed", 50, [
            ...first.acked,
            ...full.acked,
          ]);
        } finally {
          await child.stop();
        }
      } finally {
        await new Deno.Command("umount", { args: ["-l", mnt] }).output();
      }
    });
  },
});

Deno.test("fault: the database locked by another process beyond the busy timeout: 503, then recovery without a restart", async () => {
  await withDir("tradewatch-locked-", async (dir) => {
    const db = join(dir, "orders.db");
    const child = await startChild(["--db", db, ...BASE_ARGS]);
    let holder: Deno.ChildProcess | null = null;
    try {
      const first = await placeOrders(child.base, 40);
      assert.equal(first.acked.size, 40);
      // Another process takes SQLite's write lock and keeps it until killed.
      holder = new Deno.Command("sqlite3", {
        args: [db],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const w = holder.stdin.getWriter();
      await w.write(new TextEncoder().encode("PRAGMA busy_timeout=10000;\nBEGIN IMMEDIATE;\n"));
      await w.write(new TextEncoder().encode("SELECT 'locked';\n"));
      const reader = holder.stdout.getReader();
      let seen = "";
      while (!seen.includes("locked")) {
        const { value, done } = await reader.read();
        if (done) throw new Error("sqlite3 ended before taking the lock");
        seen += new TextDecoder().decode(value);
      }
      const locked = await placeOrders(child.base, 4, 2);
      assert.deepEqual([...locked.statuses], [[503, 4]]);
      assert.match((locked.errors.get(503) as { error: string }).error, /database/);
      assert.equal(await status(`${child.base}/ready`), 503);
      assert.equal(await status(`${child.base}/health`), 503);
      // While it cannot write, orders are refused at once (no 5 s wait each).
      const t0 = Date.now();
      const quick = await placeOrders(child.base, 4, 1);
      assert.deepEqual([...quick.statuses], [[503, 4]]);
      assert.ok(Date.now() - t0 < 4000, `${Date.now() - t0} ms for 4 refusals`);
      await w.write(new TextEncoder().encode("ROLLBACK;\n.quit\n"));
      await w.close();
      reader.releaseLock();
      await holder.stdout.cancel();
      await holder.status;
      holder = null;
      await recoversWithBooks(
        child,
        db,
        "/health 200 after the lock is released",
        40,
        first.acked,
      );
    } finally {
      if (holder !== null) {
        try {
          holder.kill("SIGKILL");
        } catch { /* gone */ }
        await holder.status;
      }
      await child.stop();
    }
  });
});

Deno.test("fault: two processes on one file: the second is refused with a clear message; kill -9 leaves no lock", async () => {
  await withDir("tradewatch-two-", async (dir) => {
    const db = join(dir, "orders.db");
    const first = await startChild(["--db", db, ...BASE_ARGS]);
    let served: Map<string, number>;
    let acked: Set<string>;
    try {
      acked = (await placeOrders(first.base, 30)).acked;
      const second = await runMain(["--host", "127.0.0.1", "--port", "0", "--db", db]);
      assert.notEqual(second.code, 0);
      assert.match(second.stderr, /in use by another tradewatch process \(PID \d+\)/);
      assert.doesNotMatch(second.stderr, /^\s+at /m, "no stack trace");
      await alive(first);
      served = await servedPositions(first.base);
    } finally {
      const s = await first.stop("SIGKILL");
      assert.equal(s.signal, "SIGKILL");
    }
    // The lock died with its holder: a new process starts on the file at once.
    const third = await startChild(["--db", db, ...BASE_ARGS]);
    try {
      assert.deepEqual(await servedPositions(third.base), served);
    } finally {
      assert.equal((await third.stop("SIGTERM")).code, 0);
    }
    assertBooks(db, served, acked);
  });
});

Deno.test("fault: a corrupted file or positions that disagree with the fills: clear error, non-zero exit", async () => {
  await withDir("tradewatch-corrupt-", async (dir) => {
    const db = join(dir, "orders.db");
    const child = await startChild(["--db", db, ...BASE_ARGS]);
    let served: Map<string, number>;
    let acked: Set<string>;
    try {
      acked = (await placeOrders(child.base, 300)).acked;
      served = await servedPositions(child.base);
    } finally {
      assert.equal((await child.stop("SIGTERM")).code, 0);
    }
    assertBooks(db, served, acked);
    const args = ["--host", "127.0.0.1", "--port", "0", "--db", db];
    // Positions edited behind the service's back.
    const edit = new DatabaseSync(db);
    edit.exec("UPDATE positions SET quantity = quantity + 7 WHERE symbol = 'MSFT'");
    edit.close();
    const mismatch = await runMain(args);
    assert.equal(mismatch.code, 1, mismatch.stdout + mismatch.stderr);
    assert.match(mismatch.stderr, /position of MSFT .* does not equal the sum of its fills/);
    const undo = new DatabaseSync(db);
    undo.exec("UPDATE positions SET quantity = quantity - 7 WHERE symbol = 'MSFT'");
    undo.close();
    // Damaged pages.
    const bytes = await Deno.readFile(db);
    bytes.fill(0xa5, 4096 + 64, Math.min(bytes.length, 4096 * 6));
    await Deno.writeFile(db, bytes);
    const damaged = await runMain(args);
    assert.equal(damaged.code, 1, damaged.stdout + damaged.stderr);
    assert.match(damaged.stderr, /tradewatch: cannot start: .*(damaged|malformed)/);
    assert.doesNotMatch(damaged.stderr, /^\s+at /m, "no stack trace");
  });
});

Deno.test("fault: SIGTERM with a stalled request body: exits within --shutdown-timeout", async () => {
  await withDir("tradewatch-stalled-", async (dir) => {
    const db = join(dir, "orders.db");
    const child = await startChild(["--db", db, ...BASE_ARGS, "--shutdown-timeout", "1s"]);
    const stalled = await RawClient.open(child.port);
    try {
      const placed = await placeOrders(child.base, 20);
      await stalled.send(
        "POST /orders HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n" +
          'Content-Length: 200\r\n\r\n{"symbol":"AAPL",',
      );
      // A request sent after the stalled one is answered: the server has read the stalled head.
      await alive(child);
      const served = await servedPositions(child.base);
      const t0 = Date.now();
      child.proc.kill("SIGTERM");
      const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 8000));
      const exited = await Promise.race([child.proc.status, timeout]);
      assert.notEqual(exited, "timeout", "still running 8 s after SIGTERM");
      assert.equal((exited as Deno.CommandStatus).code, 0);
      assert.ok(Date.now() - t0 < 5000, `exited after ${Date.now() - t0} ms`);
      assertBooks(db, served, placed.acked);
    } finally {
      stalled.close();
      await child.stop();
    }
  });
});
