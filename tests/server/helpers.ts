/**
 * Test helpers of the server area: the real service started as a child process (`deno run
 * main.ts`), in-process (real `Deno.serve` on 127.0.0.1 port 0) or as the bare Hono app
 * (`app.fetch`, {@link appFixture}), and a Prometheus text parser for assertions.
 *
 * @module
 */
import type { Hono } from "hono";
import { openTradingService } from "../../src/app.ts";
import { type Config, parseConfig } from "../../src/config.ts";
import { createCatalog, type MetricCatalog } from "../../src/metrics/catalog.ts";
import { createRecorder } from "../../src/metrics/recorder.ts";
import { createApp } from "../../src/server/app.ts";
import { type RunningServer, startServer } from "../../src/server/mod.ts";
import { createLogger, type Logger } from "../../src/server/logger.ts";
import type { OrderStore } from "../../src/trading/ports.ts";
import type { TradingService } from "../../src/trading/types.ts";

export { type Child, ROOT, runMain, startChild } from "../support/service.ts";
export {
  type Exposition,
  parseExposition,
  type Sample,
  scrape,
  seriesKey,
  sumOf,
} from "../support/exposition.ts";

/** An in-process server on 127.0.0.1 port 0 with a :memory: database. */
export async function startInProcess(
  args: string[] = [],
): Promise<RunningServer & { base: string }> {
  const config: Config = parseConfig(
    ["--host", "127.0.0.1", "--port", "0", "--db", ":memory:", ...args],
    () => undefined,
  );
  const running = await startServer(config, createLogger("silent"));
  return { ...running, base: `http://127.0.0.1:${running.addr.port}` };
}

/** The Hono app on a real :memory: service, called in-process through `app.fetch`. */
export interface AppFixture {
  app: Hono;
  service: TradingService;
  catalog: MetricCatalog;
  close(): Promise<void>;
}

/**
 * The app for serve flags `args` (on `--db :memory: --venue-latency 0`, timers stopped); a
 * `store` to use instead of the configured one, a `logger` instead of a silent one.
 */
export async function appFixture(
  args: string[] = [],
  options: { store?: OrderStore; logger?: Logger } = {},
): Promise<AppFixture> {
  const config = parseConfig(
    ["--db", ":memory:", "--venue-latency", "0", ...args],
    () => undefined,
  );
  const service = await openTradingService(config.trading, {
    startTimers: false,
    store: options.store,
  });
  const catalog = createCatalog({ symbols: service.symbols });
  const recorder = createRecorder(catalog, service);
  const logger = options.logger ?? createLogger("silent");
  const app = createApp({ service, catalog, recorder, config, logger });
  return {
    app,
    service,
    catalog,
    close: async () => {
      recorder.close();
      await service.close();
    },
  };
}

/** `method path` through `app.fetch`: the response, its status, its text and its JSON (or null). */
export async function req(app: Hono, method: string, path: string, init: RequestInit = {}) {
  const res = await app.fetch(new Request(`http://t${path}`, { method, ...init }));
  const text = await res.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text);
  } catch { /* not JSON */ }
  return { res, status: res.status, json, text };
}
