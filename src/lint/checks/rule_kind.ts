/**
 * Rule kind: exactly one of `record` and `alert`, and an `expr`.
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { Problem } from "../model.ts";

/** Exactly one of record/alert; expr is set. */
export const ruleKind: Check = {
  name: "rule/kind",
  kind: "promtool",
  description: "exactly one of record and alert is set, and expr is set",
  rule(r, ctx) {
    const out: Problem[] = [];
    const rec = r.record && r.record.value !== "";
    const alert = r.alert && r.alert.value !== "";
    if (rec && alert) {
      out.push(
        ctx.node(
          this.name,
          "error",
          r.alert!.node,
          `only one of 'record' and 'alert' must be set (record "${r.record!.value}", alert "${
            r.alert!.value
          }")`,
        ),
      );
    } else if (!rec && !alert) {
      out.push(ctx.node(this.name, "error", r.node, "one of 'record' or 'alert' must be set"));
    }
    if (!r.expr || r.expr.value === "") {
      out.push(
        ctx.node(this.name, "error", r.exprNode ?? r.node, "field 'expr' must be set in rule"),
      );
    }
    return out;
  },
};
