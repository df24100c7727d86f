/**
 * The observability wrapper of every route: for every request (404s, 405s and `/metrics`
 * included) it records `http_requests_total` and `http_request_duration_seconds` with closed
 * label values, sets `X-Request-Id` and writes one structured access-log line.
 *
 * It wraps each route's handler (`route(template, handler)`, a factory returning a named Hono
 * handler) instead of being a global `app.use()` middleware: measured on the server (CPU time per
 * GET /health under wrk), a global async middleware moves every answer off `Deno.serve`'s
 * synchronous fast path and through Hono's compose (about 1.2 µs of a 10 µs request); a wrapped
 * handler keeps synchronous answers synchronous and knows its route template without a lookup.
 *
 * Trace context: a W3C `traceparent` request header is read (`trace_context.ts`); the answer
 * echoes it (same trace id, the server's span id) and the access-log line carries its
 * `trace_id`. With exemplars on, a request without one gets a new trace, whose id becomes the
 * exemplar of its `http_request_duration_seconds` observation; handlers pass it on with
 * `traceIdOf(c)` (POST /orders gives it to `placeOrder`, so the order's exemplars carry it too).
 *
 * @module
 */
import type { Context } from "hono";
import type { MetricCatalog } from "../metrics/catalog.ts";
import { exemplarLabels } from "../metrics/exemplar.ts";
import type { CounterHandle, HistogramHandle } from "../metrics/prom_adapter.ts";
import {
  ENDPOINT_LABELS,
  HTTP_METHODS,
  HTTP_STATUSES,
  UNMATCHED_ENDPOINT,
} from "../metrics/labels.ts";
import { headContentLength } from "./head.ts";
import type { Logger } from "./logger.ts";
import { requestId } from "./request_id.ts";
import { formatTraceparent, type TraceContext, traceContext } from "./trace_context.ts";

/** A route handler as wrapped: one Hono context in, one response out. */
export type RouteHandler = (c: Context) => Response | Promise<Response>;

/** Turns an error thrown by a handler into its answer (the app's error contract). */
export type ErrorResponder = (err: unknown, c: Context) => Response;

/** Options of {@link createInstrumentation}. */
export interface InstrumentationOptions {
  /** The catalog to record into; null when metrics are turned off. */
  catalog: MetricCatalog | null;
  logger: Logger;
  errorResponse: ErrorResponder;
  /**
   * Answers a request of `endpoint` before its handler when it returns a response (the
   * `http_errors` fault); absent without the admin API.
   */
  intercept?: (endpoint: string) => Response | null;
}

/** What the app uses to observe its routes. */
export interface Instrumentation {
  /**
   * Wrap `handler` as the handler of `endpoint`: a route template, or a function choosing the
   * template (or `unmatched`) for handlers without a route of their own, such as notFound.
   */
  route(endpoint: string | ((c: Context) => string), handler: RouteHandler): RouteHandler;
}

const METHOD_LIST: readonly string[] = HTTP_METHODS;
const METHOD_INDEX = new Map(METHOD_LIST.map((m, i) => [m, i]));
const OTHER_METHOD = METHOD_LIST.indexOf("OTHER");
const ENDPOINT_LIST: readonly string[] = ENDPOINT_LABELS;
const ENDPOINT_INDEX = new Map(ENDPOINT_LIST.map((e, i) => [e, i]));
const STATUS_LIST: readonly string[] = HTTP_STATUSES;
const STATUS_INDEX = new Map(STATUS_LIST.map((s, i) => [Number(s), i]));
/** Routes whose access lines are logged at debug level (probes and scrapes would drown the log). */
const QUIET: ReadonlySet<string> = new Set(["/health", "/ready", "/metrics"]);

/** The `endpoint` label of a route path: itself when a known template, else `unmatched`. */
export function endpointLabel(routePath: string | undefined): string {
  return routePath !== undefined && ENDPOINT_INDEX.has(routePath) ? routePath : UNMATCHED_ENDPOINT;
}

/**
 * The index of a status code's `status` label: the code itself when in the closed set; otherwise
 * (a code the service never answers with by design) the class's generic code, so no series is
 * ever new.
 */
function statusIndex(status: number): number {
  const i = STATUS_INDEX.get(status);
  if (i !== undefined) return i;
  return STATUS_INDEX.get(status >= 500 ? 500 : status >= 400 ? 400 : 200)!;
}

interface RequestInfo {
  id: string;
  start: number;
  /** The request's trace: from `traceparent`, or new when exemplars are on; else null. */
  trace: TraceContext | null;
}
// A symbol-keyed property of the context (no per-request Map as with c.set()).
const INFO = Symbol("tradewatch.request");
type WithInfo = { [INFO]?: RequestInfo };

/** The request ID of the request being handled (set by the route wrapper). */
export function getRequestId(c: Context): string | undefined {
  return (c as unknown as WithInfo)[INFO]?.id;
}

/** The trace id of the request being handled: from `traceparent`, or new with exemplars on. */
export function traceIdOf(c: Context): string | undefined {
  return (c as unknown as WithInfo)[INFO]?.trace?.traceId;
}

/** When the request was received (`performance.now()`), or now outside a wrapped route. */
export function receivedAtOf(c: Context): number {
  return (c as unknown as WithInfo)[INFO]?.start ?? performance.now();
}

function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const q = url.indexOf("?", start);
  const path = q < 0 ? url.slice(start) : url.slice(start, q);
  return path.length > 200 ? path.slice(0, 200) + "…" : path;
}

/** Create the instrumentation of an app. */
export function createInstrumentation(options: InstrumentationOptions): Instrumentation {
  const { catalog, logger, errorResponse, intercept } = options;
  const exemplarsOn = catalog?.exemplars ?? false;
  const native = catalog?.native ?? null;
  const infoOn = logger.enabled("info");
  const debugOn = logger.enabled("debug");
  const E = ENDPOINT_LIST.length;
  const S = STATUS_LIST.length;
  // Series handles, bound on first use (so only combinations that happen become series).
  const requestSeries: (CounterHandle | undefined)[] = [];
  const durationSeries: (HistogramHandle | undefined)[] = [];

  const record = (
    m: number,
    e: number,
    s: number,
    seconds: number,
    trace: TraceContext | null,
    endMs: number,
  ) => {
    if (!catalog) return;
    const ri = (m * E + e) * S + s;
    let requests = requestSeries[ri];
    if (!requests) {
      requests = requestSeries[ri] = catalog.adapter.counter(catalog.metrics.httpRequests, {
        method: METHOD_LIST[m],
        endpoint: ENDPOINT_LIST[e],
        status: STATUS_LIST[s],
      });
    }
    requests.inc();
    const di = m * E + e;
    let duration = durationSeries[di];
    if (!duration) {
      duration = durationSeries[di] = catalog.adapter.histogram(
        catalog.metrics.httpRequestDuration,
        { method: METHOD_LIST[m], endpoint: ENDPOINT_LIST[e] },
        { native },
      );
    }
    duration.observe(
      seconds,
      exemplarsOn && trace ? exemplarLabels(trace.traceId) : undefined,
      endMs,
    );
  };

  const finish = (
    c: Context,
    res: Response,
    e: number,
    info: RequestInfo,
  ): Response | Promise<Response> => {
    const end = performance.now();
    const seconds = (end - info.start) / 1000;
    try {
      res.headers.set("x-request-id", info.id);
      // Echo a trace the client sent (a generated one is only logged and kept as exemplar: a
      // header on every answer cost about 2% of POST /orders' CPU, measured by CPU profile).
      if (info.trace?.propagated) res.headers.set("traceparent", formatTraceparent(info.trace));
    } catch { /* immutable headers: nothing to add the id to */ }
    const m = METHOD_INDEX.get(c.req.method) ?? OTHER_METHOD;
    const s = statusIndex(res.status);
    record(m, e, s, seconds, info.trace, performance.timeOrigin + end);
    if (debugOn || infoOn) {
      const endpoint = ENDPOINT_LIST[e];
      const quiet = QUIET.has(endpoint);
      if (debugOn || !quiet) {
        const fields: Record<string, unknown> = {
          request_id: info.id,
          method: METHOD_LIST[m],
          path: pathOf(c.req.url),
          endpoint,
          status: res.status,
          duration_ms: Math.round(seconds * 1e6) / 1000,
        };
        if (info.trace) fields.trace_id = info.trace.traceId;
        if (quiet) logger.debug("request", fields);
        else logger.info("request", fields);
      }
    }
    return c.req.method === "HEAD" ? headContentLength(res) : res;
  };

  return {
    route(endpoint, handler) {
      const fixed = typeof endpoint === "string" ? ENDPOINT_INDEX.get(endpoint) : undefined;
      if (typeof endpoint === "string" && fixed === undefined) {
        throw new Error(`route ${endpoint} is not in ROUTE_TEMPLATES (labels.ts)`);
      }
      const resolve = typeof endpoint === "function" ? endpoint : null;
      return function observed(c: Context): Response | Promise<Response> {
        const start = performance.now();
        const traceparent = c.req.header("traceparent");
        const info: RequestInfo = {
          start,
          id: requestId(c.req.header("x-request-id")),
          trace: traceparent !== undefined || exemplarsOn ? traceContext(traceparent) : null,
        };
        (c as unknown as WithInfo)[INFO] = info;
        const e = fixed ?? ENDPOINT_INDEX.get(endpointLabel(resolve!(c)))!;
        if (intercept) {
          const injected = intercept(ENDPOINT_LIST[e]);
          if (injected) return finish(c, injected, e, info);
        }
        let out: Response | Promise<Response>;
        try {
          out = handler(c);
        } catch (err) {
          return finish(c, errorResponse(err, c), e, info);
        }
        if (out instanceof Promise) {
          return out.then(
            (res) => finish(c, res, e, info),
            (err) => finish(c, errorResponse(err, c), e, info),
          );
        }
        return finish(c, out, e, info);
      };
    },
  };
}
