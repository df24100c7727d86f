/**
 * The metrics recorder: turns the domain's events into metric updates, so the domain stays free
 * of metrics imports. Every label value is checked against the catalog's closed sets; anything
 * outside them is mapped to the fixed placeholder (never a new series).
 *
 * @module
 */
import type { DomainEvent, TradingService } from "../trading/types.ts";
import type { MetricCatalog } from "./catalog.ts";
import {
  CONFIDENCE_LEVELS,
  INVALID_LABEL,
  ORDER_STATUSES,
  POOL_STATES,
  SIDES,
  SIGNAL_TYPES,
  STRATEGIES,
} from "./labels.ts";

/** What the edge needs from the recorder besides the domain events. */
export interface Recorder {
  /** Apply one domain event (exposed for tests; normally fed by `service.on`). */
  record(event: DomainEvent): void;
  /**
   * Count an order refused by validation at the edge: `status="rejected"`, symbol `INVALID`,
   * side as given when it is a valid side, else `INVALID`.
   */
  recordInvalidOrder(side: string | undefined, latencySeconds: number): void;
  /** Stop listening to the service. */
  close(): void;
}

const SIDE_SET: ReadonlySet<string> = new Set(SIDES);
const STATUS_SET: ReadonlySet<string> = new Set(ORDER_STATUSES);
const STRATEGY_SET: ReadonlySet<string> = new Set(STRATEGIES);
const SIGNAL_SET: ReadonlySet<string> = new Set(SIGNAL_TYPES);

/**
 * Initialise every bounded series to zero (so `rate()` and dashboards work from the first
 * scrape), subscribe to the service's events and return the recorder.
 */
export function createRecorder(catalog: MetricCatalog, service: TradingService): Recorder {
  const m = catalog.metrics;
  const symbols: ReadonlySet<string> = new Set(service.symbols);
  const symbolLabel = (s: string) => (symbols.has(s) ? s : INVALID_LABEL);

  for (const symbol of service.symbols) {
    for (const side of SIDES) {
      for (const status of ORDER_STATUSES) m.orderCount.inc({ symbol, side, status }, 0);
    }
    m.orderLatency.zero({ symbol });
    m.positionValue.set({ symbol }, 0);
    m.tradePnl.set({ symbol }, 0);
    m.marketDataLag.set({ symbol }, 0);
  }
  for (const side of [...SIDES, INVALID_LABEL]) {
    m.orderCount.inc({ symbol: INVALID_LABEL, side, status: "rejected" }, 0);
  }
  m.orderLatency.zero({ symbol: INVALID_LABEL });
  for (const strategy of STRATEGIES) {
    for (const signal_type of SIGNAL_TYPES) m.strategySignals.inc({ strategy, signal_type }, 0);
  }
  for (const status of POOL_STATES) m.dbConnections.set({ status }, 0);
  for (const confidence_level of CONFIDENCE_LEVELS) m.riskVar.set({ confidence_level }, 0);

  const record = (e: DomainEvent): void => {
    switch (e.type) {
      case "order": {
        const symbol = symbolLabel(e.order.symbol);
        const side = SIDE_SET.has(e.order.side) ? e.order.side : INVALID_LABEL;
        const status = STATUS_SET.has(e.order.status) ? e.order.status : "failed";
        m.orderCount.inc({ symbol, side, status });
        if (Number.isFinite(e.latencySeconds) && e.latencySeconds >= 0) {
          m.orderLatency.observe({ symbol }, e.latencySeconds);
        }
        break;
      }
      case "tick":
        if (symbols.has(e.symbol) && Number.isFinite(e.lagSeconds)) {
          m.marketDataLag.set({ symbol: e.symbol }, e.lagSeconds);
        }
        break;
      case "positions": {
        let open = 0;
        const seen = new Set<string>();
        for (const p of e.positions) {
          if (!symbols.has(p.symbol)) continue;
          seen.add(p.symbol);
          m.positionValue.set({ symbol: p.symbol }, p.marketValue);
          m.tradePnl.set({ symbol: p.symbol }, p.realizedPnl + p.unrealizedPnl);
          if (p.quantity !== 0) open++;
        }
        for (const symbol of symbols) {
          if (!seen.has(symbol)) {
            m.positionValue.set({ symbol }, 0);
            m.tradePnl.set({ symbol }, 0);
          }
        }
        m.openPositions.set(open);
        break;
      }
      case "signal":
        if (STRATEGY_SET.has(e.strategy) && SIGNAL_SET.has(e.signal)) {
          m.strategySignals.inc({ strategy: e.strategy, signal_type: e.signal });
        }
        break;
      case "risk":
        for (const level of CONFIDENCE_LEVELS) {
          const v = e.risk.var[level];
          if (Number.isFinite(v)) m.riskVar.set({ confidence_level: level }, v);
        }
        break;
      case "pool":
        m.dbConnections.set({ status: "active" }, e.active);
        m.dbConnections.set({ status: "idle" }, e.idle);
        m.dbConnections.set({ status: "waiting" }, e.waiting);
        m.dbConnections.set({ status: "max" }, e.max);
        break;
      case "cache":
        (e.hit ? m.cacheHits : m.cacheMisses).inc();
        break;
    }
  };
  const unsubscribe = service.on(record);
  return {
    record,
    recordInvalidOrder(side, latencySeconds) {
      const s = side !== undefined && SIDE_SET.has(side) ? side : INVALID_LABEL;
      m.orderCount.inc({ symbol: INVALID_LABEL, side: s, status: "rejected" });
      if (Number.isFinite(latencySeconds) && latencySeconds >= 0) {
        m.orderLatency.observe({ symbol: INVALID_LABEL }, latencySeconds);
      }
    },
    close: unsubscribe,
  };
}
