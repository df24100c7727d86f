/**
 * What the state gauges read at scrape time, and where it comes from.
 *
 * `TradingService.state()` (positions without the cache, the risk snapshot, the pool, per symbol
 * the latest tick's times) is being added to the domain by the restructuring (issue 8); until it
 * is on this branch, `scrapeState` rebuilds the same value from the domain events the service
 * still publishes (`positions`, `risk`, `pool`, `tick`). Once every service has `state()`, the
 * event fallback below is deleted and `TradingState` imported from `src/trading/types.ts`.
 *
 * @module
 */
import type { Position, RiskSnapshot, TradingService } from "../trading/types.ts";

/** A connection pool's state. */
export interface PoolState {
  active: number;
  idle: number;
  waiting: number;
  max: number;
}

/** When the latest tick of a symbol was stamped by the exchange and processed, ms since epoch. */
export interface TickTimes {
  symbol: string;
  exchangeTime: number;
  receivedTime: number;
}

/** The state the gauges show (the shape of `TradingService.state()`). */
export interface TradingState {
  positions: readonly Position[];
  risk: RiskSnapshot;
  /** Null until the store has reported its pool (event fallback only). */
  pool: PoolState | null;
  ticks: readonly TickTimes[];
}

type WithState = { state?: () => TradingState };

/** How the gauges read a service's state, and how to stop reading it. */
export interface ScrapeStateSource {
  state(): TradingState;
  close(): void;
}

/** The service's `state()`, or the same state rebuilt from its events where it has none yet. */
export function scrapeState(service: TradingService): ScrapeStateSource {
  const own = (service as unknown as WithState).state;
  if (typeof own === "function") return { state: () => own.call(service), close() {} };
  let positions: readonly Position[] = [];
  let risk: RiskSnapshot = {
    var: { "0.95": 0, "0.99": 0 },
    windowSize: 0,
    portfolioValue: 0,
    computedAt: new Date(0).toISOString(),
  };
  let pool: PoolState | null = null;
  const ticks = new Map<string, TickTimes>();
  const off = service.on((e) => {
    switch (e.type) {
      case "positions":
        positions = e.positions;
        break;
      case "risk":
        risk = e.risk;
        break;
      case "pool":
        pool = { active: e.active, idle: e.idle, waiting: e.waiting, max: e.max };
        break;
      case "tick":
        // The event carries the lag only: keep it as the two times' difference.
        ticks.set(e.symbol, { symbol: e.symbol, exchangeTime: 0, receivedTime: e.lagSeconds * 1000 });
        break;
    }
  });
  return { state: () => ({ positions, risk, pool, ticks: [...ticks.values()] }), close: off };
}
