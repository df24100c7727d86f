/**
 * The metric catalog: the one prom-client registry that `/metrics` serves and that
 * `--lint-rules` checks rule files against. The seed's metric names, HELP texts, types, label
 * names and bucket boundaries are a contract: do not change them.
 *
 * @module
 */
import type * as prom from "prom-client";
// prom-client's modules, not its index: the index also loads Pushgateway, the default metrics and
// the cluster aggregator (measured: about 4 MB more peak RSS for `--lint-rules`, which only reads
// this catalog). The classes are the same objects the index exports.
import CounterClass from "prom-client/lib/counter.js";
import GaugeClass from "prom-client/lib/gauge.js";
import HistogramClass from "prom-client/lib/histogram.js";
import RegistryClass from "prom-client/lib/registry.js";
import {
  CONFIDENCE_LEVELS,
  DEFAULT_SYMBOLS,
  ENDPOINT_LABELS,
  FAULT_NAMES,
  HTTP_METHODS,
  HTTP_STATUSES,
  INVALID_LABEL,
  ORDER_STATUSES,
  POOL_STATES,
  SIDES,
  SIGNAL_TYPES,
  STRATEGIES,
} from "./labels.ts";
import { VERSION } from "../version.ts";
import type { NativeHistogramOptions } from "./native_histogram.ts";
import { createPromAdapter, type PromAdapter } from "./prom_adapter.ts";
import type { TradingState } from "../trading/types.ts";
import { type StateCollectors, stateCollectors } from "./state_gauges.ts";

const Counter: typeof prom.Counter = CounterClass;
type Counter<T extends string = string> = prom.Counter<T>;
const Gauge: typeof prom.Gauge = GaugeClass;
type Gauge<T extends string = string> = prom.Gauge<T>;
const Histogram: typeof prom.Histogram = HistogramClass;
type Histogram<T extends string = string> = prom.Histogram<T>;
const Registry: typeof prom.Registry = RegistryClass;
type Registry = prom.Registry;

/** Options of a catalog: the closed label-value sets, and what the service shows beyond them. */
export interface CatalogOptions {
  /** The configured symbol universe. */
  symbols: readonly string[];
  /** The service's state, read by the gauges at scrape time; without it the gauges stay at 0. */
  state?: () => TradingState;
  /** Exemplars on the latency histograms and `order_count_total` (default true). */
  exemplars?: boolean;
  /** Native buckets of the two latency histograms; null: classic buckets only (the default). */
  native?: NativeHistogramOptions | null;
  /** The prom-client adapter (default: a new one, internals self-checked). */
  adapter?: PromAdapter;
  /**
   * Whether a run-time fault is active (read at scrape time for `tradewatch_fault_active`);
   * without it every fault reads 0 (the admin API is off).
   */
  faultActive?: (fault: typeof FAULT_NAMES[number]) => boolean;
}

/**
 * The seed's metrics plus tradewatch's build info and fault gauge, as typed prom-client handles.
 */
export interface SeedMetrics {
  orderCount: Counter<"symbol" | "side" | "status">;
  orderLatency: Histogram<"symbol">;
  positionValue: Gauge<"symbol">;
  tradePnl: Gauge<"symbol">;
  openPositions: Gauge;
  httpRequests: Counter<"method" | "endpoint" | "status">;
  httpRequestDuration: Histogram<"method" | "endpoint">;
  dbConnections: Gauge<"status">;
  cacheHits: Counter;
  cacheMisses: Counter;
  marketDataLag: Gauge<"symbol">;
  strategySignals: Counter<"strategy" | "signal_type">;
  riskVar: Gauge<"confidence_level">;
  buildInfo: Gauge<"version" | "deno">;
  faultActive: Gauge<"fault">;
}

/** A registry with every metric the service exports, and the closed label-value sets. */
export interface MetricCatalog {
  registry: Registry;
  metrics: SeedMetrics;
  /** The one user of prom-client's internals: series handles and scrape snapshots. */
  adapter: PromAdapter;
  /** Whether exemplars are recorded and shown. */
  exemplars: boolean;
  /** Native buckets of `order_latency_seconds` and `http_request_duration_seconds`, or null. */
  native: NativeHistogramOptions | null;
  /** For each metric name, for each label name, the only values that label can take. */
  labelValues: ReadonlyMap<string, Readonly<Record<string, readonly string[]>>>;
}

/** The seed's `order_latency_seconds` buckets. */
export const ORDER_LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];
/** The seed's `http_request_duration_seconds` buckets. */
export const HTTP_DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/**
 * Create a fresh registry holding the seed's 13 metrics, `tradewatch_build_info` and
 * `tradewatch_fault_active`.
 * Process metrics are added by `src/metrics/process.ts` on the same registry.
 */
export function createCatalog(
  options: CatalogOptions = { symbols: DEFAULT_SYMBOLS },
): MetricCatalog {
  const registry = new Registry();
  const registers = [registry];
  const adapter = options.adapter ?? createPromAdapter();
  const state = options.state;
  const collectors: StateCollectors | null = state
    ? stateCollectors(() => metrics, adapter, options.symbols, state)
    : null;
  // A gauge's collect() hook when the state is known (prom-client calls it on every scrape).
  const collect = (name: keyof StateCollectors) =>
    collectors ? { collect: () => collectors[name]() } : {};
  const metrics: SeedMetrics = {
    orderCount: new Counter({
      name: "order_count_total",
      help: "Total number of orders placed",
      labelNames: ["symbol", "side", "status"],
      registers,
    }),
    orderLatency: new Histogram({
      name: "order_latency_seconds",
      help: "Order execution latency in seconds",
      labelNames: ["symbol"],
      buckets: ORDER_LATENCY_BUCKETS,
      registers,
    }),
    positionValue: new Gauge({
      name: "position_value_dollars",
      help: "Current position value in dollars",
      labelNames: ["symbol"],
      registers,
      ...collect("positionValue"),
    }),
    tradePnl: new Gauge({
      name: "trade_pnl_dollars",
      help: "Profit/loss on trades in dollars",
      labelNames: ["symbol"],
      registers,
      ...collect("tradePnl"),
    }),
    openPositions: new Gauge({
      name: "open_positions_count",
      help: "Number of open positions",
      registers,
      ...collect("openPositions"),
    }),
    httpRequests: new Counter({
      name: "http_requests_total",
      help: "Total HTTP requests",
      labelNames: ["method", "endpoint", "status"],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration in seconds",
      labelNames: ["method", "endpoint"],
      buckets: HTTP_DURATION_BUCKETS,
      registers,
    }),
    dbConnections: new Gauge({
      name: "db_connection_pool_size",
      help: "Database connection pool size",
      labelNames: ["status"],
      registers,
      ...collect("dbConnections"),
    }),
    cacheHits: new Counter({
      name: "redis_cache_hits_total",
      help: "Total Redis cache hits",
      registers,
    }),
    cacheMisses: new Counter({
      name: "redis_cache_misses_total",
      help: "Total Redis cache misses",
      registers,
    }),
    marketDataLag: new Gauge({
      name: "market_data_lag_seconds",
      help: "Market data lag in seconds",
      labelNames: ["symbol"],
      registers,
      ...collect("marketDataLag"),
    }),
    strategySignals: new Counter({
      name: "strategy_signals_total",
      help: "Trading signals generated",
      labelNames: ["strategy", "signal_type"],
      registers,
    }),
    riskVar: new Gauge({
      name: "risk_var_dollars",
      help: "Value at Risk in dollars",
      labelNames: ["confidence_level"],
      registers,
      ...collect("riskVar"),
    }),
    buildInfo: new Gauge({
      name: "tradewatch_build_info",
      help:
        "A metric with a constant '1' value labeled by the tradewatch version and the Deno version",
      labelNames: ["version", "deno"],
      registers,
    }),
    faultActive: new Gauge({
      name: "tradewatch_fault_active",
      help: "Whether a run-time fault of the admin API is active (1) or not (0)",
      labelNames: ["fault"],
      registers,
      collect(this: Gauge<"fault">) {
        const active = options.faultActive;
        if (active) { for (const fault of FAULT_NAMES) this.set({ fault }, active(fault) ? 1 : 0); }
      },
    }),
  };
  metrics.buildInfo.set({ version: VERSION, deno: Deno.version.deno }, 1);
  for (const fault of FAULT_NAMES) metrics.faultActive.set({ fault }, 0);

  const symbols = [...options.symbols];
  const orderSymbols = [...symbols, INVALID_LABEL];
  const labelValues = new Map<string, Record<string, readonly string[]>>([
    ["order_count_total", {
      symbol: orderSymbols,
      side: [...SIDES, INVALID_LABEL],
      status: ORDER_STATUSES,
    }],
    ["order_latency_seconds", { symbol: orderSymbols }],
    ["position_value_dollars", { symbol: symbols }],
    ["trade_pnl_dollars", { symbol: symbols }],
    ["http_requests_total", {
      method: HTTP_METHODS,
      endpoint: ENDPOINT_LABELS,
      status: HTTP_STATUSES,
    }],
    ["http_request_duration_seconds", {
      method: HTTP_METHODS,
      endpoint: ENDPOINT_LABELS,
    }],
    ["db_connection_pool_size", { status: POOL_STATES }],
    ["market_data_lag_seconds", { symbol: symbols }],
    ["strategy_signals_total", { strategy: STRATEGIES, signal_type: SIGNAL_TYPES }],
    ["risk_var_dollars", { confidence_level: CONFIDENCE_LEVELS }],
    ["tradewatch_fault_active", { fault: FAULT_NAMES }],
  ]);
  return {
    registry,
    metrics,
    adapter,
    exemplars: options.exemplars ?? true,
    native: options.native ?? null,
    labelValues,
  };
}

/** One metric as `--lint-rules` sees it. */
export interface CatalogEntry {
  /** The metric family name as exposed (`order_count_total`, `order_latency_seconds`). */
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help: string;
  labelNames: readonly string[];
  /** Closed value sets for labels that have one; labels absent here take free values. */
  labelValues: Readonly<Record<string, readonly string[]>>;
  /**
   * Histograms that also carry native buckets: a Prometheus scraping them as native histograms
   * stores the family under its own name (`histogram_quantile(0.95, rate(order_latency_seconds[5m]))`).
   */
  native?: boolean;
}

/** The histograms that get native buckets (unless `--native-histograms=false`). */
export const NATIVE_HISTOGRAMS: readonly string[] = [
  "order_latency_seconds",
  "http_request_duration_seconds",
];

/**
 * Describe every metric in a catalog's registry (seed, build info and process metrics),
 * read from the registry itself so that the linter never works from a hand-copied list.
 */
export async function describeCatalog(catalog: MetricCatalog): Promise<CatalogEntry[]> {
  const json = await catalog.registry.getMetricsAsJSON();
  return json.map((m) => {
    const labelNames = new Set<string>();
    for (const v of m.values ?? []) {
      for (const k of Object.keys(v.labels ?? {})) {
        if (k !== "le" && k !== "quantile") labelNames.add(k);
      }
    }
    // deno-lint-ignore no-explicit-any
    const declared: string[] = (catalog.registry.getSingleMetric(m.name) as any)?.labelNames ?? [];
    for (const l of declared) labelNames.add(l);
    return {
      name: m.name,
      type: String(m.type) as CatalogEntry["type"],
      help: m.help,
      labelNames: [...labelNames],
      labelValues: catalog.labelValues.get(m.name) ?? {},
      ...(NATIVE_HISTOGRAMS.includes(m.name) ? { native: true } : {}),
    };
  });
}
