/**
 * `--loadgen` command-line options: parsing, defaults (the seed's script: 100 market orders at
 * about 10 per second, one line per order) and validation. Every bad value is an
 * {@link UsageError} (exit 2).
 *
 * @module
 */
import { durationText, type FlagSpec, parseDuration, parseFlags, UsageError } from "../cli/mod.ts";
import { parseRateShape, peakRate, type RateShape, shapeDurationMs } from "./rate_shape.ts";
import type { SchedulerKind } from "./runner.ts";
import { parseMix, SCENARIO_HELP, type ScenarioName } from "./scenarios.ts";
import { parseThreshold, type Threshold } from "./thresholds.ts";

/** The validated options of one run. */
export interface LoadgenOptions {
  target: string;
  model: "open" | "closed";
  /** Open model: the rate shape (constant `--rate` unless `--rate-shape`). */
  shape: RateShape | null;
  /** The `--rate-shape` text, for reports. */
  shapeText: string | null;
  concurrency: number | null;
  durationMs: number | null;
  requests: number | null;
  maxInFlight: number;
  scheduler: SchedulerKind;
  lateThresholdMs: number;
  mix: Map<ScenarioName, number>;
  invalidRatio: number;
  seed: number | null;
  symbols: string[] | null;
  quantityMin: number;
  quantityMax: number;
  /** Order sides to pick from (`--side`). */
  sides: ("BUY" | "SELL")[];
  timeoutMs: number;
  json: string | null;
  thresholds: Threshold[];
  /** One line per request (the seed's output). */
  print: boolean;
  progress: boolean;
  progressIntervalMs: number;
  /** Threads generating load (Deno Workers), 1 = this thread only. */
  workers: number;
  /** `--metrics-port`: serve `/metrics` on this port while the run lasts (0: a free port). */
  metricsPort: number | null;
  metricsHost: string;
  /** `--report FILE.html`. */
  report: string | null;
  /** `--merge FILE...`: combine these `--json` reports instead of running. */
  merge: string[] | null;
}

/** Result of parsing: options to run, or help to print. */
export type Parsed = { help: true } | { help: false; options: LoadgenOptions };

/**
 * Every `--loadgen` flag, in one table (the shared toolkit's {@link FlagSpec}): parsing and the
 * negative-number joining below are derived from it. To add a flag, add a row here, a field to
 * {@link LoadgenOptions} filled in `parseOptions`, and its lines in {@link HELP} (which keeps
 * several lines per flag, grouped, so it is written out rather than generated).
 */
export const FLAGS: readonly FlagSpec[] = [
  { name: "target", short: "t", value: "URL", help: "service to load" },
  { name: "rate", short: "r", value: "N", help: "open model: N requests per second" },
  { name: "rate-shape", value: "SPEC", help: "open model with a varying rate" },
  { name: "concurrency", short: "c", value: "N", help: "closed model: N connections" },
  { name: "duration", short: "d", value: "D", help: "run for D" },
  { name: "requests", short: "n", value: "N", help: "stop after N requests" },
  { name: "max-in-flight", value: "N", help: "open model: requests in flight at most" },
  { name: "scheduler", value: "KIND", help: "open model: spin or timer" },
  { name: "late-threshold", value: "D", help: "a send later than D counts as late" },
  { name: "mix", short: "m", value: "SPEC", help: "weighted scenarios" },
  { name: "invalid-ratio", value: "R", help: "share of orders invalid on purpose" },
  { name: "seed", value: "N", help: "reproducible sequence of requests" },
  { name: "symbols", value: "A,B,...", help: "symbol universe" },
  { name: "quantity", value: "MIN-MAX", help: "order quantities" },
  { name: "side", value: "SIDE", help: "BUY, SELL or random" },
  { name: "timeout", value: "D", help: "a request without an answer after D fails" },
  { name: "json", value: "FILE", help: "the whole report as JSON" },
  { name: "threshold", value: "EXPR", multiple: true, help: "fail the run unless EXPR holds" },
  { name: "print", help: "one line per request" },
  { name: "no-print", help: "no line per request" },
  { name: "progress", help: "live progress on stderr" },
  { name: "no-progress", help: "no live progress" },
  { name: "progress-interval", value: "D", help: "progress period" },
  { name: "workers", value: "N", help: "load-generating threads" },
  { name: "metrics-port", value: "N", help: "serve /metrics while the run lasts" },
  { name: "metrics-host", value: "H", help: "address for --metrics-port" },
  { name: "report", value: "FILE.html", help: "a self-contained HTML report" },
  { name: "merge", help: "combine --json reports (the positional arguments)" },
  { name: "help", short: "h", help: "this help" },
];

/** What one process can drive: beyond, an option is an error (exit 2), not an out-of-memory. */
export const LIMITS = {
  /** Open connections at once (`--concurrency`, `--max-in-flight`): file descriptors. */
  connections: 10_000,
  /**
   * Requests per second (`--rate`, a rate shape's peak). Measured here, one loadgen thread
   * sends about 10,000/s on schedule and answers ~100,000/s in the closed loop.
   */
  rate: 100_000,
  /** `--requests`: the per-request bookkeeping stays exact to here. */
  requests: 1e12,
  /** Threads (`--workers`): beyond the cores, more threads only share them. */
  workers: Math.max(1, navigator.hardwareConcurrency),
  /** Durations (`--duration`, `--timeout`, ...): 7 days (timers overflow past 24.8 days). */
  durationMs: 7 * 86_400_000,
} as const;

/** Defaults of the duration flags, in ms (parsed and shown in {@link HELP}). */
const DURATION_DEFAULTS = {
  lateThreshold: 1,
  timeout: 10_000,
  progressInterval: 1000,
} as const;

/** The `--loadgen --help` text. */
export const HELP = `tradewatch --loadgen: generate load against a running tradewatch

Usage: tradewatch --loadgen [options]

With no options it does what the seed's script does: 100 market orders (random symbol from the
target's universe, random side, quantity 1-100) at about 10 per second, one line per order.

Target and model
  -t, --target URL          service to load (default http://localhost:8000)
  -r, --rate N              open model: N requests per second, constant arrival rate;
                            latency counts from each request's intended send time
      --rate-shape SPEC     open model with a varying rate:
                              sine:period=60s,min=50,max=500
                              burst:every=30s,for=5s,rate=2000   (base rate: --rate)
                              ramp:from=10,to=2000,over=5m       (then 2000/s)
                              stages:30s@100,1m@1000,30s@0       (each stage ramps from the
                                previous rate, from 0; the run lasts the stages unless -d/-n)
  -c, --concurrency N       closed model: N connections, each waits for its answer
  -d, --duration D          run for D (30s, 2m, 1m30s, 500ms)
  -n, --requests N          stop after N requests (default 100 when no --duration)
      --max-in-flight N     open model: at most N requests in flight (default 512); due
                            requests wait for a free connection, and are dropped (counted)
                            after --timeout or when still waiting 1 s after --duration
      --scheduler KIND      open model: spin (default: exact, uses a core at high rates) or
                            timer (cheap, sends up to ~2 ms late); lateness is reported
      --late-threshold D    a send later than D after its intended time counts as late (${
  durationText(DURATION_DEFAULTS.lateThreshold)
})
      --timeout D           a request without an answer after D fails (default ${
  durationText(DURATION_DEFAULTS.timeout)
})
      --workers N           N threads generating load (default 1, at most the cores), each
                            with its share of the rate, connections and requests; their HDR
                            histograms are merged exactly

What to send
  -m, --mix SPEC            weighted scenarios, e.g. orders=70,quotes=20,positions=10
                            (default orders=1); scenarios:
${
  Object.entries(SCENARIO_HELP).map(([k, v]) => `                              ${k.padEnd(10)}${v}`)
    .join("\n")
}
      --invalid-ratio R     share (0..1) of orders malformed or rejected on purpose
      --seed N              make the sequence of requests reproducible
      --symbols A,B,...     symbol universe (default: the target's GET /quotes)
      --quantity MIN-MAX    order quantities (default 1-100)
      --side SIDE           BUY, SELL or random (default random): one-sided orders build a
                            large position (e.g. to make LargePositionLoss fire)

Output
      --print, --no-print   one line per request, as the seed's script ("Order 7: MSFT SELL 42
                            - 201"); on by default when no rate, concurrency or duration is given
      --progress, --no-progress
                            live progress on stderr (one rewritten line on a TTY, plain lines
                            otherwise); on by default unless --print
      --progress-interval D progress period (default ${
  durationText(DURATION_DEFAULTS.progressInterval)
})
      --json FILE           write the whole report as JSON (- for stdout, replacing the summary)
      --threshold EXPR      fail the run (exit 99) unless EXPR holds; repeatable. EXPR is
                            METRIC OP VALUE with METRIC one of pNN (p50, p99, p99.9), max,
                            min, mean (durations: 250ms, 1s), errors (failures only: 5xx,
                            other unexpected 4xx, transport errors, time-outs), rejected (422
                            at a risk limit, 4xx to invalid-on-purpose requests), dropped,
                            late (a count or a percentage: 1%), rps (answers per second); OP
                            one of < <= > >=
      --report FILE.html    write a self-contained HTML report (charts work offline)
      --metrics-port N      serve Prometheus metrics on http://127.0.0.1:N/metrics while the
                            run lasts (loadgen_requests_total, loadgen_request_duration_seconds,
                            loadgen_dropped_total, loadgen_late_total, loadgen_target_rate)
      --metrics-host H      address for --metrics-port (default 127.0.0.1; 0.0.0.0 in a container)
      --merge A.json B.json ...
                            combine --json reports (e.g. of loadgens on several machines) into
                            one, with exact percentiles; prints the summary, and takes --json,
                            --report and --threshold
  -h, --help                this help
      --game-day ALERT|all  make alerts fire and resolve instead (its own options:
                            tradewatch --loadgen --game-day all --help)

Limits of one process (beyond: exit 2): ${LIMITS.connections} connections (--concurrency,
--max-in-flight), ${LIMITS.rate} requests/s (--rate, a rate shape's peak), durations of 7 days.
A duration run stops at its end: answers still awaited 2 s later are abandoned (not counted).

Exit status: 0 done, 99 a threshold was violated, 2 bad options, unreachable target or a
report that cannot be written, 130 interrupted (the first Ctrl-C stops within a second and
prints the partial summary).

Examples
  tradewatch --loadgen                                   # the seed's 100 orders
  tradewatch --loadgen -r 200 -d 5m -m orders=70,quotes=20,risk=10 --invalid-ratio 0.05
  tradewatch --loadgen -r 1000 -d 30s --threshold 'p99<250ms' --threshold 'errors<1%'
  tradewatch --loadgen -c 50 -d 10s -m health --json report.json
  tradewatch --loadgen --rate-shape sine:period=2m,min=20,max=400 -d 30m`;

/**
 * `v` as a number that `ok` accepts; null when the flag is absent.
 * @throws {UsageError} `${flag} must be ${what}, got "v"` (blank text is never a number)
 */
function checkedNumber(
  v: string | undefined,
  flag: string,
  ok: (n: number) => boolean,
  what: string,
): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  if (v.trim() === "" || !ok(n)) throw new UsageError(`${flag} must be ${what}, got "${v}"`, flag);
  return n;
}

function positiveNumber(
  v: string | undefined,
  flag: string,
  integer: boolean,
  max: number,
  why: string,
): number | null {
  const n = checkedNumber(
    v,
    flag,
    (n) => Number.isFinite(n) && n > 0 && (!integer || Number.isInteger(n)),
    `a positive ${integer ? "integer" : "number"}`,
  );
  if (n !== null && n > max) throw new UsageError(`${flag} ${v} is beyond ${why}`, flag);
  return n;
}

function duration(v: string | undefined, flag: string): number | null {
  if (v === undefined) return null;
  const ms = parseDuration(v);
  if (ms === null) {
    throw new UsageError(`${flag} is not a duration: "${v}" (e.g. 30s, 500ms, 2m)`, flag);
  }
  if (ms <= 0) throw new UsageError(`${flag} must be positive, got "${v}"`, flag);
  if (ms > LIMITS.durationMs) throw new UsageError(`${flag} ${v} is longer than 7 days`, flag);
  return ms;
}

const CONNECTIONS_WHY = `what one process can hold open (at most ${LIMITS.connections})`;
const RATE_WHY = `what one process can send (at most ${LIMITS.rate}/s; ` +
  `load from several machines and combine their reports with --merge)`;

/** Parse and validate `--loadgen` arguments. */
export function parseOptions(args: string[]): Parsed {
  // "--rate -5" would read as a missing value followed by a flag "-5": join negative numbers
  // to their option, so that the range check can say what is wrong.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const flag = FLAGS.find((f) =>
      args[i] === `--${f.name}` || (f.short !== undefined && args[i] === `-${f.short}`)
    );
    if (flag?.value !== undefined && /^-\d/.test(args[i + 1] ?? "")) {
      joined.push(`--${flag.name}=${args[i + 1]}`);
      i++;
    } else {
      joined.push(args[i]);
    }
  }
  const { values, positionals } = parseFlags(joined, FLAGS, {
    positionals: true,
    positionalsName: "report files (with --merge)",
  });
  const str = (name: string) => values.get(name) as string | undefined;
  const list = (name: string) => (values.get(name) ?? []) as string[];
  /** `--x` true, `--no-x` false (the last one given wins), absent undefined. */
  const bool = (name: string) => {
    const i = joined.findLastIndex((a) => a === `--${name}` || a === `--no-${name}`);
    return i < 0 ? (values.has(name) ? true : undefined) : joined[i] === `--${name}`;
  };
  if (bool("help")) return { help: true };
  const merge = bool("merge") ? positionals : null;
  if (merge === null && positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${positionals[0]}"`);
  }
  if (merge !== null && merge.length === 0) {
    throw new UsageError(
      "--merge needs the --json reports to combine: --merge a.json b.json",
      "--merge",
    );
  }

  const rate = positiveNumber(str("rate"), "--rate", false, LIMITS.rate, RATE_WHY);
  const concurrency = positiveNumber(
    str("concurrency"),
    "--concurrency",
    true,
    LIMITS.connections,
    CONNECTIONS_WHY,
  );
  const durationMs = duration(str("duration"), "--duration");
  const requests = positiveNumber(
    str("requests"),
    "--requests",
    true,
    LIMITS.requests,
    `${LIMITS.requests}`,
  );
  const shapeText = str("rate-shape") ?? null;
  if (concurrency !== null && (rate !== null || shapeText !== null)) {
    throw new UsageError(
      "Choose --rate/--rate-shape (open model) or --concurrency (closed model), not both",
      "--concurrency",
    );
  }
  const model = concurrency !== null ? "closed" : "open";
  const seedLike = rate === null && shapeText === null && concurrency === null &&
    durationMs === null;
  let shape: RateShape | null = null;
  if (model === "open") {
    shape = shapeText !== null
      ? parseRateShape(shapeText, rate ?? undefined)
      : { kind: "constant", rate: rate ?? 10 };
    if (peakRate(shape) > LIMITS.rate) {
      throw new UsageError(`--rate-shape peaks at ${peakRate(shape)}/s, beyond ${RATE_WHY}`);
    }
  }
  // A staged profile lasts as long as its stages unless --duration or --requests says otherwise.
  const ownDuration = shape === null ? null : shapeDurationMs(shape);
  const runMs = durationMs ?? (requests === null ? ownDuration : null);

  let workers = positiveNumber(
    str("workers"),
    "--workers",
    true,
    Number.MAX_SAFE_INTEGER,
    "",
  ) ?? 1;
  if (workers > LIMITS.workers) {
    console.error(
      `tradewatch --loadgen: warning: --workers ${workers} capped to ${LIMITS.workers}, ` +
        "the machine's cores (more threads only share them)",
    );
    workers = LIMITS.workers;
  }
  if (concurrency !== null && workers > concurrency) {
    throw new UsageError(
      `--workers ${workers} needs at least as many connections (--concurrency ${concurrency})`,
      "--workers",
    );
  }
  if (workers > 1 && bool("print")) {
    throw new UsageError(
      "--print needs one worker (lines of several threads interleave)",
      "--print",
    );
  }
  const metricsPort = checkedNumber(
    str("metrics-port"),
    "--metrics-port",
    (n) => Number.isInteger(n) && n >= 0 && n <= 65535,
    "a port from 0 to 65535",
  );
  const metricsHost = str("metrics-host") ?? "127.0.0.1";
  if (str("metrics-host") !== undefined && metricsPort === null) {
    throw new UsageError("--metrics-host needs --metrics-port", "--metrics-host");
  }

  const maxInFlight = positiveNumber(
    str("max-in-flight"),
    "--max-in-flight",
    true,
    LIMITS.connections,
    CONNECTIONS_WHY,
  ) ?? 512;
  const scheduler = (str("scheduler") ?? "spin") as SchedulerKind;
  if (scheduler !== "spin" && scheduler !== "timer") {
    throw new UsageError(`--scheduler must be spin or timer, got "${scheduler}"`, "--scheduler");
  }
  const lateThresholdMs = duration(str("late-threshold"), "--late-threshold") ??
    DURATION_DEFAULTS.lateThreshold;
  const timeoutMs = duration(str("timeout"), "--timeout") ?? DURATION_DEFAULTS.timeout;
  const progressIntervalMs = duration(str("progress-interval"), "--progress-interval") ??
    DURATION_DEFAULTS.progressInterval;

  const mix = parseMix(str("mix") ?? "orders=1");
  const invalidRatio = checkedNumber(
    str("invalid-ratio"),
    "--invalid-ratio",
    (n) => Number.isFinite(n) && n >= 0 && n <= 1,
    "between 0 and 1",
  ) ?? 0;
  const seed = checkedNumber(
    str("seed"),
    "--seed",
    (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff,
    "an integer from 0 to 4294967295",
  );
  let symbols: string[] | null = null;
  const symbolsText = str("symbols");
  if (symbolsText !== undefined) {
    symbols = symbolsText.split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (symbols.length === 0) {
      throw new UsageError("--symbols needs at least one symbol", "--symbols");
    }
  }
  let quantityMin = 1;
  let quantityMax = 100;
  const quantityText = str("quantity");
  if (quantityText !== undefined) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(quantityText);
    if (!m) {
      throw new UsageError(`--quantity must be N or MIN-MAX, got "${quantityText}"`, "--quantity");
    }
    quantityMin = Number(m[1]);
    quantityMax = Number(m[2] ?? m[1]);
    if (quantityMin < 1 || quantityMax < quantityMin || !Number.isSafeInteger(quantityMax)) {
      throw new UsageError(
        `--quantity must be a range of positive integers, got "${quantityText}"`,
        "--quantity",
      );
    }
  }
  const sideText = (str("side") ?? "random").trim().toUpperCase();
  if (!["BUY", "SELL", "RANDOM"].includes(sideText)) {
    throw new UsageError(`--side must be BUY, SELL or random, got "${str("side")}"`, "--side");
  }
  const sides: ("BUY" | "SELL")[] = sideText === "RANDOM"
    ? ["BUY", "SELL"]
    : [sideText as "BUY" | "SELL"];
  const thresholds = list("threshold").map(parseThreshold);
  const print = bool("print") ?? (seedLike && workers === 1);
  return {
    help: false,
    options: {
      target: str("target") ?? "http://localhost:8000",
      model,
      shape,
      shapeText,
      concurrency,
      durationMs: runMs,
      requests: requests ?? (runMs === null ? 100 : null),
      maxInFlight,
      scheduler,
      lateThresholdMs,
      mix,
      invalidRatio,
      seed,
      symbols,
      quantityMin,
      quantityMax,
      sides,
      timeoutMs,
      json: str("json") ?? null,
      thresholds,
      print,
      progress: bool("progress") ?? !print,
      progressIntervalMs,
      workers,
      metricsPort,
      metricsHost,
      report: str("report") ?? null,
      merge,
    },
  };
}
