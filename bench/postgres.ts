/**
 * Benchmarks of the PostgreSQL backend (issue 10), side by side in one run on a private
 * PostgreSQL (initdb in a temp dir, synchronous commit, as the tests start it):
 *
 * - anchor: `pgbench`, 16 clients, a custom script of the service's transaction shape (insert
 *   the order, conditionally update one of 5 position rows; one order per transaction);
 * - the same shape with a row lock (`SELECT … FOR UPDATE`, then `UPDATE`): the PostgreSQL
 *   store's choice, measured next to the conditional `UPDATE`;
 * - POST /orders through HTTP on the PostgreSQL backend, 16 connections (goal >= 1.0x the
 *   anchor, p99 < 25 ms, 0 errors): group commit puts many orders in one transaction;
 * - 2 replicas on one database, 8 connections each, vs 1 replica with 16 (goal >= 1.0x).
 *
 * @module
 */
import { join } from "node:path";
import { startPostgres } from "../tests/support/postgres.ts";
import { ordersScript, type Server, service, wrk } from "./server.ts";
import type { BenchRow } from "./table.ts";

const SECONDS = Number(Deno.env.get("BENCH_PG_SECONDS") ?? 8);
const PGBENCH = `${Deno.env.get("PG_BIN") ?? "/usr/lib/postgresql/15/bin"}/pgbench`;
const SYMBOLS = ["AAPL", "GOOGL", "MSFT", "AMZN", "TSLA"];

const SCHEMA = `
CREATE TABLE orders (seq bigserial PRIMARY KEY, id text NOT NULL UNIQUE, symbol text NOT NULL,
  side text NOT NULL, type text NOT NULL, quantity double precision NOT NULL,
  limit_price double precision, status text NOT NULL, filled_quantity double precision NOT NULL,
  fill_price double precision, reason text, received_at text NOT NULL, completed_at text NOT NULL);
CREATE TABLE positions (symbol text PRIMARY KEY, quantity double precision NOT NULL);
INSERT INTO positions SELECT 'S' || i, 0 FROM generate_series(1, 5) i;`;

const INSERT = "INSERT INTO orders (id, symbol, side, type, quantity, limit_price, status, " +
  "filled_quantity, fill_price, reason, received_at, completed_at) VALUES " +
  "(md5(random()::text || clock_timestamp()::text), 'S' || :sym, 'BUY', 'market', 1, NULL, " +
  "'filled', 1, 100, NULL, now()::text, now()::text);";

/** The transaction shape, one order per transaction: conditional UPDATE, or a row lock first. */
function pgbenchScript(rowLock: boolean): string {
  return [
    "\\set sym random(1, 5)",
    "\\set d random(-1, 1)",
    "BEGIN;",
    ...(rowLock ? ["SELECT quantity FROM positions WHERE symbol = 'S' || :sym FOR UPDATE;"] : []),
    INSERT,
    "UPDATE positions SET quantity = quantity + :d WHERE symbol = 'S' || :sym " +
    "AND abs(quantity + :d) <= 1000000;",
    "END;",
  ].join("\n");
}

async function pgbench(url: string, script: string): Promise<{ tps: number; p99ms: number }> {
  const args = ["-n", "-c", "16", "-j", "2", "-T", String(SECONDS), "-M", "prepared", "-f", script];
  const cmd = Deno.uid() === 0
    ? new Deno.Command("runuser", {
      args: ["-u", "postgres", "--", PGBENCH, ...args, url],
      stdout: "piped",
      stderr: "piped",
    })
    : new Deno.Command(PGBENCH, { args: [...args, url], stdout: "piped", stderr: "piped" });
  const out = await cmd.output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`pgbench failed: ${new TextDecoder().decode(out.stderr)}`);
  const tps = Number(/tps = ([\d.]+)/.exec(text)?.[1] ?? NaN);
  return { tps, p99ms: NaN };
}

/** Run wrk against several servers at once (connections split); answers the summed rate. */
async function wrkAll(servers: Server[], script: string, connections: number) {
  const results = await Promise.all(
    servers.map((s) => wrk(`${s.base}/orders`, SECONDS, script, connections / servers.length)),
  );
  return {
    rps: results.reduce((a, r) => a + r.rps, 0),
    p99ms: Math.max(...results.map((r) => r.p99ms)),
    errors: results.reduce((a, r) => a + r.errors, 0),
    requests: results.reduce((a, r) => a + r.requests, 0),
  };
}

/** Run the PostgreSQL benchmarks (skipped, with a message, where no cluster can start). */
export async function run(): Promise<BenchRow[]> {
  const pg = await startPostgres();
  if (pg === null) return [];
  const dir = await Deno.makeTempDir({ prefix: "tradewatch-bench-pg-" });
  await Deno.chmod(dir, 0o755);
  const servers: Server[] = [];
  const rows: BenchRow[] = [];
  try {
    const shapeUrl = await pg.createDatabase("shape");
    await pg.sql(SCHEMA, "shape");
    const conditional = join(dir, "conditional.sql");
    const rowLock = join(dir, "row_lock.sql");
    await Deno.writeTextFile(conditional, pgbenchScript(false));
    await Deno.writeTextFile(rowLock, pgbenchScript(true));
    const script = join(dir, "orders.lua");
    await Deno.writeTextFile(script, ordersScript(SYMBOLS));
    const url = await pg.createDatabase("service");
    const one = await service("pg-1", dir, ["--db", url, "--log-level", "warn"]);
    servers.push(one);
    const two = await service("pg-2", dir, ["--db", url, "--log-level", "warn"]);
    servers.push(two);
    // Warm-up: JIT, pools, prepared statements.
    await wrkAll([one], script, 16);
    await wrkAll([one, two], script, 16);
    await pgbench(shapeUrl, conditional);

    const anchor = await pgbench(shapeUrl, conditional);
    const locked = await pgbench(shapeUrl, rowLock);
    const single = await wrkAll([one], script, 16);
    const pair = await wrkAll([one, two], script, 16);

    rows.push({
      area: "postgres",
      name: "pgbench, row lock then UPDATE (16 clients)",
      value: locked.tps,
      unit: "tx/s",
      anchor: { name: "pgbench conditional UPDATE", value: anchor.tps },
      ratio: locked.tps / anchor.tps,
    });
    const ratio = single.rps / anchor.tps;
    rows.push({
      area: "postgres",
      name: "POST /orders rps, PostgreSQL (16 connections)",
      value: single.rps,
      unit: "req/s",
      anchor: { name: "pgbench same shape", value: anchor.tps },
      ratio,
      goal: ">= 1.0x",
      pass: ratio >= 1,
    });
    rows.push({
      area: "postgres",
      name: "POST /orders p99, PostgreSQL",
      value: single.p99ms,
      unit: "ms",
      goal: "< 25 ms",
      pass: single.p99ms < 25,
    });
    rows.push({
      area: "postgres",
      name: `POST /orders errors, PostgreSQL (of ${single.requests + pair.requests})`,
      value: single.errors + pair.errors,
      unit: "",
      goal: "0",
      pass: single.errors + pair.errors === 0,
    });
    const scale = pair.rps / single.rps;
    rows.push({
      area: "postgres",
      name: "POST /orders rps, 2 replicas (8 + 8 connections)",
      value: pair.rps,
      unit: "req/s",
      anchor: { name: "1 replica", value: single.rps },
      ratio: scale,
      goal: ">= 1.0x",
      pass: scale >= 1,
    });
    return rows;
  } finally {
    for (const s of servers) await s.stop().catch(() => {});
    await pg.destroy();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
