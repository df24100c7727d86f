/**
 * Builds the trading service: validates the config, wires the engine to the ports it is given
 * (the composition root, `src/app.ts`, picks the adapters), reloads the stored positions and
 * starts the market and risk timers. Callers get the `TradingService` contract; tests reach the
 * manual controls through `testHooks()`.
 *
 * @module
 */

import type { TradingConfig, TradingService } from "./types.ts";
import type { Clock, OrderStore, ReadCache, SharedFeed, Venue } from "./ports.ts";
import { systemClock } from "./clock.ts";
import { defaultTradingConfig, validateTradingConfig } from "./config.ts";
import { TradingEngine, type TradingTestHooks } from "./engine.ts";
import { EventBus } from "./events.ts";
import { SimulatedVenue } from "./venue.ts";
import type { Market, MarketFeed } from "./market.ts";

export { defaultTradingConfig };
export type { TradingTestHooks };

/** The ports and switches of the service. */
export interface TradingServiceOptions {
  /** Durable storage. Closed by the service. */
  store: OrderStore;
  /** Read cache. Closed by the service. */
  cache: ReadCache;
  /** Execution venue (default: the simulated venue of `config`). */
  venue?: Venue;
  /** Market data shared by replicas (default: none, the engine simulates alone). Closed by it. */
  shared?: SharedFeed;
  /** Clock (default: the system clock). */
  clock?: Clock;
  /** Decorates the simulated market feed (the admin API's market-data faults). */
  feed?: (market: Market) => MarketFeed;
  /** Start the market and risk timers (default true; tests pass false and use `testHooks`). */
  startTimers?: boolean;
  /** Sees errors thrown by event listeners (default: `console.error`, once per listener). */
  onListenerError?: (error: unknown) => void;
}

/**
 * Builds and starts the trading service. Throws `TradingConfigError` for an invalid config
 * (closing the store and cache it was given).
 */
export async function createTradingService(
  config: TradingConfig,
  options: TradingServiceOptions,
): Promise<TradingService> {
  const { store, cache } = options;
  let engine: TradingEngine;
  try {
    validateTradingConfig(config);
    engine = new TradingEngine(config, {
      store,
      cache,
      venue: options.venue ?? simulatedVenue(config),
      clock: options.clock ?? systemClock,
      feed: options.feed,
      shared: options.shared,
      bus: new EventBus(options.onListenerError),
    });
    await engine.restore();
  } catch (error) {
    await store.close();
    await cache.close();
    throw error;
  }
  if (options.startTimers !== false) engine.start();
  return engine;
}

/** The simulated venue of `config` (latency, failure rate, seeded). */
export function simulatedVenue(config: TradingConfig): Venue {
  return new SimulatedVenue({
    latencyMs: config.venueLatencyMs,
    failRate: config.failRate,
    seed: (config.seed ^ 0x7e0e) >>> 0,
  });
}

/** The manual controls of a service built by `createTradingService` (tests, tools). */
export function testHooks(service: TradingService): TradingTestHooks {
  if (service instanceof TradingEngine) return service;
  throw new TypeError("testHooks() needs a service built by createTradingService");
}
