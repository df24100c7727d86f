/**
 * `rate`, `irate` and `increase` over a gauge (per the catalog): they assume a counter and read
 * every decrease as a reset, so the result is wrong. Use `deriv` or `delta`.
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { Problem } from "../model.ts";
import { ancestor } from "../promql/ast.ts";

const COUNTER_FUNCS = new Set(["rate", "irate", "increase", "resets"]);

/** Counter functions over gauges. */
export const promqlRate: Check = {
  name: "promql/rate",
  kind: "catalog",
  description: "rate/irate/increase/resets only over counters (catalog types)",
  rule(rule, ctx) {
    const catalog = ctx.options.catalog;
    const a = ctx.expr(rule);
    if (!catalog || !a) return [];
    const out: Problem[] = [];
    const parsed = a.parsed;
    for (const sel of a.selectors) {
      if (
        !sel.fn || !COUNTER_FUNCS.has(sel.fn) || sel.rangeMs === undefined || !sel.name ||
        !ctx.ours(sel.matchers)
      ) {
        continue;
      }
      const info = catalog.series.get(sel.name);
      const type = info?.type ?? catalog.synthetic.get(sel.name);
      if (type !== "gauge" && type !== "summary_quantile") continue;
      const call = ancestor(sel.node, "FunctionCall") ?? sel.node;
      out.push(ctx.inScalar(
        this.name,
        "error",
        rule.expr!,
        call.from,
        `${sel.fn}() over gauge "${sel.name}": ${sel.fn}() expects a counter and reads every drop as a reset; use ${
          sel.fn === "increase" ? "delta()" : "deriv()"
        }`,
        parsed.expr.slice(call.from, call.to),
      ));
    }
    return out;
  },
};
