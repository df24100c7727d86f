/**
 * Duplicate rules: same name and same labels in the file (promtool's lint, a warning; the
 * expression is ignored, as promtool does).
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { Problem } from "../model.ts";
import { ruleName } from "../model.ts";

/** Rules sharing a name and labels. */
export const ruleDuplicate: Check = {
  name: "rule/duplicate",
  kind: "promtool",
  description: "no two rules share a name and labels (warning, as promtool's lint)",
  run(file, ctx) {
    const out: Problem[] = [];
    const seen = new Map<string, number>();
    for (const g of file.groups) {
      for (const r of g.rules) {
        const name = ruleName(r);
        if (name === "") continue;
        const labels = new Map((r.labels ?? []).map((l) => [l.key.value, l.value.value]));
        const key = JSON.stringify([
          name,
          [...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        ]);
        const first = seen.get(key);
        if (first === undefined) {
          seen.set(key, r.node.start);
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
