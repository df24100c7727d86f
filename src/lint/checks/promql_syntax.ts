/**
 * `expr` is valid PromQL for the Prometheus version: grammar, types, argument counts, `bool` on
 * scalar comparisons, RE2 regexes, at least one non-empty matcher.
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { Problem } from "../model.ts";
import { oneLine } from "../context.ts";

/** PromQL syntax and type errors, positioned inside the expression. */
export const promqlSyntax: Check = {
  name: "promql/syntax",
  kind: "promtool",
  description: "expr parses and type-checks as PromQL (RE2 regexes, non-empty matchers)",
  rule(r, ctx) {
    const out: Problem[] = [];
    if (!r.expr || r.expr.value === "") return out;
    const parsed = ctx.parsed(r);
    if (!parsed) return out;
    for (const e of parsed.errors) {
      const text = oneLine(r.expr.value.slice(e.from, Math.max(e.to, e.from + 1))) ||
        oneLine(r.expr.value);
      out.push(
        ctx.inScalar(
          this.name,
          "error",
          r.expr,
          e.from,
          `could not parse expression: ${e.message}`,
          text,
        ),
      );
    }
    return out;
  },
};
