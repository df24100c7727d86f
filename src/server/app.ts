/**
 * The Hono application of the serve mode: routes, validation and error answers. Created by a
 * factory so that tests can call `app.fetch` in-process.
 *
 * @module
 */
import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { createHash, timingSafeEqual } from "node:crypto";
import type { Config } from "../config.ts";
import type { MetricCatalog } from "../metrics/catalog.ts";
import { expose } from "../metrics/exposition.ts";
import { UNMATCHED_ENDPOINT } from "../metrics/labels.ts";
import type { Recorder } from "../metrics/recorder.ts";
import { InvalidCursorError } from "../trading/ports.ts";
import type { Order, TradingService } from "../trading/types.ts";
import { VERSION } from "../version.ts";
import { readBodyLimited } from "./body.ts";
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
}

const ORDER_ID = /^[A-Za-z0-9_-]{1,128}$/;
const HEALTH_BODY = JSON.stringify({ status: "healthy" });
const JSON_TYPE = "application/json";
const HEALTH_HEADERS = { "content-type": JSON_TYPE };

function isJsonType(contentType: string): boolean {
  const type = contentType.split(";")[0].trim().toLowerCase();
  return type === JSON_TYPE || (type.startsWith("application/") && type.endsWith("+json"));
}

function sha256(s: string): Uint8Array {
  return createHash("sha256").update(s).digest();
}

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
  const tokenDigest = config.server.metricsToken === null
    ? null
    : sha256(config.server.metricsToken);

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
    logger.error("unhandled error", {
      request_id: getRequestId(c),
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    return c.json({ error: "internal error", field: null }, 500);
  };
  const { route } = createInstrumentation({ catalog, logger, errorResponse });
  const app = new Hono();

  const handlers: Record<RouteKey, RouteHandler> = {
    "GET /": (c) =>
      c.json({
        name: "tradewatch",
        version: VERSION,
        endpoints: ROUTES.map(({ method, path, description }) => ({ method, path, description })),
        symbols: service.symbols,
      }),

    "GET /health": (c) => c.body(HEALTH_BODY, 200, HEALTH_HEADERS),

    "GET /ready": async (c) => {
      const r = await service.ready();
      const ok = r.database && r.marketData;
      return c.json({ status: ok ? "ready" : "not ready", ...r }, ok ? 200 : 503);
    },

    "GET /metrics": async (c) => {
      if (!catalog) throw new ApiError(404, "metrics are turned off (--no-metrics)");
      if (tokenDigest) {
        const auth = c.req.header("authorization") ?? "";
        const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(auth);
        if (!m || !timingSafeEqual(sha256(m[1]), tokenDigest)) {
          c.header("www-authenticate", 'Bearer realm="metrics"');
          throw new ApiError(401, "a valid bearer token is required", "authorization");
        }
      }
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
        let body: unknown = undefined;
        const text = await readBodyLimited(c.req.raw, config.server.bodyLimitBytes);
        if (text.trim() !== "") {
          if (!isJsonType(c.req.header("content-type") ?? "")) {
            throw new ApiError(415, "the body must be application/json", "content-type");
          }
          try {
            body = JSON.parse(text);
          } catch {
            throw new ApiError(400, "the body is not valid JSON", "body");
          }
        }
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
    const handler = handlers[`${r.method} ${r.path}` as RouteKey];
    app.on(r.method, r.path, route(r.path, handler));
  }

  // Known paths with a method they do not serve: 405 with Allow (OPTIONS: 204 with Allow),
  // recorded under their template; anything else is 404, recorded as `unmatched`.
  const known = knownPaths();
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
 * `ROUTE_TEMPLATES`.
 * @throws {Error} naming the first unknown path
 */
export function assertRouteTemplates(app: Hono): void {
  const known = new Set<string>(ROUTE_TEMPLATES);
  for (const r of app.routes) {
    if (r.path === "*" || r.path === "/*") continue;
    if (!known.has(r.path)) {
      throw new Error(`route ${r.method} ${r.path} is not in ROUTE_TEMPLATES (routes.ts)`);
    }
  }
}
