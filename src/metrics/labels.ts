/**
 * The closed sets every metric label value comes from. No label value may come from request
 * input: the server maps anything outside these sets to a fixed placeholder, so no request can
 * create a new series. `--lint-rules` uses the same sets to flag impossible label values.
 *
 * @module
 */
import { ROUTE_TEMPLATES } from "../server/routes.ts";

/** The default symbol universe (the seed's five symbols). */
export const DEFAULT_SYMBOLS: readonly string[] = ["AAPL", "GOOGL", "MSFT", "AMZN", "TSLA"];

/** Placeholder `symbol` (and `side`) value for orders rejected before their fields were valid. */
export const INVALID_LABEL = "INVALID";

/** Order sides, as they appear in the `side` label. */
export const SIDES = ["BUY", "SELL"] as const;

/**
 * Final order statuses, as they appear in the `status` label of `order_count_total`.
 * - `filled`: executed at the venue;
 * - `cancelled`: a limit order that was not marketable (limit orders are immediate-or-cancel);
 * - `rejected`: refused by validation or by a risk limit, never sent to the venue;
 * - `failed`: sent to the venue, which failed to execute it.
 */
export const ORDER_STATUSES = ["filled", "cancelled", "rejected", "failed"] as const;

/** HTTP methods recorded in `method`; any other method is recorded as `OTHER`. */
export const HTTP_METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "OPTIONS",
  "OTHER",
] as const;

/**
 * Route templates recorded in `endpoint`: the templates of the route table
 * (`src/server/routes.ts`), which also drives registration; requests that match no route are
 * recorded as {@link UNMATCHED_ENDPOINT}.
 */
export { ROUTE_TEMPLATES };

/** The fixed `endpoint` value for requests that match no route. */
export const UNMATCHED_ENDPOINT = "unmatched";

/**
 * The admin API's route template: registered only when an admin token is configured (without
 * it, `/admin/faults` is an unknown path recorded as `unmatched`).
 */
export const ADMIN_FAULTS_ROUTE = "/admin/faults";

/** Every value of the `endpoint` label of the `http_*` metrics. */
export const ENDPOINT_LABELS: readonly string[] = [
  ...ROUTE_TEMPLATES,
  ADMIN_FAULTS_ROUTE,
  UNMATCHED_ENDPOINT,
];

/** Every HTTP status code the service can answer with, as recorded in `status`. */
export const HTTP_STATUSES = [
  "200",
  "201",
  "204",
  "304",
  "400",
  "401",
  "404",
  "405",
  "406",
  "408",
  "413",
  "415",
  "422",
  "429",
  "500",
  "502",
  "503",
] as const;

/** States of the database connection pool, as recorded in `db_connection_pool_size{status}`. */
export const POOL_STATES = ["active", "idle", "waiting", "max"] as const;

/** Strategy names, as recorded in `strategy_signals_total{strategy}`. */
export const STRATEGIES = ["ma_crossover", "mean_reversion"] as const;

/** Signal types, as recorded in `strategy_signals_total{signal_type}`. */
export const SIGNAL_TYPES = ["buy", "sell"] as const;

/** VaR confidence levels, as recorded in `risk_var_dollars{confidence_level}`. */
export const CONFIDENCE_LEVELS = ["0.95", "0.99"] as const;

/**
 * The run-time faults of the admin API (`PUT /admin/faults`), as recorded in
 * `tradewatch_fault_active{fault}`.
 */
export const FAULT_NAMES = [
  "venue_failure",
  "venue_latency",
  "feed_stall",
  "price_shock",
  "db_pool_hold",
  "cache",
  "http_errors",
  "cpu_burn",
] as const;
