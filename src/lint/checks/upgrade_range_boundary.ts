/**
 * Prometheus 3 ranges are left-open (Prometheus 3.0 migration guide, "Range selectors and lookback
 * exclude samples coinciding with the left boundary"). Subqueries are evaluated at multiples of
 * their step, so the sample on the left boundary was always there in 2.x and is always gone in
 * 3.x: `rate(x[1m:1m])` had two points and now has one, which gives no result. Detectable where
 * the subquery's range and step are written: a rate-like function over a subquery with fewer than
 * two steps in its range (a warning, with the rewrite `[2×step:step]`), and any other subquery
 * whose range is a whole number of steps (a notice: one point fewer than in 2.x).
 *
 * @module
 */
import type { Check } from "../check.ts";
import { TWO_SAMPLE_FUNCTIONS } from "../promql/functions.ts";
import type { Problem } from "../model.ts";
import { child, exprChildren, functionName } from "../promql/infer.ts";
import { formatDuration, parseDuration } from "../duration.ts";
import type { SyntaxNode } from "../promql/tree.ts";

function ms(expr: string, node: SyntaxNode | undefined): number | undefined {
  if (!node) return undefined;
  const d = parseDuration(expr.slice(node.from, node.to));
  return "ms" in d ? d.ms : undefined;
}

/** Subqueries whose left boundary sample disappears in Prometheus 3. */
export const upgradeRangeBoundary: Check = {
  name: "upgrade/range-boundary",
  kind: "upgrade",
  description: "subqueries lose their left-boundary point in Prometheus 3 (left-open ranges)",
  expr(a, rule, ctx) {
    const out: Problem[] = [];
    const expr = a.expr;
    for (const call of a.nodes("FunctionCall")) {
      const fn = functionName(expr, call);
      for (let arg of exprChildren(call)) {
        while (arg.name === "OffsetExpr" || arg.name === "StepInvariantExpr") {
          arg = exprChildren(arg)[0] ?? arg;
          if (arg.name !== "OffsetExpr" && arg.name !== "StepInvariantExpr") break;
        }
        if (arg.name !== "SubqueryExpr") continue;
        const durations = arg.getChildren("DurationExpr");
        if (durations.length < 2) continue; // no explicit step: the evaluation interval
        const range = ms(expr, durations[0]), step = ms(expr, durations[1]);
        if (!range || !step || range % step !== 0) continue;
        const inner = child(arg, "VectorSelector") ?? exprChildren(arg)[0];
        const innerText = inner ? expr.slice(inner.from, inner.to) : "…";
        const text = expr.slice(arg.from, arg.to);
        const lost = TWO_SAMPLE_FUNCTIONS.has(fn) && range < 2 * step;
        out.push(ctx.inExpr(
          this.name,
          lost ? "warning" : "info",
          rule,
          arg.from,
          arg.to,
          lost
            ? `${fn}() over ${text} gets one point in Prometheus 3 (ranges are left-open), so no ` +
              `result: write ${innerText}[${formatDuration(2 * step)}:${formatDuration(step)}]`
            : `${text} holds ${range / step} points in Prometheus 3, not ${range / step + 1} ` +
              `(ranges are left-open: the point on the left boundary is dropped)`,
        ));
      }
    }
    return out;
  },
};
