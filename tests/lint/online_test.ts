/**
 * `--prometheus-url` against a real Prometheus 2.42 scraping the real tradewatch (started with
 * the flags of `deno task start`), through a recording proxy on 127.0.0.1 that requires the
 * bearer token and counts requests: series existence, label names and values, rate() of a gauge
 * by metadata, ranges shorter than twice the scrape interval; one problem for an unreachable
 * Prometheus or a refused token; few, bounded requests for 1,000 rules.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runMain, startChild } from "../support/service.ts";
import { freePort } from "../support/ports.ts";
import { installed } from "../support/command.ts";

function prometheusPresent(): boolean {
  return installed("prometheus", "tests/lint", "the online-check tests are skipped");
}

const TOKEN = "s3cret-token";

/** A proxy in front of Prometheus: checks the token, counts requests and the most in flight. */
function recordingProxy(upstream: string) {
  let inFlight = 0;
  const stats = { requests: 0, maxInFlight: 0, paths: [] as string[] };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    stats.requests++;
    inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    try {
      const url = new URL(req.url);
      stats.paths.push(url.pathname);
      if (req.headers.get("authorization") !== `Bearer ${TOKEN}`) {
        return new Response("unauthorized\n", { status: 401 });
      }
      const res = await fetch(`${upstream}${url.pathname}${url.search}`);
      // fetch has decoded the body: its encoding and length headers no longer apply.
      const headers = new Headers(res.headers);
      headers.delete("content-encoding");
      headers.delete("content-length");
      return new Response(await res.arrayBuffer(), { status: res.status, headers });
    } finally {
      inFlight--;
    }
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, stats, close: () => server.shutdown() };
}

async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await ok()) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function query(base: string, q: string): Promise<unknown[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = await res.json();
  return body.data?.result ?? [];
}

/** How many series /api/v1/series (what the linter asks) has for a metric. */
async function seriesOf(base: string, name: string): Promise<number> {
  const now = Math.floor(Date.now() / 1000);
  const res = await fetch(
    `${base}/api/v1/series?match[]=${encodeURIComponent(name)}&start=${now - 3600}&end=${now}`,
  );
  return ((await res.json()).data ?? []).length;
}

const rules = (exprs: string[]) =>
  "groups:\n  - name: online\n    rules:\n" +
  exprs.map((e, i) => `      - alert: A${i}\n        expr: ${JSON.stringify(e)}\n`).join("");

Deno.test({
  name: "online: checks against a live Prometheus 2.42 scraping the real service",
  ignore: !prometheusPresent(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "tradewatch-lint-online-" });
    const service = await startChild(["--db", ":memory:"]);
    let prom: Deno.ChildProcess | undefined;
    let proxy: ReturnType<typeof recordingProxy> | undefined;
    try {
      const promPort = await freePort();
      await Deno.writeTextFile(
        join(dir, "prometheus.yml"),
        [
          "global:",
          "  scrape_interval: 5s",
          "scrape_configs:",
          "  - job_name: trading_api",
          "    static_configs:",
          `      - targets: ["127.0.0.1:${service.port}"]`,
          "",
        ].join("\n"),
      );
      prom = new Deno.Command("prometheus", {
        args: [
          `--config.file=${join(dir, "prometheus.yml")}`,
          `--storage.tsdb.path=${join(dir, "data")}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        stdout: "null",
        stderr: "null",
      }).spawn();
      const promUrl = `http://127.0.0.1:${promPort}`;
      // The first scrape has happened once the service's own series are queryable.
      await waitFor(
        "the first scrape",
        async () =>
          (await query(promUrl, 'process_cpu_seconds_total{job="trading_api"}')).length > 0 &&
          (await query(promUrl, "market_data_lag_seconds")).length > 0 &&
          (await seriesOf(promUrl, "process_cpu_seconds_total")) > 0,
      );
      proxy = recordingProxy(promUrl);

      const file = join(dir, "rules.yml");
      const exprs = [
        "order_count_totl > 0", // 0: no such series
        "rate(market_data_lag_seconds[5m]) > 0", // 1: a gauge by metadata
        'process_cpu_seconds_total{handlr="x"} > 0', // 2: a label no series has
        'process_cpu_seconds_total{job="tradingapi"} > 0', // 3: a value no series has
        "rate(process_cpu_seconds_total[8s]) > 0", // 4: 8s < 2 × 5s
        // 5: clean
        'rate(process_cpu_seconds_total{job="trading_api"}[1m]) > 0 or absent(nothing_here)',
        "predict_linear(process_cpu_seconds_total[8s], 60) > 0", // 6: needs two samples too
      ];
      await Deno.writeTextFile(file, rules(exprs));
      const lint = (args: string[], env: Record<string, string> = {}) =>
        runMain(["--lint-rules", "--prometheus", "2", "--catalog", "none", ...args], env);

      const r = await lint(["--prometheus-url", proxy.url, "--format", "json", file], {
        TRADEWATCH_PROMETHEUS_TOKEN: TOKEN,
      });
      assert.equal(r.code, 0, r.stdout + r.stderr); // warnings only
      const problems = JSON.parse(r.stdout).files[0].problems as {
        line: number;
        check: string;
        message: string;
      }[];
      const online = problems.filter((p) => p.check.startsWith("online/"))
        .map((p) => [(p.line - 5) / 2, p.check]);
      assert.deepEqual(online, [
        [0, "online/series"],
        [1, "online/counter"],
        [2, "online/labels"],
        [3, "online/labels"],
        [4, "online/range"],
        [6, "online/range"],
      ], JSON.stringify(problems, null, 1));
      const msg = (check: string) => problems.find((p) => p.check === check)!.message;
      assert.match(msg("online/series"), /"order_count_totl" has no series in Prometheus/);
      assert.match(msg("online/counter"), /a gauge by Prometheus' metadata/);
      assert.match(
        msg("online/range"),
        /scrape interval of job "trading_api" in Prometheus \(5s\)/,
      );
      assert.ok(
        problems.some((p) => /job="tradingapi".*job is one of: trading_api/.test(p.message)),
        JSON.stringify(problems),
      );
      // Asked once per distinct metric, plus buildinfo, metadata and targets.
      assert.ok(proxy.stats.requests <= 4 + 3, `${proxy.stats.requests} requests`);

      // 1,000 rules over the same few metrics: few requests, at most 4 in flight.
      const many = join(dir, "many.yml");
      const names = ["process_cpu_seconds_total", "market_data_lag_seconds", "up", "nope_a"];
      await Deno.writeTextFile(
        many,
        rules(Array.from({ length: 1000 }, (_, i) => `${names[i % 4]}{i="${i}"} > ${i}`)),
      );
      proxy.stats.requests = 0;
      proxy.stats.maxInFlight = 0;
      const m = await lint(["--prometheus-url", proxy.url, "--prometheus-token", TOKEN, many]);
      assert.ok(m.code === 0, m.stderr);
      assert.ok(proxy.stats.requests <= names.length + 3, `${proxy.stats.requests} requests`);
      assert.ok(proxy.stats.maxInFlight <= 4, `${proxy.stats.maxInFlight} in flight`);

      // A refused token and an unreachable Prometheus: one clear problem, exit 1, no crash.
      const refused = await lint(["--prometheus-url", proxy.url, "--prometheus-token", "x", file]);
      assert.equal(refused.code, 1);
      assert.equal(refused.stdout.match(/\[online\/prometheus\]/g)?.length, 1, refused.stdout);
      assert.match(refused.stdout, /answered 401 .*check --prometheus-token/);
      assert.doesNotMatch(refused.stdout + refused.stderr, /\[online\/(series|labels)\]|at \w+ \(/);
      const closed = await freePort();
      const down = await lint(["--prometheus-url", `http://127.0.0.1:${closed}`, file]);
      assert.equal(down.code, 1);
      assert.equal(down.stdout.match(/\[online\/prometheus\]/g)?.length, 1, down.stdout);
      assert.match(down.stdout, /cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+\//);
      assert.equal(down.stderr.trim(), "", "no stack trace");

      // Usage errors.
      assert.equal((await lint(["--prometheus-url", "ftp://x", file])).code, 2);
      assert.equal((await lint(["--prometheus-token", TOKEN, file])).code, 2);
    } finally {
      await proxy?.close();
      if (prom) {
        try {
          prom.kill("SIGTERM");
        } catch { /* gone */ }
        await prom.status;
      }
      await service.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
