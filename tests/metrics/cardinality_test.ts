/**
 * Bounded cardinality over real HTTP: thousands of random paths, methods, symbols and sides never
 * create a series outside the closed label sets, and the series count stops growing once every
 * reachable combination has been seen (a second, equally random round adds nothing new beyond
 * the closed-set bound).
 */
import assert from "node:assert/strict";
import { assertClosedSets, maxSeedSamples } from "./closed_sets.ts";
import { parseExposition, seriesKey, startInProcess } from "../server/helpers.ts";

function randomWord(n: number): string {
  const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let s = "";
  for (let i = 0; i < n; i++) s += a[Math.floor(Math.random() * a.length)];
  return s;
}

Deno.test("3,000 random paths, methods, symbols and sides stay within the closed sets", async () => {
  const server = await startInProcess(["--venue-latency", "0"]);
  const symbols = server.service.symbols;
  try {
    const methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "MKCOL", "BREW"];
    const round = async (n: number) => {
      let next = 0;
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (next < n) {
          next++;
          const kind = Math.floor(Math.random() * 4);
          const symbol = Math.random() < 0.5
            ? randomWord(1 + Math.floor(Math.random() * 8))
            : symbols[Math.floor(Math.random() * symbols.length)];
          const side = Math.random() < 0.5 ? randomWord(4) : Math.random() < 0.5 ? "BUY" : "sell";
          const url = kind === 0
            ? `${server.base}/${randomWord(10)}/${randomWord(5)}`
            : kind === 1
            ? `${server.base}/orders/${randomWord(12)}`
            : kind === 2
            ? `${server.base}/quotes/${symbol}`
            : `${server.base}/orders?symbol=${symbol}&side=${side}&quantity=${
              Math.floor(Math.random() * 50) - 5
            }`;
          const method = kind === 3 ? "POST" : methods[Math.floor(Math.random() * methods.length)];
          const res = await fetch(url, { method });
          await res.body?.cancel();
        }
      }));
      return parseExposition(await (await fetch(`${server.base}/metrics`)).text());
    };
    const first = await round(1500);
    const second = await round(1500);
    for (const e of [first, second]) assertClosedSets(e, symbols);
    const seed = (e: ReturnType<typeof parseExposition>) =>
      e.samples.filter((s) => !s.name.startsWith("process_") && !s.name.startsWith("deno_"));
    assert.ok(seed(second).length <= maxSeedSamples(symbols) + 1, "within the closed-set bound");
    // Business series are all pre-initialised: random input cannot add one.
    const business = (e: ReturnType<typeof parseExposition>) =>
      seed(e).filter((s) => !s.name.startsWith("http_")).map(seriesKey).sort();
    assert.deepEqual(business(second), business(first));
    const endpoints = new Set(
      second.samples.filter((s) => s.name === "http_requests_total").map((s) => s.labels.endpoint),
    );
    assert.ok(endpoints.has("unmatched"));
    assert.ok(endpoints.has("/orders/:id"));
    assert.ok(endpoints.has("/quotes/:symbol"));
    assert.ok([...endpoints].every((e) => e === "unmatched" || e.startsWith("/")));
    assert.ok(endpoints.size <= 11);
  } finally {
    await server.shutdown();
    await server.finished;
  }
});
