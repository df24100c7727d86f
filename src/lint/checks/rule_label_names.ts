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
  return (labels ?? []).flatMap(({ key, value }) => [
    ...(!validLabelName(key.value, ctx.legacyNames) || key.value === "__name__"
      ? [ctx.node(check, "error", key.node, `invalid label name: ${key.value}`)]
      : []),
    ...(value.value.isWellFormed()
      ? []
      : [ctx.node(check, "error", value.node, `invalid label value: ${value.value}`)]),
  ]);
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
