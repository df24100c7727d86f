import assert from "node:assert/strict";
import { Rng } from "../../src/rng.ts";
import {
  type FactoryConfig,
  RequestFactory,
  type ScenarioName,
} from "../../src/loadgen/scenarios.ts";

const dec = new TextDecoder();

function factory(mix: Record<string, number>, extra: Partial<FactoryConfig> = {}) {
  return new RequestFactory({
    mix: new Map(Object.entries(mix)) as Map<ScenarioName, number>,
    symbols: ["AAPL", "MSFT"],
    prices: new Map([["AAPL", 200], ["MSFT", 400]]),
    invalidRatio: 0,
    quantityMin: 1,
    quantityMax: 100,
    rng: new Rng(5),
    host: "h:1",
    basePath: "",
    ...extra,
  });
}

Deno.test("the mix is followed in proportion to its weights", () => {
  const f = factory({ orders: 70, quotes: 20, risk: 10 });
  const counts: Record<string, number> = {};
  for (let i = 0; i < 10_000; i++) {
    const r = f.next();
    counts[r.scenario] = (counts[r.scenario] ?? 0) + 1;
  }
  assert.ok(Math.abs(counts.orders - 7000) < 300, JSON.stringify(counts));
  assert.ok(Math.abs(counts.quotes - 2000) < 250, JSON.stringify(counts));
  assert.ok(Math.abs(counts.risk - 1000) < 200, JSON.stringify(counts));
});

Deno.test("market orders are the seed's query-string POSTs", () => {
  const f = factory({ orders: 1 });
  for (let i = 0; i < 200; i++) {
    const r = f.next();
    const text = dec.decode(r.bytes);
    const m =
      /^POST \/orders\?symbol=(AAPL|MSFT)&side=(BUY|SELL)&quantity=(\d+) HTTP\/1\.1\r\nHost: h:1\r\n/
        .exec(text);
    assert.ok(m, text);
    assert.ok(Number(m[3]) >= 1 && Number(m[3]) <= 100);
    assert.equal(r.label, `${m[1]} ${m[2]} ${m[3]}`);
    assert.equal(r.invalid, false);
    assert.equal(r.idempotent, false);
  }
});

Deno.test("limit orders carry a JSON body priced within 1% of the last price", () => {
  const f = factory({ limit: 1 });
  for (let i = 0; i < 200; i++) {
    const text = dec.decode(f.next().bytes);
    const body = JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4));
    assert.equal(body.type, "limit");
    const last = body.symbol === "AAPL" ? 200 : 400;
    assert.ok(Math.abs(body.price - last) <= last * 0.01 + 0.01, JSON.stringify(body));
    assert.match(
      text,
      new RegExp(`Content-Length: ${new TextEncoder().encode(JSON.stringify(body)).length}\r\n`),
    );
  }
});

Deno.test("--invalid-ratio makes that share of orders invalid, of several kinds", () => {
  const f = factory({ orders: 1, limit: 1 }, { invalidRatio: 0.3 });
  let invalid = 0;
  const kinds = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const r = f.next();
    if (!r.invalid) continue;
    invalid++;
    kinds.add(r.label.replace(/[A-Z]+ (BUY|SELL) \d+ @ [\d.]+ /, "").replace(/\d+/g, "N"));
  }
  assert.ok(Math.abs(invalid - 1500) < 150, `invalid: ${invalid}`);
  assert.ok(kinds.size >= 8, [...kinds].join(" | "));
});

Deno.test("the same seed gives the same requests; look-ups use the ids of answered orders", () => {
  const a = factory({ orders: 1, quotes: 1 });
  const b = factory({ orders: 1, quotes: 1 });
  for (let i = 0; i < 100; i++) assert.deepEqual(a.next().bytes, b.next().bytes);

  const f = factory({ orders: 1, lookups: 1 });
  let lookup = f.next();
  while (lookup.scenario !== "lookups") lookup = f.next();
  assert.match(dec.decode(lookup.bytes), /^GET \/orders HTTP/); // no order yet
  let order = f.next();
  while (order.scenario !== "orders") order = f.next();
  assert.equal(order.keepBody, true, "with look-ups in the mix, order answers are kept");
  f.observe(
    order,
    201,
    new TextEncoder().encode('{"id":"ord-42","status":"filled"}'),
  );
  let lookups = 0;
  for (let i = 0; i < 50; i++) {
    const r = f.next();
    if (r.scenario !== "lookups") continue;
    lookups++;
    assert.match(dec.decode(r.bytes), /^GET \/orders\/ord-42 HTTP/);
  }
  assert.ok(lookups > 10, `look-ups among 50 requests: ${lookups}`);
});

Deno.test("a single fixed scenario reuses one request buffer", () => {
  const f = factory({ health: 1 });
  assert.equal(f.next(), f.next());
  assert.match(dec.decode(f.next().bytes), /^GET \/health HTTP\/1\.1\r\n/);
  const prefixed = factory({ risk: 1 }, { basePath: "/api" });
  assert.match(dec.decode(prefixed.next().bytes), /^GET \/api\/risk HTTP/);
});
