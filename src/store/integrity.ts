/**
 * The start-up check of a SQLite database: `PRAGMA quick_check` (structure, page and index
 * consistency; O(database size), without the full index-content cross-check of
 * `integrity_check`), then every stored position replayed from the stored fills in commit order
 * with the domain's `applyFill`. Any difference is a clear error, never a silent start on books
 * that disagree with their history.
 *
 * @module
 */

import type { DatabaseSync } from "node:sqlite";
import { applyFill, flatPosition } from "../trading/position.ts";
import type { StoredPosition } from "../trading/ports.ts";
import type { Side } from "../trading/types.ts";

/** The database is damaged, or its positions do not equal the sum of its fills. */
export class DatabaseIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatabaseIntegrityError";
  }
}

/** How far a stored figure may be from its replay (floating-point sums in another order). */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Checks the database open on `db` (its schema created).
 * @throws {DatabaseIntegrityError} naming what is wrong and the file
 */
export function checkIntegrity(db: DatabaseSync, path: string): void {
  let rows: { quick_check: string }[];
  try {
    rows = db.prepare("PRAGMA quick_check(5)").all() as unknown as { quick_check: string }[];
  } catch (error) {
    throw new DatabaseIntegrityError(
      `the database ${path} is damaged: ${error instanceof Error ? error.message : error}`,
    );
  }
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== "ok");
  if (problems.length > 0) {
    throw new DatabaseIntegrityError(
      `the database ${path} is damaged (quick_check: ${problems.join("; ").slice(0, 400)}); ` +
        "restore it from a backup or move it away to start with an empty book",
    );
  }
  const replayed = new Map<string, StoredPosition>();
  const fills = db.prepare("SELECT symbol, side, quantity, price FROM fills ORDER BY seq");
  for (const f of fills.iterate() as Iterable<Record<string, unknown>>) {
    const symbol = String(f.symbol);
    const fill = { side: f.side as Side, quantity: Number(f.quantity), price: Number(f.price) };
    replayed.set(symbol, applyFill(replayed.get(symbol) ?? flatPosition(symbol), fill));
  }
  const stored = db.prepare(
    "SELECT symbol, quantity, avg_cost, realized_pnl FROM positions ORDER BY symbol",
  ).all() as unknown as {
    symbol: string;
    quantity: number;
    avg_cost: number;
    realized_pnl: number;
  }[];
  const seen = new Set<string>();
  for (const p of stored) {
    seen.add(p.symbol);
    const r = replayed.get(p.symbol) ?? flatPosition(p.symbol);
    if (
      !close(p.quantity, r.quantity) || !close(p.avg_cost, r.avgCost) ||
      !close(p.realized_pnl, r.realizedPnl)
    ) {
      throw mismatch(path, p.symbol, p, r);
    }
  }
  for (const [symbol, r] of replayed) {
    if (!seen.has(symbol) && r.quantity !== 0) {
      throw mismatch(path, symbol, { quantity: 0, avg_cost: 0, realized_pnl: 0 }, r);
    }
  }
}

function mismatch(
  path: string,
  symbol: string,
  p: { quantity: number; avg_cost: number; realized_pnl: number },
  r: StoredPosition,
): DatabaseIntegrityError {
  return new DatabaseIntegrityError(
    `the stored position of ${symbol} in ${path} does not equal the sum of its fills ` +
      `(stored quantity ${p.quantity}, avg cost ${p.avg_cost}, realized P&L ${p.realized_pnl}; ` +
      `from the fills ${r.quantity}, ${r.avgCost}, ${r.realizedPnl}); ` +
      "the books were changed outside tradewatch: restore the database from a backup",
  );
}
