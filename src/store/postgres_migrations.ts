/**
 * The PostgreSQL schema as versioned migrations. The service applies the missing ones at start
 * (`migrate`), each in its own transaction that also records its version, under a session
 * advisory lock, so replicas starting at once apply every migration exactly once: the first
 * takes the lock and migrates, the others wait for it and then find nothing left to do.
 * Migrations are append-only: never edit a released one, add the next version.
 *
 * @module
 */

import type pg from "pg";

/** One schema change. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, in version order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "orders, fills and positions",
    sql: `
CREATE TABLE orders (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  symbol text NOT NULL,
  side text NOT NULL,
  type text NOT NULL,
  quantity double precision NOT NULL,
  limit_price double precision,
  status text NOT NULL,
  filled_quantity double precision NOT NULL,
  fill_price double precision,
  reason text,
  received_at text NOT NULL,
  completed_at text NOT NULL
);
CREATE TABLE fills (
  seq bigserial PRIMARY KEY,
  order_id text NOT NULL,
  symbol text NOT NULL,
  side text NOT NULL,
  quantity double precision NOT NULL,
  price double precision NOT NULL,
  time text NOT NULL
);
CREATE TABLE positions (
  symbol text PRIMARY KEY,
  quantity double precision NOT NULL,
  avg_cost double precision NOT NULL,
  realized_pnl double precision NOT NULL
);`,
  },
];

/** The advisory lock key of the migration step ("tradewatch" hashed, fixed forever). */
export const MIGRATION_LOCK_KEY = 0x7472_6164;

/** Applies the missing migrations; answers the versions applied by this call. */
export async function migrate(client: pg.ClientBase): Promise<number[]> {
  const applied: number[] = [];
  await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
  try {
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, " +
        "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const done = new Set(
      (await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows
        .map((r) => r.version),
    );
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
          m.version,
          m.name,
        ]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
      applied.push(m.version);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
  }
  return applied;
}
