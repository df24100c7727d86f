/**
 * The PostgreSQL order store, on `npm:pg`'s `Pool`, for any number of replicas on one database.
 *
 * - Why `pg` and not `postgres`: `pg`'s Pool exposes its own counters (total, idle, waiting),
 *   which become `db_connection_pool_size{status}` at scrape time; `postgres` hides them. Its
 *   pipelining does not help here: group commit already sends one transaction of 4 statements
 *   per batch of orders (measured in `bench/`; see README "Scale-out").
 * - Group commit: orders queue and one transaction commits a batch (two batches at a time, on
 *   two connections): `BEGIN` and lock the batch's position rows (`SELECT … FOR UPDATE`, in
 *   symbol order, so batches and replicas never deadlock), in one round trip; apply each fill to the locked row with the domain's `applyFill`
 *   and check `abs(quantity) <= maxPosition` (an order past the limit is stored as rejected,
 *   without a fill); insert the orders and fills and update the positions in one statement
 *   (`unnest` of arrays); `COMMIT`. Row locks rather than a conditional `UPDATE … RETURNING`
 *   because average cost and realised P&L come from the domain's function, not from SQL.
 *   Another replica's batch on the same symbols waits for the lock, so `--max-position` holds
 *   across replicas and positions always equal the sum of committed fills.
 * - No fail-stop: the in-memory book is updated only from what a commit answered, so a failed
 *   batch leaves nothing to disagree with; its writes are refused (`StoreUnavailableError`, a
 *   503 at the edge) and the next batch tries again, so the service recovers when the database
 *   returns.
 * - Schema: versioned migrations under an advisory lock (`postgres_migrations.ts`).
 *
 * @module
 */

import pg from "pg";
import type { Order, OrderPage } from "../trading/types.ts";
import { settleWrite } from "../trading/position.ts";
import { setImmediate } from "node:timers";
import { migrate } from "./postgres_migrations.ts";
import {
  cursorSeq,
  FILL_COLUMNS,
  fillValues,
  ORDER_COLUMNS,
  orderPage,
  type OrderRow,
  orderValues,
  type PositionRow,
  rowToOrder,
  rowToPosition,
} from "./rows.ts";
import {
  type Fill,
  type OrderCommit,
  type OrderStore,
  type OrderWrite,
  type PoolState,
  type StoredPosition,
  StoreUnavailableError,
} from "../trading/ports.ts";

export { StoreUnavailableError };

/** Options of the PostgreSQL store. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Largest number of pooled connections. */
  poolSize: number;
  /** Largest group-commit batch (default 512). */
  maxBatch?: number;
  /** How long to wait for a connection or a query before the database counts as lost, in ms. */
  timeoutMs?: number;
}

/**
 * Batches committing at once, each on its own connection (at most the pool size less one, left
 * for reads). A second lane sends its BEGIN and row locks while the first waits for its commit's
 * fsync; the row locks order them (measured: README "Scale-out").
 */
const COMMIT_LANES = 2;

/** Options of a {@link Batcher}. */
interface BatcherOptions {
  maxBatch: number;
  lanes: number;
  commit: (batch: Item[]) => Promise<void>;
}

interface Queued {
  item: Item;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit over several lanes: writes queue; whenever a lane is free, everything queued (up
 * to `maxBatch`) is committed as one batch on it, right after the current event-loop turn. A
 * failed batch rejects its own writes only.
 */
class Batcher {
  readonly #options: BatcherOptions;
  #queue: Queued[] = [];
  #busy = 0;
  #scheduled = false;
  #idle: (() => void)[] = [];

  constructor(options: BatcherOptions) {
    this.#options = options;
  }

  enqueue(item: Item): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#busy >= this.#options.lanes) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#busy < this.#options.lanes && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.maxBatch);
      this.#busy++;
      this.#options.commit(batch.map((q) => q.item)).then(
        () => batch.forEach((q) => q.resolve()),
        (error) => batch.forEach((q) => q.reject(error)),
      ).finally(() => {
        this.#busy--;
        if (this.#queue.length > 0) this.#schedule();
        else if (this.#busy === 0) this.#idle.splice(0).forEach((f) => f());
      });
    }
  }

  /** Resolves once every queued write has been committed (or refused). */
  drain(): Promise<void> {
    if (this.#queue.length === 0 && this.#busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}

/** How long `ping` waits for the database, in ms. */
const PING_TIMEOUT_MS = 1000;

interface Item {
  write: OrderWrite;
  result: OrderCommit | null;
}

const LOCK_POSITIONS = "SELECT symbol, quantity, avg_cost, realized_pnl FROM positions " +
  "WHERE symbol = ANY($1::text[]) ORDER BY symbol FOR UPDATE";

const CREATE_POSITIONS = "INSERT INTO positions (symbol, quantity, avg_cost, realized_pnl) " +
  "SELECT s, 0, 0, 0 FROM unnest($1::text[]) AS s ON CONFLICT (symbol) DO NOTHING";

const WRITE_BATCH = `WITH o AS (
  INSERT INTO orders (${ORDER_COLUMNS})
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[],
    $6::float8[], $7::text[], $8::float8[], $9::float8[], $10::text[], $11::text[], $12::text[])
), f AS (
  INSERT INTO fills (${FILL_COLUMNS})
  SELECT * FROM unnest($13::text[], $14::text[], $15::text[], $16::float8[], $17::float8[],
    $18::text[])
)
UPDATE positions p SET quantity = u.q, avg_cost = u.c, realized_pnl = u.r
FROM unnest($19::text[], $20::float8[], $21::float8[], $22::float8[]) AS u(s, q, c, r)
WHERE p.symbol = u.s`;

const guarded = new WeakSet<pg.PoolClient>();

/**
 * Listens for a leased connection's errors: the database ending it (a restart) between two
 * queries emits an `error` event that, unheard, would end the process. The failing query, or
 * the next one, reports the loss.
 */
function guard(client: pg.PoolClient): void {
  if (guarded.has(client)) return;
  guarded.add(client);
  client.on("error", () => {});
}

function unavailable(error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`The database is unavailable: ${message}`, { cause: error });
}

/** The PostgreSQL implementation of `OrderStore`. */
export class PostgresStore implements OrderStore {
  readonly #pool: pg.Pool;
  readonly #max: number;
  readonly #batcher: Batcher;
  #closed = false;
  #lastError: Error | null = null;

  private constructor(pool: pg.Pool, max: number, maxBatch: number) {
    this.#pool = pool;
    this.#max = max;
    this.#batcher = new Batcher({
      maxBatch,
      lanes: Math.max(1, Math.min(COMMIT_LANES, max - 1)),
      commit: (batch) => this.#commit(batch),
    });
  }

  /** Connects, applies the missing migrations, and answers the open store. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const max = Math.max(1, Math.trunc(options.poolSize));
    const pool = new pg.Pool({
      connectionString: options.url,
      max,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: "tradewatch",
    });
    // An idle connection broken by a database restart is dropped by the pool; without a
    // listener, its error event would end the process.
    pool.on("error", () => {});
    try {
      const client = await pool.connect();
      guard(client);
      try {
        await migrate(client);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => {});
      throw unavailable(error);
    }
    return new PostgresStore(pool, max, options.maxBatch ?? 512);
  }

  /** The pool's counters right now (read at scrape time). */
  get poolState(): PoolState {
    const p = this.#pool;
    const total = p.totalCount;
    const idle = p.idleCount;
    return { active: total - idle, idle, waiting: p.waitingCount, max: this.#max };
  }

  /**
   * Lease one pooled connection to an outside holder (the `db_pool_hold` fault), waiting when
   * none is free; call the result to give it back. Nothing runs on it while held.
   */
  async leaseConnection(): Promise<() => void> {
    const client = await this.#pool.connect();
    let held = true;
    return () => {
      if (held) client.release();
      held = false;
    };
  }

  /**
   * Queues a write; resolves with the order as committed (rejected when its fill would pass
   * `maxPosition`) and the symbol's committed position. Rejects with `StoreUnavailableError`
   * when the database failed the batch.
   */
  async commit(write: OrderWrite): Promise<OrderCommit> {
    if (this.#closed) throw new StoreUnavailableError("The store is closed");
    const item: Item = { write, result: null };
    await this.#batcher.enqueue(item);
    return item.result!;
  }

  /** The `OrderStore` port's name of `commit`. */
  append(write: OrderWrite): Promise<OrderCommit> {
    return this.commit(write);
  }

  async #commit(items: Item[]): Promise<void> {
    const symbols = [
      ...new Set(items.filter((i) => i.write.fill !== null).map((i) => i.write.fill!.symbol)),
    ].sort();
    const { client, locked } = await this.#begin(symbols);
    let broken: Error | undefined;
    try {
      const positions = new Map<string, StoredPosition>();
      let rows = locked;
      if (rows.length < symbols.length) {
        await client.query({ name: "create-positions", text: CREATE_POSITIONS, values: [symbols] });
        rows = (await client.query<PositionRow>({
          name: "lock-positions",
          text: LOCK_POSITIONS,
          values: [symbols],
        })).rows;
      }
      for (const r of rows) positions.set(r.symbol, rowToPosition(r));
      const o: unknown[][] = Array.from({ length: 12 }, () => []);
      const f: unknown[][] = Array.from({ length: 6 }, () => []);
      const changed = new Set<string>();
      for (const item of items) {
        const { fill } = item.write;
        const { order, position } = settleWrite(
          item.write,
          fill === null ? null : positions.get(fill.symbol)!,
        );
        let stored: Fill | null = null;
        if (fill !== null && position !== null) {
          positions.set(fill.symbol, position);
          changed.add(fill.symbol);
          stored = fill;
        }
        const values = orderValues(order);
        for (let i = 0; i < 12; i++) o[i].push(values[i]);
        if (stored !== null) {
          const fv = fillValues(stored);
          for (let i = 0; i < 6; i++) f[i].push(fv[i]);
        }
        item.result = { order, position };
      }
      const p: unknown[][] = [[], [], [], []];
      for (const s of changed) {
        const pos = positions.get(s)!;
        p[0].push(s);
        p[1].push(pos.quantity);
        p[2].push(pos.avgCost);
        p[3].push(pos.realizedPnl);
      }
      await client.query({ name: "write-batch", text: WRITE_BATCH, values: [...o, ...f, ...p] });
      await client.query("COMMIT");
      this.#lastError = null;
    } catch (error) {
      for (const item of items) item.result = null;
      broken = error instanceof Error ? error : new Error(String(error));
      await client.query("ROLLBACK").catch(() => {});
      throw this.#failed(error);
    } finally {
      // A connection that failed a transaction is discarded, not reused.
      client.release(broken);
    }
  }

  /**
   * A pooled connection with a transaction open and the batch's position rows locked, in one
   * round trip (`BEGIN; SELECT … FOR UPDATE` as one simple query; the symbols are literals, from
   * the validated universe, quoted by the driver). An idle connection may have died with a
   * database restart unnoticed; a failed first round trip has stored nothing, so it is retried
   * once on a new connection.
   */
  async #begin(symbols: string[]): Promise<{ client: pg.PoolClient; locked: PositionRow[] }> {
    for (let attempt = 0;; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.#pool.connect();
      } catch (error) {
        throw this.#failed(error);
      }
      guard(client);
      try {
        if (symbols.length === 0) {
          await client.query("BEGIN");
          return { client, locked: [] };
        }
        const list = client.escapeLiteral(`{${symbols.join(",")}}`);
        const results = await client.query(
          `BEGIN; ${LOCK_POSITIONS.replace("$1::text[]", `${list}::text[]`)}`,
        ) as unknown as pg.QueryResult<PositionRow>[];
        return { client, locked: results[1].rows };
      } catch (error) {
        client.release(error instanceof Error ? error : new Error(String(error)));
        if (attempt > 0) throw this.#failed(error);
      }
    }
  }

  #failed(error: unknown): StoreUnavailableError {
    const e = unavailable(error);
    this.#lastError = e;
    return e;
  }

  /** False from a failed commit until a later one succeeds (what `/health` reports). */
  writable(): boolean {
    return !this.#closed && this.#lastError === null;
  }

  /** The last commit failure, until a later commit succeeds (null while healthy). */
  get lastError(): Error | null {
    return this.#lastError;
  }

  async getOrder(id: string): Promise<Order | null> {
    const r = await this.#query<OrderRow>(
      "get-order",
      `SELECT seq, ${ORDER_COLUMNS} FROM orders WHERE id = $1`,
      [id],
    );
    return r.length === 0 ? null : rowToOrder(r[0]);
  }

  async listOrders(options: { limit: number; before?: string }): Promise<OrderPage> {
    const limit = Math.max(1, Math.trunc(options.limit));
    cursorSeq(options.before); // throws InvalidCursorError
    const rows = options.before === undefined
      ? await this.#query<OrderRow>(
        "list-first",
        `SELECT seq, ${ORDER_COLUMNS} FROM orders ORDER BY seq DESC LIMIT $1`,
        [limit + 1],
      )
      : await this.#query<OrderRow>(
        "list-before",
        `SELECT seq, ${ORDER_COLUMNS} FROM orders WHERE seq < $1 ORDER BY seq DESC LIMIT $2`,
        [options.before, limit + 1],
      );
    return orderPage(rows, limit);
  }

  async loadPositions(): Promise<StoredPosition[]> {
    const rows = await this.#query<PositionRow>(
      "load-positions",
      "SELECT symbol, quantity, avg_cost, realized_pnl FROM positions ORDER BY symbol",
      [],
    );
    return rows.map(rowToPosition);
  }

  async #query<R extends pg.QueryResultRow>(
    name: string,
    text: string,
    values: unknown[],
  ): Promise<R[]> {
    if (this.#closed) throw new StoreUnavailableError("The store is closed");
    try {
      return (await this.#pool.query<R>({ name, text, values })).rows;
    } catch (error) {
      throw unavailable(error);
    }
  }

  /**
   * Whether the database answers `SELECT 1` within `PING_TIMEOUT_MS` (a readiness probe must
   * answer quickly even when every pooled connection waits on a lost database). Tried twice: the
   * first try may meet a connection that died with a database restart.
   */
  async ping(): Promise<boolean> {
    if (this.#closed) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    });
    const probe = (async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await this.#pool.query("SELECT 1");
          return true;
        } catch {
          // try a new connection
        }
      }
      return false;
    })();
    try {
      return await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#batcher.drain();
    this.#closed = true;
    await this.#pool.end();
  }
}
