/**
 * `$value` in alert labels: labels identify an alert, so every change of the value ends the
 * alert and starts a new one (flapping, lost `for` state). Put the value in an annotation.
 *
 * @module
 */
import type { Check } from "../check.ts";

/** `$value` in labels. */
export const alertsTemplateValue: Check = {
  name: "alerts/template-value",
  kind: "beyond",
  description: "alert labels do not use $value (use annotations)",
  rule(r, ctx) {
    if (!r.alert?.value) return [];
    return (r.labels ?? []).flatMap(({ key, value }) => {
      const info = ctx.template(value);
      if (info.error || info.valueRefs.length === 0) return [];
      return [ctx.inScalar(
        this.name,
        "warning",
        value,
        info.valueRefs[0],
        `label "${key.value}" uses the alert value: every change makes a new alert; move it to an annotation`,
        value.value,
      )];
    });
  },
};
