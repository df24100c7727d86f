/**
 * `--prometheus-url`: `rate()`, `irate()`, `increase()` and `resets()` over a metric that is not a
 * counter according to Prometheus' metadata (`/api/v1/metadata`): a gauge's every drop is read
 * as a counter reset.
 *
 * @module
 */
import type { Check } from "../check.ts";
import { COUNTER_FUNCTIONS } from "../promql/functions.ts";

const SUFFIX = /_(total|bucket|sum|count)$/;

/** Counter functions over metrics the metadata calls something else. */
export const onlineCounter: Check = {
  name: "online/counter",
  kind: "online",
  description: "rate() and friends take counters, by Prometheus' metadata (--prometheus-url)",
  selector(sel, _a, rule, ctx) {
    const { name, fn } = sel;
    if (!name || !fn || !COUNTER_FUNCTIONS.has(fn) || sel.rangeMs === undefined) return [];
    const at = ctx.inScalar(this.name, "warning", rule.expr!, sel.node.from, "", name);
    ctx.defer({ metadata: true }, (facts) => {
      // Families are named without the series suffix (histograms, summaries, some counters).
      const own = facts.types.get(name);
      const family = facts.types.get(name.replace(SUFFIX, ""));
      const type = own ?? (SUFFIX.test(name) ? undefined : family);
      if (type !== "gauge" && !(own === undefined && !SUFFIX.test(name) && family === "summary")) {
        return [];
      }
      return [{
        ...at,
        message:
          `${fn}() over "${name}", a ${type ?? "summary"} by Prometheus' metadata: ${fn}() ` +
          `reads every drop as a counter reset; use ${fn === "increase" ? "delta()" : "deriv()"}`,
      }];
    });
    return [];
  },
};
