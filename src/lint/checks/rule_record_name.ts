/**
 * Recording rule names are valid metric names (and, since Prometheus 3.2, carry no braces).
 *
 * @module
 */
import type { Check } from "../check.ts";
import { validMetricName } from "../names.ts";

/** Record names are metric names. */
export const ruleRecordName: Check = {
  name: "rule/record-name",
  kind: "promtool",
  description: "recording rule names are valid metric names",
  rule(r, ctx) {
    const name = r.record?.value;
    if (!name || (r.alert && r.alert.value !== "")) return [];
    const message = ctx.options.prometheus === 3 && /[{}]/.test(name)
      ? `braces present in the recording rule name "${name}"; should it be in expr?`
      : validMetricName(name, ctx.legacyNames)
      ? undefined
      : `invalid recording rule name: ${name}`;
    return message ? [ctx.node(this.name, "error", r.record!.node, message)] : [];
  },
};
