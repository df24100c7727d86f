/**
 * Annotation names are valid label names.
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { Problem } from "../model.ts";
import { validLabelName } from "../names.ts";

/** Annotation names. */
export const ruleAnnotationNames: Check = {
  name: "rule/annotation-name",
  kind: "promtool",
  description: "annotation names are valid label names",
  rule(r, ctx) {
    const out: Problem[] = [];
    for (const { key } of r.annotations ?? []) {
      if (!validLabelName(key.value, ctx.legacyNames)) {
        out.push(
          ctx.node(this.name, "error", key.node, `invalid annotation name: ${key.value}`),
        );
      }
    }
    return out;
  },
};
