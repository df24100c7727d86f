/**
 * Configuration of the serve mode: command-line flags (strict `node:util` parseArgs) with
 * environment-variable equivalents, validated into one typed {@link Config}. Precedence: flag,
 * then environment variable, then default.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { TradingConfig } from "./trading/types.ts";
import { INVALID_LABEL } from "./metrics/labels.ts";

/** Log levels, most verbose first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
/** A log level. */
export type LogLevel = typeof LOG_LEVELS[number];

/** The HTTP server's own settings. */
export interface ServerConfig {
  host: string;
  /** 0 picks a free port (printed in the `listening` log line). */
  port: number;
  logLevel: LogLevel;
  /** false turns off every metric update and `/metrics` (answers 404), for the overhead bench. */
  metrics: boolean;
  /** Bearer token required on `/metrics` when set. */
  metricsToken: string | null;
  /** Bearer token of the admin API (run-time faults); null: no admin API. */
  adminToken: string | null;
  /** Largest accepted request body in bytes (413 above). */
  bodyLimitBytes: number;
  /** How long a graceful shutdown waits for in-flight requests, in ms. */
  shutdownTimeoutMs: number;
}

/** The whole validated configuration of the serve mode. */
export interface Config {
  server: ServerConfig;
  trading: TradingConfig;
}

/** A configuration error: the caller prints the message and exits with status 2. */
export class ConfigError extends Error {
  /** Create a configuration error with a message in sentence case. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Defaults of the server part. */
export const SERVER_DEFAULTS: Readonly<ServerConfig> = {
  host: "0.0.0.0",
  port: 8000,
  logLevel: "info",
  metrics: true,
  metricsToken: null,
  adminToken: null,
  bodyLimitBytes: 64 * 1024,
  shutdownTimeoutMs: 10_000,
};

/** The default database file (relative to the working directory). */
export const DEFAULT_DB_PATH = "./data/tradewatch.db";

type Target = { server: ServerConfig; trading: TradingConfig };

interface FlagSpec {
  flag: string;
  env: string;
  /** Value placeholder in --help; absent for boolean flags. */
  arg?: string;
  help: string;
  /** Default as shown in --help. */
  show: (c: Target) => string;
  /** An empty environment variable is an error rather than "not set" (secrets). */
  emptyIsError?: boolean;
  /** Validate a raw value and store it; throws ConfigError with the reason. */
  apply: (c: Target, raw: string) => void;
}

function fail(what: string, raw: string, expected: string): never {
  const shown = raw.length > 40 ? raw.slice(0, 40) + "…" : raw;
  throw new ConfigError(`Invalid ${what} ${JSON.stringify(shown)}: expected ${expected}`);
}

function num(
  what: string,
  raw: string,
  opts: { min?: number; max?: number; int?: boolean; minExclusive?: boolean },
): number {
  const trimmed = raw.trim();
  const n = trimmed === "" ? NaN : Number(trimmed);
  const range = [
    opts.int ? "an integer" : "a number",
    opts.min !== undefined ? (opts.minExclusive ? `> ${opts.min}` : `>= ${opts.min}`) : "",
    opts.max !== undefined ? `<= ${opts.max}` : "",
  ].filter(Boolean).join(" ");
  if (!Number.isFinite(n)) fail(what, raw, range);
  if (opts.int && !Number.isInteger(n)) fail(what, raw, range);
  if (opts.min !== undefined && (opts.minExclusive ? n <= opts.min : n < opts.min)) {
    fail(what, raw, range);
  }
  if (opts.max !== undefined && n > opts.max) fail(what, raw, range);
  return n;
}

function bool(what: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off", ""].includes(v)) return false;
  return fail(what, raw, "true or false");
}

const SYMBOL_RE = /^[A-Z][A-Z0-9.]{0,11}$/;

function symbols(raw: string): string[] {
  const list = raw.split(",").map((s) => s.trim().toUpperCase()).filter((s) => s !== "");
  if (list.length === 0) fail("--symbols", raw, "a comma-separated list of symbols");
  if (list.length > 2000) fail("--symbols", raw, "at most 2000 symbols");
  for (const s of list) {
    if (!SYMBOL_RE.test(s) || s === INVALID_LABEL) {
      fail("symbol", s, "1-12 characters A-Z, 0-9 or '.', starting with a letter");
    }
  }
  if (new Set(list).size !== list.length) fail("--symbols", raw, "no duplicate symbols");
  return list;
}

const FLAGS: readonly FlagSpec[] = [
  {
    flag: "port",
    env: "PORT",
    arg: "N",
    help: "TCP port to listen on (0 picks a free port)",
    show: (c) => String(c.server.port),
    apply: (c, r) => c.server.port = num("--port", r, { min: 0, max: 65535, int: true }),
  },
  {
    flag: "host",
    env: "HOST",
    arg: "ADDR",
    help: "address to listen on",
    show: (c) => c.server.host,
    apply: (c, r) => {
      const v = r.trim();
      if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(v)) fail("--host", r, "a host name or IP address");
      c.server.host = v;
    },
  },
  {
    flag: "db",
    env: "TRADEWATCH_DB",
    arg: "PATH",
    help: "SQLite database file, or :memory:",
    show: (c) => c.trading.dbPath,
    apply: (c, r) => {
      if (r.trim() === "" || r.includes("\0")) fail("--db", r, "a file path or :memory:");
      c.trading.dbPath = r;
    },
  },
  {
    flag: "symbols",
    env: "TRADEWATCH_SYMBOLS",
    arg: "A,B,…",
    help: "the symbol universe",
    show: (c) => c.trading.symbols.join(","),
    apply: (c, r) => c.trading.symbols = symbols(r),
  },
  {
    flag: "venue-latency",
    env: "TRADEWATCH_VENUE_LATENCY",
    arg: "MS",
    help: "median simulated venue latency in ms (log-normal; 0 turns it off)",
    show: (c) => String(c.trading.venueLatencyMs),
    apply: (c, r) => c.trading.venueLatencyMs = num("--venue-latency", r, { min: 0, max: 60_000 }),
  },
  {
    flag: "fail-rate",
    env: "TRADEWATCH_FAIL_RATE",
    arg: "P",
    help: "probability (0..1) that the venue fails an order",
    show: (c) => String(c.trading.failRate),
    apply: (c, r) => c.trading.failRate = num("--fail-rate", r, { min: 0, max: 1 }),
  },
  {
    flag: "max-position",
    env: "TRADEWATCH_MAX_POSITION",
    arg: "QTY",
    help: "risk limit: largest absolute position per symbol, in shares",
    show: (c) => String(c.trading.maxPosition),
    apply: (c, r) =>
      c.trading.maxPosition = num("--max-position", r, { min: 0, minExclusive: true }),
  },
  {
    flag: "max-notional",
    env: "TRADEWATCH_MAX_NOTIONAL",
    arg: "USD",
    help: "risk limit: largest notional of one order, in dollars",
    show: (c) => String(c.trading.maxNotional),
    apply: (c, r) =>
      c.trading.maxNotional = num("--max-notional", r, { min: 0, minExclusive: true }),
  },
  {
    flag: "max-order-qty",
    env: "TRADEWATCH_MAX_ORDER_QTY",
    arg: "QTY",
    help: "largest quantity of one order (larger ones are invalid: 422)",
    show: (c) => String(c.trading.maxOrderQuantity),
    apply: (c, r) =>
      c.trading.maxOrderQuantity = num("--max-order-qty", r, { min: 0, minExclusive: true }),
  },
  {
    flag: "tick-interval",
    env: "TRADEWATCH_TICK_INTERVAL",
    arg: "MS",
    help: "market data tick interval in ms",
    show: (c) => String(c.trading.tickIntervalMs),
    apply: (c, r) =>
      c.trading.tickIntervalMs = num("--tick-interval", r, { min: 1, max: 3_600_000, int: true }),
  },
  {
    flag: "volatility",
    env: "TRADEWATCH_VOLATILITY",
    arg: "SIGMA",
    help: "annualised volatility of the simulated prices",
    show: (c) => String(c.trading.volatility),
    apply: (c, r) => c.trading.volatility = num("--volatility", r, { min: 0, max: 10 }),
  },
  {
    flag: "feed-delay",
    env: "TRADEWATCH_FEED_DELAY",
    arg: "MS",
    help: "median simulated market-data feed delay in ms",
    show: (c) => String(c.trading.feedDelayMs),
    apply: (c, r) => c.trading.feedDelayMs = num("--feed-delay", r, { min: 0, max: 60_000 }),
  },
  {
    flag: "seed",
    env: "TRADEWATCH_SEED",
    arg: "N",
    help: "random seed of the simulation (same seed, same price paths)",
    show: (c) => String(c.trading.seed),
    apply: (c, r) =>
      c.trading.seed = num("--seed", r, { min: 0, max: Number.MAX_SAFE_INTEGER, int: true }),
  },
  {
    flag: "pool-size",
    env: "TRADEWATCH_POOL_SIZE",
    arg: "N",
    help: "database connection pool size",
    show: (c) => String(c.trading.poolSize),
    apply: (c, r) => c.trading.poolSize = num("--pool-size", r, { min: 1, max: 64, int: true }),
  },
  {
    flag: "cache-ttl",
    env: "TRADEWATCH_CACHE_TTL",
    arg: "MS",
    help: "quotes/positions read-cache TTL in ms",
    show: (c) => String(c.trading.cacheTtlMs),
    apply: (c, r) => c.trading.cacheTtlMs = num("--cache-ttl", r, { min: 0, max: 3_600_000 }),
  },
  {
    flag: "var-window",
    env: "TRADEWATCH_VAR_WINDOW",
    arg: "N",
    help: "VaR window: number of simulated returns",
    show: (c) => String(c.trading.varWindow),
    apply: (c, r) =>
      c.trading.varWindow = num("--var-window", r, { min: 2, max: 1_000_000, int: true }),
  },
  {
    flag: "var-interval",
    env: "TRADEWATCH_VAR_INTERVAL",
    arg: "MS",
    help: "VaR recomputation interval in ms",
    show: (c) => String(c.trading.varIntervalMs),
    apply: (c, r) =>
      c.trading.varIntervalMs = num("--var-interval", r, { min: 1, max: 3_600_000, int: true }),
  },
  {
    flag: "stale-after",
    env: "TRADEWATCH_STALE_AFTER",
    arg: "MS",
    help: "market data counts as stale (/ready answers 503) after this many ms without a tick",
    show: (c) => String(c.trading.staleAfterMs),
    apply: (c, r) =>
      c.trading.staleAfterMs = num("--stale-after", r, { min: 1, max: 86_400_000, int: true }),
  },
  {
    flag: "log-level",
    env: "LOG_LEVEL",
    arg: "LEVEL",
    help: `log level: ${LOG_LEVELS.join("|")}`,
    show: (c) => c.server.logLevel,
    apply: (c, r) => {
      const v = r.trim().toLowerCase();
      if (!(LOG_LEVELS as readonly string[]).includes(v)) {
        fail("--log-level", r, LOG_LEVELS.join(", "));
      }
      c.server.logLevel = v as LogLevel;
    },
  },
  {
    flag: "no-metrics",
    env: "TRADEWATCH_NO_METRICS",
    help: "turn off every metric update and /metrics (for the overhead benchmark)",
    show: (c) => String(!c.server.metrics),
    apply: (c, r) => c.server.metrics = !bool("--no-metrics", r),
  },
  {
    flag: "metrics-token",
    env: "METRICS_TOKEN",
    arg: "TOKEN",
    help: "require 'Authorization: Bearer TOKEN' on /metrics",
    show: (c) => (c.server.metricsToken === null ? "none" : "(set)"),
    apply: (c, r) => {
      if (!/^[\x21-\x7e]{8,512}$/.test(r)) {
        throw new ConfigError(
          "Invalid --metrics-token: expected 8 to 512 printable characters without spaces",
        );
      }
      c.server.metricsToken = r;
    },
  },
  {
    flag: "admin-token",
    env: "TRADEWATCH_ADMIN_TOKEN",
    arg: "TOKEN",
    help: "turn on the admin API (run-time faults) behind 'Authorization: Bearer TOKEN'",
    show: (c) => (c.server.adminToken === null ? "none" : "(set)"),
    emptyIsError: true,
    apply: (c, r) => {
      if (!/^[\x21-\x7e]{8,512}$/.test(r)) {
        throw new ConfigError(
          `Invalid --admin-token${r === "" ? " (empty)" : ""}: expected 8 to 512 printable ` +
            "characters without spaces",
        );
      }
      c.server.adminToken = r;
    },
  },
  {
    flag: "body-limit",
    env: "TRADEWATCH_BODY_LIMIT",
    arg: "BYTES",
    help: "largest request body in bytes (413 above)",
    show: (c) => String(c.server.bodyLimitBytes),
    apply: (c, r) =>
      c.server.bodyLimitBytes = num("--body-limit", r, { min: 1, max: 64 << 20, int: true }),
  },
  {
    flag: "shutdown-timeout",
    env: "TRADEWATCH_SHUTDOWN_TIMEOUT",
    arg: "MS",
    help: "how long a graceful shutdown waits for in-flight requests, in ms",
    show: (c) => String(c.server.shutdownTimeoutMs),
    apply: (c, r) =>
      c.server.shutdownTimeoutMs = num("--shutdown-timeout", r, {
        min: 0,
        max: 600_000,
        int: true,
      }),
  },
];

function defaults(tradingDefaults: TradingConfig): Target {
  return {
    server: { ...SERVER_DEFAULTS },
    trading: { ...tradingDefaults, symbols: [...tradingDefaults.symbols], dbPath: DEFAULT_DB_PATH },
  };
}

/** Source of environment variables (injectable for tests). */
export type EnvSource = (name: string) => string | undefined;

/**
 * Parse flags and environment into a validated Config.
 * @throws {ConfigError} on unknown flags, missing values or invalid values.
 */
export function parseConfig(
  args: readonly string[],
  tradingDefaults: TradingConfig,
  env: EnvSource = (name) => Deno.env.get(name),
): Config {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const f of FLAGS) options[f.flag] = { type: f.arg ? "string" : "boolean" };
  options.help = { type: "boolean" };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new ConfigError(describeParseError(e));
  }
  const target = defaults(tradingDefaults);
  for (const f of FLAGS) {
    const fromFlag = values[f.flag];
    if (fromFlag !== undefined) {
      f.apply(target, typeof fromFlag === "boolean" ? String(fromFlag) : fromFlag);
      continue;
    }
    const fromEnv = env(f.env);
    if (fromEnv !== undefined && (fromEnv !== "" || f.emptyIsError)) {
      try {
        f.apply(target, fromEnv);
      } catch (e) {
        if (e instanceof ConfigError) {
          throw new ConfigError(`${e.message} (from the environment variable ${f.env})`);
        }
        throw e;
      }
    }
  }
  return target;
}

function describeParseError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const msg = String(err.message ?? e);
  const opt = msg.match(/'(-{1,2}[^'\s]*)/)?.[1] ?? "";
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `Unknown flag ${opt.slice(0, 60)} (see --help for the list of flags)`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return opt.startsWith("--no-metrics") || opt === "--help"
        ? `Flag ${opt} takes no value`
        : `Flag ${opt.split(" ")[0]} needs a value`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL": {
      const arg = msg.match(/'([^']*)'/)?.[1] ?? "";
      return `Unexpected argument ${
        JSON.stringify(arg.slice(0, 60))
      }: the serve mode takes only flags`;
    }
    default:
      return `Invalid arguments: ${msg.split("\n")[0]}`;
  }
}

/** The serve mode's --help text: every flag with its environment variable and default. */
export function configHelp(tradingDefaults: TradingConfig): string {
  const d = defaults(tradingDefaults);
  const rows = FLAGS.map((f) => [
    `--${f.flag}${f.arg ? ` ${f.arg}` : ""}`,
    f.env,
    f.show(d),
    f.help,
  ]);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const w2 = Math.min(26, Math.max(...rows.map((r) => r[2].length)));
  return [
    "Serve options (flag, environment variable, default, meaning; a flag wins over its variable):",
    ...rows.map(([a, b, c, h]) =>
      `  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c.padEnd(w2)}  ${h}`.trimEnd()
    ),
    "",
    "Boolean variables accept 1/0, true/false, yes/no, on/off.",
  ].join("\n");
}
