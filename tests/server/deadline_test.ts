import assert from "node:assert/strict";
import { DeadlineQueue } from "../../src/server/deadline.ts";

Deno.test("deadlines expire in order, cleared ones never, and no timer outlives them", async () => {
  const q = new DeadlineQueue(5);
  const fired: string[] = [];
  let lastFired!: () => void;
  const last = new Promise<void>((r) => (lastFired = r));
  const a = q.set(() => fired.push("a"));
  q.set(() => fired.push("b"));
  const c = q.set(() => fired.push("c"));
  q.set(() => {
    fired.push("d");
    lastFired();
  });
  a.clear();
  c.clear();
  c.clear(); // twice is harmless
  await last;
  assert.deepEqual(fired, ["b", "d"]);
  // Every deadline is over: the timer is gone (the test's op sanitizer fails on a pending one).
});

Deno.test("clearing the only live deadline clears the timer", () => {
  const q = new DeadlineQueue(60_000);
  const d = q.set(() => assert.fail("cleared deadline fired"));
  d.clear(); // a pending 60 s timer would fail this test's op sanitizer
});

Deno.test("a deadline set while others wait keeps its place", async () => {
  const q = new DeadlineQueue(3);
  const order: number[] = [];
  const done = Promise.all(
    [1, 2, 3].map((i) => new Promise<void>((r) => q.set(() => (order.push(i), r())))),
  );
  await done;
  assert.deepEqual(order, [1, 2, 3]);
});
