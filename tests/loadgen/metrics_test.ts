/**
 * `--metrics-port`: the loadgen's own /metrics while a run against the real service lasts.
 */
import assert from "node:assert/strict";
import { HTTP_DURATION_BUCKETS } from "../../src/metrics/catalog.ts";
import { HTTP_STATUSES } from "../../src/metrics/labels.ts";
import { parseExposition, sumOf } from "../support/exposition.ts";
import { startService, watchLoadgen } from "./helpers.ts";

const STATUSES = new Set([
  ...HTTP_STATUSES,
  "other",
  "refused",
  "reset",
  "closed",
  "timeout",
  "parse",
  "connect",
]);

Deno.test("--metrics-port serves the loadgen's metrics while the run lasts", async (t) => {
  const svc = await startService();
  try {
    for (const workers of ["1", "2"]) {
      await t.step(`--workers ${workers}`, async () => {
        const w = watchLoadgen([
          "--target",
          svc.url,
          "-r",
          "100",
          "-d",
          "3s",
          "-m",
          "orders=1,health=1",
          "--invalid-ratio",
          "0.3",
          "--workers",
          workers,
          "--metrics-port",
          "0",
          "--no-progress",
          "--json",
          "-",
        ]);
        const line = await w.line(/metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/);
        const url = /(http:\S+)/.exec(line)![1];
        // Scrape until answers are counted (an observable event, not a fixed wait).
        let e = parseExposition(await (await fetch(url)).text());
        while (sumOf(e, "loadgen_requests_total") < 20) {
          await new Promise((r) => setTimeout(r, 50));
          e = parseExposition(await (await fetch(url)).text());
        }
        assert.equal(e.types.get("loadgen_requests_total"), "counter");
        assert.equal(e.types.get("loadgen_request_duration_seconds"), "histogram");
        assert.equal(e.types.get("loadgen_dropped_total"), "counter");
        assert.equal(e.types.get("loadgen_late_total"), "counter");
        assert.equal(e.types.get("loadgen_target_rate"), "gauge");
        for (const s of e.samples.filter((s) => s.name === "loadgen_requests_total")) {
          assert.ok(STATUSES.has(s.labels.status), `closed status values: ${s.labels.status}`);
          assert.ok(["orders", "health"].includes(s.labels.scenario), s.labels.scenario);
        }
        const les = e.samples.filter((s) =>
          s.name === "loadgen_request_duration_seconds_bucket" && s.labels.scenario === "health"
        ).map((s) => s.labels.le);
        assert.deepEqual(les, [...HTTP_DURATION_BUCKETS.map(String), "+Inf"]);
        // The histogram counts what the counter counts (answers only: no transport errors here).
        assert.equal(
          sumOf(e, "loadgen_request_duration_seconds_count"),
          sumOf(e, "loadgen_requests_total"),
        );
        // Invalid orders are answered 4xx (422 or 400), valid ones 201, health 200.
        assert.ok(sumOf(e, "loadgen_requests_total", { scenario: "health", status: "200" }) > 0);
        assert.equal(sumOf(e, "loadgen_target_rate"), 100);
        const scraped = sumOf(e, "loadgen_requests_total");

        const { code } = await w.exit(performance.now());
        assert.equal(code, 0, w.stderr());
        const rep = JSON.parse(w.stdout());
        assert.ok(rep.requests.completed >= scraped, `${rep.requests.completed} >= ${scraped}`);
        // The endpoint lives as long as the run.
        await assert.rejects(fetch(url));
      });
    }
  } finally {
    await svc.close();
  }
});

Deno.test("the compose stack's prometheus scrapes the port its loadgen serves", async () => {
  const { parse } = await import("yaml");
  const { parseOptions } = await import("../../src/loadgen/options.ts");
  const root = new URL("../../", import.meta.url).pathname;
  const compose = parse(await Deno.readTextFile(`${root}compose.yaml`));
  const prom = parse(await Deno.readTextFile(`${root}configs/prometheus.yml`));
  const command: string[] = compose.services.loadgen.command;
  const parsed = parseOptions(command.slice(1));
  assert.equal(parsed.help, false);
  if (parsed.help) return;
  assert.equal(parsed.options.metricsHost, "0.0.0.0", "reachable from the prometheus container");
  const job = prom.scrape_configs.find((j: { job_name: string }) => j.job_name === "loadgen");
  assert.ok(job, "a loadgen job in prometheus.yml");
  assert.deepEqual(
    job.static_configs.flatMap((s: { targets: string[] }) => s.targets),
    [`loadgen:${parsed.options.metricsPort}`],
  );
});
