/**
 * A counter compared without `rate`/`increase`: its value is a total since the process started,
 * so `order_count_total{status="failed"} > 10` fires forever after the 11th failure (and stops
 * on restart).
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { ExprFinding } from "../analysis.ts";
import { binaryOp, COMPARISONS, exprChildren, functionName } from "../promql/ast.ts";
import type { SyntaxNode } from "../promql/tree.ts";

/** Functions that keep a counter's meaning (still a running total). */
const PASSTHROUGH = new Set([
  "abs",
  "ceil",
  "floor",
  "round",
  "clamp",
  "clamp_min",
  "clamp_max",
  "sort",
  "sort_desc",
  "label_replace",
  "label_join",
]);

/** Raw selectors reachable from `node` without a function that turns totals into rates. */
function rawSelectors(expr: string, node: SyntaxNode, out: SyntaxNode[]): void {
  switch (node.name) {
    case "VectorSelector":
      out.push(node);
      return;
    case "FunctionCall":
      if (!PASSTHROUGH.has(functionName(expr, node))) return;
      break;
    case "MatrixSelector":
    case "SubqueryExpr":
      return;
  }
  for (const c of exprChildren(node)) rawSelectors(expr, c, out);
}

/** Counters compared as totals. */
export const promqlCounter: Check = {
  name: "promql/counter",
  kind: "catalog",
  description: "counters are compared through rate() or increase(), not as totals",
  expr(a, rule, ctx) {
    const catalog = ctx.options.catalog;
    if (!catalog) return [];
    return ctx.shapeProblems(this.name, rule, a, catalog, () => {
      const out: ExprFinding[] = [];
      const expr = a.expr;
      const seen = new Set<number>();
      for (const node of a.nodes("BinaryExpr")) {
        if (!COMPARISONS.has(binaryOp(node))) continue;
        const found: SyntaxNode[] = [];
        for (const side of exprChildren(node)) rawSelectors(expr, side, found);
        for (const s of found) {
          const sel = a.selectorAt(s);
          if (!sel.name || seen.has(s.from) || !ctx.ours(sel.matchers)) continue;
          if (catalog.series.get(sel.name)?.type !== "counter") continue;
          seen.add(s.from);
          out.push({
            severity: "warning",
            from: s.from,
            to: s.to,
            message:
              `counter "${sel.name}" is compared as a total (it only grows until a restart): compare rate(${sel.name}[5m]) or increase(${sel.name}[1h]) instead`,
          });
        }
      }
      return out;
    });
  },
};
