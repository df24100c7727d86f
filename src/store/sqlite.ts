/**
 * The SQLite order store, on Deno's `node:sqlite` (`DatabaseSync`).
 *
 * - WAL journal with `synchronous=NORMAL`: a committed transaction is in the WAL file (the OS
 *   page cache) before `append()` resolves, so it survives the process being killed (`kill -9`);
 *   it is NOT guaranteed to survive a power loss or kernel crash (that would need
 *   `synchronous=FULL`, an fsync per commit). Acknowledged orders must survive process death,
 *   which this gives without an fsync per batch.
 * - Group commit: writes are batched into one transaction (see `group_commit.ts`) with prepared
 *   statements.
 * - A pool of `poolSize` connections to the same database. A write batch leases one when it
 *   opens (its first write) and returns it after its commit, so an open batch shows as an active
 *   connection; readers lease one per query. `:memory:` becomes a named shared-cache in-memory
 *   database, so every pooled connection sees the same data.
 * - WAL checkpoints of a file database run on a worker thread (`checkpointer.ts`): the pooled
 *   connections have `wal_autocheckpoint=0`, so no commit ever copies WAL pages into the database
 *   file and fsyncs on the event loop. Closing runs a final checkpoint and stops the worker;
 *   until then the worker keeps the process alive (close the store, or exit explicitly). Under
 *   sustained writes the WAL file grows to about the RESTART threshold (128 MiB by default) and
 *   is reused; it is truncated once the writes stop.
 * - Faults: a failed commit (disk full, the database locked by another process beyond the busy
 *   timeout) rejects its batch with `StoreUnavailableError` and marks the store as not writing
 *   (`write_health.ts`): later writes are refused at once, `ping()` answers false, and a probe
 *   write on a timer brings the store back once the cause is gone, without a restart. Nothing
 *   needs undoing: positions are computed from the stored rows inside each transaction.
 * - At start (file databases): the writer lock (`writer_lock.ts`: one process per file) and the
 *   integrity check (`integrity.ts`: `quick_check`, positions replayed from the fills).
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { dirname, join } from "node:path";
import { mkdirSync, rmSync } from "node:fs";
import type { Order, OrderPage } from "../trading/types.ts";
import { Checkpointer, type CheckpointStats } from "./checkpointer.ts";
import { GroupCommitter } from "./group_commit.ts";
import { checkIntegrity } from "./integrity.ts";
import { Pool } from "./pool.ts";
import { type WriteFailure, WriteHealth } from "./write_health.ts";
import { acquireWriterLock, type WriterLock } from "./writer_lock.ts";
import {
  type OrderCommit,
  type OrderStore,
  type OrderWrite,
  type PoolState,
  type StoredPosition,
  StoreUnavailableError,
} from "../trading/ports.ts";
import { settleWrite } from "../trading/position.ts";
import * as shape from "./rows.ts";

/** Options of the SQLite store. */
export interface SqliteStoreOptions {
  /** File path, or ":memory:". */
  path: string;
  /** Number of pooled connections (at least 1). */
  poolSize: number;
  /** Receives the pool state on every change. */
  onPoolChange?: (state: PoolState) => void;
  /** Largest group-commit batch (default 512). */
  maxBatch?: number;
  /** Group-commit delay after a batch's first write, in ms (default 0: after this loop turn). */
  flushDelayMs?: number;
  /**
   * WAL checkpoints of a file database: on a worker thread (the default; see `checkpointer.ts`),
   * or `false` for SQLite's automatic checkpoints on the committing connection.
   */
  checkpoint?: false | { intervalMs?: number; restartBytes?: number };
  /** How long a write waits for the database's write lock, in ms (default 5000). */
  busyTimeoutMs?: number;
  /** Time between probe writes while the store cannot write, in ms (default 1000). */
  probeIntervalMs?: number;
}

/** How long a connection waits for a lock, in ms (the write path waits on a timer instead). */
const BUSY_TIMEOUT_MS = 5000;

/** SQLite's default `wal_autocheckpoint` (pages), restored if the checkpoint worker fails. */
const DEFAULT_AUTOCHECKPOINT = 1000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  type TEXT NOT NULL,
  quantity REAL NOT NULL,
  limit_price REAL,
  status TEXT NOT NULL,
  filled_quantity REAL NOT NULL,
  fill_price REAL,
  reason TEXT,
  received_at TEXT NOT NULL,
  completed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS fills (
  seq INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  quantity REAL NOT NULL,
  price REAL NOT NULL,
  time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS positions (
  symbol TEXT PRIMARY KEY,
  quantity REAL NOT NULL,
  avg_cost REAL NOT NULL,
  realized_pnl REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS write_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS wal_restarts (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  count INTEGER NOT NULL
);
`;

/** A queued write and, once its batch committed, what was committed for it. */
interface PendingWrite {
  write: OrderWrite;
  result: OrderCommit | null;
}

/** One pooled connection with its prepared statements. */
class Connection {
  readonly db: DatabaseSync;
  readonly insertOrder: StatementSync;
  readonly insertFill: StatementSync;
  readonly upsertPosition: StatementSync;
  readonly getOrder: StatementSync;
  readonly listFirst: StatementSync;
  readonly listBefore: StatementSync;
  readonly loadPositions: StatementSync;
  readonly getPosition: StatementSync;
  readonly ping: StatementSync;
  readonly probe: StatementSync;

  readonly busyTimeoutMs: number;

  constructor(path: string, busyTimeoutMs: number) {
    this.busyTimeoutMs = busyTimeoutMs;
    this.db = new DatabaseSync(path);
    this.db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    this.db.exec("PRAGMA synchronous = NORMAL");
    this.insertOrder = this.db.prepare(
      `INSERT INTO orders (${shape.ORDER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertFill = this.db.prepare(
      `INSERT INTO fills (${shape.FILL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.upsertPosition = this.db.prepare(
      "INSERT INTO positions (symbol, quantity, avg_cost, realized_pnl) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT(symbol) DO UPDATE SET quantity = excluded.quantity, " +
        "avg_cost = excluded.avg_cost, realized_pnl = excluded.realized_pnl",
    );
    this.getOrder = this.db.prepare(`SELECT seq, ${shape.ORDER_COLUMNS} FROM orders WHERE id = ?`);
    this.listFirst = this.db.prepare(
      `SELECT seq, ${shape.ORDER_COLUMNS} FROM orders ORDER BY seq DESC LIMIT ?`,
    );
    this.listBefore = this.db.prepare(
      `SELECT seq, ${shape.ORDER_COLUMNS} FROM orders WHERE seq < ? ORDER BY seq DESC LIMIT ?`,
    );
    this.loadPositions = this.db.prepare(
      "SELECT symbol, quantity, avg_cost, realized_pnl FROM positions ORDER BY symbol",
    );
    this.getPosition = this.db.prepare(
      "SELECT symbol, quantity, avg_cost, realized_pnl FROM positions WHERE symbol = ?",
    );
    this.ping = this.db.prepare("SELECT 1 AS ok");
    this.probe = this.db.prepare(
      "INSERT INTO write_probe (id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at",
    );
  }

  /**
   * Starts the write transaction without waiting: false when another connection holds the write
   * lock (the checkpoint worker's RESTART or TRUNCATE step). SQLite's busy handler would sleep on the event
   * loop; the store retries on a timer instead.
   */
  tryBegin(): boolean {
    const db = this.db;
    db.exec("PRAGMA busy_timeout = 0");
    try {
      db.exec("BEGIN IMMEDIATE");
      return true;
    } catch (error) {
      if (error instanceof Error && /database is locked/.test(error.message)) return false;
      throw error;
    } finally {
      db.exec(`PRAGMA busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  /** Writes one batch in one transaction. */
  commit(batch: readonly PendingWrite[]): void {
    this.db.exec("BEGIN IMMEDIATE");
    this.commitOpen(batch);
  }

  /**
   * Writes one batch in the transaction `tryBegin` opened, and commits it. Each fill is applied
   * to the symbol's stored position inside the transaction (`settleWrite`: the position limit is
   * checked there); each write's result is set only once the transaction has committed.
   */
  commitOpen(batch: readonly PendingWrite[]): void {
    const db = this.db;
    const results: OrderCommit[] = [];
    try {
      // The batch's latest state of each symbol's position; only that one needs writing.
      const positions = new Map<string, StoredPosition>();
      for (const { write } of batch) {
        let stored: StoredPosition | null = null;
        if (write.fill !== null) {
          const symbol = write.fill.symbol;
          stored = positions.get(symbol) ?? null;
          if (stored === null) {
            const row = this.getPosition.get(symbol) as shape.PositionRow | undefined;
            if (row !== undefined) stored = shape.rowToPosition(row);
          }
        }
        const result = settleWrite(write, stored);
        results.push(result);
        const o = result.order;
        this.insertOrder.run(...shape.orderValues(o));
        const fill = write.fill;
        if (result.position !== null && fill !== null) {
          this.insertFill.run(...shape.fillValues(fill));
          positions.set(fill.symbol, result.position);
        }
      }
      for (const p of positions.values()) {
        this.upsertPosition.run(p.symbol, p.quantity, p.avgCost, p.realizedPnl);
      }
      db.exec("COMMIT");
    } catch (error) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw error;
    }
    for (let i = 0; i < batch.length; i++) batch[i].result = results[i];
  }
}

let memoryCounter = 0;

function unavailable(reason: string, cause?: unknown): StoreUnavailableError {
  return new StoreUnavailableError(`The database cannot write: ${reason}`, { cause });
}

/**
 * Where a `:memory:` store lives: a named shared-cache in-memory database, so that the pooled
 * connections share it. Deno's `node:sqlite` honours such URIs only with every permission
 * (`-A`); under the shipped, narrower permissions SQLite takes the URI for a file name in the
 * working directory, so the store then uses a fresh file in a temporary directory instead,
 * removed when the store closes.
 */
function memoryDatabase(): { path: string; tempDir: string | null } {
  const uri = `file:tradewatch-mem-${Deno.pid}-${++memoryCounter}?mode=memory&cache=shared`;
  const probe = new DatabaseSync(uri);
  let file = "";
  try {
    file = String(probe.prepare("PRAGMA database_list").get()?.file ?? "");
  } finally {
    probe.close();
  }
  if (file === "") return { path: uri, tempDir: null };
  rmSync(file, { force: true });
  const tempDir = Deno.makeTempDirSync({ prefix: "tradewatch-mem-" });
  return { path: join(tempDir, "tradewatch.db"), tempDir };
}

/** The SQLite implementation of `OrderStore`. */
export class SqliteStore implements OrderStore {
  readonly #pool: Pool<Connection>;
  readonly #committer: GroupCommitter<PendingWrite>;
  /** Connections leased by open batches, oldest batch first (null: none was free). */
  readonly #leases: (Connection | null)[] = [];
  readonly #checkpointer: Checkpointer | null = null;
  readonly #health: WriteHealth;
  readonly #lock: WriterLock | null = null;
  /** The temporary directory of a `:memory:` store that could not be in memory. */
  readonly #tempDir: string | null = null;
  #closed = false;

  /** Opens `poolSize` connections, creates the schema and switches to WAL. */
  constructor(options: SqliteStoreOptions) {
    const poolSize = Math.max(1, Math.trunc(options.poolSize));
    let path = options.path;
    if (path === ":memory:") {
      ({ path, tempDir: this.#tempDir } = memoryDatabase());
    } else if (!path.startsWith("file:")) {
      mkdirSync(dirname(path), { recursive: true });
    }
    const file = options.path !== ":memory:" || this.#tempDir !== null;
    const offLoop = file && options.checkpoint !== false;
    // Before anything opens the file: a second process must not even create the schema.
    const shared = options.path !== ":memory:" && !path.startsWith("file:");
    const lock = shared ? acquireWriterLock(path) : null;
    this.#lock = lock;
    // The first connection creates the schema before the others prepare statements on it.
    let bootstrap: DatabaseSync;
    let pageSize = 4096;
    try {
      bootstrap = new DatabaseSync(path);
      try {
        bootstrap.exec("PRAGMA busy_timeout = 5000");
        if (offLoop) bootstrap.exec("PRAGMA wal_autocheckpoint = 0");
        if (file) bootstrap.exec("PRAGMA journal_mode = WAL");
        bootstrap.exec(SCHEMA);
        pageSize = Number(bootstrap.prepare("PRAGMA page_size").get()?.page_size ?? pageSize);
        if (shared) checkIntegrity(bootstrap, options.path);
      } catch (error) {
        bootstrap.close();
        throw error;
      }
    } catch (error) {
      lock?.release();
      if (this.#tempDir !== null) rmSync(this.#tempDir, { recursive: true, force: true });
      throw error;
    }
    const connections: Connection[] = [];
    try {
      for (let i = 0; i < poolSize; i++) {
        const c = new Connection(path, options.busyTimeoutMs ?? BUSY_TIMEOUT_MS);
        connections.push(c);
        if (offLoop) c.db.exec("PRAGMA wal_autocheckpoint = 0");
      }
    } catch (error) {
      for (const c of connections) c.db.close();
      bootstrap.close();
      lock?.release();
      throw error;
    }
    bootstrap.close();
    this.#pool = new Pool(connections, options.onPoolChange);
    this.#committer = new GroupCommitter<PendingWrite>({
      maxBatch: options.maxBatch ?? 512,
      delayMs: options.flushDelayMs ?? 0,
      // Each batch stands alone: its positions come from the stored rows, so a failed batch
      // leaves nothing that a later one could contradict.
      failStop: false,
      onOpen: () => this.#leases.push(this.#pool.tryAcquire()),
      commit: (batch) => this.#commitGuarded(batch),
    });
    this.#health = new WriteHealth({
      intervalMs: options.probeIntervalMs ?? 1000,
      probe: () => this.#probe(),
    });
    if (offLoop) {
      const settings = options.checkpoint === false ? {} : options.checkpoint ?? {};
      // Without the worker, SQLite's automatic checkpoints keep the WAL bounded as before.
      const onUnavailable = () => {
        if (this.#closed) return;
        for (const c of connections) {
          c.db.exec(`PRAGMA wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
        }
      };
      try {
        this.#checkpointer = new Checkpointer({
          path,
          pageSize,
          intervalMs: settings.intervalMs,
          restartBytes: settings.restartBytes,
          onUnavailable,
        });
      } catch {
        // No worker could be created at all (for example without the permission to read its
        // module): the store works on, with automatic checkpoints.
        onUnavailable();
      }
    }
  }

  /**
   * Counters of the checkpoint worker (null for `:memory:` or `checkpoint: false`); `alive` is
   * false once it has stopped (after close, or a failure that turned automatic checkpoints on).
   */
  get checkpointStats(): (CheckpointStats & { alive: boolean }) | null {
    const c = this.#checkpointer;
    return c === null ? null : { ...c.stats, alive: c.alive };
  }

  /** Runs a checkpoint round on the worker now (tests, tools); false without a running worker. */
  async checkpointNow(): Promise<boolean> {
    const c = this.#checkpointer;
    if (c === null || !c.alive) return false;
    return (await c.checkpoint()).busy === 0;
  }

  /** The pool's current state. */
  get poolState(): PoolState {
    return this.#pool.state;
  }

  /** Why the store cannot write now (since when), or null while it writes. */
  get writeFailure(): WriteFailure | null {
    return this.#health.failure;
  }

  /**
   * Commits a batch, or refuses it at once while the store is not writing (the probe decides
   * when it writes again); a failed commit marks the store as not writing.
   */
  async #commitGuarded(batch: PendingWrite[]): Promise<void> {
    const failure = this.#health.failure;
    if (failure !== null) {
      // Give back the connection the batch leased when it opened.
      const lease = this.#leases.shift() ?? null;
      if (lease !== null) this.#pool.release(lease);
      throw unavailable(failure.reason);
    }
    try {
      await this.#commit(batch);
    } catch (error) {
      this.#health.fail(error);
      throw unavailable(error instanceof Error ? error.message : String(error), error);
    }
  }

  /** One probe write on a free connection; false while the write lock is held elsewhere. */
  #probe(): Promise<boolean> {
    return this.#pool.use((c) => {
      if (!c.tryBegin()) return false;
      try {
        c.probe.run(new Date().toISOString());
        c.db.exec("COMMIT");
        return true;
      } catch (error) {
        if (c.db.isTransaction) c.db.exec("ROLLBACK");
        throw error;
      }
    });
  }

  /**
   * Lease one pooled connection to an outside holder (the `db_pool_hold` fault), waiting when
   * none is idle; call the result to give it back. Nothing runs on it while held.
   */
  async leaseConnection(): Promise<() => void> {
    const c = await this.#pool.acquire();
    let held = true;
    return () => {
      if (held) this.#pool.release(c);
      held = false;
    };
  }

  /**
   * Commits a batch on the connection leased when it opened (batches commit in the order they
   * opened), or on one awaited from the pool when none was free then.
   */
  #commit(batch: PendingWrite[]): void | Promise<void> {
    const c = this.#leases.shift() ?? null;
    if (c === null) {
      return this.#pool.use((conn) => this.#commitOn(conn, batch));
    }
    let later: Promise<void> | undefined;
    try {
      later = this.#commitOn(c, batch);
    } finally {
      if (later === undefined) this.#pool.release(c);
    }
    return later?.finally(() => this.#pool.release(c));
  }

  /**
   * Commits a batch on `c`: at once, or (when the checkpoint worker holds the write lock for
   * its RESTART step) on a timer once the lock is free, so the event loop never sleeps in
   * SQLite's busy handler. Without the worker, SQLite's busy handler waits as before.
   */
  #commitOn(c: Connection, batch: PendingWrite[]): Promise<void> | undefined {
    if (this.#checkpointer === null) {
      c.commit(batch);
      return undefined;
    }
    if (c.tryBegin()) {
      c.commitOpen(batch);
      return undefined;
    }
    return this.#commitWhenFree(c, batch);
  }

  async #commitWhenFree(c: Connection, batch: PendingWrite[]): Promise<void> {
    const deadline = performance.now() + c.busyTimeoutMs;
    for (;;) {
      // A failed attempt costs microseconds; the lock is held for about 10 ms.
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (c.tryBegin()) {
        c.commitOpen(batch);
        return;
      }
      if (performance.now() > deadline) throw new Error("The database stayed locked");
    }
  }

  append(write: OrderWrite): Promise<OrderCommit> {
    const pending: PendingWrite = { write, result: null };
    return this.#committer.enqueue(pending).then(() => pending.result!);
  }

  getOrder(id: string): Promise<Order | null> {
    return this.#pool.use((c) => {
      const row = c.getOrder.get(id) as unknown as shape.OrderRow | undefined;
      return row === undefined ? null : shape.rowToOrder(row);
    });
  }

  listOrders(options: { limit: number; before?: string }): Promise<OrderPage> {
    const limit = Math.max(1, Math.trunc(options.limit));
    let before: number | null;
    try {
      before = shape.cursorSeq(options.before);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#pool.use((c) => {
      const rows = (before === null
        ? c.listFirst.all(limit + 1)
        : c.listBefore.all(before, limit + 1)) as unknown as shape.OrderRow[];
      return shape.orderPage(rows, limit);
    });
  }

  loadPositions(): Promise<StoredPosition[]> {
    return this.#pool.use((c) =>
      (c.loadPositions.all() as unknown as shape.PositionRow[]).map(shape.rowToPosition)
    );
  }

  writable(): boolean {
    return !this.#closed && this.#health.failure === null;
  }

  async ping(): Promise<boolean> {
    if (this.#closed || this.#health.failure !== null) return false;
    try {
      return await this.#pool.use((c) => c.ping.get() !== undefined);
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#health.close();
    await this.#committer.close();
    this.#pool.close();
    for (const c of this.#pool.connections) c.db.close();
    // Last: the worker's connection is then the only one, so its final checkpoint finds no
    // writer and closing it removes the WAL file.
    await this.#checkpointer?.close();
    this.#lock?.release();
    if (this.#tempDir !== null) rmSync(this.#tempDir, { recursive: true, force: true });
  }
}
