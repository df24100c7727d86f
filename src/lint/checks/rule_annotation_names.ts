/**
 * Annotation names are valid label names.
 *
 * @module
 */
import type { Check } from "../check.ts";
import { validLabelName } from "../names.ts";

/** Annotation names. */
export const ruleAnnotationNames: Check = {
  name: "rule/annotation-name",
  kind: "promtool",
  description: "annotation names are valid label names",
  rule(r, ctx) {
    return (r.annotations ?? []).filter(({ key }) => !validLabelName(key.value, ctx.legacyNames))
      .map(({ key }) =>
        ctx.node(this.name, "error", key.node, `invalid annotation name: ${key.value}`)
      );
  },
};
