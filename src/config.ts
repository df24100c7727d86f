/**
 * Configuration of the serve mode: one zod schema ({@link configSchema}: the server part here,
 * the engine part `tradingConfigSchema` from `src/trading/config.ts`) holds every key, range
 * and default. The command line and the environment only map flags and variables onto keys
 * ({@link SERVE_FLAGS}); precedence: flag, then environment variable, then default.
 *
 * @module
 */
import { z } from "zod";
import {
  durationText,
  type EnvSource,
  flagHelp,
  type FlagSpec,
  parseFlags,
  processEnv,
  quote,
  readEnv,
  toBool,
  toDurationMs,
  toNumber,
  UsageError,
} from "./cli/mod.ts";
import { INVALID_LABEL } from "./metrics/labels.ts";
import { describeRange, inRange, type Range } from "./range.ts";
import { DEFAULT_DB_PATH, symbolsSchema, tradingConfigSchema } from "./trading/config.ts";
import type { TradingConfig } from "./trading/types.ts";

export { DEFAULT_DB_PATH, type EnvSource };

/** Log levels, most verbose first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
/** A log level. */
export type LogLevel = typeof LOG_LEVELS[number];

/** The HTTP server's own settings. */
export interface ServerConfig {
  /** Address to listen on: loopback by default; the container image sets HOST=0.0.0.0. */
  host: string;
  /** 0 picks a free port (printed in the `listening` log line). */
  port: number;
  logLevel: LogLevel;
  /** false turns off every metric update and `/metrics` (answers 404), for the overhead bench. */
  metrics: boolean;
  /** Bearer token of Prometheus: accepted on `/metrics` (and on the read API without apiToken). */
  metricsToken: string | null;
  /** Bearer token of the read API (positions, risk, orders) and of `/metrics`, when set. */
  apiToken: string | null;
  /** How long a request body may take to arrive, in ms (408 after). */
  bodyTimeoutMs: number;
  /** Idle keep-alive deadline in ms (0: none; with headerTimeoutMs, turns on `front.ts`). */
  idleTimeoutMs: number;
  /** Request-head deadline in ms (0: none). */
  headerTimeoutMs: number;
  /** Bearer token of the admin API (run-time faults); null: no admin API. */
  adminToken: string | null;
  /** Exemplars (trace_id, order_id) on the latency histograms and order_count_total. */
  exemplars: boolean;
  /** Native buckets on the two latency histograms (protobuf exposition). */
  nativeHistograms: boolean;
  /** Largest growth factor between neighbouring native buckets (picks the schema; > 1). */
  nativeHistogramBucketFactor: number;
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

const SERVER_RANGES = {
  port: { min: 0, max: 65535, int: true },
  bodyLimitBytes: { min: 1, max: 64 << 20, int: true },
  shutdownTimeoutMs: { min: 0, max: 600_000, int: true },
  bodyTimeoutMs: { min: 1, max: 600_000, int: true },
  connectionTimeoutMs: { min: 0, max: 600_000, int: true },
  nativeHistogramBucketFactor: { gt: 1, max: 65536 },
} as const satisfies Record<string, Range>;

function numberIn(r: Range): z.ZodType<number> {
  return z.custom<number>((v) => inRange(v, r), { error: describeRange(r) });
}

/** A bearer token: printable, no spaces, 8 to 512 characters; null (the default) is none. */
const tokenSchema = z.string().regex(/^[\x21-\x7e]{8,512}$/, {
  error: "8 to 512 printable characters without spaces",
}).nullable().default(null);

/** The server part: every key, its range and its default. */
export const serverConfigSchema = z.object({
  host: z.string().regex(/^[A-Za-z0-9.:[\]-]{1,253}$/, { error: "a host name or IP address" })
    .default("127.0.0.1"),
  port: numberIn(SERVER_RANGES.port).default(8000),
  logLevel: z.enum(LOG_LEVELS, { error: LOG_LEVELS.join(", ") }).default("info"),
  metrics: z.boolean({ error: "true or false" }).default(true),
  metricsToken: tokenSchema,
  apiToken: tokenSchema,
  adminToken: tokenSchema,
  bodyTimeoutMs: numberIn(SERVER_RANGES.bodyTimeoutMs).default(10_000),
  idleTimeoutMs: numberIn(SERVER_RANGES.connectionTimeoutMs).default(0),
  headerTimeoutMs: numberIn(SERVER_RANGES.connectionTimeoutMs).default(0),
  exemplars: z.boolean({ error: "true or false" }).default(true),
  nativeHistograms: z.boolean({ error: "true or false" }).default(true),
  nativeHistogramBucketFactor: numberIn(SERVER_RANGES.nativeHistogramBucketFactor).default(1.1),
  bodyLimitBytes: numberIn(SERVER_RANGES.bodyLimitBytes).default(64 * 1024),
  shutdownTimeoutMs: numberIn(SERVER_RANGES.shutdownTimeoutMs).default(10_000),
});

/**
 * The serve mode's configuration. On top of the engine's rules, a symbol may not be the
 * metrics' placeholder label value (`INVALID`).
 */
export const configSchema = z.object({
  server: serverConfigSchema.default(() => serverConfigSchema.parse({})),
  trading: tradingConfigSchema.extend({
    symbols: symbolsSchema.refine((list) => !list.includes(INVALID_LABEL), {
      error: `symbols other than ${INVALID_LABEL} (the metrics' placeholder)`,
    }).default(() => tradingConfigSchema.parse({}).symbols),
  }).default(() => tradingConfigSchema.parse({})),
});

/** Defaults of the server part. */
export const SERVER_DEFAULTS: Readonly<ServerConfig> = serverConfigSchema.parse({});

/** How a flag's raw string becomes the schema's input. */
type Kind =
  | "string"
  | "trimmed"
  | "lower"
  | "number"
  | "duration"
  | "symbols"
  | "bool"
  | "negated";

type ConfigKey =
  | { section: "server"; field: keyof ServerConfig }
  | { section: "trading"; field: keyof TradingConfig };

/** One serve flag: its spec, the config key it sets and how its value converts. */
interface ServeFlag extends FlagSpec {
  env: string;
  key: ConfigKey;
  kind: Kind;
}

const server = (field: keyof ServerConfig): ConfigKey => ({ section: "server", field });
const trading = (field: keyof TradingConfig): ConfigKey => ({ section: "trading", field });

/** The serve mode's flags and variables, in `--help` order. */
export const SERVE_FLAGS: readonly ServeFlag[] = [
  {
    name: "port",
    env: "PORT",
    value: "N",
    key: server("port"),
    kind: "number",
    help: "TCP port to listen on (0 picks a free port)",
  },
  {
    name: "host",
    env: "HOST",
    value: "ADDR",
    key: server("host"),
    kind: "trimmed",
    help: "address to listen on (0.0.0.0: every interface; the container image sets it)",
  },
  {
    name: "db",
    env: "TRADEWATCH_DB",
    value: "PATH",
    key: trading("dbPath"),
    kind: "string",
    help: "SQLite database file (kept across runs), :memory: (a fresh demo, nothing kept), " +
      "or postgres://user@host:port/db (PostgreSQL, for replicas; DATABASE_URL also works)",
  },
  {
    name: "cache",
    env: "REDIS_URL",
    value: "URL",
    key: trading("cacheUrl"),
    kind: "trimmed",
    help: "redis://host:port: the quotes/positions read cache in Redis (default: in-process)",
  },
  {
    name: "symbols",
    env: "TRADEWATCH_SYMBOLS",
    value: "A,B,…",
    key: trading("symbols"),
    kind: "symbols",
    help: "the symbol universe",
  },
  {
    name: "venue-latency",
    env: "TRADEWATCH_VENUE_LATENCY",
    value: "DURATION",
    key: trading("venueLatencyMs"),
    kind: "duration",
    help: "median simulated venue latency, log-normal; 0 turns it off",
  },
  {
    name: "fail-rate",
    env: "TRADEWATCH_FAIL_RATE",
    value: "P",
    key: trading("failRate"),
    kind: "number",
    help: "probability (0..1) that the venue fails an order",
  },
  {
    name: "max-position",
    env: "TRADEWATCH_MAX_POSITION",
    value: "QTY",
    key: trading("maxPosition"),
    kind: "number",
    help: "risk limit: largest absolute position per symbol, in shares",
  },
  {
    name: "max-notional",
    env: "TRADEWATCH_MAX_NOTIONAL",
    value: "USD",
    key: trading("maxNotional"),
    kind: "number",
    help: "risk limit: largest notional of one order, in dollars",
  },
  {
    name: "max-order-qty",
    env: "TRADEWATCH_MAX_ORDER_QTY",
    value: "QTY",
    key: trading("maxOrderQuantity"),
    kind: "number",
    help: "largest quantity of one order (larger ones are invalid: 422)",
  },
  {
    name: "tick-interval",
    env: "TRADEWATCH_TICK_INTERVAL",
    value: "DURATION",
    key: trading("tickIntervalMs"),
    kind: "duration",
    help: "market data tick interval",
  },
  {
    name: "volatility",
    env: "TRADEWATCH_VOLATILITY",
    value: "SIGMA",
    key: trading("volatility"),
    kind: "number",
    help: "annualised volatility of the simulated prices",
  },
  {
    name: "feed-delay",
    env: "TRADEWATCH_FEED_DELAY",
    value: "DURATION",
    key: trading("feedDelayMs"),
    kind: "duration",
    help: "median simulated market-data feed delay",
  },
  {
    name: "seed",
    env: "TRADEWATCH_SEED",
    value: "N",
    key: trading("seed"),
    kind: "number",
    help: "random seed of the simulation (same seed, same price paths)",
  },
  {
    name: "pool-size",
    env: "TRADEWATCH_POOL_SIZE",
    value: "N",
    key: trading("poolSize"),
    kind: "number",
    help: "database connection pool size",
  },
  {
    name: "cache-ttl",
    env: "TRADEWATCH_CACHE_TTL",
    value: "DURATION",
    key: trading("cacheTtlMs"),
    kind: "duration",
    help: "quotes/positions read-cache TTL",
  },
  {
    name: "var-window",
    env: "TRADEWATCH_VAR_WINDOW",
    value: "N",
    key: trading("varWindow"),
    kind: "number",
    help: "VaR window: number of simulated returns",
  },
  {
    name: "var-interval",
    env: "TRADEWATCH_VAR_INTERVAL",
    value: "DURATION",
    key: trading("varIntervalMs"),
    kind: "duration",
    help: "VaR recomputation interval",
  },
  {
    name: "stale-after",
    env: "TRADEWATCH_STALE_AFTER",
    value: "DURATION",
    key: trading("staleAfterMs"),
    kind: "duration",
    help: "market data counts as stale (/ready answers 503) after this long without a tick",
  },
  {
    name: "log-level",
    env: "LOG_LEVEL",
    value: "LEVEL",
    key: server("logLevel"),
    kind: "lower",
    help: `log level: ${LOG_LEVELS.join("|")}`,
  },
  {
    name: "no-metrics",
    env: "TRADEWATCH_NO_METRICS",
    key: server("metrics"),
    kind: "negated",
    help: "turn off every metric update and /metrics (for the overhead benchmark)",
  },
  {
    name: "metrics-token",
    env: "METRICS_TOKEN",
    value: "TOKEN",
    key: server("metricsToken"),
    kind: "string",
    help: "require 'Authorization: Bearer TOKEN' on /metrics (and, without --api-token, on " +
      "/positions, /risk, GET /orders)",
  },
  // Protected means protected (issue 9): the read API's token; request deadlines.
  {
    name: "api-token",
    env: "TRADEWATCH_API_TOKEN",
    value: "TOKEN",
    key: server("apiToken"),
    kind: "string",
    help: "require 'Authorization: Bearer TOKEN' on /positions, /risk, GET /orders[/:id] and " +
      "/metrics",
  },
  {
    name: "body-timeout",
    env: "TRADEWATCH_BODY_TIMEOUT",
    value: "DURATION",
    key: server("bodyTimeoutMs"),
    kind: "duration",
    help: "a request body must arrive within this long (408 after)",
  },
  {
    name: "idle-timeout",
    env: "TRADEWATCH_IDLE_TIMEOUT",
    value: "DURATION",
    key: server("idleTimeoutMs"),
    kind: "duration",
    help:
      "close keep-alive connections idle this long (0: never; >0 relays connections, see README)",
  },
  {
    name: "header-timeout",
    env: "TRADEWATCH_HEADER_TIMEOUT",
    value: "DURATION",
    key: server("headerTimeoutMs"),
    kind: "duration",
    help: "close connections whose request head is not complete within this long (0: never)",
  },
  // Game day (issue 12): the admin API's run-time faults.
  {
    name: "admin-token",
    env: "TRADEWATCH_ADMIN_TOKEN",
    value: "TOKEN",
    key: server("adminToken"),
    kind: "string",
    help: "turn on the admin API (run-time faults) behind 'Authorization: Bearer TOKEN'",
  },
  // Exposition (issue 13): exemplars and native histograms.
  {
    name: "no-exemplars",
    env: "TRADEWATCH_NO_EXEMPLARS",
    key: server("exemplars"),
    kind: "negated",
    help: "no exemplars (trace_id, order_id) in OpenMetrics and protobuf scrapes",
  },
  {
    name: "native-histograms",
    env: "TRADEWATCH_NATIVE_HISTOGRAMS",
    value: "BOOL",
    key: server("nativeHistograms"),
    kind: "bool",
    help: "native buckets on the latency histograms (protobuf scrapes; classic buckets stay)",
  },
  {
    name: "native-histogram-bucket-factor",
    env: "TRADEWATCH_NATIVE_HISTOGRAM_BUCKET_FACTOR",
    value: "F",
    key: server("nativeHistogramBucketFactor"),
    kind: "number",
    help: "largest growth between neighbouring native buckets (1.1: schema 3; 2: schema 0)",
  },
  {
    name: "body-limit",
    env: "TRADEWATCH_BODY_LIMIT",
    value: "BYTES",
    key: server("bodyLimitBytes"),
    kind: "number",
    help: "largest request body in bytes (413 above)",
  },
  {
    name: "shutdown-timeout",
    env: "TRADEWATCH_SHUTDOWN_TIMEOUT",
    value: "DURATION",
    key: server("shutdownTimeoutMs"),
    kind: "duration",
    help: "how long a graceful shutdown waits for in-flight requests",
  },
];

/** `--help` and `-h` are the serve mode's own; the table above is what configures it. */
const HELP_FLAG: FlagSpec = { name: "help", short: "h", help: "this help" };

/** Whether the arguments ask for `--help` (`-h`); false when they do not parse. */
export function wantsHelp(args: readonly string[]): boolean {
  try {
    return parseFlags(args, [...SERVE_FLAGS, HELP_FLAG]).values.has("help");
  } catch {
    return false;
  }
}

function convert(kind: Kind, raw: string): unknown {
  switch (kind) {
    case "string":
      return raw;
    case "trimmed":
      return raw.trim();
    case "lower":
      return raw.trim().toLowerCase();
    case "number":
      return toNumber(raw);
    case "duration":
      return toDurationMs(raw, "ms");
    case "symbols":
      return raw.split(",").map((s) => s.trim().toUpperCase()).filter((s) => s !== "");
    case "bool":
      return toBool(raw) ?? raw;
    case "negated": {
      const b = toBool(raw);
      return b === undefined ? raw : !b;
    }
  }
}

/**
 * Parse flags and environment into a validated Config.
 * @throws {UsageError} on unknown flags, missing values or invalid values
 */
export function parseConfig(args: readonly string[], env: EnvSource = processEnv): Config {
  const { values } = parseFlags(args, [...SERVE_FLAGS, HELP_FLAG]);
  // DATABASE_URL, the usual name of a database URL, stands in for TRADEWATCH_DB.
  const fromEnv = readEnv(
    SERVE_FLAGS,
    (name) => name === "TRADEWATCH_DB" ? env(name) || env("DATABASE_URL") : env(name),
  );
  // An empty token is a mistake (a variable set from an unset secret), not "no authentication".
  for (const f of SERVE_FLAGS) {
    if (!["metricsToken", "apiToken", "adminToken"].includes(f.key.field)) continue;
    if (values.get(f.name) === undefined && env(f.env) === "") {
      throw new UsageError(
        `Invalid ${f.env}: it is set but empty; unset it for no authentication, or give a token`,
        `--${f.name}`,
      );
    }
  }
  const input = { server: {} as Record<string, unknown>, trading: {} as Record<string, unknown> };
  const sources = new Map<ServeFlag, { raw: string; env: boolean }>();
  for (const f of SERVE_FLAGS) {
    const given = values.get(f.name);
    let raw: string | undefined;
    if (given !== undefined) raw = typeof given === "boolean" ? String(given) : String(given);
    const isEnv = raw === undefined && fromEnv.has(f.name);
    if (isEnv) raw = fromEnv.get(f.name);
    if (raw === undefined) continue;
    sources.set(f, { raw, env: isEnv });
    input[f.key.section][f.key.field] = convert(f.kind, raw);
  }
  const result = configSchema.safeParse(input);
  if (result.success) return result.data as Config;
  const issue = result.error.issues[0];
  const [section, field] = issue.path.map(String);
  const flag = SERVE_FLAGS.find((f) => f.key.section === section && f.key.field === field);
  const source = flag === undefined ? undefined : sources.get(flag);
  if (flag === undefined || source === undefined) {
    throw new UsageError(`Invalid configuration: ${issue.path.join(".")}: ${issue.message}`);
  }
  const where = source.env ? ` (from the environment variable ${flag.env})` : "";
  const expected = flag.kind === "duration"
    ? `a duration such as 250ms, 5s or 1m (${issue.message} ms)`
    : issue.message;
  throw new UsageError(
    `Invalid --${flag.name} ${quote(source.raw)}: expected ${expected}${where}`,
    `--${flag.name}`,
  );
}

function shown(value: unknown): string {
  if (value === null) return "none";
  if (Array.isArray(value)) return value.join(",");
  return String(value);
}

/** The serve mode's --help text: every flag with its environment variable and default. */
export function configHelp(): string {
  const d = configSchema.parse({});
  const rows = SERVE_FLAGS.map((spec) => {
    let value: unknown = spec.key.section === "server"
      ? d.server[spec.key.field]
      : d.trading[spec.key.field];
    if (spec.kind === "negated") value = !value;
    if (spec.kind === "duration") value = durationText(value as number);
    return { spec, default: shown(value) };
  });
  return [
    "Serve options (flag, environment variable, default, meaning; a flag wins over its variable):",
    flagHelp(rows),
    "",
    "Durations: 250ms, 5s, 1m, 1m30s; a plain number is milliseconds.",
    "Probes: GET /health (liveness, what --healthcheck asks) is 200 while the process answers and",
    "its store can write, 503 while it cannot (disk full, locked; it recovers by itself);",
    "GET /ready also wants fresh market data (--stale-after). Orders answer 503 in both cases.",
    "Boolean variables accept 1/0, true/false, yes/no, on/off.",
  ].join("\n");
}
