import assert from "node:assert/strict";
import { Market, startingPrice } from "../../src/trading/market.ts";
import { Rng } from "../../src/rng.ts";

const options = {
  symbols: ["AAPL", "ZZZ"],
  tickIntervalMs: 250,
  volatility: 0.3,
  seed: 7,
  feedDelayMs: 5,
};

function path(seed: number, rounds: number, symbols = options.symbols): number[][] {
  const m = new Market({ ...options, seed, symbols });
  const out: number[][] = [];
  for (let i = 0; i < rounds; i++) out.push(m.step().quotes.map((q) => q.last));
  return out;
}

Deno.test("the same seed gives the same price paths; another seed another", () => {
  const a = path(7, 200);
  assert.deepEqual(path(7, 200), a);
  assert.notDeepEqual(path(8, 200), a);
  // Paths are per symbol: adding a symbol leaves the others' paths unchanged.
  const wider = path(7, 200, ["AAPL", "NEW", "ZZZ"]);
  assert.deepEqual(wider.map((r) => [r[0], r[2]]), a);
});

Deno.test("prices start at their symbol's price and move like GBM at the configured volatility", () => {
  assert.equal(startingPrice("AAPL"), 190);
  // An unknown symbol's price comes from its name alone: every market (any seed) starts it there,
  // and another name gets another price.
  const zzz = startingPrice("ZZZ");
  assert.ok(zzz >= 20 && zzz < 520, String(zzz));
  assert.notEqual(startingPrice("ZZY"), zzz);
  for (const seed of [1, 99]) {
    assert.equal(new Market({ ...options, seed }).quote("ZZZ")!.last, zzz);
  }
  const m = new Market({ ...options, symbols: ["AAPL"], volatility: 0.5, tickIntervalMs: 60_000 });
  assert.equal(m.quote("AAPL")!.last, 190);
  const logs: number[] = [];
  let prev = 190;
  for (let i = 0; i < 4000; i++) {
    const q = m.step().quotes[0];
    logs.push(Math.log(q.last / prev));
    prev = q.last;
  }
  const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
  const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (logs.length - 1));
  const expected = 0.5 * Math.sqrt(60_000 / (365 * 24 * 3600 * 1000));
  // 4000 samples: the sample sd is within a few percent of sigma·sqrt(dt).
  assert.ok(Math.abs(sd / expected - 1) < 0.06, `sd ${sd} vs ${expected}`);
});

Deno.test("quotes have bid < last < ask and lag = processing − exchange ≥ the feed delay", () => {
  // A frozen clock: processing happens exactly at `now`, so each lag splits into the time since
  // the tick was due plus the simulated feed delay (log-normal, median feedDelayMs).
  const now = 1_700_000_000_000;
  const clock = { origin: now, monotonic: () => 0 };
  const feedDelayMs = 40;
  const late = new Market({ ...options, feedDelayMs, clock });
  const onTime = new Market({ ...options, feedDelayMs, clock });
  const delays: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const onTimeRound = onTime.step(now);
    const lateRound = late.step(now - 25);
    assert.equal(onTimeRound.returns.length, 2);
    for (let k = 0; k < onTimeRound.quotes.length; k++) {
      const q = onTimeRound.quotes[k];
      assert.ok(q.bid < q.last && q.last < q.ask, JSON.stringify(q));
      assert.equal(q.receivedTime, now);
      const delay = q.receivedTime - q.exchangeTime;
      assert.ok(delay > 0, "the exchange time is before processing");
      delays.push(delay);
      // Due 25 ms earlier, same delays (same seed): the lag is the feed delay plus those 25 ms.
      const l = lateRound.quotes[k];
      assert.ok(Math.abs(l.receivedTime - l.exchangeTime - (delay + 25)) < 1e-6);
    }
  }
  delays.sort((a, b) => a - b);
  const median = delays[delays.length / 2];
  // 2,000 log-normal samples (sigma 0.5): the sample median is within a few percent of 40 ms.
  assert.ok(Math.abs(median / feedDelayMs - 1) < 0.1, `median feed delay ${median} ms`);
  const m = new Market(options);
  assert.equal(m.quote("NOPE"), undefined);
  assert.ok(!m.has("NOPE") && m.has("ZZZ"));
});

Deno.test("the timer ticks and close() stops it (no leaked timers)", async () => {
  const m = new Market({ ...options, tickIntervalMs: 5 });
  let rounds = 0;
  const done = Promise.withResolvers<void>();
  m.onRound(() => {
    if (++rounds === 3) done.resolve();
  });
  m.start();
  m.start(); // idempotent
  await done.promise;
  m.close();
  const at = rounds;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(rounds, at);
});

Deno.test("Rng: deterministic uniforms in [0,1), standard normals", () => {
  const a = new Rng(1), b = new Rng(1);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assert.deepEqual(Array.from({ length: 1000 }, () => b.next()), xs);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const r = new Rng(3);
  const n = Array.from({ length: 20000 }, () => r.normal());
  const mean = n.reduce((s, x) => s + x, 0) / n.length;
  const variance = n.reduce((s, x) => s + (x - mean) ** 2, 0) / n.length;
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.04, `variance ${variance}`);
});
