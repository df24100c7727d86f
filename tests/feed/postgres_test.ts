import assert from "node:assert/strict";
import { encodeRound, PostgresFeed } from "../../src/feed/postgres.ts";
import type { FeedRound } from "../../src/trading/ports.ts";
import { startPostgres } from "../support/postgres.ts";

const pg = await startPostgres();

async function until(what: string, timeoutMs: number, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function replica(url: string, id: string, symbols: string[]) {
  const feed = new PostgresFeed({ url, replicaId: id, symbols, pollMs: 100 });
  const rounds: FeedRound[] = [];
  const leads: boolean[] = [];
  feed.start({ lead: (l) => leads.push(l), round: (r) => rounds.push(r) });
  return { feed, rounds, leads };
}

Deno.test("feed: a large round goes in parts under the notification limit", () => {
  const n = 2000;
  const parts = encodeRound("r", "u", {
    seq: 1,
    mids: Array.from({ length: n }, (_, i) => 100 + i / 7),
    exchangeTimes: Array.from({ length: n }, () => 1_796_000_000_000.123),
  });
  assert.ok(parts.length > 1);
  for (const p of parts) assert.ok(p.length < 8000, `${p.length} bytes`);
  const mids = parts.flatMap((p) => JSON.parse(p).m);
  assert.equal(mids.length, n);
});

Deno.test({
  name: "feed on PostgreSQL: one leader, rounds to the others, failover, restart",
  ignore: pg === null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const url = pg!.url;
    const symbols = ["AAPL", "MSFT"];
    const a = replica(url, "a", symbols);
    const b = replica(url, "b", symbols);
    const other = replica(url, "c", ["AAPL"]);
    try {
      await t.step("exactly one of the replicas leads", async () => {
        await until("a leader", 5000, () => [a, b, other].some((r) => r.feed.leading));
        await new Promise((r) => setTimeout(r, 300));
        assert.equal([a, b, other].filter((r) => r.feed.leading).length, 1);
      });
      const leader = () => [a, b].find((r) => r.feed.leading);
      await t.step("rounds reach the followers of the same universe only", async () => {
        // The third replica (another universe) may have won: it steps aside (closes).
        if (other.feed.leading) await other.feed.close();
        await until("a leader of the universe", 5000, () => leader() !== undefined);
        const l = leader()!;
        const f = l === a ? b : a;
        l.feed.publish({ seq: 7, mids: [190.5, 410.25], exchangeTimes: [1, 2] });
        await until("the round", 5000, () => f.rounds.length > 0);
        assert.deepEqual(f.rounds.at(-1), { seq: 7, mids: [190.5, 410.25], exchangeTimes: [1, 2] });
        assert.equal(l.rounds.length, 0, "a leader does not hear its own rounds");
        assert.equal(other.rounds.length, 0, "another universe ignores the rounds");
        await other.feed.close();
      });
      await t.step("the leader closes: the follower leads", async () => {
        const l = leader()!;
        const f = l === a ? b : a;
        const started = performance.now();
        await l.feed.close();
        await until("failover", 5000, () => f.feed.leading);
        console.log(`failover after close: ${(performance.now() - started).toFixed(0)} ms`);
      });
      await t.step("PostgreSQL restarts: leadership lost, then one leader again", async () => {
        const f = a.feed.leading ? a : b;
        await pg!.stop();
        await until("leadership dropped", 5000, () => !f.feed.leading);
        assert.equal(f.leads.at(-1), false);
        await pg!.start();
        await until("a leader again", 10_000, () => f.feed.leading);
        assert.equal(f.feed.connected, true);
      });
    } finally {
      await Promise.all([a.feed.close(), b.feed.close(), other.feed.close()]);
      await pg!.destroy();
    }
  },
});
