/**
 * `expr` is valid PromQL for the Prometheus version: grammar, types, argument counts, `bool` on
 * scalar comparisons, RE2 regexes, at least one non-empty matcher.
 *
 * @module
 */
import type { Check } from "../check.ts";
import { oneLine } from "../context.ts";

/** PromQL syntax and type errors, positioned inside the expression. */
export const promqlSyntax: Check = {
  name: "promql/syntax",
  kind: "promtool",
  description: "expr parses and type-checks as PromQL (RE2 regexes, non-empty matchers)",
  rule(r, ctx) {
    const expr = r.expr;
    const parsed = expr && expr.value !== "" ? ctx.parsed(r) : undefined;
    return (parsed?.errors ?? []).map((e) => {
      const text = oneLine(expr!.value.slice(e.from, Math.max(e.to, e.from + 1))) ||
        oneLine(expr!.value);
      return ctx.inScalar(
        this.name,
        "error",
        expr!,
        e.from,
        `could not parse expression: ${e.message}`,
        text,
      );
    });
  },
};
