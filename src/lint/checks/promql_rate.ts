/**
 * `rate`, `irate` and `increase` over a gauge (per the catalog): they assume a counter and read
 * every decrease as a reset, so the result is wrong. Use `deriv` or `delta`.
 *
 * @module
 */
import type { Check } from "../check.ts";
import { COUNTER_FUNCTIONS } from "../promql/functions.ts";
import { ancestor } from "../promql/ast.ts";

/** Counter functions over gauges. */
export const promqlRate: Check = {
  name: "promql/rate",
  kind: "catalog",
  description: "rate/irate/increase/resets only over counters (catalog types)",
  selector(sel, _a, rule, ctx) {
    const catalog = ctx.options.catalog;
    const { name, fn } = sel;
    if (!catalog || !name || !fn || !COUNTER_FUNCTIONS.has(fn) || sel.rangeMs === undefined) {
      return [];
    }
    if (!ctx.ours(sel.matchers)) return [];
    const type = catalog.series.get(name)?.type ?? catalog.synthetic.get(name);
    if (type !== "gauge" && type !== "summary_quantile") return [];
    const call = ancestor(sel.node, "FunctionCall") ?? sel.node;
    return [ctx.inExpr(
      this.name,
      "error",
      rule,
      call.from,
      call.to,
      `${fn}() over gauge "${name}": ${fn}() expects a counter and reads every drop as a reset; use ${
        fn === "increase" ? "delta()" : "deriv()"
      }`,
    )];
  },
};
