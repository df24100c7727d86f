/**
 * N replicas, one book: three tradewatch processes (started as `deno task start` starts them)
 * on one private PostgreSQL and one private Redis, on loopback. Concurrent orders to all of
 * them, quotes compared across them, the feed leader and a replica killed with SIGKILL, and
 * PostgreSQL and Redis restarted under load. Skips with a visible message where PostgreSQL or
 * Redis cannot start.
 */
import assert from "node:assert/strict";
import { startPostgres } from "../support/postgres.ts";
import { startRedis } from "../support/redis.ts";
import { type Child, startChild } from "../support/service.ts";
import { scrape, sumOf } from "../support/exposition.ts";
import { freePort } from "../support/ports.ts";
import { ManagedProcess } from "./process.ts";
import { query } from "./prom_api.ts";
import { parse, stringify } from "yaml";

const CONFIGS = new URL("../../configs/", import.meta.url).pathname;

/**
 * A real Prometheus on configs/prometheus.replicas.yml, its DNS discovery replaced by a file_sd
 * list of the loopback replicas (rewritten on every change), scraping every second.
 */
async function startPrometheus(replicas: () => Child[]) {
  const dir = await Deno.makeTempDir({ prefix: "tradewatch-replicas-prom-" });
  const config = parse(await Deno.readTextFile(`${CONFIGS}prometheus.replicas.yml`));
  config.global.scrape_interval = "1s";
  config.global.evaluation_interval = "1s";
  delete config.alerting;
  config.scrape_configs = config.scrape_configs
    .filter((j: { job_name: string }) => j.job_name === "trading_api")
    .map((j: Record<string, unknown>) => {
      delete j.dns_sd_configs;
      return {
        ...j,
        scrape_interval: "1s",
        file_sd_configs: [{ files: [`${dir}/targets.json`], refresh_interval: "1s" }],
      };
    });
  for (const f of config.rule_files) await Deno.copyFile(`${CONFIGS}${f}`, `${dir}/${f}`);
  await Deno.writeTextFile(`${dir}/prometheus.yml`, stringify(config));
  const writeTargets = () =>
    Deno.writeTextFile(
      `${dir}/targets.json`,
      JSON.stringify([{ targets: replicas().map((c) => `127.0.0.1:${c.port}`) }]),
    );
  await writeTargets();
  const port = await freePort();
  const proc = ManagedProcess.start("prometheus", "prometheus", [
    `--config.file=${dir}/prometheus.yml`,
    `--storage.tsdb.path=${dir}/data`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--log.level=warn",
  ]);
  return {
    url: `http://127.0.0.1:${port}`,
    writeTargets,
    stop: async () => {
      await proc.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

const pg = await startPostgres();
const redis = pg === null ? null : await startRedis();
if (pg !== null && redis === null) await pg.destroy();

const MAX_POSITION = 300;
const SYMBOLS = ["AAPL", "MSFT"];

interface Ack {
  id: string;
  status: string;
}

/** What a load run saw: every answer's HTTP status, and the orders answered 2xx/422. */
interface LoadResult {
  statuses: Map<number, number>;
  acks: Ack[];
  /** The first few answers other than 201/422, for failure messages. */
  odd: string[];
}

async function order(
  base: string,
  rnd: () => number,
): Promise<{ status: number; body: Ack; text: string }> {
  const res = await fetch(`${base}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      symbol: SYMBOLS[Math.floor(rnd() * SYMBOLS.length)],
      side: rnd() < 0.55 ? "BUY" : "SELL",
      quantity: 1 + Math.floor(rnd() * 60),
    }),
  });
  const text = await res.text();
  let body = {} as Ack;
  try {
    body = JSON.parse(text);
  } catch { /* a non-JSON answer is counted by status */ }
  return { status: res.status, body, text };
}

/** Sends orders to every base, `perBase` connections each, until `stop()` or `count` each. */
function load(bases: string[], options: { perBase: number; count?: number }) {
  const result: LoadResult = { statuses: new Map(), acks: [], odd: [] };
  let stopped = false;
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const workers = bases.flatMap((base) =>
    Array.from({ length: options.perBase }, async () => {
      let sent = 0;
      while (!stopped && (options.count === undefined || sent < options.count / options.perBase)) {
        sent++;
        try {
          const r = await order(base, rnd);
          result.statuses.set(r.status, (result.statuses.get(r.status) ?? 0) + 1);
          if (r.status === 201 || r.status === 422) result.acks.push(r.body);
          else if (result.odd.length < 5) result.odd.push(`${r.status} ${r.text.slice(0, 200)}`);
        } catch {
          // The replica is gone (killed): its connections fail.
          result.statuses.set(0, (result.statuses.get(0) ?? 0) + 1);
          if (options.count === undefined) await new Promise((r) => setTimeout(r, 50));
          else return;
        }
      }
    })
  );
  return {
    result,
    stop: async () => {
      stopped = true;
      await Promise.all(workers);
      return result;
    },
    done: Promise.all(workers).then(() => result),
  };
}

async function ready(base: string): Promise<Record<string, unknown> | null> {
  try {
    const r = await fetch(`${base}/ready`);
    return await r.json();
  } catch {
    return null;
  }
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function leaders(replicas: Child[]): Promise<Child[]> {
  const states = await Promise.all(replicas.map((c) => ready(c.base)));
  return replicas.filter((_, i) => states[i]?.feed === "leader");
}

/** The book in the database: the sum of fills, the stored positions, the worst running sum. */
async function book(db: string) {
  const sql = (q: string) => pg!.sql(q, db);
  const fills = await sql(
    "SELECT symbol, sum(CASE side WHEN 'BUY' THEN quantity ELSE -quantity END) FROM fills " +
      "GROUP BY symbol ORDER BY symbol",
  );
  const positions = await sql(
    "SELECT symbol, quantity FROM positions WHERE quantity <> 0 OR symbol IN " +
      "(SELECT symbol FROM fills) ORDER BY symbol",
  );
  const worst = Number(
    await sql(
      "SELECT coalesce(max(abs(running)), 0) FROM (SELECT sum(CASE side WHEN 'BUY' THEN " +
        "quantity ELSE -quantity END) OVER (PARTITION BY symbol ORDER BY seq) AS running " +
        "FROM fills) r",
    ),
  );
  const orders = Number(await sql("SELECT count(*) FROM orders"));
  const distinct = Number(await sql("SELECT count(DISTINCT id) FROM orders"));
  const filledWithoutFill = Number(
    await sql(
      "SELECT count(*) FROM orders o WHERE status = 'filled' AND NOT EXISTS " +
        "(SELECT 1 FROM fills f WHERE f.order_id = o.id)",
    ),
  );
  return { fills, positions, worst, orders, distinct, filledWithoutFill };
}

async function assertBook(db: string, acks: Ack[]) {
  const b = await book(db);
  assert.equal(b.positions, b.fills, "stored positions == sum of fills");
  assert.ok(b.worst <= MAX_POSITION, `a position reached ${b.worst} > ${MAX_POSITION}`);
  assert.equal(b.distinct, b.orders, "order ids are unique");
  assert.equal(b.filledWithoutFill, 0);
  // Every acknowledged order is stored, with the status it was answered with.
  const ids = acks.map((a) => `'${a.id}'`);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const found = Number(
      await pg!.sql(`SELECT count(*) FROM orders WHERE id IN (${chunk.join(",")})`, db),
    );
    assert.equal(found, chunk.length, "an acknowledged order is missing from the database");
  }
  return b;
}

Deno.test({
  name: "replicas: one book across three replicas on PostgreSQL and Redis",
  ignore: pg === null || redis === null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const url = await pg!.createDatabase("replicas");
    const db = "replicas";
    const args = [
      "--db",
      url,
      "--cache",
      redis!.url,
      "--max-position",
      String(MAX_POSITION),
      "--symbols",
      SYMBOLS.join(","),
      "--tick-interval",
      "100ms",
      "--venue-latency",
      "1",
      // No caching of quotes (Redis still answers every lookup, as misses): each replica
      // answers its own market, so agreeing quotes come from the feed, not from the cache.
      "--cache-ttl",
      "0",
      "--log-level",
      "warn",
    ];
    let replicas: Child[] = [];
    const all: Child[] = [];
    const start = async () => {
      const c = await startChild(args);
      all.push(c);
      return c;
    };
    try {
      // Started at once: the migrations run exactly once under their advisory lock.
      replicas = await Promise.all([start(), start(), start()]);
      const bases = () => replicas.map((c) => c.base);
      await until("every replica ready with one leader", 15_000, async () => {
        const states = await Promise.all(replicas.map((c) => ready(c.base)));
        if (!states.every((s) => s?.status === "ready")) return null;
        return states.filter((s) => s?.feed === "leader").length === 1 ? true : null;
      });
      assert.equal(await pg!.sql("SELECT count(*) FROM schema_migrations", db), "1");

      await t.step("quotes agree across replicas (same tick, same price)", async () => {
        const byTick = new Map<string, Set<number>>();
        let shared = 0;
        for (let i = 0; i < 40 && shared < 10; i++) {
          const quotes = await Promise.all(
            replicas.map(async (c) => (await (await fetch(`${c.base}/quotes/AAPL`)).json())),
          );
          for (const q of quotes) {
            const key = String(q.exchangeTime);
            const set = byTick.get(key) ?? new Set();
            set.add(q.last);
            byTick.set(key, set);
          }
          if (new Set(quotes.map((q) => q.exchangeTime)).size < quotes.length) shared++;
          await new Promise((r) => setTimeout(r, 37));
        }
        assert.ok(shared >= 3, `replicas rarely showed the same tick (${shared})`);
        for (const [tick, prices] of byTick) {
          assert.equal(prices.size, 1, `tick ${tick} has prices ${[...prices]}`);
        }
      });

      await t.step("concurrent orders to all replicas: one book, limit held", async () => {
        const run = load(bases(), { perBase: 6, count: 240 });
        const result = await run.done;
        assert.deepEqual(
          [...result.statuses.keys()].filter((s) => s !== 201 && s !== 422),
          [],
          `unexpected answers: ${JSON.stringify([...result.statuses])} ${result.odd.join("; ")}`,
        );
        assert.ok(
          result.acks.some((a) => a.status === "rejected"),
          "the limit should have rejected some orders",
        );
        assert.equal(new Set(result.acks.map((a) => a.id)).size, result.acks.length);
        const b = await assertBook(db, result.acks);
        assert.equal(b.orders, result.acks.length);
        // order_count_total summed over the replicas == orders in the database.
        const counted = (await Promise.all(replicas.map((c) => scrape(c.base))))
          .reduce((sum, e) => sum + sumOf(e, "order_count_total"), 0);
        assert.equal(counted, b.orders);
        // Every replica shows the stored book (reloaded every --var-interval).
        const stored = new Map(
          b.positions.split("\n").filter(Boolean).map((l) => l.split("|") as [string, string]),
        );
        await until("every replica to show the stored positions", 10_000, async () => {
          for (const c of replicas) {
            const { positions } = await (await fetch(`${c.base}/positions`)).json();
            for (const p of positions as { symbol: string; quantity: number }[]) {
              if (String(p.quantity) !== (stored.get(p.symbol) ?? "0")) return null;
            }
          }
          return true;
        });
      });

      await t.step("a real Prometheus discovers and scrapes every replica (file_sd)", async () => {
        const prom = await startPrometheus(() => replicas);
        try {
          const value = async (q: string) => {
            try {
              const r = await query(prom.url, q);
              return r.length === 1 ? r[0].value : null;
            } catch {
              return null;
            }
          };
          await until(
            "three replicas up in Prometheus",
            30_000,
            async () => (await value('count(up{job="trading_api"} == 1)')) === 3 ? true : null,
          );
          const stored = Number(await pg!.sql("SELECT count(*) FROM orders", db));
          // Summed over the replicas, the counter is the number of orders in the database.
          await until(
            "sum of order_count_total == orders stored",
            15_000,
            async () => (await value("sum(order_count_total)")) === stored ? true : null,
          );
        } finally {
          await prom.stop();
        }
      });

      await t.step("leader killed with SIGKILL: another replica leads within 5 s", async () => {
        const [leader] = await leaders(replicas);
        assert.ok(leader, "no leader");
        await leader.stop("SIGKILL");
        replicas = replicas.filter((c) => c !== leader);
        const killed = performance.now();
        const next = await until("a new leader", 5_000, async () => {
          const l = await leaders(replicas);
          return l.length === 1 ? l[0] : null;
        });
        const took = performance.now() - killed;
        assert.ok(took < 5_000, `failover took ${took} ms`);
        // Quotes keep moving on the follower.
        const follower = replicas.find((c) => c !== next)!;
        const q1 = await (await fetch(`${follower.base}/quotes/MSFT`)).json();
        await until("a new tick on the follower", 5_000, async () => {
          const q2 = await (await fetch(`${follower.base}/quotes/MSFT`)).json();
          return q2.exchangeTime > q1.exchangeTime ? true : null;
        });
        console.log(`failover after SIGKILL of the leader: ${took.toFixed(0)} ms`);
        replicas.push(await start());
      });

      await t.step("a replica killed mid-load loses no acknowledged order", async () => {
        const victim = replicas[0];
        const run = load(bases(), { perBase: 4 });
        await until(
          "orders flowing",
          10_000,
          () => Promise.resolve(run.result.acks.length > 60 ? true : null),
        );
        await victim.stop("SIGKILL");
        replicas = replicas.filter((c) => c !== victim);
        const before = run.result.acks.length;
        await until(
          "more orders on the survivors",
          10_000,
          () => Promise.resolve(run.result.acks.length > before + 60 ? true : null),
        );
        const result = await run.stop();
        const bad = [...result.statuses.keys()].filter((s) => s >= 500);
        assert.deepEqual(bad, [], JSON.stringify([...result.statuses]));
        await assertBook(db, result.acks);
        replicas.push(await start());
      });

      await t.step(
        "PostgreSQL restarted under load: 503 while away, then orders again",
        async () => {
          const run = load(bases(), { perBase: 3 });
          await until(
            "orders flowing",
            10_000,
            () => Promise.resolve(run.result.acks.length > 30 ? true : null),
          );
          await pg!.stop();
          try {
            await until(
              "a 503",
              10_000,
              () => Promise.resolve(run.result.statuses.get(503) ? true : null),
            );
            let last: unknown = null;
            await until("/ready to report the database down", 10_000, async () => {
              const r = await ready(replicas[0].base);
              last = r;
              return r?.database === false && r.status === "not ready" ? true : null;
            }).catch((e) => {
              throw new Error(
                `${e.message}: ${JSON.stringify(last)}\n${replicas[0].output().slice(-3000)}`,
              );
            });
          } finally {
            await pg!.start();
          }
          const during = run.result.acks.length;
          await until(
            "orders after the restart",
            20_000,
            () => Promise.resolve(run.result.acks.length > during + 30 ? true : null),
          );
          const result = await run.stop();
          const statuses = [...result.statuses.keys()];
          assert.deepEqual(
            statuses.filter((s) => s >= 500 && s !== 503),
            [],
            `only 503 while the database is away: ${JSON.stringify([...result.statuses])}`,
          );
          await assertBook(db, result.acks);
          let states: unknown[] = [];
          await until("every replica ready again", 15_000, async () => {
            const s = await Promise.all(replicas.map((c) => ready(c.base)));
            states = s;
            return s.every((x) => x?.status === "ready") ? true : null;
          }).catch((e) => {
            throw new Error(`${e.message}: ${JSON.stringify(states)}`);
          });
        },
      );

      await t.step("Redis restarted under load: misses, never a 5xx", async () => {
        const run = load(bases(), { perBase: 3 });
        await until(
          "orders flowing",
          10_000,
          () => Promise.resolve(run.result.acks.length > 30 ? true : null),
        );
        await redis!.stop();
        const during = run.result.acks.length;
        await until(
          "orders while Redis is away",
          10_000,
          () => Promise.resolve(run.result.acks.length > during + 30 ? true : null),
        );
        const away = await ready(replicas[0].base);
        assert.equal(away?.cache, false);
        assert.equal(away?.status, "ready", "a Redis outage does not make a replica unready");
        await redis!.start();
        await until("the cache back", 15_000, async () => {
          const s = await Promise.all(replicas.map((c) => ready(c.base)));
          return s.every((x) => x?.cache === true) ? true : null;
        });
        const result = await run.stop();
        assert.deepEqual(
          [...result.statuses.keys()].filter((s) => s >= 500 || s === 0),
          [],
          JSON.stringify([...result.statuses]),
        );
        await assertBook(db, result.acks);
        // The cache counted real lookups: the seed's hit-rate query has a value.
        const e = await scrape(replicas[0].base);
        assert.ok(sumOf(e, "redis_cache_hits_total") + sumOf(e, "redis_cache_misses_total") > 0);
      });
    } finally {
      await Promise.all(all.map((c) => c.stop("SIGKILL")));
      await redis?.destroy();
      await pg?.destroy();
    }
  },
});
