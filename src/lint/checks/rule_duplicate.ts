/**
 * Duplicate rules: same name and same labels in the file (promtool's lint, a warning; the
 * expression is ignored, as promtool does).
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { LabelEntry, Problem } from "../model.ts";
import { ruleName } from "../model.ts";

/** The identity promtool compares: name and sorted labels (a later duplicate label wins). */
function ruleKey(name: string, labels: LabelEntry[] | undefined): string {
  if (!labels || labels.length === 0) return name;
  const m = new Map<string, string>();
  for (const l of labels) m.set(l.key.value, l.value.value);
  const keys = [...m.keys()].sort();
  let key = name;
  for (const k of keys) key += "\u0000" + k + "\u0001" + m.get(k);
  return key;
}

/** Rules sharing a name and labels. */
export const ruleDuplicate: Check = {
  name: "rule/duplicate",
  kind: "promtool",
  description: "no two rules share a name and labels (warning, as promtool's lint)",
  file(file, ctx) {
    const out: Problem[] = [];
    const seen = new Map<string, number>();
    for (const g of file.groups) {
      for (const r of g.rules) {
        const name = ruleName(r);
        if (name === "") continue;
        const key = ruleKey(name, r.labels);
        const first = seen.get(key);
        if (first === undefined) {
          seen.set(key, ctx.start(r.node));
          continue;
        }
        const at = ctx.source.position(first);
        const node = (r.alert && r.alert.value !== "" ? r.alert : r.record)!.node;
        out.push(
          ctx.node(
            this.name,
            "warning",
            node,
            `duplicate rule "${name}": same name and labels as the rule at line ${at.line}`,
          ),
        );
      }
    }
    return out;
  },
};
