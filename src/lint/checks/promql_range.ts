/**
 * Range too short: `rate(x[15s])` with a 10 s scrape interval holds one sample in many windows,
 * so the result has gaps. Ranges of rate-like functions should be at least twice the scrape
 * interval (from the Prometheus configuration).
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { Problem } from "../model.ts";
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
  rule(rule, ctx) {
    const a = ctx.expr(rule);
    if (!a) return [];
    const out: Problem[] = [];
    const min = 2 * ctx.options.scrapeIntervalMs;
    const parsed = a.parsed;
    for (const sel of a.selectors) {
      if (!sel.fn || !RATE_LIKE.has(sel.fn) || sel.rangeMs === undefined) continue;
      if (sel.rangeMs >= min) continue;
      const matrix = sel.node.parent!;
      out.push(ctx.inScalar(
        this.name,
        "warning",
        rule.expr!,
        matrix.from,
        `${sel.fn}() range [${sel.rangeText}] is shorter than twice the scrape interval (${ctx.options.scrapeIntervalSource}): use at least [${
          formatDuration(min)
        }]`,
        parsed.expr.slice(matrix.from, matrix.to),
      ));
    }
    return out;
  },
};
