/**
 * Prometheus 3 renamed `holt_winters` to `double_exponential_smoothing`, behind the
 * `promql-experimental-functions` feature flag (Prometheus 3.0 migration guide, "holt_winters
 * function renamed"): a rule using it fails to load after the upgrade.
 *
 * @module
 */
import type { Check } from "../check.ts";

/** `expr` with the contents of strings and comments blanked (offsets kept). */
function codeOnly(expr: string): string {
  return expr.replace(
    /"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`[^`]*`?|#[^\n]*/g,
    (s) => s[0] + " ".repeat(s.length - 1),
  );
}

/** Calls of holt_winters. */
export const upgradeHoltWinters: Check = {
  name: "upgrade/holt-winters",
  kind: "upgrade",
  description: "holt_winters is double_exponential_smoothing (a feature flag) in Prometheus 3",
  rule(rule, ctx) {
    const expr = rule.expr;
    if (!expr?.value.includes("holt_winters")) return [];
    const code = codeOnly(expr.value);
    const calls = [...code.matchAll(/\bholt_winters(?=\s*\()/g)];
    if (calls.length === 0) return [];
    return calls.map((m) =>
      ctx.inScalar(
        this.name,
        "error",
        expr,
        m.index!,
        "holt_winters is called double_exponential_smoothing in Prometheus 3 (and needs " +
          "--enable-feature=promql-experimental-functions): write double_exponential_smoothing(…)",
        "holt_winters",
      )
    );
  },
};
