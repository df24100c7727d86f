import assert from "node:assert/strict";
import { percentiles } from "../../src/loadgen/report.ts";
import { Rng } from "../../src/rng.ts";
import { type OpenPlan, Runner } from "../../src/loadgen/runner.ts";
import { RequestFactory, type ScenarioName } from "../../src/loadgen/scenarios.ts";
import { Stats } from "../../src/loadgen/stats.ts";
import { closedPort } from "./helpers.ts";

/** A Deno.serve stub on a free loopback port: GET /slow sleeps `delayMs`, the rest answers at once. */
function stub(delayMs = 0, hang = false) {
  let requests = 0;
  const hung: (() => void)[] = [];
  let closing = false;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    requests++;
    const path = new URL(req.url).pathname;
    // Never answers until close; a request that arrives while closing must not hang shutdown.
    if (hang && !closing) await new Promise<void>((r) => hung.push(r));
    if (path === "/health" && delayMs > 0) {
      await new Promise<void>((r) => setTimeout(r, delayMs));
    }
    if (path === "/orders" && req.method === "POST") {
      return Response.json({ id: `o${requests}` }, { status: 201 });
    }
    return new Response("ok");
  });
  return {
    port: server.addr.port,
    get requests() {
      return requests;
    },
    close: async () => {
      closing = true;
      for (const r of hung) r();
      await server.shutdown();
    },
  };
}

function setup(port: number, mix: [ScenarioName, number][] = [["health", 1]], timeoutMs = 10_000) {
  const stats = new Stats();
  const factory = new RequestFactory({
    mix: new Map(mix),
    symbols: ["AAPL"],
    prices: new Map(),
    invalidRatio: 0,
    quantityMin: 1,
    quantityMax: 10,
    rng: new Rng(1),
    host: `127.0.0.1:${port}`,
    basePath: "",
  });
  const runner = new Runner({
    endpoint: { hostname: "127.0.0.1", port },
    factory,
    stats,
    timeoutMs,
  });
  return { stats, runner };
}

/** An open-model run at a constant `rate`; a send more than 1 ms after its time is late. */
function runConstant(
  runner: Runner,
  rate: number,
  plan: Omit<OpenPlan, "shape" | "lateThresholdMs">,
): Promise<void> {
  return runner.runOpen({ shape: { kind: "constant", rate }, lateThresholdMs: 1, ...plan });
}

Deno.test("closed model: N connections, every request answered", async () => {
  const s = stub();
  try {
    const { stats, runner } = setup(s.port);
    await runner.runClosed({ concurrency: 4, requests: 200 });
    assert.equal(stats.sent, 200);
    assert.equal(stats.responses, 200);
    assert.equal(stats.statuses.get(200), 200);
    assert.equal(stats.failures, 0);
    assert.equal(stats.latency.totalCount, 200);
    assert.deepEqual(runner.connections, { used: 4, connects: 4 });
    assert.equal(s.requests, 200);
  } finally {
    await s.close();
  }
});

Deno.test("open model: exactly the requested number of sends, look-ups use placed orders", async () => {
  const s = stub();
  try {
    const { stats, runner } = setup(s.port, [["orders", 1], ["lookups", 1]]);
    await runConstant(runner, 400, {
      requests: 120,
      maxInFlight: 16,
      scheduler: "spin",
    });
    assert.equal(stats.sent, 120);
    assert.equal(stats.responses, 120);
    assert.equal(stats.dropped, 0);
    assert.equal(stats.lateness.totalCount, 120);
    assert.equal(s.requests, 120);
    // Look-ups ask for ids the stub gave out (served as 200 by the stub's catch-all).
    assert.ok((stats.scenarios.get("lookups")?.requests ?? 0) > 0);
  } finally {
    await s.close();
  }
});

Deno.test("slow target: open-model latency includes the queueing delay, closed-model does not", async () => {
  const s = stub(40);
  try {
    // Closed: 2 connections, each request takes ~40 ms; latency is the service time.
    const closed = setup(s.port);
    await closed.runner.runClosed({ concurrency: 2, requests: 30 });
    // Open: 100/s asked, but 2 connections can only serve ~50/s: due requests wait for a free
    // connection, and that wait is part of their latency (measured from the intended send).
    const open = setup(s.port);
    await runConstant(open.runner, 100, {
      requests: 30,
      maxInFlight: 2,
      scheduler: "timer",
    });
    const c = percentiles(closed.stats.latency);
    const o = percentiles(open.stats.latency);
    const oService = percentiles(open.stats.service!);
    assert.equal(closed.stats.responses, 30);
    assert.equal(open.stats.responses, 30);
    assert.equal(open.stats.dropped, 0);
    // Every answer takes at least the stub's 40 ms, in both models.
    assert.ok(c.min! >= 40 && oService.min! >= 40, JSON.stringify({ c, oService }));
    // Open model: request k (0-based) is due at 10k ms but, 2 connections answering in >= 40 ms
    // each, cannot be answered before (floor(k/2) + 1) × 40 ms: the last one waited at least
    // 15 × 40 − 290 = 310 ms, and that wait is in its latency (not in its service time).
    assert.ok(o.max! >= 310, `open max ${o.max}`);
    assert.ok(o.p50! >= oService.p50! && o.max! >= oService.max!, JSON.stringify({ o, oService }));
    assert.ok(open.stats.late > 10, `late sends: ${open.stats.late}`);
  } finally {
    await s.close();
  }
});

Deno.test("open model: a duration run drops what it could not send, and says so", async () => {
  const s = stub(100);
  try {
    const { stats, runner } = setup(s.port);
    await runConstant(runner, 100, {
      durationMs: 500,
      maxInFlight: 1,
      scheduler: "timer",
    });
    // 50 sends were due; one connection serves ~5 of them in 500 ms and ~10 more in the 1 s
    // grace after the end.
    assert.equal(stats.sent + stats.dropped, 50);
    assert.ok(stats.dropped > 20, `dropped ${stats.dropped}`);
    assert.equal(stats.responses, stats.sent);
  } finally {
    await s.close();
  }
});

Deno.test("a target that never answers: requests time out and the run stops by itself", async () => {
  const s = stub(0, true);
  try {
    const { stats, runner } = setup(s.port, [["health", 1]], 200);
    await runner.runClosed({ concurrency: 2, requests: 4 });
    assert.equal(stats.errors.get("timeout"), 4);
    assert.equal(stats.responses, 0);
    assert.equal(stats.failures, 4);
  } finally {
    await s.close();
  }
});

Deno.test("a refused target: transport errors are counted, not thrown", async () => {
  const { stats, runner } = setup(closedPort());
  await runConstant(runner, 200, {
    requests: 10,
    maxInFlight: 4,
    scheduler: "spin",
  });
  assert.equal(stats.errors.get("refused"), 10);
  assert.equal(stats.sent, 10);
});

Deno.test("stop() interrupts a long run within a second, answers awaited or not", async () => {
  const s = stub(20);
  try {
    const { stats, runner } = setup(s.port);
    const done = runner.runClosed({ concurrency: 3, durationMs: 60_000 });
    // Wait for the run to be under way (answers counted), then interrupt.
    while (stats.responses === 0) await new Promise((r) => setTimeout(r, 5));
    const at = performance.now();
    runner.stop();
    await done;
    const tookMs = performance.now() - at;
    assert.ok(tookMs < 1000, `stopped after ${tookMs.toFixed(1)} ms`);
    assert.equal(runner.interrupted, true);
    assert.ok(stats.responses > 0);
  } finally {
    await s.close();
  }
});

Deno.test("a duration run abandons answers still awaited 2 s after its end", async () => {
  const s = stub(0, true); // never answers
  try {
    for (const model of ["open", "closed"] as const) {
      const { stats, runner } = setup(s.port, [["health", 1]], 3_600_000);
      const at = performance.now();
      if (model === "open") {
        await runConstant(runner, 1000, {
          durationMs: 300,
          maxInFlight: 8,
          scheduler: "timer",
        });
      } else {
        await runner.runClosed({ concurrency: 8, durationMs: 300 });
      }
      const tookMs = performance.now() - at;
      // 300 ms, then the open model's 1 s grace for waiting sends and 2 s in all: never the
      // hour-long --timeout.
      assert.ok(tookMs >= 300 && tookMs < 2300 + 500, `${model}: ${tookMs.toFixed(0)} ms`);
      assert.equal(runner.interrupted, false);
      assert.equal(stats.responses, 0);
      assert.equal(stats.transportErrors, 0, "abandoned requests are not failures of the target");
      assert.equal(runner.abandonedInFlight, 8);
    }
  } finally {
    await s.close();
  }
});

Deno.test("stats merge exactly: two halves merged equal one run holding every value", async () => {
  const { Stats: S } = await import("../../src/loadgen/stats.ts");
  const { percentiles: pct } = await import("../../src/loadgen/report.ts");
  const req = (scenario: "orders" | "health", invalid = false) => ({
    scenario,
    invalid,
    label: "",
    bytes: new Uint8Array(),
    keepBody: false,
    idempotent: true,
  });
  const rng = new Rng(9);
  const whole = new S();
  const halves = [new S(), new S()];
  for (let i = 0; i < 20_000; i++) {
    // A long-tailed latency: most fast, some very slow.
    const us = Math.round(100 + 50_000 * rng.next() ** 8 + (rng.next() < 0.001 ? 2e6 : 0));
    const r = req(i % 3 === 0 ? "orders" : "health", i % 50 === 0);
    const status = i % 97 === 0 ? 503 : r.invalid ? 400 : i % 41 === 0 ? 422 : 200;
    for (const s of [whole, halves[i % 2]]) {
      s.noteSent(r, i % 7, 1);
      if (i % 501 === 0) s.recordError(r, "timeout");
      else s.recordResponse(r, status, us, us - 10);
    }
  }
  const merged = new S();
  // Through JSON, as between workers or machines.
  for (const h of halves) merged.merge(JSON.parse(JSON.stringify(h.snapshot())));
  assert.deepEqual(
    pct(merged.latency, merged.latencyMaxUs),
    pct(whole.latency, whole.latencyMaxUs),
  );
  assert.deepEqual(
    pct(merged.service!, merged.serviceMaxUs),
    pct(whole.service!, whole.serviceMaxUs),
  );
  assert.deepEqual(
    pct(merged.lateness, merged.latenessMaxUs),
    pct(whole.lateness, whole.latenessMaxUs),
  );
  for (
    const k of [
      "sent",
      "responses",
      "transportErrors",
      "failedResponses",
      "rejected",
      "late",
    ] as const
  ) {
    assert.equal(merged[k], whole[k], k);
  }
  assert.ok(whole.rejected > 0 && whole.failedResponses > 0 && whole.transportErrors > 0);
  assert.deepEqual([...merged.statuses].sort(), [...whole.statuses].sort());
  for (const name of ["orders", "health"] as const) {
    const m = merged.scenarios.get(name)!;
    const w = whole.scenarios.get(name)!;
    assert.deepEqual(pct(m.latency!, m.maxUs), pct(w.latency!, w.maxUs));
    assert.deepEqual([m.requests, m.failed, m.rejected], [w.requests, w.failed, w.rejected]);
  }
  assert.equal(merged.timeline.length, whole.timeline.length);
  merged.timeline.forEach((iv, i) => {
    assert.equal(iv?.completed, whole.timeline[i]?.completed);
    assert.equal(
      iv?.latency.getValueAtPercentile(99),
      whole.timeline[i]?.latency.getValueAtPercentile(99),
    );
  });
});
