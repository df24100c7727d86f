/**
 * The game-day table (configs/alert_faults.ts) against the rules and the admin API's schema, and
 * the pure parts of the driver: scheduling, windows, limits, options.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { ALERT_FAULTS } from "../../configs/alert_faults.ts";
import { formatTimeline, parseGameDayOptions } from "../../src/gameday/mod.ts";
import { derivedLimitMs, substitute } from "../../src/gameday/driver.ts";
import { longestWindowMs, type RuleSet } from "../../src/gameday/observe.ts";
import { type GameDayTable, schedule } from "../../src/gameday/plan.ts";
import { faultsSchema, parseFaultsRequest } from "../../src/faults/spec.ts";
import { parseOptions } from "../../src/loadgen/options.ts";
import { UsageError } from "../../src/cli/mod.ts";
import { DEFAULT_SYMBOLS } from "../../src/metrics/labels.ts";
import { CONFIGS } from "../configs/tools.ts";
import type { RuleFile } from "../configs/rules.ts";

const rules = parse(await Deno.readTextFile(`${CONFIGS}alert_rules.yml`)) as RuleFile;
const alerts = rules.groups.flatMap((g) => g.rules).flatMap((r) => (r.alert ? [r.alert] : []));

Deno.test("every alert of alert_rules.yml has exactly one game-day entry, and no entry more", () => {
  const missing = alerts.filter((a) => !(a in ALERT_FAULTS));
  const extra = Object.keys(ALERT_FAULTS).filter((a) => !alerts.includes(a));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
});

Deno.test("every entry's faults pass the admin API's schema and its traffic the loadgen's", () => {
  const schema = faultsSchema(DEFAULT_SYMBOLS, 4);
  for (const [alert, plan] of Object.entries(ALERT_FAULTS)) {
    const symbol = DEFAULT_SYMBOLS[(plan.symbol ?? 0) % DEFAULT_SYMBOLS.length];
    const faults = substitute(plan.faults, symbol);
    if (Object.keys(faults).length) parseFaultsRequest(schema, faults);
    for (const traffic of [plan.traffic, plan.recoveryTraffic]) {
      if (traffic) assert.equal(parseOptions(substitute(traffic, symbol)).help, false, alert);
    }
    assert.ok(!JSON.stringify(faults).includes("$symbol"), alert);
  }
});

Deno.test("--game-day all: lanes side by side never share a fault; alone entries run by themselves", () => {
  const phases = schedule(ALERT_FAULTS, Object.keys(ALERT_FAULTS));
  assert.deepEqual(phases.slice(1), [[["TradingAPIDown"]], [["DBPoolExhausted"]]]);
  assert.deepEqual(phases.flat(2).sort(), Object.keys(ALERT_FAULTS).sort());
  const clash: GameDayTable = {
    A: { summary: "", faults: { cache: { mode: "bypass" } }, lane: "one" },
    B: { summary: "", faults: { cache: { mode: "outage" } }, lane: "two" },
  };
  assert.throws(() => schedule(clash, ["A", "B"]), /Lanes one and two both use the cache fault/);
  assert.deepEqual(schedule({ ...clash, B: { ...clash.B, lane: "one" } }, ["A", "B"]), [
    [["A", "B"]],
  ]);
});

Deno.test("longest range window and the derived time limit", () => {
  const cases: [string, number][] = [
    ["up == 0", 0],
    ["rate(x[5m]) / rate(y[1m])", 300_000],
    ["changes(x[1m30s]) == 0", 90_000],
    ["max_over_time(rate(x[5m])[1h:1m])", 3_600_000],
    ["avg_over_time(x[2d])", 172_800_000],
  ];
  for (const [q, ms] of cases) assert.equal(longestWindowMs(q), ms, q);
  const set: RuleSet = {
    alerts: new Map([["A", { name: "A", query: "", duration: 300, alerts: [] }]]),
    maxWindowMs: 300_000,
    intervalMs: 15_000,
  };
  const plan = { summary: "", faults: {}, lane: "x" };
  assert.equal(derivedLimitMs(set, "A", plan), 300_000 + 600_000 + 90_000 + 30_000);
  assert.equal(derivedLimitMs(set, "A", { ...plan, pulseMs: 2000 }), 1_022_000);
});

Deno.test("--game-day options: alert names, URLs, token from the environment, time limit", () => {
  const env = (vars: Record<string, string>) => (n: string) => vars[n];
  const o = parseGameDayOptions(
    ["--game-day", "all"],
    ALERT_FAULTS,
    env({ TRADEWATCH_ADMIN_TOKEN: "t0ken-123" }),
  )!;
  assert.deepEqual(o.alerts, Object.keys(ALERT_FAULTS).filter((a) => !ALERT_FAULTS[a].skip));
  const table: GameDayTable = {
    A: { summary: "", faults: {}, lane: "x" },
    B: { summary: "", faults: {}, lane: "x", skip: "needs PostgreSQL replicas" },
  };
  const some = parseGameDayOptions(["--game-day", "all"], table, env({}))!;
  assert.deepEqual([some.alerts, some.skipped], [["A"], [{
    alert: "B",
    reason: "needs PostgreSQL replicas",
  }]]);
  assert.deepEqual(parseGameDayOptions(["--game-day", "B"], table, env({}))!.alerts, ["B"]);
  assert.equal(o.adminToken, "t0ken-123");
  assert.equal(o.prometheusUrl, "http://localhost:9090");
  assert.equal(o.alertmanagerUrl, null);
  const one = parseGameDayOptions(
    ["--game-day", "CacheHitRateLow", "--time-limit", "90s", "--prometheus-url", "http://p:9090/"],
    ALERT_FAULTS,
    env({}),
  )!;
  assert.deepEqual([one.alerts, one.timeLimitMs, one.prometheusUrl, one.adminToken], [
    ["CacheHitRateLow"],
    90_000,
    "http://p:9090",
    null,
  ]);
  const bad: [string[], RegExp][] = [
    [["--game-day", "NoSuchAlert"], /must be one of HighAPILatency/],
    [["--game-day", "all", "--time-limit", "soon"], /--time-limit/],
    [["--game-day", "all", "--prometheus-url", "ftp://x"], /--prometheus-url must be/],
    [["--game-day", "all", "--admin-token", ""], /--admin-token is empty/],
    [["--game-day", "all", "--rate", "5"], /--game-day takes only/],
  ];
  for (const [args, message] of bad) {
    assert.throws(
      () => parseGameDayOptions(args, ALERT_FAULTS, env({})),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
      args.join(" "),
    );
  }
  assert.equal(parseGameDayOptions(["--game-day", "all", "--help"], ALERT_FAULTS, env({})), null);
});

Deno.test("the timeline as text", () => {
  const text = formatTimeline({
    alert: "A",
    summary: "what breaks",
    steps: [
      { step: "fault set", atMs: 0, detail: "cache={}" },
      { step: "firing", atMs: 12_345, detail: "value 0" },
    ],
    ok: true,
    error: null,
    limitMs: 60_000,
    timeToFireMs: 12_345,
    timeToResolveMs: 2_000,
  });
  assert.equal(
    text,
    [
      "game day A: what breaks",
      "  +   0.0s  fault set  cache={}",
      "  +  12.3s  firing     value 0",
      "  ok: every step within 1m00s; fired in 12.35s, resolved 2.00s after the clear",
    ].join("\n"),
  );
});
