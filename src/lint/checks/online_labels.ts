/**
 * `--prometheus-url`: label matchers that can never match the metric's series in Prometheus: a
 * label none of its series carries, or a value none of them has.
 *
 * @module
 */
import type { Check } from "../check.ts";
import type { Problem } from "../model.ts";
import { checkRegex } from "../promql/regex.ts";
import { askable } from "../askable.ts";

const list = (values: Iterable<string>) => {
  const all = [...values].sort();
  return all.length > 8 ? `${all.slice(0, 8).join(", ")}, …` : all.join(", ");
};

/** Matchers no series of the metric satisfies. */
export const onlineLabels: Check = {
  name: "online/labels",
  kind: "online",
  description: "label names and values of matchers exist on the metric's series (--prometheus-url)",
  selector(sel, _a, rule, ctx) {
    const name = askable(sel, ctx);
    if (!name) return [];
    for (const m of sel.matchers) {
      if (m.label === "__name__") continue;
      // A regex that does not compile is promql/syntax's.
      if (m.op === "=~" || m.op === "!~") {
        if ("error" in checkRegex(m.value, ctx.options.prometheus, ctx.cache)) continue;
      }
      const matches = (v: string) => ctx.accepts(m, v);
      // A matcher that accepts the empty value also matches series without the label.
      if (matches("")) continue;
      const at = ctx.inExpr(this.name, "warning", rule, m.from, m.to, "");
      const text = at.text;
      ctx.defer({ metrics: [name] }, (facts): Problem[] => {
        const series = facts.series.get(name);
        if (!series || series.length === 0) return [];
        const values = new Set<string>();
        const names = new Set<string>();
        for (const s of series) {
          for (const k of Object.keys(s)) names.add(k);
          if (Object.hasOwn(s, m.label)) values.add(s[m.label]);
        }
        if (values.size === 0) {
          return [{
            ...at,
            message: `no series of "${name}" in Prometheus has a "${m.label}" label (they have: ${
              list([...names].filter((n) => n !== "__name__"))
            }): ${text} never matches`,
          }];
        }
        if ([...values].some(matches)) return [];
        return [{
          ...at,
          message: `no series of "${name}" in Prometheus matches ${text} (${m.label} is one of: ${
            list(values)
          })`,
        }];
      });
    }
    return [];
  },
};
