/**
 * The admin API: run-time faults behind a bearer token (`--admin-token`). It exists only when a
 * token is configured; without one `/admin/faults` is an unknown path (404).
 *
 * - `PUT /admin/faults` sets the faults named in the JSON body (each replaces the active fault
 *   of that name, `null` clears it, the others stay) with an optional `ttl`;
 * - `GET /admin/faults` lists the active faults;
 * - `DELETE /admin/faults` clears every fault.
 *
 * Each answers `{faults: {name: {params, setAt, expiresAt}}}`. Errors injected on an endpoint by
 * the `http_errors` fault come from {@link errorInjector}, called by the route instrumentation.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import type { FaultRegistry } from "../faults/registry.ts";
import { FaultsInputError, faultsSchema, parseFaultsRequest } from "../faults/spec.ts";
import { ADMIN_FAULTS_ROUTE } from "../metrics/labels.ts";
import { bearerGuard } from "./bearer.ts";
import { readJsonBody } from "./body.ts";
import { ApiError } from "./errors.ts";
import type { Instrumentation } from "./instrument.ts";
import type { RouteEntry } from "./routes.ts";

/** The admin endpoints, for `GET /` and `405` answers. */
export const ADMIN_ENDPOINTS: readonly RouteEntry[] = [
  { method: "GET", path: ADMIN_FAULTS_ROUTE, description: "active run-time faults (token)" },
  { method: "PUT", path: ADMIN_FAULTS_ROUTE, description: "set run-time faults (token)" },
  { method: "DELETE", path: ADMIN_FAULTS_ROUTE, description: "clear every fault (token)" },
];

/** What {@link registerAdmin} needs. */
export interface AdminOptions {
  faults: FaultRegistry;
  token: string;
  symbols: readonly string[];
  poolSize: number;
  bodyLimitBytes: number;
  /** How long reading the body may take (408 after). */
  bodyTimeoutMs?: number;
  route: Instrumentation["route"];
}

/** Register the admin routes on `app`. */
export function registerAdmin(app: Hono, options: AdminOptions): void {
  const { faults, route } = options;
  const guard = bearerGuard(options.token, "admin");
  const schema = faultsSchema(options.symbols, options.poolSize);
  const listing = (c: Context) => c.json({ faults: faults.list() });

  app.get(
    ADMIN_FAULTS_ROUTE,
    route(ADMIN_FAULTS_ROUTE, (c) => {
      guard(c);
      return listing(c);
    }),
  );
  app.put(
    ADMIN_FAULTS_ROUTE,
    route(ADMIN_FAULTS_ROUTE, async (c) => {
      guard(c);
      const body = await readJsonBody(c.req.raw, options.bodyLimitBytes, options.bodyTimeoutMs);
      if (body === undefined) throw new ApiError(400, "a JSON body is required", "body");
      try {
        faults.apply(parseFaultsRequest(schema, body));
      } catch (e) {
        if (e instanceof FaultsInputError) throw new ApiError(400, e.message, e.field);
        throw e;
      }
      return listing(c);
    }),
  );
  app.delete(
    ADMIN_FAULTS_ROUTE,
    route(ADMIN_FAULTS_ROUTE, (c) => {
      guard(c);
      faults.clear();
      return listing(c);
    }),
  );
}

/**
 * The `http_errors` fault at the edge: for the faulty endpoint, a share `ratio` of its requests
 * is answered `status` before its handler runs (recorded like any answer of that route).
 */
export function errorInjector(
  faults: FaultRegistry,
  random: () => number = Math.random,
): (endpoint: string) => Response | null {
  return function injectError(endpoint) {
    const fault = faults.get("http_errors");
    if (fault === undefined || fault.endpoint !== endpoint || random() >= fault.ratio) return null;
    return Response.json(
      { error: "injected error (http_errors fault of the admin API)", field: null },
      { status: fault.status },
    );
  };
}
