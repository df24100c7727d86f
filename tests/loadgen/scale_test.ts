/**
 * Ramps, `--workers` and `--merge` against the real service: counts that add up and percentiles
 * that equal those of one histogram holding every value.
 */
import assert from "node:assert/strict";
import { decodeHistogram, newHistogram } from "../../src/loadgen/stats.ts";
import { percentiles } from "../../src/loadgen/report.ts";
import { loadgen, loadgenReport, orderCounts, startService } from "./helpers.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

Deno.test("ramps, workers and merged reports against the real service", async (t) => {
  const svc = await startService();
  const dir = await Deno.makeTempDir();
  try {
    await t.step("--rate-shape stages sends what the stages integrate to, then stops", async () => {
      const { run: r, report } = await loadgenReport(svc.url, [
        "--rate-shape",
        "stages:1s@200,1s@200,500ms@0",
        "-m",
        "health",
        "--no-progress",
      ]);
      const rep = report as Any;
      // 0 -> 200 over 1 s (100 sends), 200 for 1 s (200), 200 -> 0 over 0.5 s (50).
      assert.ok(Math.abs(rep.requests.sent + rep.requests.dropped - 350) <= 1, r.stdout);
      assert.equal(rep.config.durationMs, 2500);
      assert.equal(rep.config.rateShape, "stages:1s@200,1s@200,500ms@0");
    });

    await t.step("--workers 2 splits the requests and merges exactly", async () => {
      const before = await orderCounts(svc.url);
      const { report } = await loadgenReport(svc.url, [
        "--workers",
        "2",
        "-r",
        "400",
        "-n",
        "301",
        "--seed",
        "5",
        "-m",
        "orders=2,quotes=1,health=1",
      ]);
      const rep = report as Any;
      assert.equal(rep.config.workers, navigator.hardwareConcurrency >= 2 ? 2 : 1);
      assert.equal(rep.requests.sent, 301);
      assert.equal(rep.requests.completed, 301);
      assert.equal(rep.latencyMs.count, 301);
      const byScenario = Object.values(rep.scenarios).reduce(
        (a: number, s: Any) => a + s.requests,
        0,
      );
      assert.equal(byScenario, 301);
      // Every order the workers placed is in the service's books.
      const after = await orderCounts(svc.url);
      const placed = Object.keys(after).reduce((a, k) => a + after[k] - before[k], 0);
      assert.equal(placed, rep.scenarios.orders.requests);
      assert.equal(
        rep.requests.orders2xx,
        (after.filled - before.filled) + (after.cancelled - before.cancelled),
      );
      // The report's percentiles are those of its own merged histogram.
      const h = decodeHistogram(rep.stats.latency);
      assert.equal(h.totalCount, 301);
      assert.deepEqual(percentiles(h, rep.stats.latency.max), rep.latencyMs);
    });

    await t.step("--merge combines reports with exact percentiles", async () => {
      const files = [`${dir}/a.json`, `${dir}/b.json`];
      for (const [i, f] of files.entries()) {
        const r = await loadgen([
          "--target",
          svc.url,
          "-c",
          String(2 + i),
          "-n",
          String(200 + 100 * i),
          "-m",
          "health,positions",
          "--json",
          f,
        ]);
        assert.equal(r.code, 0, r.stderr);
      }
      const out = `${dir}/merged.json`;
      const m = await loadgen(["--merge", ...files, "--json", out, "--threshold", "errors<1%"]);
      assert.equal(m.code, 0, m.stderr);
      assert.match(m.stdout, /requests +500 sent, 500 answered/);
      const merged = JSON.parse(await Deno.readTextFile(out));
      const parts = await Promise.all(
        files.map(async (f) => JSON.parse(await Deno.readTextFile(f))),
      );
      assert.equal(merged.requests.sent, 500);
      assert.equal(merged.connections.used, 5);
      assert.deepEqual(merged.merged.map((x: Any) => x.file), files);
      // One histogram holding every value of both runs gives the merged percentiles.
      const all = newHistogram();
      for (const p of parts) all.add(decodeHistogram(p.stats.latency));
      const max = Math.max(...parts.map((p) => p.stats.latency.max));
      assert.deepEqual(merged.latencyMs, percentiles(all, max));
      for (const name of ["health", "positions"]) {
        const s = newHistogram();
        for (const p of parts) s.add(decodeHistogram(p.stats.scenarios[name].latency));
        const smax = Math.max(...parts.map((p) => p.stats.scenarios[name].latency.max));
        assert.deepEqual(merged.scenarios[name].latencyMs, percentiles(s, smax));
        assert.equal(
          merged.scenarios[name].requests,
          parts[0].scenarios[name].requests + parts[1].scenarios[name].requests,
        );
      }
      // A merged report merges again (the documented way to load from several machines).
      const again = await loadgen(["--merge", out, files[0], "--json", "-"]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(JSON.parse(again.stdout).requests.sent, 700);

      const bad = `${dir}/bad.json`;
      await Deno.writeTextFile(bad, '{"tool":"wrk"}');
      const refused = await loadgen(["--merge", files[0], bad]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /bad\.json is not a tradewatch --loadgen --json report/);
    });
  } finally {
    await svc.close();
    await Deno.remove(dir, { recursive: true });
  }
});
