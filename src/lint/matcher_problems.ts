/**
 * Problems found at single label matchers: the walk over a rule's selectors and matchers, and the
 * problem placed on the matcher's text, shared by the checks that judge one matcher at a time.
 *
 * @module
 */
import type { FileContext } from "./context.ts";
import type { Problem, Rule, Severity } from "./model.ts";
import type { Matcher } from "./promql/infer.ts";

/**
 * A `severity` problem of `check` at every matcher of `rule`'s expression for which `finding`
 * answers a message (`text` is the matcher's source text, e.g. `le="1"`).
 */
export function matcherProblems(
  check: string,
  severity: Severity,
  rule: Rule,
  ctx: FileContext,
  finding: (m: Matcher, text: string) => string | undefined,
): Problem[] {
  const a = ctx.expr(rule);
  if (!a) return [];
  const out: Problem[] = [];
  for (const sel of a.selectors) {
    for (const m of sel.matchers) {
      const text = a.expr.slice(m.from, m.to);
      const message = finding(m, text);
      if (message !== undefined) {
        out.push(ctx.inScalar(check, severity, rule.expr!, m.from, message, text));
      }
    }
  }
  return out;
}
