/**
 * Rule and group label names are valid label names (not `__name__`), values valid UTF-8.
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { LabelEntry, Problem } from "../model.ts";
import { validLabelName } from "../names.ts";
import type { FileContext } from "../context.ts";

function labelProblems(
  check: string,
  ctx: FileContext,
  labels: LabelEntry[] | undefined,
): Problem[] {
  const out: Problem[] = [];
  for (const { key, value } of labels ?? []) {
    if (!validLabelName(key.value, ctx.legacyNames) || key.value === "__name__") {
      out.push(ctx.node(check, "error", key.node, `invalid label name: ${key.value}`));
    }
    if (!value.value.isWellFormed()) {
      out.push(ctx.node(check, "error", value.node, `invalid label value: ${value.value}`));
    }
  }
  return out;
}

/** Label names of rules and groups. */
export const ruleLabelNames: Check = {
  name: "rule/label-name",
  kind: "promtool",
  description: "label names are valid and not __name__; label values are valid UTF-8",
  group(g, ctx) {
    return labelProblems(this.name, ctx, g.labels);
  },
  rule(r, ctx) {
    return labelProblems(this.name, ctx, r.labels);
  },
};
