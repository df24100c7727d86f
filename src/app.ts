/**
 * The composition root: the one place that picks and wires the adapters (store, cache, venue,
 * clock) to the trading service, and the service to the metrics and the HTTP app. New backends
 * and decorators plug in here only; `src/server/mod.ts` serves what {@link composeApp} built.
 *
 * @module
 */
import type { Hono } from "hono";
import { MemoryCache } from "./cache/memory.ts";
import type { Config } from "./config.ts";
import { createCatalog, type MetricCatalog } from "./metrics/catalog.ts";
import {
  DEFAULT_ZERO_THRESHOLD,
  NATIVE_MAX_BUCKETS,
  schemaForFactor,
} from "./metrics/native_histogram.ts";
import { type ProcessMetrics, registerProcessMetrics } from "./metrics/process.ts";
import { createRecorder, type Recorder } from "./metrics/recorder.ts";
import { createApp } from "./server/app.ts";
import type { Logger } from "./server/logger.ts";
import { SqliteStore } from "./store/sqlite.ts";
import { isPostgresUrl } from "./trading/config.ts";
import type { OrderStore, ReadCache, SharedFeed, Venue } from "./trading/ports.ts";
import { createTradingService, simulatedVenue } from "./trading/service.ts";
import type { Market, MarketFeed } from "./trading/market.ts";
import { faultyCache } from "./faults/cache.ts";
import { burnCpu } from "./faults/cpu.ts";
import { FaultyFeed } from "./faults/feed.ts";
import { poolHoldingStore } from "./faults/pool.ts";
import { FaultRegistry } from "./faults/registry.ts";
import { faultyVenue } from "./faults/venue.ts";
import type { TradingConfig, TradingService } from "./trading/types.ts";

/** Options of {@link openTradingService}. */
export interface OpenServiceOptions {
  /** Start the market and risk timers (default true). */
  startTimers?: boolean;
  /** Sees errors thrown by event listeners. */
  onListenerError?: (error: unknown) => void;
  /** A store to use instead of the configured one (tests with special store settings). */
  store?: OrderStore;
  /** A cache to use instead of the configured one. */
  cache?: ReadCache;
  /** A venue to use instead of the simulated one. */
  venue?: Venue;
  /** Decorates the market feed (the market-data faults). */
  feed?: (market: Market) => MarketFeed;
  /** Shared market data to use instead of the configured one (replicas). */
  shared?: SharedFeed;
}

/*
 * The PostgreSQL and Redis adapters (and npm:pg, npm:redis) are imported only when configured:
 * the default SQLite service starts without loading them (measured: the start-up rows of
 * `deno task bench server`, README "Performance" of the service). The specifiers are literal, so `deno compile` still embeds them.
 */

/**
 * The configured store: PostgreSQL for a `postgres://` `dbPath` (connected and migrated before
 * this resolves), else SQLite at `dbPath`.
 */
export async function openStore(config: TradingConfig): Promise<OrderStore> {
  if (isPostgresUrl(config.dbPath)) {
    const { PostgresStore } = await import("./store/postgres.ts");
    return await PostgresStore.open({ url: config.dbPath, poolSize: config.poolSize });
  }
  return new SqliteStore({ path: config.dbPath, poolSize: config.poolSize });
}

/** The configured read cache: Redis at `cacheUrl` (connected first), else in-process. */
export async function openCache(config: TradingConfig): Promise<ReadCache> {
  if (config.cacheUrl === null) return new MemoryCache();
  const { RedisCache } = await import("./cache/redis.ts");
  return await RedisCache.open({ url: config.cacheUrl });
}

/**
 * The configured market feed: replicas on one PostgreSQL database share one (led through an
 * advisory lock, rounds by LISTEN/NOTIFY); with SQLite the engine simulates alone.
 */
export async function openSharedFeed(config: TradingConfig): Promise<SharedFeed | undefined> {
  if (!isPostgresUrl(config.dbPath)) return undefined;
  const { PostgresFeed } = await import("./feed/postgres.ts");
  return new PostgresFeed({
    url: config.dbPath,
    replicaId: `${Deno.hostname()}:${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`,
    symbols: config.symbols,
  });
}

/** The trading service on the configured adapters (or the ones given). */
export async function openTradingService(
  config: TradingConfig,
  options: OpenServiceOptions = {},
): Promise<TradingService> {
  // The shared feed first: it connects only once the service starts it, so nothing leaks if the
  // store or cache cannot be opened.
  const shared = options.shared ?? await openSharedFeed(config);
  const store = options.store ?? await openStore(config);
  let cache: ReadCache;
  try {
    cache = options.cache ?? await openCache(config);
  } catch (error) {
    await store.close();
    throw error;
  }
  return createTradingService(config, {
    store,
    cache,
    venue: options.venue,
    feed: options.feed,
    shared,
    startTimers: options.startTimers,
    onListenerError: options.onListenerError,
  });
}

/** Everything the serve mode runs, wired. */
export interface Composition {
  service: TradingService;
  /** The metric catalog, or null with `--no-metrics`. */
  catalog: MetricCatalog | null;
  app: Hono;
  /** Stops the metrics and closes the service (flushing the store). */
  close(): Promise<void>;
}

/**
 * The trading service with the admin API's fault decorators around its ports (venue, feed,
 * store pool, cache), and the faults that act on their own (CPU burn) started; every change is
 * logged at warn. `stop()` clears every fault before the service closes.
 */
async function openFaultyService(
  config: TradingConfig,
  faults: FaultRegistry,
  logger: Logger,
): Promise<{ service: TradingService; stop(): void }> {
  const unlog = faults.subscribe((change) => {
    logger.warn(`faults ${change.cause}`, { set: change.set, cleared: change.cleared });
  });
  const stopBurn = burnCpu(faults);
  const stop = () => {
    faults.clear();
    stopBurn();
    unlog();
  };
  try {
    const shared = await openSharedFeed(config); // before the store: see openTradingService
    const store = poolHoldingStore(await openStore(config), faults);
    let cache: ReadCache;
    try {
      cache = faultyCache(await openCache(config), faults);
    } catch (error) {
      await store.close();
      throw error;
    }
    const service = await openTradingService(config, {
      store,
      cache,
      venue: faultyVenue(simulatedVenue(config), faults, (config.seed ^ 0xfa17) >>> 0),
      feed: (market) => new FaultyFeed(market, faults),
      shared,
    });
    return { service, stop };
  } catch (error) {
    stop();
    throw error;
  }
}

/** Builds the service, the metrics and the HTTP app from a validated config. */
export async function composeApp(config: Config, logger: Logger): Promise<Composition> {
  const faults = config.server.adminToken === null ? null : new FaultRegistry();
  const faulty = faults ? await openFaultyService(config.trading, faults, logger) : null;
  const service = faulty?.service ?? await openTradingService(config.trading);
  let catalog: MetricCatalog | null = null;
  let processMetrics: ProcessMetrics | null = null;
  let recorder: Recorder | null = null;
  const close = async () => {
    recorder?.close();
    processMetrics?.close();
    faulty?.stop();
    await service.close();
  };
  try {
    if (config.server.metrics) {
      catalog = createCatalog({
        symbols: service.symbols,
        state: () => service.state(),
        faultActive: faults ? (f) => faults.isActive(f) : undefined,
        exemplars: config.server.exemplars,
        native: config.server.nativeHistograms
          ? {
            schema: schemaForFactor(config.server.nativeHistogramBucketFactor),
            zeroThreshold: DEFAULT_ZERO_THRESHOLD,
            maxBuckets: NATIVE_MAX_BUCKETS,
          }
          : null,
      });
      if (!catalog.adapter.direct) {
        logger.warn("metrics use prom-client's public API (slower)", {
          reason: catalog.adapter.reason,
        });
      }
      processMetrics = registerProcessMetrics(catalog.registry);
      recorder = createRecorder(catalog, service);
    }
    const app = createApp({ service, catalog, recorder, config, logger, faults });
    return { service, catalog, app, close };
  } catch (error) {
    await close();
    throw error;
  }
}
