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

interface Seen {
  labels: LabelEntry[] | undefined;
  /** Computed only when another rule has the same name. */
  key?: string;
  start: number;
}

/** Rules sharing a name and labels. */
export const ruleDuplicate: Check = {
  name: "rule/duplicate",
  kind: "promtool",
  description: "no two rules share a name and labels (warning, as promtool's lint)",
  rule(r, ctx) {
    const name = ruleName(r);
    if (name === "") return [];
    let byName = ctx.state.get(this.name) as Map<string, Seen[]> | undefined;
    if (!byName) ctx.state.set(this.name, byName = new Map());
    const same = byName.get(name);
    const entry: Seen = { labels: r.labels, start: ctx.start(r.node) };
    if (!same) {
      // Most names are unique: no label key is built for them.
      byName.set(name, [entry]);
      return [];
    }
    entry.key = ruleKey(name, r.labels);
    const first = same.find((e) => (e.key ??= ruleKey(name, e.labels)) === entry.key);
    same.push(entry);
    if (!first) return [];
    const at = ctx.source.position(first.start);
    const node = (r.alert && r.alert.value !== "" ? r.alert : r.record)!.node;
    return [ctx.node(
      this.name,
      "warning",
      node,
      `duplicate rule "${name}": same name and labels as the rule at line ${at.line}`,
    )];
  },
};
