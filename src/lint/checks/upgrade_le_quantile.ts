/**
 * Prometheus 3 writes the `le` of classic histograms and the `quantile` of summaries as floats
 * (`le="1.0"`), whatever the scrape protocol; matchers on integer-looking values (`le="1"`) stop
 * matching after the upgrade (Prometheus 3.0 migration guide, "`le` and `quantile` label values").
 *
 * @module
 */
import type { Check } from "../check.ts";
import { matcherProblems } from "../matcher_problems.ts";

const INTEGER = /^[+-]?[0-9]+$/;

/** The float form Prometheus 3 stores: `1` → `1.0`. */
const float = (v: string) => `${Number(v)}.0`;

/** A regex of literal alternatives (`1|5|10`) with each integer also matching its float form. */
function floatAlternatives(pattern: string): string | undefined {
  const alts = pattern.split("|");
  if (!alts.every((a) => /^(\\\+|-)?([0-9]+(\\?\.[0-9]+)?|Inf)$/.test(a))) return undefined;
  if (!alts.some((a) => INTEGER.test(a))) return undefined;
  return alts.map((a) => INTEGER.test(a) ? `${Number(a)}(\\.0)?` : a).join("|");
}

/** Integer-looking `le` and `quantile` matchers. */
export const upgradeLeQuantile: Check = {
  name: "upgrade/le-quantile",
  kind: "upgrade",
  description: 'integer le/quantile matchers stop matching in Prometheus 3 (it stores "1.0")',
  selector(sel, _a, rule, ctx) {
    return matcherProblems(this.name, "warning", sel, rule, ctx, (m, text) => {
      if (m.label !== "le" && m.label !== "quantile") return undefined;
      let rewrite: string | undefined;
      if ((m.op === "=" || m.op === "!=") && INTEGER.test(m.value)) {
        rewrite = `${m.label}${m.op}${JSON.stringify(float(m.value))}`;
      } else if (m.op === "=~" || m.op === "!~") {
        const alts = floatAlternatives(m.value);
        if (alts) rewrite = `${m.label}${m.op}${JSON.stringify(alts)}`;
      }
      if (!rewrite) return undefined;
      return `${text} stops matching in Prometheus 3, which stores ${m.label} values as floats: ` +
        `write ${rewrite}`;
    });
  },
};
