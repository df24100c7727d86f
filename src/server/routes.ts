/**
 * The route table: every endpoint of the service, once. It drives the registration of the
 * handlers (`app.ts`), the `GET /` index, the `Allow` header of 405 and OPTIONS answers, and the
 * closed set of the `endpoint` label (`ROUTE_TEMPLATES`, re-exported by `src/metrics/labels.ts`).
 * Data only: no imports, so the metrics catalog can read it.
 *
 * @module
 */

/** One endpoint: a method on a route template. */
export interface RouteEntry {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Hono route template (`:name` segments). */
  path: string;
  /** One line for `GET /`. */
  description: string;
}

/** Every endpoint, in the order of `GET /`. */
export const ROUTES = [
  { method: "GET", path: "/", description: "this index" },
  { method: "GET", path: "/health", description: "liveness" },
  {
    method: "GET",
    path: "/ready",
    description: "readiness: database reachable, market data fresh",
  },
  {
    method: "GET",
    path: "/metrics",
    description: "Prometheus metrics (text 0.0.4/1.0.0, OpenMetrics 1.0.0/0.0.1 or protobuf)",
  },
  {
    method: "POST",
    path: "/orders",
    description: "place an order (query parameters or JSON body)",
  },
  { method: "GET", path: "/orders", description: "recent orders, newest first (limit, before)" },
  { method: "GET", path: "/orders/:id", description: "one order" },
  { method: "GET", path: "/positions", description: "positions with realised/unrealised P&L" },
  { method: "GET", path: "/quotes", description: "latest quotes of every symbol" },
  { method: "GET", path: "/quotes/:symbol", description: "latest quote of one symbol" },
  { method: "GET", path: "/risk", description: "historical-simulation VaR of the portfolio" },
] as const satisfies readonly RouteEntry[];

/** A route template of the table. */
export type RouteTemplate = typeof ROUTES[number]["path"];

type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string }
  ? `${M} ${P}`
  : never;

/** A `"METHOD path"` key of the table (one handler each). */
export type RouteKey = KeyOf<typeof ROUTES[number]>;

/** The distinct route templates, in table order: the closed set of the `endpoint` label. */
export const ROUTE_TEMPLATES: readonly RouteTemplate[] = [...new Set(ROUTES.map((r) => r.path))];

/** A known path: its template, the `Allow` header value and a matcher of concrete paths. */
export interface KnownPath {
  template: string;
  /** The methods served (GET implies HEAD), then OPTIONS: `POST, GET, HEAD, OPTIONS`. */
  allow: string;
  pattern: RegExp;
}

/** Every template of `routes` (the table by default) with its `Allow` value and a matcher. */
export function knownPaths(routes: readonly RouteEntry[] = ROUTES): KnownPath[] {
  const allowed = new Map<string, string[]>();
  for (const r of routes) {
    const list = allowed.get(r.path) ?? [];
    list.push(r.method);
    if (r.method === "GET") list.push("HEAD");
    allowed.set(r.path, list);
  }
  return [...allowed].map(([template, methods]) => ({
    template,
    allow: [...methods, "OPTIONS"].join(", "),
    pattern: new RegExp(`^${template.replace(/:[a-z]+/g, "[^/]+")}$`),
  }));
}
