import assert from "node:assert/strict";
import { MemoryCache } from "../../src/cache/memory.ts";

Deno.test("memory cache: hits until the TTL expires, then misses", async () => {
  let now = 1000;
  const c = new MemoryCache({ now: () => now });
  assert.equal(await c.get("k"), undefined); // miss: absent
  await c.set("k", { v: 1 }, 250);
  assert.deepEqual(await c.get("k"), { v: 1 }); // hit
  now += 249;
  assert.deepEqual(await c.get("k"), { v: 1 }); // hit, 1 ms left
  now += 1;
  assert.equal(await c.get("k"), undefined); // miss: expired
  assert.equal(c.size, 0, "an expired entry is dropped on read");
  assert.equal(c.hits, 2);
  assert.equal(c.misses, 2);
  await c.set("k", 5, 10);
  await c.delete("k");
  assert.equal(await c.get("k"), undefined);
  await c.set("z", 1, 0); // a zero TTL stores nothing
  assert.equal(await c.get("z"), undefined);
  assert.equal(c.hits, 2);
  assert.equal(c.misses, 4);
  await c.close();
  assert.equal(c.size, 0);
});

Deno.test("memory cache evicts the oldest entry when full", async () => {
  const c = new MemoryCache({ maxEntries: 2 });
  await c.set("a", 1, 1000);
  await c.set("b", 2, 1000);
  await c.set("a", 3, 1000); // rewrite moves "a" to the newest
  await c.set("c", 4, 1000); // evicts "b"
  assert.equal(c.size, 2);
  assert.equal(await c.get("b"), undefined);
  assert.equal(await c.get("a"), 3);
  assert.equal(await c.get("c"), 4);
});
