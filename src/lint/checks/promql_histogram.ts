/**
 * `histogram_quantile` needs `_bucket` series with their `le` label, or a native histogram: over
 * anything else (a catalog metric that is neither) or after aggregating `le` away, it returns
 * nothing useful.
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { Problem } from "../model.ts";
import type { ExprFinding } from "../analysis.ts";
import { callArgs, functionName, mayHave, outputLabels } from "../promql/ast.ts";
import type { SyntaxNode } from "../promql/tree.ts";

function selectorsIn(node: SyntaxNode, out: SyntaxNode[]): SyntaxNode[] {
  if (node.name === "VectorSelector") out.push(node);
  for (let c = node.firstChild; c; c = c.nextSibling) selectorsIn(c, out);
  return out;
}

/** histogram_quantile over buckets, keeping `le`. */
export const promqlHistogram: Check = {
  name: "promql/histogram",
  kind: "beyond",
  description: "histogram_quantile reads _bucket series (catalog) and keeps the le label",
  expr(a, rule, ctx) {
    const catalog = ctx.options.catalog;
    return ctx.shapeProblems(this.name, rule, a, catalog, () => {
      const out: ExprFinding[] = [];
      const expr = a.expr;
      for (const call of a.nodes("FunctionCall")) {
        if (functionName(expr, call) !== "histogram_quantile") continue;
        const arg = callArgs(call)[1];
        if (!arg) continue;
        const sels = selectorsIn(arg, []).map((s) => a.selectorAt(s));
        const at = (severity: Problem["severity"], from: number, to: number, message: string) =>
          out.push({ severity, from, to, message });
        if (catalog) {
          for (const sel of sels) {
            if (!sel.name || !ctx.ours(sel.matchers)) continue;
            const info = catalog.series.get(sel.name);
            const family = catalog.series.get(`${sel.name}_bucket`);
            if (info && info.type !== "histogram_bucket" && info.type !== "native_histogram") {
              at(
                "error",
                sel.node.from,
                sel.node.to,
                `histogram_quantile over "${sel.name}", a ${
                  info.type.replace("_", " ")
                } series, not a histogram's _bucket series` +
                  (info.familyType === "histogram" ? `: use ${info.family}_bucket` : ""),
              );
            } else if (!info && family?.type === "histogram_bucket") {
              at(
                "error",
                sel.node.from,
                sel.node.to,
                `histogram_quantile over "${sel.name}": the histogram's buckets are "${sel.name}_bucket"`,
              );
            }
          }
        }
        const bucketed = sels.some((s) =>
          s.name?.endsWith("_bucket") || s.name?.includes("_bucket:")
        );
        if (bucketed && !mayHave(outputLabels(expr, arg), "le")) {
          at(
            "error",
            arg.from,
            arg.to,
            `histogram_quantile needs the "le" label, but its argument aggregates it away: keep le (e.g. sum by (le, …))`,
          );
        }
      }
      return out;
    });
  },
};
