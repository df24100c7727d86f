/**
 * The Hono application of the serve mode: routes, validation and error answers. Created by a
 * factory so that tests can call `app.fetch` in-process.
 *
 * @module
 */
import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Config } from "../config.ts";
import type { MetricCatalog } from "../metrics/catalog.ts";
import { expose } from "../metrics/exposition.ts";
import { ADMIN_FAULTS_ROUTE, UNMATCHED_ENDPOINT } from "../metrics/labels.ts";
import type { FaultRegistry } from "../faults/registry.ts";
import type { Recorder } from "../metrics/recorder.ts";
import { InvalidCursorError, StoreUnavailableError } from "../trading/ports.ts";
import type { Order, TradingService } from "../trading/types.ts";
import { VERSION } from "../version.ts";
import { createAuth } from "./auth.ts";
import { readJsonBody } from "./body.ts";
import { ADMIN_ENDPOINTS, errorInjector, registerAdmin } from "./admin.ts";
import { ApiError } from "./errors.ts";
import { createLogger, type Logger } from "./logger.ts";
import {
  createInstrumentation,
  getRequestId,
  receivedAtOf,
  type RouteHandler,
  traceIdOf,
} from "./instrument.ts";
import { knownPaths, ROUTE_TEMPLATES, type RouteEntry, type RouteKey, ROUTES } from "./routes.ts";
import { mergeOrderInput, orderSchema, validateOrder } from "./validation.ts";

/** What {@link createApp} needs. */
export interface AppOptions {
  service: TradingService;
  /** The metric catalog, or null when metrics are turned off. */
  catalog: MetricCatalog | null;
  /** The recorder attached to `service` (counts edge-rejected orders); null without metrics. */
  recorder: Recorder | null;
  config: Config;
  /** Defaults to a logger at `config.server.logLevel` on stdout. */
  logger?: Logger;
  /** The run-time faults: given with `--admin-token`, which turns on the admin API. */
  faults?: FaultRegistry | null;
}

const ORDER_ID = /^[A-Za-z0-9_-]{1,128}$/;
const HEALTH_BODY = JSON.stringify({ status: "healthy" });
const JSON_TYPE = "application/json";
const HEALTH_HEADERS = { "content-type": JSON_TYPE };

/** Status code of a final order: 201 accepted, 422 rejected by risk, 502 failed at the venue. */
export function orderHttpStatus(order: Order): 201 | 422 | 502 {
  switch (order.status) {
    case "filled":
    case "cancelled":
      return 201;
    case "rejected":
      return 422;
    case "failed":
      return 502;
  }
}

/**
 * Create the application: one handler per entry of the route table (`routes.ts`), registered
 * from the table; every registered route template is asserted to be in `ROUTE_TEMPLATES`, so
 * the `endpoint` label stays within its closed set.
 */
export function createApp(options: AppOptions): Hono {
  const { service, catalog, recorder, config } = options;
  const logger = options.logger ?? createLogger(config.server.logLevel);
  const schema = orderSchema(service.symbols, config.trading.maxOrderQuantity);
  const symbols = new Set(service.symbols);
  const auth = createAuth({
    apiToken: config.server.apiToken,
    metricsToken: config.server.metricsToken,
    logger,
  });

  const errorResponse = (err: unknown, c: Context): Response => {
    if (err instanceof ApiError) {
      return c.json({ error: err.message, field: err.field, ...err.extra }, err.status);
    }
    if (err instanceof InvalidCursorError) {
      return c.json(
        { error: "before must be a cursor returned as nextCursor", field: "before" },
        422,
      );
    }
    if (err instanceof HTTPException) {
      return c.json({ error: err.message || "request error", field: null }, err.status);
    }
    if (err instanceof StoreUnavailableError) {
      // Nothing was stored: the client may retry (another replica, or this one once the
      // database is back; /ready says which).
      c.header("retry-after", "1");
      return c.json({ error: "the database is unavailable: nothing was stored", field: null }, 503);
    }
    logger.error("unhandled error", {
      request_id: getRequestId(c),
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    return c.json({ error: "internal error", field: null }, 500);
  };
  const faults = options.faults ?? null;
  const adminToken = faults === null ? null : config.server.adminToken;
  const { route } = createInstrumentation({
    catalog,
    logger,
    errorResponse,
    intercept: faults === null ? undefined : errorInjector(faults),
  });
  const endpoints: readonly RouteEntry[] = adminToken === null
    ? ROUTES
    : [...ROUTES, ...ADMIN_ENDPOINTS];
  const app = new Hono();

  const handlers: Record<RouteKey, RouteHandler> = {
    "GET /": (c) =>
      c.json({
        name: "tradewatch",
        version: VERSION,
        endpoints: endpoints.map(({ method, path, description }) => ({
          method,
          path,
          description,
        })),
        symbols: service.symbols,
      }),

    // Liveness, as the container's HEALTHCHECK sees it: the process answers AND its store can
    // write. A store that cannot write (disk full, locked) is 503 here too: the service is not
    // doing its job, whatever a restart would do (the store recovers by itself; see README).
    // Stale market data is readiness only.
    "GET /health": (c) => {
      if (service.storeWritable()) return c.body(HEALTH_BODY, 200, HEALTH_HEADERS);
      return c.json({ status: "unhealthy", database: false }, 503);
    },

    "GET /ready": async (c) => {
      const r = await service.ready();
      const ok = r.database && r.marketData;
      return c.json({ status: ok ? "ready" : "not ready", ...r }, ok ? 200 : 503);
    },

    "GET /metrics": async (c) => {
      if (!catalog) throw new ApiError(404, "metrics are turned off (--no-metrics)");
      const out = await expose(
        catalog.adapter,
        catalog.registry,
        c.req.header("accept"),
        c.req.header("accept-encoding"),
        { exemplars: catalog.exemplars },
      );
      return c.body(out.body as string, 200, out.headers);
    },

    "POST /orders": async (c) => {
      const receivedAt = receivedAtOf(c);
      const query = new URL(c.req.url).searchParams;
      let sideLabel = query.get("side")?.trim().toUpperCase();
      let request;
      try {
        const body = await readJsonBody(
          c.req.raw,
          config.server.bodyLimitBytes,
          config.server.bodyTimeoutMs,
        );
        const raw = mergeOrderInput(query, body);
        if (typeof raw.side === "string") sideLabel = raw.side.trim().toUpperCase();
        request = validateOrder(schema, raw);
      } catch (e) {
        recorder?.recordInvalidOrder(
          sideLabel,
          (performance.now() - receivedAt) / 1000,
          traceIdOf(c),
        );
        throw e;
      }
      if (!service.marketDataFresh()) {
        // Prices older than --stale-after: no order is priced on them (nothing is stored).
        c.header("retry-after", "1");
        throw new ApiError(503, "market data is stale: orders are refused until quotes arrive");
      }
      const order = await service.placeOrder(request, receivedAt, traceIdOf(c));
      const status = orderHttpStatus(order);
      if (status === 201) {
        c.header("location", `/orders/${order.id}`);
        return c.json(order, 201);
      }
      return c.json({ ...order, error: order.reason ?? order.status, field: null }, status);
    },

    "GET /orders": async (c) => {
      const limitRaw = c.req.query("limit");
      let limit = 50;
      if (limitRaw !== undefined) {
        limit = /^\d{1,4}$/.test(limitRaw) ? Number(limitRaw) : NaN;
        if (!(limit >= 1 && limit <= 500)) {
          throw new ApiError(422, "limit must be an integer from 1 to 500", "limit");
        }
      }
      // The store checks the cursor (InvalidCursorError: 422 below).
      return c.json(await service.listOrders({ limit, before: c.req.query("before") }));
    },

    "GET /orders/:id": async (c) => {
      const id = c.req.param("id") ?? "";
      const order = ORDER_ID.test(id) ? await service.getOrder(id) : null;
      if (!order) throw new ApiError(404, "no order with this id", "id");
      return c.json(order);
    },

    "GET /positions": async (c) => c.json({ positions: await service.positions() }),

    "GET /quotes": async (c) => {
      const quotes = await Promise.all(service.symbols.map((s) => service.quote(s)));
      return c.json({ symbols: service.symbols, quotes: quotes.filter((q) => q !== null) });
    },

    "GET /quotes/:symbol": async (c) => {
      const symbol = (c.req.param("symbol") ?? "").toUpperCase();
      const quote = symbols.has(symbol) ? await service.quote(symbol) : null;
      if (!quote) throw new ApiError(404, "symbol is not in the trading universe", "symbol");
      return c.json(quote);
    },

    "GET /risk": (c) => c.json(service.risk()),
  };
  for (const r of ROUTES as readonly RouteEntry[]) {
    const key = `${r.method} ${r.path}` as RouteKey;
    const check = auth(key);
    const open = handlers[key];
    const handler: RouteHandler = check === null ? open : (c) => {
      check(c);
      return open(c);
    };
    app.on(r.method, r.path, route(r.path, handler));
  }

  if (faults !== null && adminToken !== null) {
    registerAdmin(app, {
      faults,
      token: adminToken,
      symbols: service.symbols,
      poolSize: config.trading.poolSize,
      bodyLimitBytes: config.server.bodyLimitBytes,
      bodyTimeoutMs: config.server.bodyTimeoutMs,
      route,
    });
  }

  // Known paths with a method they do not serve: 405 with Allow (OPTIONS: 204 with Allow),
  // recorded under their template; anything else is 404, recorded as `unmatched`.
  const known = knownPaths(endpoints);
  const templateOf = (c: Context) => known.find((k) => k.pattern.test(c.req.path))?.template;
  app.notFound(route(
    (c) => templateOf(c) ?? UNMATCHED_ENDPOINT,
    (c) => {
      const path = known.find((k) => k.pattern.test(c.req.path));
      if (!path) return c.json({ error: "not found", field: null }, 404);
      c.header("allow", path.allow);
      if (c.req.method === "OPTIONS") return c.body(null, 204);
      throw new ApiError(405, "method not allowed", "method", { allow: path.allow.split(", ") });
    },
  ));

  // A safety net only: every route handles its own errors through `route()`.
  app.onError((err, c) => errorResponse(err, c));

  assertRouteTemplates(app);
  return app;
}

/**
 * Assert that every path registered on `app` (besides the `*` middleware) is a member of
 * `ROUTE_TEMPLATES` (or the admin API's route).
 * @throws {Error} naming the first unknown path
 */
export function assertRouteTemplates(app: Hono): void {
  const known = new Set<string>([...ROUTE_TEMPLATES, ADMIN_FAULTS_ROUTE]);
  for (const r of app.routes) {
    if (r.path === "*" || r.path === "/*") continue;
    if (!known.has(r.path)) {
      throw new Error(`route ${r.method} ${r.path} is not in ROUTE_TEMPLATES (routes.ts)`);
    }
  }
}
