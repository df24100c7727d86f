/**
 * Recording rules take no `annotations`, `for` or `keep_firing_for`.
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { YNode } from "../yaml.ts";
import { parseDuration } from "../duration.ts";

/** Whether a duration field is set to something other than zero (invalid ones count as set). */
function nonZero(text: string | undefined): boolean {
  if (text === undefined) return false;
  const d = parseDuration(text);
  return !("ms" in d) || d.ms !== 0;
}

/** Alert-only fields are absent from recording rules. */
export const ruleFields: Check = {
  name: "rule/fields",
  kind: "promtool",
  description: "annotations, for and keep_firing_for only on alerting rules",
  rule(r, ctx) {
    if (!r.record || r.record.value === "" || (r.alert && r.alert.value !== "")) return [];
    const fields: [string, boolean, YNode | undefined][] = [
      ["annotations", (r.annotations?.length ?? 0) > 0, r.annotationsNode],
      ["for", nonZero(r.for?.value), r.for?.node],
      ["keep_firing_for", nonZero(r.keepFiringFor?.value), r.keepFiringFor?.node],
    ];
    return fields.filter(([, set]) => set).map(([field, , node]) =>
      ctx.node(this.name, "error", node ?? r.node, `invalid field '${field}' in recording rule`)
    );
  },
};
