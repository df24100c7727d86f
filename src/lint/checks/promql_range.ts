/**
 * Range too short: `rate(x[15s])` with a 10 s scrape interval holds one sample in many windows,
 * so the result has gaps. Ranges of rate-like functions should be at least twice the scrape
 * interval (from the Prometheus configuration).
 *
 * @module
 */
import type { Check } from "../check.ts";
import { TWO_SAMPLE_FUNCTIONS } from "../promql/functions.ts";
import { formatDuration } from "../duration.ts";

/** Ranges shorter than twice the scrape interval. */
export const promqlRange: Check = {
  name: "promql/range",
  kind: "beyond",
  description: "ranges of rate-like functions are at least twice the scrape interval",
  selector(sel, _a, rule, ctx) {
    const min = 2 * ctx.options.scrapeIntervalMs;
    const { fn, rangeMs } = sel;
    if (!fn || !TWO_SAMPLE_FUNCTIONS.has(fn) || rangeMs === undefined || rangeMs >= min) return [];
    const matrix = sel.node.parent!;
    return [ctx.inExpr(
      this.name,
      "warning",
      rule,
      matrix.from,
      matrix.to,
      `${fn}() range [${sel.rangeText}] is shorter than twice the scrape interval (${ctx.options.scrapeIntervalSource}): use at least [${
        formatDuration(min)
      }]`,
    )];
  },
};
