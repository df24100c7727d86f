/**
 * Range too short: `rate(x[15s])` with a 10 s scrape interval holds one sample in many windows,
 * so the result has gaps. Ranges of rate-like functions should be at least twice the scrape
 * interval (from the Prometheus configuration).
 *
 * @module
 */
import type { Check } from "../check.ts";
import { formatDuration } from "../duration.ts";

const RATE_LIKE = new Set([
  "rate",
  "irate",
  "increase",
  "delta",
  "idelta",
  "deriv",
  "resets",
  "changes",
]);

/** Ranges shorter than twice the scrape interval. */
export const promqlRange: Check = {
  name: "promql/range",
  kind: "beyond",
  description: "ranges of rate-like functions are at least twice the scrape interval",
  selector(sel, _a, rule, ctx) {
    const min = 2 * ctx.options.scrapeIntervalMs;
    if (!sel.fn || !RATE_LIKE.has(sel.fn) || sel.rangeMs === undefined || sel.rangeMs >= min) {
      return [];
    }
    const matrix = sel.node.parent!;
    return [ctx.inExpr(
      this.name,
      "warning",
      rule,
      matrix.from,
      matrix.to,
      `${sel.fn}() range [${sel.rangeText}] is shorter than twice the scrape interval (${ctx.options.scrapeIntervalSource}): use at least [${
        formatDuration(min)
      }]`,
    )];
  },
};
