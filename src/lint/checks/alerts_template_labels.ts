/**
 * `$labels.x` where the query's result cannot carry `x` (aggregated away by `sum by (…)`,
 * dropped by `on(…)`): the template always renders an empty string.
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { LabelEntry, Problem } from "../model.ts";
import type { FileContext } from "../context.ts";
import { mayHave } from "../promql/ast.ts";

/** `$labels.x` of labels the query removes. */
export const alertsTemplateLabels: Check = {
  name: "alerts/template-labels",
  kind: "beyond",
  description: "$labels.x in templates refers to labels the query keeps",
  expr(a, rule, ctx) {
    const out: Problem[] = [];
    if (!rule.alert?.value) return out;
    if (!hasLabelRefs(ctx, rule.labels) && !hasLabelRefs(ctx, rule.annotations)) return out;
    const labels = a.labels;
    if (labels.all && labels.removed.size === 0) return out;
    const ruleLabels = new Set((rule.labels ?? []).map((l) => l.key.value));
    for (
      const [what, entries] of [["label", rule.labels], ["annotation", rule.annotations]] as const
    ) {
      for (const { key, value } of entries ?? []) {
        const info = ctx.template(value);
        if (info.error) continue;
        for (const ref of info.labelRefs) {
          if (mayHave(labels, ref.name) || ruleLabels.has(ref.name)) continue;
          const kept = labels.all
            ? ""
            : ` (it keeps: ${[...labels.only].join(", ") || "no labels"})`;
          out.push(ctx.inScalar(
            this.name,
            "warning",
            value,
            ref.offset,
            `${what} "${key.value}" uses $labels.${ref.name}, but the query's result has no "${ref.name}" label${kept}`,
            `$labels.${ref.name}`,
          ));
        }
      }
    }
    return out;
  },
};

/** Whether any template of the entries uses `$labels` (no arrays or closures per rule). */
function hasLabelRefs(ctx: FileContext, entries: LabelEntry[] | undefined): boolean {
  if (!entries) return false;
  for (let i = 0; i < entries.length; i++) {
    if (ctx.template(entries[i].value).labelRefs.length > 0) return true;
  }
  return false;
}
