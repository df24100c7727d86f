/**
 * The gauges read at scrape time, client_golang's collector pattern: `position_value_dollars`,
 * `trade_pnl_dollars`, `open_positions_count`, `db_connection_pool_size`,
 * `market_data_lag_seconds` and `risk_var_dollars` are set in their `collect()` hooks from the
 * service's `state()` at that moment; nothing is pushed when positions, the pool, ticks or the VaR
 * change. One scrape reads `state()` once (the hooks run back to back; the value is kept until
 * the next microtask).
 *
 * @module
 */
import type { PromAdapter } from "./prom_adapter.ts";
import type { GaugeHandle } from "./prom_adapter.ts";
import type { SeedMetrics } from "./catalog.ts";
import { CONFIDENCE_LEVELS, POOL_STATES } from "./labels.ts";
import type { TradingState } from "../trading/types.ts";

/** The collect hooks of the state gauges, by metric. */
export interface StateCollectors {
  positionValue(): void;
  tradePnl(): void;
  openPositions(): void;
  dbConnections(): void;
  marketDataLag(): void;
  riskVar(): void;
}

/** Build the collect hooks reading `state` into `metrics` through `adapter`'s handles. */
export function stateCollectors(
  metrics: () => SeedMetrics,
  adapter: PromAdapter,
  symbols: readonly string[],
  state: () => TradingState,
): StateCollectors {
  let current: TradingState | null = null;
  const read = (): TradingState => {
    if (current === null) {
      current = state();
      queueMicrotask(() => (current = null));
    }
    return current;
  };
  const known: ReadonlySet<string> = new Set(symbols);
  // Handles by metric, by label value, bound on first use.
  const handles = new Map<keyof SeedMetrics, Map<string, GaugeHandle>>();
  const handle = (
    metric: keyof SeedMetrics,
    labels: Record<string, string>,
    key: string,
  ): GaugeHandle => {
    let byKey = handles.get(metric);
    if (!byKey) handles.set(metric, byKey = new Map());
    let h = byKey.get(key);
    if (!h) byKey.set(key, h = adapter.gauge(metrics()[metric] as never, labels as never));
    return h;
  };
  const perSymbol = (metric: keyof SeedMetrics, value: (symbol: string) => number) => {
    for (const symbol of symbols) {
      const v = value(symbol);
      if (Number.isFinite(v)) handle(metric, { symbol }, symbol).set(v);
    }
  };
  // The positions and ticks of one state by symbol, built once per scrape.
  let indexed: TradingState | null = null;
  let positionsBy = new Map<string, TradingState["positions"][number]>();
  let ticksBy = new Map<string, TradingState["ticks"][number]>();
  const index = (st: TradingState) => {
    if (indexed === st) return;
    indexed = st;
    positionsBy = new Map();
    for (const p of st.positions) if (known.has(p.symbol)) positionsBy.set(p.symbol, p);
    ticksBy = new Map();
    for (const t of st.ticks) if (known.has(t.symbol)) ticksBy.set(t.symbol, t);
  };
  return {
    positionValue() {
      index(read());
      const p = positionsBy;
      perSymbol("positionValue", (s) => p.get(s)?.marketValue ?? 0);
    },
    tradePnl() {
      index(read());
      const p = positionsBy;
      perSymbol("tradePnl", (s) => {
        const x = p.get(s);
        return x ? x.realizedPnl + x.unrealizedPnl : 0;
      });
    },
    openPositions() {
      let open = 0;
      for (const p of read().positions) if (known.has(p.symbol) && p.quantity !== 0) open++;
      handle("openPositions", {}, "").set(open);
    },
    dbConnections() {
      const pool = read().pool;
      for (const status of POOL_STATES) {
        const v = pool[status];
        if (Number.isFinite(v)) handle("dbConnections", { status }, status).set(v);
      }
    },
    marketDataLag() {
      index(read());
      const t = ticksBy;
      perSymbol("marketDataLag", (s) => {
        const x = t.get(s);
        return x ? (x.receivedTime - x.exchangeTime) / 1000 : 0;
      });
    },
    riskVar() {
      const risk = read().risk;
      for (const level of CONFIDENCE_LEVELS) {
        const v = risk.var[level];
        if (Number.isFinite(v)) handle("riskVar", { confidence_level: level }, level).set(v);
      }
    },
  };
}
