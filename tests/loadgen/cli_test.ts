/**
 * The loadgen CLI against the real service (a child process on a free loopback port).
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { startArgs } from "../support/service.ts";
import {
  blackHole,
  closedPort,
  loadgen,
  loadgenReport,
  orderCounts,
  startService,
  watchLoadgen,
} from "./helpers.ts";

const percentiles = z.strictObject({
  count: z.number().int().nonnegative(),
  min: z.number().nullable(),
  mean: z.number().nullable(),
  stdev: z.number().nullable(),
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  p99: z.number().nullable(),
  "p99.9": z.number().nullable(),
  max: z.number().nullable(),
});
const count = z.number().int().nonnegative();
const counts = z.record(z.string().regex(/^\d{3}$/), count);
const encoded = z.strictObject({ hdr: z.string().min(1), min: count, max: count }).nullable();
const errorCounts = z.partialRecord(
  z.enum(["refused", "reset", "closed", "timeout", "parse", "connect"]),
  count,
);

/** The `--json` report, field by field (strict: no undocumented fields). */
const reportSchema = z.strictObject({
  tool: z.literal("tradewatch-loadgen"),
  version: z.string(),
  target: z.string().url(),
  model: z.enum(["open", "closed"]),
  config: z.strictObject({
    rate: z.number().positive().nullable(),
    rateShape: z.string().nullable(),
    concurrency: z.number().int().positive().nullable(),
    durationMs: z.number().positive().nullable(),
    requests: z.number().int().positive().nullable(),
    maxInFlight: z.number().int().positive().nullable(),
    scheduler: z.enum(["spin", "timer"]).nullable(),
    lateThresholdMs: z.number().positive().nullable(),
    mix: z.record(z.string(), z.number()),
    invalidRatio: z.number().min(0).max(1),
    seed: z.number().int().nonnegative(),
    symbols: z.array(z.string()),
    quantity: z.tuple([z.number().int().positive(), z.number().int().positive()]),
    sides: z.array(z.enum(["BUY", "SELL"])).min(1),
    timeoutMs: z.number().positive(),
    workers: z.number().int().positive(),
  }),
  startedAt: z.iso.datetime(),
  elapsedSeconds: z.number().nonnegative(),
  interrupted: z.boolean(),
  requests: z.strictObject({
    sent: count,
    completed: count,
    responses: count,
    failed: count,
    rejected: count,
    transportErrors: count,
    dropped: count,
    late: count,
    invalid: count,
    orders2xx: count,
  }),
  rate: z.strictObject({
    requested: z.number().positive().nullable(),
    sent: z.number().nonnegative(),
    achieved: z.number().nonnegative(),
  }),
  statuses: counts,
  errors: errorCounts,
  latencyMs: percentiles,
  serviceTimeMs: percentiles,
  latenessMs: percentiles.nullable(),
  scenarios: z.partialRecord(
    z.enum([
      "orders",
      "limit",
      "quotes",
      "positions",
      "risk",
      "lookups",
      "history",
      "health",
      "metrics",
    ]),
    z.strictObject({
      requests: count,
      failed: count,
      rejected: count,
      statuses: counts,
      latencyMs: percentiles,
    }),
  ),
  timeline: z.array(z.strictObject({
    t: z.number().nonnegative(),
    completed: count,
    failed: count,
    rejected: count,
    p50: z.number().nullable(),
    p90: z.number().nullable(),
    p99: z.number().nullable(),
    max: z.number().nullable(),
  })),
  connections: z.strictObject({ used: count, connects: count }),
  client: z.strictObject({
    cpuSeconds: z.number().nonnegative(),
    cpuMicrosPerRequest: z.number().nullable(),
  }),
  thresholds: z.array(
    z.strictObject({
      expr: z.string(),
      actual: z.number().nullable(),
      unit: z.string(),
      pass: z.boolean(),
    }),
  ),
  pass: z.boolean(),
  stats: z.strictObject({
    sent: count,
    responses: count,
    transportErrors: count,
    failedResponses: count,
    rejected: count,
    dropped: count,
    late: count,
    invalidSent: count,
    orders2xx: count,
    statuses: counts,
    errors: errorCounts,
    latency: encoded,
    service: encoded,
    lateness: encoded,
    scenarios: z.record(
      z.string(),
      z.strictObject({
        requests: count,
        failed: count,
        rejected: count,
        statuses: counts,
        errors: errorCounts,
        latency: encoded,
      }),
    ),
    intervalMs: z.number().positive(),
    timeline: z.array(
      z.strictObject({ completed: count, failed: count, rejected: count, latency: encoded })
        .nullable(),
    ),
  }),
  merged: z.array(z.strictObject({
    file: z.string(),
    target: z.string(),
    startedAt: z.iso.datetime(),
    requests: count,
  })).optional(),
});
type Report = z.infer<typeof reportSchema>;

function parseReport(stdout: string): Report {
  return reportSchema.parse(JSON.parse(stdout));
}

Deno.test("loadgen against the real service", async (t) => {
  const svc = await startService();
  /** A run against the service with `--json -` that must exit 0: its report, by the schema. */
  const report = async (args: string[]) =>
    reportSchema.parse((await loadgenReport(svc.url, args)).report);
  try {
    await t.step(
      "the default run posts 100 orders and order_count_total grows by exactly that",
      async () => {
        const before = await orderCounts(svc.url);
        const r = await loadgen(["--target", svc.url]);
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.split("\n").filter((l) => l.startsWith("Order "));
        assert.equal(lines.length, 100, r.stdout);
        const statuses = lines.map((l) => {
          const m = /^Order (\d+): ([A-Z]+) (BUY|SELL) (\d+) - (\d{3})$/.exec(l);
          assert.ok(m, `seed-style line: ${l}`);
          assert.ok(Number(m[4]) >= 1 && Number(m[4]) <= 100, l);
          return Number(m[5]);
        });
        assert.deepEqual(
          lines.map((l) => Number(/^Order (\d+)/.exec(l)![1])).sort((a, b) => a - b),
          Array.from({ length: 100 }, (_, i) => i + 1),
        );
        const ok = statuses.filter((s) => s >= 200 && s < 300).length;
        const after = await orderCounts(svc.url);
        const grew = (k: string) => after[k] - before[k];
        // Every 2xx answer is a filled or cancelled order, and nothing else was counted.
        assert.equal(grew("filled") + grew("cancelled"), ok);
        assert.equal(grew("filled") + grew("cancelled") + grew("rejected") + grew("failed"), 100);
        assert.match(r.stdout, /requests +100 sent, 100 answered/);
      },
    );

    await t.step("open mode achieves the requested rate on a short run", async () => {
      const rep = await report(["-r", "200", "-d", "2s", "-m", "health"]);
      assert.equal(rep.model, "open");
      assert.equal(rep.requests.sent + rep.requests.dropped, 400);
      assert.equal(rep.requests.dropped, 0);
      assert.equal(rep.requests.failed, 0);
      // Generous tolerance: other tests share the CPU (a stalled event loop sends late, then
      // catches up; the bench measures accuracy on a quiet machine).
      assert.ok(Math.abs(rep.rate.sent - 200) / 200 < 0.25, `sent at ${rep.rate.sent}/s`);
      assert.ok(
        Math.abs(rep.rate.achieved - 200) / 200 < 0.25,
        `completed at ${rep.rate.achieved}/s`,
      );
      assert.equal(rep.latenessMs?.count, 400);
    });

    await t.step("thresholds set the exit code: 0 when they hold, 99 when violated", async () => {
      const base = ["--target", svc.url, "-c", "2", "-n", "40", "-m", "health,quotes"];
      const pass = await loadgen([...base, "--threshold", "p99<1h", "--threshold", "errors<1%"]);
      assert.equal(pass.code, 0, pass.stdout + pass.stderr);
      assert.match(pass.stdout, /threshold +p99<1h: ok/);
      const fail = await loadgen([...base, "--threshold", "errors<1%", "--threshold", "p50<1us"]);
      assert.equal(fail.code, 99, fail.stdout + fail.stderr);
      assert.match(fail.stdout, /threshold +p50<1us: VIOLATED/);
      assert.match(fail.stdout, /threshold +errors<1%: ok/);
    });

    await t.step("the JSON report follows its schema", async () => {
      const file = await Deno.makeTempFile({ suffix: ".json" });
      try {
        const r = await loadgen([
          "--target",
          svc.url,
          "-r",
          "300",
          "-n",
          "150",
          "--seed",
          "42",
          "--invalid-ratio",
          "0.1",
          "-m",
          "orders=40,limit=10,quotes=15,positions=10,risk=5,lookups=10,history=5,health=5",
          "--json",
          file,
          "--threshold",
          "errors<5%",
        ]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const rep = reportSchema.parse(JSON.parse(await Deno.readTextFile(file)));
        assert.equal(rep.config.seed, 42);
        assert.deepEqual(rep.config.symbols, ["AAPL", "GOOGL", "MSFT", "AMZN", "TSLA"]);
        assert.equal(rep.requests.sent, 150);
        assert.equal(rep.requests.completed, 150);
        const byStatus = Object.values(rep.statuses).reduce((a, b) => a + b, 0);
        assert.equal(byStatus, rep.requests.responses);
        const byScenario = Object.values(rep.scenarios).reduce((a, s) => a + s.requests, 0);
        assert.equal(byScenario, 150);
        assert.ok(rep.requests.invalid > 0);
        assert.equal(rep.latencyMs.count, rep.requests.responses);
        assert.equal(rep.thresholds[0].expr, "errors<5%");
        // The human summary still goes to stdout.
        assert.match(r.stdout, /latency +p50 /);
      } finally {
        await Deno.remove(file);
      }
    });

    await t.step("--seed makes the sequence of requests reproducible", async () => {
      const args = [
        "--target",
        svc.url,
        "-r",
        "200",
        "-n",
        "30",
        "--seed",
        "7",
        "--print",
        "--no-progress",
      ];
      const a = await loadgen(args);
      const b = await loadgen(args);
      const orders = (s: string) =>
        s.split("\n").filter((l) => l.startsWith("Order ")).map((l) => l.replace(/ - \d+$/, ""))
          .sort();
      assert.equal(orders(a.stdout).length, 30);
      assert.deepEqual(orders(a.stdout), orders(b.stdout));
    });

    await t.step("--side and --quantity shape the orders", async () => {
      const r = await loadgen([
        "--target",
        svc.url,
        "-r",
        "100",
        "-n",
        "20",
        "--side",
        "sell",
        "--quantity",
        "5-7",
        "--symbols",
        "MSFT",
        "--print",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split("\n").filter((l) => l.startsWith("Order "));
      assert.equal(lines.length, 20);
      for (const l of lines) assert.match(l, /^Order \d+: MSFT SELL [5-7] - 201$/);
    });

    await t.step('--invalid-ratio produces status="rejected" counts', async () => {
      const before = await orderCounts(svc.url);
      const rep = await report(["-r", "100", "-n", "30", "--invalid-ratio", "1", "--seed", "3"]);
      assert.equal(rep.requests.invalid, 30);
      // Each malformed order got a 4xx, which is what was expected: a rejection, no failure.
      assert.equal(rep.requests.failed, 0);
      assert.equal(rep.requests.rejected, 30);
      const fourxx = Object.entries(rep.statuses).filter(([s]) => s.startsWith("4"))
        .reduce((a, [, n]) => a + n, 0);
      assert.equal(fourxx, 30);
      const after = await orderCounts(svc.url);
      assert.equal(after.rejected - before.rejected, 30);
      assert.equal(after.filled - before.filled, 0);
    });

    await t.step("progress goes to stderr as plain lines when it is not a TTY", async () => {
      const r = await loadgen([
        "--target",
        svc.url,
        "-r",
        "50",
        "-d",
        "1500ms",
        "-m",
        "health",
        "--progress-interval",
        "300ms",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stderr.split("\n").filter((l) =>
        /^\[ *\d+\.\ds\] +\d+ req\/s +in flight \d+/.test(l)
      );
      assert.ok(lines.length >= 3, r.stderr);
      assert.ok(
        !r.stderr.includes("\r") && !r.stderr.includes("\x1b["),
        "no TTY control sequences",
      );
      assert.match(lines.at(-1)!, /errors 0 +dropped 0 +p50 \S+ +p99 \S+/);
      assert.doesNotMatch(r.stdout, /req\/s +in flight/);
    });

    await t.step(
      "Ctrl-C prints the partial summary and exits 130, within a second",
      async () => {
        const w = watchLoadgen([
          "--target",
          svc.url,
          "-r",
          "50",
          "-d",
          "5m",
          "-m",
          "health",
          "--progress-interval",
          "100ms",
        ]);
        // Wait until answers are being counted, then interrupt.
        await w.line(/done [1-9]\d*/);
        const at = performance.now();
        w.child.kill("SIGINT");
        const { code, afterMs } = await w.exit(at);
        assert.equal(code, 130, w.stdout() + w.stderr());
        assert.ok(afterMs < 1500, `exited ${afterMs.toFixed(0)} ms after SIGINT`);
        assert.match(w.stdout(), /INTERRUPTED, partial results/);
        assert.match(w.stdout(), /requests +[1-9]\d* sent/);
      },
    );

    await t.step(
      "422 at a risk limit is a rejection, not a failure; thresholds tell them apart",
      async () => {
        // Orders above the service's --max-order-qty (default 10,000) are refused by risk: 422.
        const r = await loadgen([
          "--target",
          svc.url,
          "-r",
          "200",
          "-n",
          "20",
          "--quantity",
          "20000",
          "--symbols",
          "MSFT",
          "--json",
          "-",
          "--threshold",
          "errors<1%",
          "--threshold",
          "rejected<50%",
        ]);
        const rep = parseReport(r.stdout);
        assert.deepEqual(rep.statuses, { "422": 20 });
        assert.equal(rep.requests.rejected, 20);
        assert.equal(rep.requests.failed, 0);
        assert.deepEqual(
          rep.thresholds.map((t) => [t.expr, t.pass, t.actual]),
          [["errors<1%", true, 0], ["rejected<50%", false, 100]],
        );
        assert.equal(r.code, 99);
      },
    );

    await t.step("--json never truncates an existing report when the run fails first", async () => {
      const file = await Deno.makeTempFile({ suffix: ".json" });
      try {
        await Deno.writeTextFile(file, "the previous report\n");
        const r = await loadgen([
          "--target",
          `http://127.0.0.1:${closedPort()}`,
          "-n",
          "1",
          "--json",
          file,
        ]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /unreachable/);
        assert.equal(await Deno.readTextFile(file), "the previous report\n");
        // A run that completes replaces it.
        const ok = await loadgen(["--target", svc.url, "-n", "3", "-r", "100", "--json", file]);
        assert.equal(ok.code, 0, ok.stderr);
        assert.equal(parseReport(await Deno.readTextFile(file)).requests.sent, 3);
      } finally {
        await Deno.remove(file);
      }
    });

    await t.step("write errors are a message and exit 2, not a stack trace", async () => {
      const r = await loadgen(["--target", svc.url, "-n", "3", "-r", "100", "--json", "/dev/full"]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      // Deno grants device files only with --allow-all: under the shipped permissions the check
      // before the run already refuses it; with them, the write fails with ENOSPC.
      assert.match(r.stderr, /Cannot write the report to \/dev\/full: /);
      assert.doesNotMatch(r.stderr, /Uncaught|at file:/);
      for (const extra of [["--json", "-"], ["--print"], []]) {
        const sh = await new Deno.Command("bash", {
          args: [
            "-c",
            '"$@" > /dev/full',
            "--",
            Deno.execPath(),
            ...startArgs(["--loadgen", "--target", svc.url, "-n", "3", "-r", "100", ...extra]),
          ],
          stdin: "null",
        }).output();
        const stderr = new TextDecoder().decode(sh.stderr);
        assert.equal(sh.code, 2, `${extra.join(" ")}: ${stderr}`);
        assert.match(stderr, /Cannot write to stdout: No space left on device/);
        assert.doesNotMatch(stderr, /Uncaught|at file:/);
      }
    });
  } finally {
    await svc.close();
  }
});

Deno.test("bad options and an unreachable target exit 2 with a clear message", async () => {
  const cases: [string[], RegExp][] = [
    // Beyond what one process can do: an option error, not an out-of-memory or a 19 s run.
    [["--concurrency", "1000000000"], /--concurrency 1000000000 is beyond what one process/],
    [["--rate", "1e9", "-d", "2s"], /--rate 1e9 is beyond what one process can send/],
    [["--max-in-flight", "1e7"], /--max-in-flight 1e7 is beyond/],
    [["--rate-shape", "sine:period=1m,min=1,max=1e8"], /peaks at 100000000\/s, beyond/],
    [["--duration", "1000h"], /--duration 1000h is longer than/],
    [["--rate", "-5"], /--rate must be a positive number, got "-5"/],
    [["--mix", "orders=50,teleport=50"], /Unknown scenario "teleport"/],
    [["--duration", "forever"], /--duration is not a duration: "forever"/],
    [
      ["--target", `http://127.0.0.1:${closedPort()}`, "-n", "1"],
      /Target http:\/\/127\.0\.0\.1:\d+ is unreachable/,
    ],
    [["--target", "https://example.com"], /Target must be an http:\/\/ URL/],
    [
      ["--json", "/nonexistent-dir/report.json"],
      /Cannot write the report to \/nonexistent-dir\/report\.json/,
    ],
  ];
  for (const [args, re] of cases) {
    const r = await loadgen(args);
    // (Each case exits at once: the run would otherwise need a target.)
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /Uncaught|at file:/);
  }
});

Deno.test("--help lists every flag of the table", async () => {
  const { FLAGS } = await import("../../src/loadgen/options.ts");
  const r = await loadgen(["--help"]);
  assert.equal(r.code, 0);
  for (const f of FLAGS) {
    const shown = f.name.startsWith("no-") ? `--${f.name.slice(3)}, --${f.name}` : `--${f.name}`;
    assert.ok(r.stdout.includes(shown), shown);
  }
});

Deno.test("every run stops at its duration and on the first Ctrl-C, whatever the options", async (t) => {
  const hole = await blackHole(); // answers nothing: every request hangs
  try {
    const target = `http://127.0.0.1:${hole.port}`;
    const base = ["--target", target, "-m", "health", "--no-progress", "--timeout", "1h"];
    for (
      const args of [
        ["--concurrency", "10000", "-d", "2s"],
        ["--rate", "100000", "-d", "2s"],
        ["--rate", "100000", "-d", "2s", "--max-in-flight", "10000", "--scheduler", "timer"],
        ["--workers", "2", "--concurrency", "10000", "-d", "2s"],
      ]
    ) {
      await t.step(`${args.join(" ")} stops at its duration`, async () => {
        const w = watchLoadgen([...base, ...args, "--json", "-"]);
        const started = performance.now();
        const { code, afterMs } = await w.exit(started);
        assert.equal(code, 0, w.stderr().slice(-2000));
        const rep = parseReport(w.stdout());
        // 2 s, then at most 2 s for answers still awaited (abandoned: a black hole answers none).
        assert.ok(rep.elapsedSeconds < 4.5, `elapsed ${rep.elapsedSeconds} s`);
        assert.ok(afterMs < 15_000, `process exited after ${afterMs.toFixed(0)} ms`);
        assert.equal(rep.requests.responses, 0);
      });
      await t.step(`${args.join(" ")} stops on the first Ctrl-C within a second`, async () => {
        const w = watchLoadgen([
          ...base,
          ...args.filter((a) => a !== "-d" && a !== "2s"),
          "-d",
          "10m",
          "--progress",
          "--progress-interval",
          "100ms",
        ]);
        await w.line(/in flight [1-9]/);
        const at = performance.now();
        w.child.kill("SIGINT");
        const { code, afterMs } = await w.exit(at);
        assert.equal(code, 130, w.stderr().slice(-2000));
        assert.ok(afterMs < 1500, `exited ${afterMs.toFixed(0)} ms after SIGINT`);
        assert.match(w.stdout(), /INTERRUPTED/);
      });
    }
  } finally {
    await hole.close();
  }
});
