/**
 * The `serve` mode of tradewatch: parse the configuration, build the trading service, the
 * metrics and the Hono app, serve with `Deno.serve`, and shut down gracefully on SIGINT/SIGTERM
 * (stop accepting, finish in-flight requests, flush and close the database, exit 0).
 *
 * @module
 */
import { resolve } from "node:path";
import { composeApp } from "../app.ts";
import { UsageError } from "../cli/mod.ts";
import { type Config, configHelp, parseConfig, wantsHelp } from "../config.ts";
import type { MetricCatalog } from "../metrics/catalog.ts";
import { isPostgresUrl, TradingConfigError } from "../trading/config.ts";
import { redactUrl } from "../redact.ts";
import type { TradingService } from "../trading/types.ts";
import { serveFronted } from "./front.ts";
import { serveResilient } from "./listener.ts";
import { createLogger, type Logger } from "./logger.ts";

/** A running server, as returned by {@link startServer}. */
export interface RunningServer {
  config: Config;
  /** The bound address (the real port when configured with port 0). */
  addr: Deno.NetAddr;
  service: TradingService;
  catalog: MetricCatalog | null;
  logger: Logger;
  /** Graceful shutdown: stop accepting, finish in-flight requests, close the service. */
  shutdown(reason?: string): Promise<void>;
  /** Resolves once the server has shut down. */
  finished: Promise<void>;
}

/** Build everything from a validated config and start listening. */
export async function startServer(config: Config, logger?: Logger): Promise<RunningServer> {
  const log = logger ?? createLogger(config.server.logLevel);
  const { service, catalog, app, close } = await composeApp(config, log);
  try {
    const { idleTimeoutMs, headerTimeoutMs } = config.server;
    const server = idleTimeoutMs > 0 || headerTimeoutMs > 0
      ? serveFronted({
        hostname: config.server.host,
        port: config.server.port,
        handler: (req) => app.fetch(req),
        logger: log,
        idleTimeoutMs,
        headerTimeoutMs,
      })
      : serveResilient({
        hostname: config.server.host,
        port: config.server.port,
        handler: (req) => app.fetch(req),
        logger: log,
      });
    const addr = server.addr;
    let closing: Promise<void> | null = null;
    let stopped!: () => void;
    const finished = new Promise<void>((r) => (stopped = r));
    const shutdown = (reason = "shutdown") =>
      closing ??= (async () => {
        log.info("shutting down", { reason });
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timedOut = await Promise.race([
          server.shutdown().then(() => false),
          new Promise<boolean>((r) =>
            timer = setTimeout(() => r(true), config.server.shutdownTimeoutMs)
          ),
        ]);
        clearTimeout(timer);
        if (timedOut) log.warn("in-flight requests did not finish in time", { reason });
        // Whatever the clients still do (a stalled body, an idle connection), the process
        // ends now: `main` returns and the caller exits.
        await close();
        log.info("stopped", { reason });
        await log.flush();
        stopped();
      })();
    return {
      config,
      addr,
      service,
      catalog,
      logger: log,
      shutdown,
      finished,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The database as the `listening` line names it. */
export function describeDb(dbPath: string): string {
  // A database URL is shown without its password.
  if (isPostgresUrl(dbPath)) return redactUrl(dbPath);
  return dbPath === ":memory:" || dbPath.startsWith("file:") ? dbPath : resolve(dbPath);
}

function printError(message: string): void {
  console.error(`tradewatch: ${message}`);
}

/** Run the server mode with its command-line arguments; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  if (wantsHelp(args)) {
    console.log(configHelp());
    return 0;
  }
  let config: Config;
  try {
    config = parseConfig(args);
  } catch (e) {
    if (e instanceof UsageError) {
      printError(e.message);
      return 2;
    }
    throw e;
  }
  const logger = createLogger(config.server.logLevel);
  let running: RunningServer;
  try {
    running = await startServer(config, logger);
  } catch (e) {
    const err = e as Error;
    if (err instanceof TradingConfigError) {
      printError(err.message);
      return 2;
    }
    if (err instanceof Deno.errors.AddrInUse) {
      printError(`cannot listen on ${config.server.host}:${config.server.port}: address in use`);
      return 1;
    }
    printError(`cannot start: ${err?.message ?? String(e)}`);
    return 1;
  }
  const { hostname, port } = running.addr;
  if (config.server.logLevel !== "silent") {
    // Written synchronously and first: tests and tools read the port from this line.
    console.log(JSON.stringify({
      time: new Date().toISOString(),
      level: "info",
      msg: "listening",
      host: hostname,
      port,
      url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}/`,
      // The database in use: an absolute file path (kept across runs), or ":memory:".
      db: describeDb(config.trading.dbPath),
      symbols: running.service.symbols.length,
      metrics: config.server.metrics,
    }));
  }
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const onSignal: Record<string, () => void> = {};
  let signalled = false;
  for (const s of signals) {
    onSignal[s] = () => {
      if (signalled) {
        // A second signal while draining: the operator wants out now.
        printError(`${s} again: exiting without waiting for in-flight requests`);
        Deno.exit(1);
      }
      signalled = true;
      void running.shutdown(s);
    };
    Deno.addSignalListener(s, onSignal[s]);
  }
  try {
    await running.finished;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal[s]);
  }
  return 0;
}
