/**
 * `--loadgen` command-line options: parsing, defaults (the seed's script: 100 market orders at
 * about 10 per second, one line per order) and validation. Every bad value is an
 * {@link OptionError} (exit 2).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { parseDuration } from "../duration.ts";
import { OptionError } from "./option_error.ts";
import { parseRateShape, type RateShape } from "./rate_shape.ts";
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
}

/** Result of parsing: options to run, or help to print. */
export type Parsed = { help: true } | { help: false; options: LoadgenOptions };

const SPEC = {
  target: { type: "string", short: "t" },
  rate: { type: "string", short: "r" },
  "rate-shape": { type: "string" },
  concurrency: { type: "string", short: "c" },
  duration: { type: "string", short: "d" },
  requests: { type: "string", short: "n" },
  "max-in-flight": { type: "string" },
  scheduler: { type: "string" },
  "late-threshold": { type: "string" },
  mix: { type: "string", short: "m" },
  "invalid-ratio": { type: "string" },
  seed: { type: "string" },
  symbols: { type: "string" },
  quantity: { type: "string" },
  side: { type: "string" },
  timeout: { type: "string" },
  json: { type: "string" },
  threshold: { type: "string", multiple: true },
  print: { type: "boolean" },
  progress: { type: "boolean" },
  "progress-interval": { type: "string" },
  help: { type: "boolean", short: "h" },
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
  -c, --concurrency N       closed model: N connections, each waits for its answer
  -d, --duration D          run for D (30s, 2m, 1m30s, 500ms)
  -n, --requests N          stop after N requests (default 100 when no --duration)
      --max-in-flight N     open model: at most N requests in flight (default 512); due
                            requests wait for a free connection, and are dropped (counted)
                            after --timeout or when still waiting 1 s after --duration
      --scheduler KIND      open model: spin (default: exact, uses a core at high rates) or
                            timer (cheap, sends up to ~2 ms late); lateness is reported
      --late-threshold D    a send later than D after its intended time counts as late (1ms)
      --timeout D           a request without an answer after D fails (default 10s)

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
      --progress-interval D progress period (default 1s)
      --json FILE           write the whole report as JSON (- for stdout, replacing the summary)
      --threshold EXPR      fail the run (exit 99) unless EXPR holds; repeatable. EXPR is
                            METRIC OP VALUE with METRIC one of pNN (p50, p99, p99.9), max,
                            min, mean (durations: 250ms, 1s), errors, dropped, late (a count
                            or a percentage: 1%), rps (answers per second); OP one of < <= > >=
  -h, --help                this help
      --game-day ALERT|all  make alerts fire and resolve instead (its own options:
                            tradewatch --loadgen --game-day all --help)

Exit status: 0 done, 99 a threshold was violated, 2 bad options or unreachable target,
130 interrupted (Ctrl-C prints the partial summary).

Examples
  tradewatch --loadgen                                   # the seed's 100 orders
  tradewatch --loadgen -r 200 -d 5m -m orders=70,quotes=20,risk=10 --invalid-ratio 0.05
  tradewatch --loadgen -r 1000 -d 30s --threshold 'p99<250ms' --threshold 'errors<1%'
  tradewatch --loadgen -c 50 -d 10s -m health --json report.json
  tradewatch --loadgen --rate-shape sine:period=2m,min=20,max=400 -d 30m`;

function positiveNumber(v: string | undefined, flag: string, integer: boolean): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new OptionError(
      `${flag} must be a positive ${integer ? "integer" : "number"}, got "${v}"`,
      flag,
    );
  }
  return n;
}

function duration(v: string | undefined, flag: string): number | null {
  if (v === undefined) return null;
  const ms = parseDuration(v);
  if (ms === null) {
    throw new OptionError(`${flag} is not a duration: "${v}" (e.g. 30s, 500ms, 2m)`, flag);
  }
  if (ms <= 0) throw new OptionError(`${flag} must be positive, got "${v}"`, flag);
  return ms;
}

/** Parse and validate `--loadgen` arguments. */
export function parseOptions(args: string[]): Parsed {
  // "--rate -5" would read as a missing value followed by a flag "-5": join negative numbers
  // to their option, so that the range check can say what is wrong.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const entry = Object.entries(SPEC).find(([name, s]) =>
      args[i] === `--${name}` || ("short" in s && args[i] === `-${s.short}`)
    );
    if (entry?.[1].type === "string" && /^-\d/.test(args[i + 1] ?? "")) {
      joined.push(`--${entry[0]}=${args[i + 1]}`);
      i++;
    } else {
      joined.push(args[i]);
    }
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: joined,
      options: SPEC,
      allowPositionals: false,
      allowNegative: true,
    }));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new OptionError(msg.replace(/\. To specify.*$/s, "").replace(/\.$/, ""));
  }
  if (values.help) return { help: true };

  const rate = positiveNumber(values.rate, "--rate", false);
  const concurrency = positiveNumber(values.concurrency, "--concurrency", true);
  const durationMs = duration(values.duration, "--duration");
  const requests = positiveNumber(values.requests, "--requests", true);
  const shapeText = values["rate-shape"] ?? null;
  if (concurrency !== null && (rate !== null || shapeText !== null)) {
    throw new OptionError(
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
  }

  const maxInFlight = positiveNumber(values["max-in-flight"], "--max-in-flight", true) ?? 512;
  const scheduler = (values.scheduler ?? "spin") as SchedulerKind;
  if (scheduler !== "spin" && scheduler !== "timer") {
    throw new OptionError(
      `--scheduler must be spin or timer, got "${values.scheduler}"`,
      "--scheduler",
    );
  }
  const lateThresholdMs = duration(values["late-threshold"], "--late-threshold") ?? 1;
  const timeoutMs = duration(values.timeout, "--timeout") ?? 10_000;
  const progressIntervalMs = duration(values["progress-interval"], "--progress-interval") ?? 1000;

  const mix = parseMix(values.mix ?? "orders=1");
  let invalidRatio = 0;
  if (values["invalid-ratio"] !== undefined) {
    const v = values["invalid-ratio"];
    invalidRatio = Number(v);
    if (v.trim() === "" || !Number.isFinite(invalidRatio) || invalidRatio < 0 || invalidRatio > 1) {
      throw new OptionError(
        `--invalid-ratio must be between 0 and 1, got "${v}"`,
        "--invalid-ratio",
      );
    }
  }
  let seed: number | null = null;
  if (values.seed !== undefined) {
    seed = Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new OptionError(
        `--seed must be an integer from 0 to 4294967295, got "${values.seed}"`,
        "--seed",
      );
    }
  }
  let symbols: string[] | null = null;
  if (values.symbols !== undefined) {
    symbols = values.symbols.split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (symbols.length === 0) {
      throw new OptionError("--symbols needs at least one symbol", "--symbols");
    }
  }
  let quantityMin = 1;
  let quantityMax = 100;
  if (values.quantity !== undefined) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(values.quantity);
    if (!m) {
      throw new OptionError(
        `--quantity must be N or MIN-MAX, got "${values.quantity}"`,
        "--quantity",
      );
    }
    quantityMin = Number(m[1]);
    quantityMax = Number(m[2] ?? m[1]);
    if (quantityMin < 1 || quantityMax < quantityMin) {
      throw new OptionError(
        `--quantity must be a range of positive integers, got "${values.quantity}"`,
        "--quantity",
      );
    }
  }
  const sideText = (values.side ?? "random").trim().toUpperCase();
  if (!["BUY", "SELL", "RANDOM"].includes(sideText)) {
    throw new OptionError(`--side must be BUY, SELL or random, got "${values.side}"`, "--side");
  }
  const sides: ("BUY" | "SELL")[] = sideText === "RANDOM"
    ? ["BUY", "SELL"]
    : [sideText as "BUY" | "SELL"];
  const thresholds = (values.threshold ?? []).map(parseThreshold);
  const print = values.print ?? seedLike;
  return {
    help: false,
    options: {
      target: values.target ?? "http://localhost:8000",
      model,
      shape,
      shapeText,
      concurrency,
      durationMs,
      requests: requests ?? (durationMs === null ? 100 : null),
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
      json: values.json ?? null,
      thresholds,
      print,
      progress: values.progress ?? !print,
      progressIntervalMs,
    },
  };
}
