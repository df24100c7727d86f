/**
 * Bearer-token authentication of the endpoints that reveal the book. With a token configured,
 * every endpoint showing positions, P&L, risk or order history requires it:
 *
 * | token configured             | `/positions`, `/risk`, `GET /orders`, `GET /orders/:id` | `/metrics`              |
 * | ---------------------------- | ------------------------------------------------------- | ----------------------- |
 * | none                         | open                                                    | open                    |
 * | `--metrics-token` only       | the metrics token                                       | the metrics token       |
 * | `--api-token` (± metrics)    | the API token                                           | either token            |
 *
 * (`/metrics` carries positions and P&L too.) `POST /orders` answers only the order it placed;
 * `/`, `/health`, `/ready` and `/quotes` reveal no book and stay open for probes. Tokens are
 * compared as SHA-256 digests in constant time; a failed attempt is logged at `info` with the
 * reason, never the presented value.
 *
 * @module
 */
import type { Context } from "hono";
import { bearerGuard } from "./bearer.ts";
import { getRequestId } from "./instrument.ts";
import type { Logger } from "./logger.ts";
import type { RouteKey } from "./routes.ts";

/** Which token set guards a route. */
type Realm = "api" | "metrics";

/** The guarded routes. */
export const PROTECTED_ROUTES: Readonly<Partial<Record<RouteKey, Realm>>> = {
  "GET /metrics": "metrics",
  "GET /positions": "api",
  "GET /risk": "api",
  "GET /orders": "api",
  "GET /orders/:id": "api",
};

/** Options of {@link createAuth}. */
export interface AuthOptions {
  apiToken: string | null;
  metricsToken: string | null;
  logger: Logger;
}

/** The check of one route: throws 401, or returns when the request may go on. */
export type AuthCheck = (c: Context) => void;

/** The checks of the guarded routes (null for an open route). */
export function createAuth(options: AuthOptions): (key: RouteKey) => AuthCheck | null {
  const { apiToken, metricsToken, logger } = options;
  const present = (list: (string | null)[]) => list.filter((t): t is string => t !== null);
  const tokens: Record<Realm, string[]> = {
    api: present([apiToken ?? metricsToken]),
    metrics: present([metricsToken, apiToken]),
  };
  return (key) => {
    const realm = PROTECTED_ROUTES[key];
    if (realm === undefined || tokens[realm].length === 0) return null;
    return bearerGuard(
      tokens[realm],
      realm,
      (c, reason) =>
        logger.info("authentication failed", { request_id: getRequestId(c), route: key, reason }),
    );
  };
}
