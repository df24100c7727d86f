/**
 * Recording rule names are valid metric names (and, since Prometheus 3.2, carry no braces).
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { Problem } from "../model.ts";
import { validMetricName } from "../names.ts";

/** Record names are metric names. */
export const ruleRecordName: Check = {
  name: "rule/record-name",
  kind: "promtool",
  description: "recording rule names are valid metric names",
  rule(r, ctx) {
    const out: Problem[] = [];
    const name = r.record?.value;
    if (!name || (r.alert && r.alert.value !== "")) return out;
    if (ctx.options.prometheus === 3 && /[{}]/.test(name)) {
      out.push(
        ctx.node(
          this.name,
          "error",
          r.record!.node,
          `braces present in the recording rule name "${name}"; should it be in expr?`,
        ),
      );
    } else if (!validMetricName(name, ctx.legacyNames)) {
      out.push(
        ctx.node(this.name, "error", r.record!.node, `invalid recording rule name: ${name}`),
      );
    }
    return out;
  },
};
