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
  const out: Problem[] = [];
  for (const { key, value } of entries ?? []) {
    const info = ctx.template(value);
    if (info.error) {
      const snippet = value.value.slice(info.error.offset, info.error.offset + 40).split("\n")[0] ||
        value.value.slice(-40);
      out.push(
        ctx.inScalar(
          check,
          "error",
          value,
          info.error.offset,
          `${what} "${key.value}": template: ${info.error.message}`,
          snippet,
        ),
      );
    }
  }
  return out;
}

/** Go template syntax of alert labels and annotations. */
export const alertsTemplate: Check = {
  name: "alerts/template",
  kind: "promtool",
  description:
    "alert labels and annotations are valid Go templates (known variables and functions)",
  rule(r, ctx) {
    const out: Problem[] = [];
    if (!r.alert || r.alert.value === "") return out;
    out.push(...templateProblems(this.name, ctx, "label", r.labels));
    out.push(...templateProblems(this.name, ctx, "annotation", r.annotations));
    return out;
  },
};
