/**
 * Problems found at single label matchers: the problem placed on the matcher's text, shared by
 * the checks that judge one matcher at a time.
 *
 * @module
 */
import type { FileContext } from "./context.ts";
import type { Problem, Rule, Severity } from "./model.ts";
import type { Matcher, Selector } from "./promql/ast.ts";

/**
 * A `severity` problem of `check` at every matcher of `sel` (in `rule`'s expression) for which
 * `finding` answers a message (`text` is the matcher's source text, e.g. `le="1"`).
 */
export function matcherProblems(
  check: string,
  severity: Severity,
  sel: Selector,
  rule: Rule,
  ctx: FileContext,
  finding: (m: Matcher, text: string) => string | undefined,
): Problem[] {
  const out: Problem[] = [];
  for (const m of sel.matchers) {
    const message = finding(m, rule.expr!.value.slice(m.from, m.to));
    if (message !== undefined) out.push(ctx.inExpr(check, severity, rule, m.from, m.to, message));
  }
  return out;
}
