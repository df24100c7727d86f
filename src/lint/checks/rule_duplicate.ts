/**
 * Duplicate rules: same name and same labels in the file (promtool's lint, a warning; the
 * expression is ignored, as promtool does).
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { LabelEntry } from "../model.ts";
import { ruleName } from "../model.ts";

/** The identity promtool compares: name and sorted labels (a later duplicate label wins). */
function ruleKey(name: string, labels: LabelEntry[] | undefined): string {
  if (!labels || labels.length === 0) return name;
  if (labels.length === 1) {
    return name + "\u0000" + labels[0].key.value + "\u0001" + labels[0].value.value;
  }
  const m = new Map<string, string>();
  for (const l of labels) m.set(l.key.value, l.value.value);
  let key = name;
  for (const k of [...m.keys()].sort()) key += "\u0000" + k + "\u0001" + m.get(k);
  return key;
}

/** Rules sharing a name and labels. */
export const ruleDuplicate: Check = {
  name: "rule/duplicate",
  kind: "promtool",
  description: "no two rules share a name and labels (warning, as promtool's lint)",
  rule(r, ctx) {
    const name = ruleName(r);
    if (name === "") return [];
    const key = ruleKey(name, r.labels);
    const seen = ctx.seen(this.name);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, ctx.start(r.node));
      return [];
    }
    const at = ctx.source.position(first);
    const node = (r.alert && r.alert.value !== "" ? r.alert : r.record)!.node;
    return [ctx.node(
      this.name,
      "warning",
      node,
      `duplicate rule "${name}": same name and labels as the rule at line ${at.line}`,
    )];
  },
};
