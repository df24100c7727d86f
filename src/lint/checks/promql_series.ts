/**
 * Selectors against the service's catalog: unknown metric names (a warning with "did you mean"
 * when the name is a near miss of a known one, else a notice: other jobs' metrics are legitimate), label names the metric does not have, and label values
 * outside a closed set (`side="buy"` where only BUY and SELL exist).
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { Problem } from "../model.ts";
import type { Matcher } from "../promql/ast.ts";
import { metricTypo, suggest } from "../suggest.ts";
import { checkRegex } from "../promql/regex.ts";
import type { SeriesInfo } from "../catalog.ts";

const list = (values: readonly string[]) =>
  values.length > 12 ? `${values.slice(0, 12).join(", ")}, …` : values.join(", ");

/** Unknown metrics, label names and label values. */
export const promqlSeries: Check = {
  name: "promql/series",
  kind: "catalog",
  description: "metric names, label names and closed label values exist in the service's catalog",
  selector(sel, _a, rule, ctx) {
    const catalog = ctx.options.catalog;
    const name = sel.name;
    if (!catalog || name === undefined || !ctx.ours(sel.matchers)) return [];
    const info = catalog.series.get(name);
    if (info) return sel.matchers.flatMap((m) => matcherProblems(this.name, info, m));
    if (catalog.synthetic.has(name) || ctx.recorded.has(name) || name.includes(":")) return [];
    const typo = metricTypo(name, catalog.names);
    // A near miss of a known name is a typo: such an alert never fires (a warning, so that
    // --fatal-warnings fails on it). Other names are other jobs' metrics.
    return [ctx.inScalar(
      this.name,
      typo ? "warning" : "info",
      rule.expr!,
      sel.node.from,
      typo
        ? `metric "${name}" does not exist; did you mean "${typo}"? (a misspelt metric never fires)`
        : `metric "${name}" is not exported by tradewatch (another job's?)`,
      name,
    )];

    function matcherProblems(check: string, info: SeriesInfo, m: Matcher): Problem[] {
      if (m.label === "__name__") return [];
      const at = (sev: Problem["severity"], msg: string) =>
        ctx.inExpr(check, sev, rule, m.from, m.to, msg);
      if (!info.labelNames.includes(m.label) && !catalog!.targetLabels.has(m.label)) {
        const known = [...info.labelNames, ...catalog!.targetLabels];
        const hint = suggest(m.label, known);
        const msg = `metric "${info.name}" has no label "${m.label}"` +
          (hint ? `, did you mean "${hint}"?` : ` (it has: ${list(known)})`);
        if (ctx.accepts(m, "")) {
          return [at("warning", `${msg}; this matcher matches every series`)];
        }
        return [at("error", `${msg}; this selector never matches`)];
      }
      const allowed = info.labelValues[m.label];
      if (!allowed || allowed.length === 0) return [];
      if (m.op === "=" && m.value !== "" && !allowed.includes(m.value)) {
        const hint = suggest(m.value, allowed);
        return [at(
          "error",
          `${m.label}="${m.value}" never matches ${info.name}: ${m.label} is one of ${
            list(allowed)
          }` +
            (hint ? `; did you mean "${hint}"?` : ""),
        )];
      }
      if (m.op === "=~") {
        const re = checkRegex(m.value, ctx.options.prometheus, ctx.cache);
        if (!("error" in re) && !re.matches("") && !allowed.some((v) => re.matches(v))) {
          return [at(
            "error",
            `${m.label}=~"${m.value}" matches no value of ${info.name}: ${m.label} is one of ${
              list(allowed)
            }`,
          )];
        }
      }
      return [];
    }
  },
};
