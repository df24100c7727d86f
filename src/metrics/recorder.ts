/**
 * The metrics recorder: turns the domain's events (orders, signals, cache lookups) into counter
 * and histogram updates, so the domain stays free of metrics imports. Gauges are not its
 * business: they read the service's state at scrape time (`state_gauges.ts`).
 *
 * `order_count_total` and `order_latency_seconds` have one writer, `countOrder` below, for the
 * orders the domain decided and for those refused by validation at the edge. Every label value is
 * checked against the catalog's closed sets; anything outside them is mapped to the fixed
 * placeholder (never a new series). Updates go through pre-bound series handles (the adapter's).
 * With exemplars on, an order placed with a correlation (the edge passes its request's trace id
 * to `placeOrder`) carries that `trace_id` and the order's id as exemplar on its count and
 * latency series.
 *
 * @module
 */
import type { DomainEvent, TradingService } from "../trading/types.ts";
import type { MetricCatalog } from "./catalog.ts";
import { exemplarLabels } from "./exemplar.ts";
import type { CounterHandle, HistogramHandle } from "./prom_adapter.ts";
import * as labels from "./labels.ts";

/** What the edge needs from the recorder besides the domain events. */
export interface Recorder {
  /** Apply one domain event (exposed for tests; normally fed by `service.on`). */
  record(event: DomainEvent): void;
  /**
   * Count an order refused by validation at the edge: `status="rejected"`, symbol `INVALID`,
   * side as given when it is a valid side, else `INVALID`.
   */
  recordInvalidOrder(side: string | undefined, latencySeconds: number, traceId?: string): void;
  /** Stop listening to the service. */
  close(): void;
}

const SIDE_LIST: readonly string[] = [...labels.SIDES, labels.INVALID_LABEL];
const SIDE_INDEX = new Map(SIDE_LIST.map((s, i) => [s, i]));
const STATUS_LIST: readonly string[] = labels.ORDER_STATUSES;
const STATUS_INDEX = new Map(STATUS_LIST.map((s, i) => [s, i]));
const FAILED = STATUS_INDEX.get("failed")!;
const REJECTED = STATUS_INDEX.get("rejected")!;
const SIDE_INVALID = SIDE_INDEX.get(labels.INVALID_LABEL)!;
const STRATEGY_SET: ReadonlySet<string> = new Set(labels.STRATEGIES);
const SIGNAL_SET: ReadonlySet<string> = new Set(labels.SIGNAL_TYPES);

/**
 * Initialise every bounded series to zero (so `rate()` and dashboards work from the first
 * scrape), subscribe to the service's events and return the recorder.
 */
export function createRecorder(catalog: MetricCatalog, service: TradingService): Recorder {
  const m = catalog.metrics;
  const a = catalog.adapter;
  const exemplarsOn = catalog.exemplars;
  const symbolList: readonly string[] = [...service.symbols, labels.INVALID_LABEL];
  const symbolIndex = new Map(symbolList.map((s, i) => [s, i]));
  const SYMBOL_INVALID = symbolList.length - 1;
  const S = SIDE_LIST.length;
  const T = STATUS_LIST.length;

  // Series handles: counts by (symbol, side, status), latency by symbol. Every combination the
  // seed's queries expect exists from the start; the others are bound when first used.
  const counts: (CounterHandle | undefined)[] = [];
  const countHandle = (sy: number, si: number, st: number): CounterHandle => {
    const i = (sy * S + si) * T + st;
    return counts[i] ??= a.counter(m.orderCount, {
      symbol: symbolList[sy],
      side: SIDE_LIST[si],
      status: STATUS_LIST[st],
    });
  };
  const latency: HistogramHandle[] = symbolList.map((symbol) =>
    a.histogram(m.orderLatency, { symbol }, { native: catalog.native, fresh: true })
  );
  for (let sy = 0; sy < SYMBOL_INVALID; sy++) {
    for (let si = 0; si < labels.SIDES.length; si++) {
      for (let st = 0; st < T; st++) countHandle(sy, si, st);
    }
  }
  for (let si = 0; si < S; si++) countHandle(SYMBOL_INVALID, si, REJECTED);
  for (const symbol of service.symbols) {
    m.positionValue.set({ symbol }, 0);
    m.tradePnl.set({ symbol }, 0);
    m.marketDataLag.set({ symbol }, 0);
  }
  for (const strategy of labels.STRATEGIES) {
    for (const signal_type of labels.SIGNAL_TYPES) {
      m.strategySignals.inc({ strategy, signal_type }, 0);
    }
  }
  for (const status of labels.POOL_STATES) m.dbConnections.set({ status }, 0);
  for (const confidence_level of labels.CONFIDENCE_LEVELS) m.riskVar.set({ confidence_level }, 0);

  /** The one writer of `order_count_total` and `order_latency_seconds`. */
  const countOrder = (
    sy: number,
    si: number,
    st: number,
    seconds: number,
    traceId?: string,
    orderId?: string,
  ) => {
    const exemplar = exemplarsOn && traceId ? exemplarLabels(traceId, orderId) : undefined;
    const at = exemplar === undefined ? undefined : Date.now();
    countHandle(sy, si, st).inc(exemplar, at);
    if (Number.isFinite(seconds) && seconds >= 0) latency[sy].observe(seconds, exemplar, at);
  };

  const record = (e: DomainEvent): void => {
    switch (e.type) {
      case "order":
        countOrder(
          symbolIndex.get(e.order.symbol) ?? SYMBOL_INVALID,
          SIDE_INDEX.get(e.order.side) ?? SIDE_INVALID,
          STATUS_INDEX.get(e.order.status) ?? FAILED,
          e.latencySeconds,
          e.correlation,
          e.order.id,
        );
        break;
      case "signal":
        if (STRATEGY_SET.has(e.strategy) && SIGNAL_SET.has(e.signal)) {
          m.strategySignals.inc({ strategy: e.strategy, signal_type: e.signal });
        }
        break;
      case "cache":
        (e.hit ? m.cacheHits : m.cacheMisses).inc();
        break;
        // tick, positions, risk, pool: gauges read them from state() at scrape time.
    }
  };
  const unsubscribe = service.on(record);
  return {
    record,
    recordInvalidOrder(side, latencySeconds, traceId) {
      const si = side === undefined ? SIDE_INVALID : SIDE_INDEX.get(side) ?? SIDE_INVALID;
      countOrder(SYMBOL_INVALID, si, REJECTED, latencySeconds, traceId);
    },
    close: unsubscribe,
  };
}
