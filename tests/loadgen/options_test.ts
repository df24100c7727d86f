import assert from "node:assert/strict";
import { formatMs, parseDuration } from "../../src/duration.ts";
import { UsageError } from "../../src/cli/mod.ts";
import { type LoadgenOptions, parseOptions } from "../../src/loadgen/options.ts";
import { ArrivalSchedule, parseRateShape, rateAt } from "../../src/loadgen/rate_shape.ts";
import {
  evaluateThresholds,
  parseThreshold,
  type ThresholdFigures,
} from "../../src/loadgen/thresholds.ts";
import { parseMix } from "../../src/loadgen/scenarios.ts";
import { universeFrom } from "../../src/loadgen/target.ts";

function opts(args: string[]): LoadgenOptions {
  const p = parseOptions(args);
  assert.equal(p.help, false);
  return (p as { options: LoadgenOptions }).options;
}

Deno.test("no options reproduce the seed's script", () => {
  const o = opts([]);
  assert.equal(o.target, "http://localhost:8000");
  assert.equal(o.model, "open");
  assert.deepEqual(o.shape, { kind: "constant", rate: 10 });
  assert.equal(o.requests, 100);
  assert.equal(o.durationMs, null);
  assert.deepEqual([...o.mix], [["orders", 1]]);
  assert.equal(o.print, true);
  assert.equal(o.progress, false);
  assert.equal(o.quantityMin, 1);
  assert.equal(o.quantityMax, 100);
  assert.deepEqual(o.sides, ["BUY", "SELL"]);
  assert.deepEqual(opts(["--side", "sell"]).sides, ["SELL"]);
});

Deno.test("options of an open and a closed run", () => {
  const open = opts([
    "-r",
    "250",
    "-d",
    "1m30s",
    "--mix",
    "orders=70,quotes=20,risk=10",
    "--seed",
    "7",
  ]);
  assert.deepEqual(open.shape, { kind: "constant", rate: 250 });
  assert.equal(open.durationMs, 90_000);
  assert.equal(open.requests, null);
  assert.equal(open.print, false);
  assert.equal(open.progress, true);
  assert.equal(open.seed, 7);
  assert.deepEqual(Object.fromEntries(open.mix), { orders: 70, quotes: 20, risk: 10 });
  const closed = opts(["--concurrency", "50", "--requests", "1000", "--no-progress", "--print"]);
  assert.equal(closed.model, "closed");
  assert.equal(closed.concurrency, 50);
  assert.equal(closed.shape, null);
  assert.equal(closed.requests, 1000);
  assert.equal(closed.progress, false);
  assert.equal(closed.print, true);
});

Deno.test("bad options are UsageErrors naming the problem", () => {
  const cases: [string[], RegExp][] = [
    [["--rate", "-5"], /--rate must be a positive number/],
    [["--rate=-5"], /--rate must be a positive number/],
    [["-r", "-0.5"], /--rate must be a positive number/],
    [["--rate", "fast"], /--rate must be a positive number/],
    [["--concurrency", "2.5"], /--concurrency must be a positive integer/],
    [["--rate", "10", "--concurrency", "2"], /not both/],
    [["--duration", "soon"], /--duration is not a duration/],
    [["--duration", "0s"], /--duration must be positive/],
    [["--mix", "orders=70,teleport=30"], /Unknown scenario "teleport"/],
    [["--mix", "orders=-1"], /non-negative/],
    [["--mix", "orders=0"], /at least one scenario/],
    [["--invalid-ratio", "1.5"], /between 0 and 1/],
    [["--scheduler", "busy"], /spin or timer/],
    [["--threshold", "p99 under 250ms"], /Threshold/],
    [["--threshold", "errors<150%"], /count or a percentage/],
    [["--seed", "x"], /--seed must be an integer/],
    [["--concurrency", "1000000000"], /--concurrency 1000000000 is beyond what one process/],
    [["--concurrency", "10001"], /at most 10000/],
    [["--rate", "1e9"], /--rate 1e9 is beyond what one process can send/],
    [["--rate", "Infinity"], /--rate must be a positive number/],
    [["--rate", "10", "--rate-shape", "burst:every=10s,for=1s,rate=1e6"], /peaks at 1000000\/s/],
    [["--requests", "1e13"], /--requests 1e13 is beyond/],
    [["--timeout", "9999h"], /--timeout 9999h is longer than/],
    [["--quantity", "10-1"], /range of positive integers/],
    [["--rate-shape", "square:period=1s"], /Unknown rate shape "square"/],
    [["--rate-shape", "sine:period=1s,min=0,max=5"], /min must be a positive number/],
    [["--rate-shape", "burst:every=10s,for=20s,rate=5", "--rate", "1"], /for < every/],
    [["--side", "hold"], /--side must be BUY, SELL or random/],
    // The shared toolkit's wording (src/cli).
    [["--frobnicate"], /Unknown flag --frobnicate/],
    [["--rate"], /Flag --rate needs a value/],
    [["--json", "a.json", "b.json"], /Unexpected argument "b.json"/],
  ];
  for (const [args, re] of cases) {
    assert.throws(
      () => parseOptions(args),
      (e) => e instanceof UsageError && re.test(e.message),
      args.join(" "),
    );
  }
});

Deno.test("--help is recognised", () => {
  assert.deepEqual(parseOptions(["--help"]), { help: true });
  assert.deepEqual(parseOptions(["-h"]), { help: true });
  // --no-X after --X wins, and the other way round.
  assert.equal(opts(["--print", "--no-print"]).print, false);
  assert.equal(opts(["--no-progress", "--progress"]).progress, true);
});

Deno.test("durations", () => {
  assert.equal(parseDuration("30s"), 30_000);
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("1m30s"), 90_000);
  assert.equal(parseDuration("2"), 2000);
  assert.equal(parseDuration("250us"), 0.25);
  assert.equal(parseDuration("1h"), 3_600_000);
  for (const bad of ["", "s", "10 parsecs", "5x", "1m 30s", "-3s"]) {
    assert.equal(parseDuration(bad), null, bad);
  }
  assert.equal(formatMs(0.25), "250us");
  assert.equal(formatMs(12.34), "12.3ms");
  assert.equal(formatMs(1520), "1.52s");
});

Deno.test("rate shapes and their arrival schedules", () => {
  const constant = new ArrivalSchedule({ kind: "constant", rate: 4 });
  assert.deepEqual([1, 2, 3, 4].map(() => constant.next()), [0, 250, 500, 750]);
  const sine = parseRateShape("sine:period=10s,min=10,max=30", undefined);
  assert.deepEqual(sine, { kind: "sine", periodMs: 10_000, min: 10, max: 30 });
  assert.equal(rateAt(sine, 0), 10);
  assert.equal(rateAt(sine, 5000), 30);
  // Over one period the sine shape averages (min + max) / 2 requests per second.
  const s = new ArrivalSchedule(sine);
  let n = 0;
  while (s.next() < 10_000) n++;
  assert.ok(Math.abs(n - 200) <= 2, `sends in one period: ${n}`);
  const burst = parseRateShape("burst:every=10s,for=2s,rate=100", 10);
  assert.equal(rateAt(burst, 1000), 10);
  assert.equal(rateAt(burst, 9000), 100);
  assert.throws(() => parseRateShape("burst:every=10s,for=2s,rate=100", undefined), /needs --rate/);
});

Deno.test("mixes", () => {
  assert.deepEqual(Object.fromEntries(parseMix("health")), { health: 1 });
  assert.deepEqual(Object.fromEntries(parseMix(" orders = 3 , limit=1 ")), { orders: 3, limit: 1 });
  assert.throws(() => parseMix("orders=1,orders=2"), /twice/);
});

Deno.test("thresholds parse and evaluate", () => {
  const figures: ThresholdFigures = {
    latencyAt: (p) => (p >= 99 ? 300 : 20),
    latencyMaxMs: 900,
    latencyMinMs: 1,
    latencyMeanMs: 30,
    completed: 1000,
    failures: 5,
    rejected: 40,
    scheduled: 1010,
    dropped: 10,
    late: 0,
    achievedRate: 950,
  };
  const check = (expr: string) => evaluateThresholds([parseThreshold(expr)], figures)[0];
  assert.equal(check("p99<250ms").pass, false);
  assert.equal(check("p99<1s").pass, true);
  assert.equal(check("p50<=20").pass, true);
  assert.equal(check("p99.9 < 0.2s").pass, false);
  assert.equal(check("errors<1%").pass, true);
  assert.equal(check("errors<0.4%").pass, false);
  assert.deepEqual(check("errors<1%").actual, 0.5);
  assert.equal(check("errors<5").pass, false);
  // Rejections (422 at a risk limit, invalid on purpose) are counted apart from failures.
  assert.equal(check("rejected<5%").pass, true);
  assert.equal(check("rejected<4%").pass, false);
  assert.deepEqual(check("rejected<=40").actual, 40);
  assert.equal(check("dropped<1").pass, false);
  assert.equal(check("late<1").pass, true);
  assert.equal(check("rps>=900").pass, true);
  assert.equal(check("max<1s").pass, true);
  assert.equal(check("mean>50ms").pass, false);
  // Without any answer, a latency threshold cannot hold.
  const empty = { ...figures, latencyAt: () => NaN };
  assert.equal(evaluateThresholds([parseThreshold("p99<1h")], empty)[0].pass, false);
});

Deno.test("the universe is read from the shapes GET /quotes may have", () => {
  const fromService = universeFrom({
    symbols: ["AAPL", "MSFT"],
    quotes: [{ symbol: "AAPL", bid: 1, ask: 2, last: 189.5 }, { symbol: "MSFT", last: 410 }],
  });
  assert.deepEqual(fromService.symbols, ["AAPL", "MSFT"]);
  assert.equal(fromService.prices.get("AAPL"), 189.5);
  assert.deepEqual(universeFrom([{ symbol: "X", price: 3 }]).symbols, ["X"]);
  assert.deepEqual(universeFrom({ AAPL: { last: 1 }, TSLA: { last: 2 } }).symbols, [
    "AAPL",
    "TSLA",
  ]);
  assert.deepEqual(universeFrom({ error: "nope" }).symbols, []);
});

Deno.test("ramps and staged profiles: parse, rates, exact send counts, limits", () => {
  const ramp = parseRateShape("ramp:from=10,to=2000,over=5m", undefined);
  assert.deepEqual(ramp, { kind: "ramp", from: 10, to: 2000, overMs: 300_000 });
  assert.equal(rateAt(ramp, 0), 10);
  assert.equal(rateAt(ramp, 150_000), 1005);
  assert.equal(rateAt(ramp, 600_000), 2000); // then stays at `to`
  // The k-th send is where the integral of the rate reaches k: (10 + 2000) / 2 × 300 s.
  const r = new ArrivalSchedule(ramp);
  let n = 0;
  while (r.next() < 300_000) n++;
  assert.ok(Math.abs(n - 301_500) <= 1, `sends during the ramp: ${n}`);

  const stages = parseRateShape("stages:30s@100,1m@1000,30s@0", undefined);
  assert.equal(rateAt(stages, 15_000), 50); // ramping 0 -> 100 over the first 30 s
  assert.equal(rateAt(stages, 60_000), 550); // 100 -> 1000 over the next minute
  assert.equal(rateAt(stages, 105_000), 500); // 1000 -> 0 over the last 30 s
  assert.equal(rateAt(stages, 200_000), 0);
  const s = new ArrivalSchedule(stages);
  let m = 0;
  while (s.next() !== Infinity) m++;
  assert.ok(Math.abs(m - (50 * 30 + 550 * 60 + 500 * 30)) <= 1, `sends of the stages: ${m}`);
  // The run lasts the stages unless -d or -n says otherwise.
  assert.equal(opts(["--rate-shape", "stages:30s@100,1m@1000,30s@0"]).durationMs, 120_000);
  assert.equal(opts(["--rate-shape", "stages:30s@100", "-d", "10s"]).durationMs, 10_000);
  assert.equal(opts(["--rate-shape", "stages:30s@100", "-n", "5"]).durationMs, null);

  // Workers take every N-th send of the same schedule: together, exactly the shape.
  const whole = new ArrivalSchedule(stages);
  const a = new ArrivalSchedule(stages, 2, 0);
  const b = new ArrivalSchedule(stages, 2, 1);
  for (let i = 0; i < 1000; i++) {
    assert.equal(a.next(), whole.next());
    assert.equal(b.next(), whole.next());
  }

  for (
    const [text, re] of [
      ["ramp:from=10,to=2000", /needs over=/],
      ["ramp:from=-1,to=5,over=1m", /rate >= 0/],
      ["ramp:from=0,to=0,over=1m", /never sends/],
      ["stages:30s", /DURATION@RATE/],
      ["stages:0s@10", /positive duration/],
      ["stages:10s@0,5s@0", /never sends/],
      ["warp:speed=9", /expected sine, burst, ramp or stages/],
    ] as const
  ) {
    assert.throws(() => parseRateShape(text, undefined), re, text);
  }
  assert.throws(
    () => parseOptions(["--rate-shape", "ramp:from=1,to=1e6,over=1m"]),
    /peaks at 1000000\/s, beyond/,
  );
});

Deno.test("--workers, --metrics-port, --report and --merge options", () => {
  assert.equal(opts([]).workers, 1);
  const two = opts(["--workers", "2", "-c", "4", "-d", "1s"]);
  assert.equal(two.workers, Math.min(2, navigator.hardwareConcurrency));
  assert.equal(opts(["--workers", "2"]).print, false, "no per-request lines from several threads");
  assert.throws(() => parseOptions(["--workers", "0"]), /--workers must be a positive integer/);
  if (navigator.hardwareConcurrency >= 2) {
    assert.throws(() => parseOptions(["--workers", "2", "-c", "1"]), /at least as many/);
    assert.throws(() => parseOptions(["--workers", "2", "--print"]), /--print needs one worker/);
  }
  assert.equal(opts(["--metrics-port", "9464"]).metricsPort, 9464);
  assert.equal(opts(["--metrics-port", "0"]).metricsHost, "127.0.0.1");
  assert.throws(() => parseOptions(["--metrics-port", "70000"]), /port from 0 to 65535/);
  assert.throws(() => parseOptions(["--metrics-host", "0.0.0.0"]), /needs --metrics-port/);
  assert.equal(opts(["--report", "r.html"]).report, "r.html");
  assert.deepEqual(opts(["--merge", "a.json", "b.json"]).merge, ["a.json", "b.json"]);
  assert.throws(() => parseOptions(["--merge"]), /--merge needs the --json reports/);
  assert.throws(() => parseOptions(["a.json"]), /Unexpected argument "a.json"/);
});
