import assert from "node:assert/strict";
import { RedisCache } from "../../src/cache/redis.ts";
import { startRedis } from "../support/redis.ts";

const redis = await startRedis();

Deno.test({
  name: "redis cache",
  ignore: redis === null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const cache = await RedisCache.open({ url: redis!.url });
    try {
      await t.step("hits and misses are Redis's own", async () => {
        const before = await redis!.stats();
        assert.equal(await cache.get("quote:AAPL"), undefined);
        await cache.set("quote:AAPL", { last: 190.5 }, 10_000);
        assert.deepEqual(await cache.get("quote:AAPL"), { last: 190.5 });
        const after = await redis!.stats();
        assert.equal(after.hits - before.hits, 1);
        assert.equal(after.misses - before.misses, 1);
        assert.equal(cache.hits, 1);
        assert.equal(cache.misses, 1);
        assert.match(await redis!.cli("PTTL", "tradewatch:quote:AAPL"), /^\d+$/);
        await cache.delete("quote:AAPL");
        assert.equal(await cache.get("quote:AAPL"), undefined);
      });

      await t.step("entries expire after their TTL", async () => {
        await cache.set("k", 1, 50);
        assert.equal(await cache.get("k"), 1);
        const deadline = Date.now() + 5000;
        while ((await cache.get("k")) !== undefined) {
          assert.ok(Date.now() < deadline, "the entry did not expire");
          await new Promise((r) => setTimeout(r, 20));
        }
      });

      await t.step("an outage degrades to misses, and the cache comes back", async () => {
        await cache.set("k", 2, 60_000);
        await redis!.stop();
        const started = performance.now();
        assert.equal(await cache.get("k"), undefined);
        await cache.set("k", 3, 60_000);
        await cache.delete("k");
        assert.ok(performance.now() - started < 2000, "an outage must not stall reads");
        assert.equal(await cache.ping(), false);
        await redis!.start();
        const deadline = Date.now() + 10_000;
        while (!(await cache.ping())) {
          assert.ok(Date.now() < deadline, "the client did not reconnect");
          await new Promise((r) => setTimeout(r, 50));
        }
        await cache.set("k", 4, 60_000);
        assert.equal(await cache.get("k"), 4);
      });
    } finally {
      await cache.close();
      await redis!.destroy();
    }
  },
});

Deno.test("redis cache: an unreachable URL is reported at start", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  await assert.rejects(
    RedisCache.open({ url: `redis://127.0.0.1:${port}` }),
    /Cannot connect to Redis at redis:\/\/127\.0\.0\.1/,
  );
});
