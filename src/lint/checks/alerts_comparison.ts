/**
 * An alert expression without a condition (no comparison filtering its result) fires for every
 * series it returns, i.e. always while the metric exists. An expression that selects no series at
 * all (`vector(1)`, the "Watchdog" alert of kube-prometheus) fires always by design: not reported.
 *
 * @module
 */
import type { Check } from "../check.ts";
import { binaryOp, COMPARISONS, exprChildren, functionName } from "../promql/ast.ts";
import type { SyntaxNode } from "../promql/tree.ts";

/** Whether the result of `node` is filtered by a condition. */
export function hasCondition(expr: string, node: SyntaxNode): boolean {
  switch (node.name) {
    case "BinaryExpr": {
      const op = binaryOp(node);
      const sides = exprChildren(node);
      if (COMPARISONS.has(op)) return node.getChild("BoolModifier") === null;
      if (op === "Or") return sides.every((s) => hasCondition(expr, s));
      return sides.some((s) => hasCondition(expr, s));
    }
    case "FunctionCall": {
      const name = functionName(expr, node);
      if (name === "absent" || name === "absent_over_time") return true;
      return exprChildren(node).some((c) => hasCondition(expr, c));
    }
    case "VectorSelector":
    case "MatrixSelector":
    case "NumberLiteral":
    case "NumberDurationLiteral":
    case "StringLiteral":
      return false;
  }
  return exprChildren(node).some((c) => hasCondition(expr, c));
}

/** Alerts that always fire. */
export const alertsComparison: Check = {
  name: "alerts/comparison",
  kind: "beyond",
  description: "alert expressions have a condition (else they always fire)",
  expr(a, rule, ctx) {
    if (!rule.alert?.value) return [];
    const found = a.findings(this.name, undefined, () => {
      const top = a.top;
      if (!top || a.nodes("VectorSelector").length === 0 || hasCondition(a.expr, top)) return [];
      return [{
        severity: "warning",
        from: 0,
        to: a.expr.length,
        message:
          "alert expression has no condition: it fires for every series it returns, always while they exist",
      }];
    });
    return found.map((f) => ctx.node(this.name, f.severity, rule.expr!.node, f.message));
  },
};
