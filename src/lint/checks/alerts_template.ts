/**
 * Alert label and annotation values are valid Go templates (parsed, not run), with Prometheus'
 * variables and functions.
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { LabelEntry, Problem } from "../model.ts";
import type { FileContext } from "../context.ts";

function templateProblems(
  check: string,
  ctx: FileContext,
  what: string,
  entries: LabelEntry[] | undefined,
): Problem[] {
  return (entries ?? []).flatMap(({ key, value }) => {
    const error = ctx.template(value).error;
    if (!error) return [];
    const snippet = value.value.slice(error.offset, error.offset + 40).split("\n")[0] ||
      value.value.slice(-40);
    const message = `${what} "${key.value}": template: ${error.message}`;
    return [ctx.inScalar(check, "error", value, error.offset, message, snippet)];
  });
}

/** Go template syntax of alert labels and annotations. */
export const alertsTemplate: Check = {
  name: "alerts/template",
  kind: "promtool",
  description:
    "alert labels and annotations are valid Go templates (known variables and functions)",
  rule(r, ctx) {
    if (!r.alert || r.alert.value === "") return [];
    return [
      ...templateProblems(this.name, ctx, "label", r.labels),
      ...templateProblems(this.name, ctx, "annotation", r.annotations),
    ];
  },
};
